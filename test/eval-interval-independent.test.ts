/**
 * The eval's 95% interval pinned against an independent computation (issue 16): numpy itself
 * (test/helpers/bootstrap_reference.py: np.random.RandomState(seed).randint(0, n, size=(B, n)) and
 * np.percentile — the README's recipe) over the per-sample AST verdicts `apieval eval` stored must give the
 * interval in summary.json bit for bit.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runEval } from '../harness/runs/run.js';
import { ftEvalOptions } from './helpers/eval-options.js';
import { REPO } from './helpers/cli.js';

const PYTHON = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'apieval-interval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('eval interval = an independent Python bootstrap', () => {
  it('AST accuracy and hallucination of Gorilla_FT_0_shot, 1,000 resamples, seed 12345', async () => {
    const r = await runEval(ftEvalOptions(join(tmp, 'run'), { config: { nResamples: 1000 } }));
    const samples = r.records.filter((s) => s.checkpoint === 'ft').sort((a, b) => a.question_id - b.question_id);
    expect(samples).toHaveLength(904);
    const reported = r.summary.checkpoints.find((c) => c.name === 'ft')!.runs[0].metrics as Record<string, { value: number; low: number; high: number }>;
    for (const [metric, pick] of [
      ['ast_gorilla', (m: Record<string, unknown>) => (m.correct ? 1 : 0)],
      ['hallucination', (m: Record<string, unknown>) => (m.hallucination ? 1 : 0)],
    ] as const) {
      const values = samples.map((s) => pick(s.metrics.ast_gorilla as Record<string, unknown>));
      const py = spawnSync(PYTHON, [resolve(REPO, 'test/helpers/bootstrap_reference.py')], { input: JSON.stringify({ values, B: 1000, seed: 12345 }), encoding: 'utf8' });
      expect(py.status, `${PYTHON} with numpy is needed: ${py.stderr}`).toBe(0);
      const want = JSON.parse(py.stdout) as { value: number; low: number; high: number };
      expect(reported[metric], metric).toMatchObject({ value: want.value, low: want.low, high: want.high });
    }
  }, 120_000);
});
