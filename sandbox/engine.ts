import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import type { EngineSpec } from './engine-spec.js';

export { parseEngineSpec, type EngineSpec } from './engine-spec.js';

let shared: Docker | null = null;

/** The dockerode client of the default engine (DOCKER_HOST is honoured, else the local socket). */
export function docker(): Docker {
  shared ??= new Docker();
  return shared;
}

/** A dockerode client for one engine. */
export function engineClient(spec: EngineSpec): Docker {
  const u = new URL(spec.url);
  if (u.protocol === 'unix:') return new Docker({ socketPath: u.pathname });
  if (u.protocol === 'ssh:') return new Docker({ protocol: 'ssh', host: u.hostname, port: u.port ? Number(u.port) : 22, username: u.username || undefined });
  if (spec.tlsDir) {
    const read = (f: string) => {
      try {
        return readFileSync(join(spec.tlsDir!, f));
      } catch (e) {
        throw new UserError(`--engine ${spec.url}: cannot read ${join(spec.tlsDir!, f)} (${(e as Error).message})`);
      }
    };
    return new Docker({ protocol: 'https', host: u.hostname, port: Number(u.port), ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') });
  }
  return new Docker({ protocol: 'http', host: u.hostname, port: Number(u.port) });
}

/** Fails with one clear line when no engine answers, saying how to get one. */
export async function ensureEngine(client: Docker = docker(), where?: string): Promise<{ version: string; apiVersion: string }> {
  try {
    await client.ping();
    const v = await client.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch (e) {
    const at = where ?? process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    throw new UserError(
      `no Docker engine reachable at ${at} (${(e as Error).message}); start one ` +
        '(as root: `bash sandbox/scripts/start-engine.sh`, or your system\'s Docker service)',
    );
  }
}

export async function imageExists(name: string, client: Docker = docker()): Promise<boolean> {
  return (await imageId(name, client)) !== null;
}

export async function imageId(name: string, client: Docker = docker()): Promise<string | null> {
  try {
    return (await client.getImage(name).inspect()).Id;
  } catch {
    return null;
  }
}

/** Copies an image from one engine to another (`docker save | docker load`): the same id and tags. */
export async function copyImage(name: string, from: Docker, to: Docker): Promise<void> {
  const tar = await from.getImage(name).get();
  const res = await to.loadImage(tar as unknown as NodeJS.ReadableStream, { quiet: true });
  await new Promise<void>((resolve, reject) => to.modem.followProgress(res, (err: Error | null) => (err ? reject(err) : resolve())));
}
