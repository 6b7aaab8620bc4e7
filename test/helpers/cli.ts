import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');

/** Runs the built CLI (`bin/apieval.js`, as a user would) and returns its exit code and output. */
export function runCli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): SpawnSyncReturns<string> & { status: number } {
  const r = spawnSync(process.execPath, [resolve(REPO, 'bin/apieval.js'), ...args], {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    maxBuffer: 512 * 1024 * 1024,
  });
  return r as SpawnSyncReturns<string> & { status: number };
}

/** runCli without blocking the event loop (for tests that serve the CLI from this process, e.g. an HTTP endpoint). */
export function runCliAsync(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(REPO, 'bin/apieval.js'), ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => done({ status: code ?? -1, stdout, stderr }));
  });
}
