import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
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
