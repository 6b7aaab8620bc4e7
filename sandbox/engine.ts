import Docker from 'dockerode';
import { UserError } from '../core/errors.js';

let shared: Docker | null = null;

/** The dockerode client (DOCKER_HOST is honoured, else the local socket). */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

/** Fails with one clear line when no engine answers, saying how to get one. */
export async function ensureEngine(): Promise<{ version: string; apiVersion: string }> {
  const d = docker();
  try {
    await d.ping();
    const v = await d.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch (e) {
    const where = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    throw new UserError(
      `no Docker engine reachable at ${where} (${(e as Error).message}); start one ` +
        '(as root: `bash sandbox/scripts/start-engine.sh`, or your system\'s Docker service)',
    );
  }
}

export async function imageExists(name: string): Promise<boolean> {
  try {
    await docker().getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

export async function imageId(name: string): Promise<string | null> {
  try {
    return (await docker().getImage(name).inspect()).Id;
  } catch {
    return null;
  }
}
