// `apieval train sft` as a user runs it (the built CLI, real PyTorch on a random tiny GPT-2 and the APIBench
// eval records of ../shared): the held-out loss goes down; kill -9 and the same command again ends with the
// same weights, byte for byte, as a run never stopped; 2 torchrun processes (gloo) end where 1 process with
// the same global batch does; a resume with other settings is refused.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { metricsSansTiming, py, python, SKIP_TRAINERS, tempDir, removeTempDirs, killWhen } from './trainers-env.js';

const BASE = ['train', 'sft', '--data-dir', APIBENCH, '--init', 'random:tiny', '--device', 'cpu', '--max-length', '128', '--lr', '1e-3', '--seed', '4'];
const RESUMABLE = [...BASE, '--batch-size', '4', '--max-steps', '10', '--save-every', '4', '--eval-every', '5'];

/** F32 tensors of a safetensors file by name (parsed from the format, not by the trainers' reader). */
export function readF32Tensors(file: string): Map<string, Float32Array> {
  const buf = readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; data_offsets: [number, number] }>;
  const out = new Map<string, Float32Array>();
  for (const [k, e] of Object.entries(header)) {
    if (k === '__metadata__' || e.dtype !== 'F32') continue;
    const b = buf.subarray(8 + n + e.data_offsets[0], 8 + n + e.data_offsets[1]);
    out.set(k, new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
  }
  return out;
}

function train(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = runCli(args);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(SKIP_TRAINERS)('apieval train sft', () => {
  let straight: string;
  beforeAll(() => {
    sharedPath('apibench');
    python();
    straight = join(tempDir('sft'), 'straight');
    const r = train([...RESUMABLE, '--out', straight]);
    if (r.status !== 0) throw new Error(r.stderr);
  }, 300_000);

  it('writes the run folder and lowers the held-out loss', () => {
    for (const f of ['config.json', 'split.json', 'manifest.json', 'metrics.jsonl', 'data/train.jsonl', 'data/heldout.jsonl', 'final/config.json', 'final/model.safetensors', 'final/vocab.json', 'final/merges.txt']) {
      expect(existsSync(join(straight, f)), f).toBe(true);
    }
    const evals = metricsSansTiming(straight).filter((m) => (m as { kind: string }).kind === 'eval') as { step: number; heldout_loss: number }[];
    expect(evals.map((e) => e.step)).toEqual([0, 5, 10]);
    expect(evals[2].heldout_loss).toBeLessThan(evals[0].heldout_loss - 0.2);
    const m = JSON.parse(readFileSync(join(straight, 'manifest.json'), 'utf8'));
    expect(m.result.steps).toBe(10);
    expect(m.result.heldout_loss_last).toBe(evals[2].heldout_loss);
    expect(m.environment.torch).toMatch(/^\d+\.\d+/);
    expect(m.split).toMatchObject({ kind: 'holdout', fraction: 0.9, seed: 0, train_questions: 819, eval_questions: 92 });
    // Never train on what is evaluated: no held-out question id among the training examples.
    const split = JSON.parse(readFileSync(join(straight, 'split.json'), 'utf8')) as { train_question_ids: number[]; eval_question_ids: number[] };
    const held = new Set(split.eval_question_ids);
    const trained = readFileSync(join(straight, 'data/train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).question_id as number);
    expect(trained.some((q) => held.has(q))).toBe(false);
    expect(split.train_question_ids.length + split.eval_question_ids.length).toBe(911);
  });

  it('kill -9 after a checkpoint, the same command again: the same final weights byte for byte and the same metrics', async () => {
    const run = join(tempDir('sft'), 'killed');
    const args = [...RESUMABLE, '--out', run];
    await killWhen(args, /checkpoint at step 4/);
    expect(existsSync(join(run, 'final'))).toBe(false);
    const again = train(args);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming from .*step-000000[48]/);
    expect(Buffer.compare(readFileSync(join(run, 'final/model.safetensors')), readFileSync(join(straight, 'final/model.safetensors')))).toBe(0);
    expect(metricsSansTiming(run)).toEqual(metricsSansTiming(straight));
    const m = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    expect(m.sessions.map((s: { outcome?: string }) => s.outcome ?? 'killed')).toEqual(['killed', 'complete']);
    // A finished run rerun is a no-op.
    const third = train(args);
    expect(third.status, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/already complete/);
  }, 300_000);

  it('resuming with other training settings is refused in one line', () => {
    const r = train([...BASE, '--batch-size', '4', '--max-steps', '10', '--save-every', '4', '--eval-every', '5', '--out', straight, '--lr', '2e-3']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/other settings \(--lr: 0\.001 then, 0\.002 now\)/);
  });

  it('torchrun, 2 processes with gloo, ends with the weights of 1 process with the same global batch (1e-6)', () => {
    const dir = tempDir('ddp');
    const common = [...BASE, '--max-steps', '4', '--grad-accum', '2', '--dropout', '0', '--eval-every', '100', '--save-every', '100'];
    const one = train([...common, '--batch-size', '4', '--nproc', '1', '--out', join(dir, 'one')]);
    expect(one.status, one.stderr).toBe(0);
    const two = train([...common, '--batch-size', '2', '--nproc', '2', '--out', join(dir, 'two')]);
    expect(two.status, two.stderr).toBe(0);
    expect(two.stderr).toMatch(/2 process\(es\)/);
    const a = readF32Tensors(join(dir, 'one/final/model.safetensors'));
    const b = readF32Tensors(join(dir, 'two/final/model.safetensors'));
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    let maxDiff = 0;
    for (const [k, x] of a) {
      const y = b.get(k)!;
      for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
    }
    expect(maxDiff).toBeLessThanOrEqual(1e-6);
    // And the 4 steps did move the weights away from the random initialisation both started from.
    const initDir = join(dir, 'init');
    const r = py(['-m', 'apieval_trainers', 'init', '--init', 'random:tiny', '--seed', '4', '--tokenizer', join(dir, 'one/tokenizer'), '--out', initDir]);
    expect(r.status, r.stderr).toBe(0);
    const init = readF32Tensors(join(initDir, 'model.safetensors'));
    let moved = 0;
    for (const [k, x] of a) {
      const y = init.get(k)!;
      for (let i = 0; i < x.length; i++) moved = Math.max(moved, Math.abs(x[i] - y[i]));
    }
    expect(moved).toBeGreaterThan(1e-3);
    // The per-step losses agree too.
    const l1 = metricsSansTiming(join(dir, 'one')).filter((m) => (m as { kind: string }).kind === 'step') as { loss: number }[];
    const l2 = metricsSansTiming(join(dir, 'two')).filter((m) => (m as { kind: string }).kind === 'step') as { loss: number }[];
    expect(l2.map((s) => s.loss)).toHaveLength(4);
    l1.forEach((s, i) => expect(Math.abs(s.loss - l2[i].loss)).toBeLessThan(1e-5));
  }, 300_000);
});

afterAll(removeTempDirs);
