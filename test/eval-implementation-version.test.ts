/**
 * Issue 16's defect: cached metric values were keyed by signatures that name only the upstream reference,
 * so after a fix in apieval's own port a rerun into an existing run directory silently kept the old values.
 * Keys now carry apieval's implementation version of each metric: a bumped version recomputes that metric,
 * and only it; version 1 keys are those runs have always had.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval, type EvalRunOptions } from '../harness/runs/run.js';
import { cacheKey, versionedSignature } from '../core/hash.js';
import { IMPLEMENTATION } from '../harness/runs/suite.js';
import type { SampleRecord } from '../harness/runs/types.js';
import { ftEvalOptions } from './helpers/eval-options.js';

const tmp = mkdtempSync(join(tmpdir(), 'apieval-impl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const out = join(tmp, 'run');
const ids = Array.from({ length: 12 }, (_, i) => i + 1);

const options = (over: Partial<EvalRunOptions> = {}): EvalRunOptions => ftEvalOptions(out, { jobs: 1, questions: { spec: 'first 12', label: 'questions 1–12', ids }, ...over });
const samples = (): SampleRecord[] => readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe('implementation versions in cache keys', () => {
  it('a bumped version recomputes exactly that metric; the same versions reuse everything', async () => {
    const first = await runEval(options());
    expect([first.computed, first.reused]).toEqual([12, 0]);
    const before = samples();
    expect(Object.values(IMPLEMENTATION).every((v) => v === 1)).toBe(true);

    const same = await runEval(options());
    expect([same.computed, same.reused]).toEqual([0, 12]);

    const bumped = await runEval(options({ implementationVersions: { codebleu_code: 2 } }));
    expect([bumped.computed, bumped.reused]).toEqual([12, 0]);
    const after = samples();
    for (let i = 0; i < before.length; i++) {
      expect(after[i].keys.codebleu_code).not.toBe(before[i].keys.codebleu_code);
      for (const m of ['ast_gorilla', 'ast_strict', 'codebleu_api', 'rouge_code']) expect(after[i].keys[m], m).toBe(before[i].keys[m]);
      // The same code computed again gives the same values (here nothing changed but the number).
      expect(after[i].metrics).toEqual(before[i].metrics);
    }
    // The version enters the key beside the signature; version 1 is the bare signature (older runs' keys).
    const sig = first.manifest.signatures.codebleu_code;
    expect(versionedSignature(sig, 1)).toBe(sig);
    expect(versionedSignature(sig, 2)).toBe(`${sig}|impl:2`);
    expect(cacheKey([versionedSignature(sig, 2)])).not.toBe(cacheKey([sig]));

    // Back to the built-in versions: recomputed again, and the keys are the first run's.
    const back = await runEval(options());
    expect(back.computed).toBe(12);
    expect(samples().map((s) => s.keys)).toEqual(before.map((s) => s.keys));
  }, 120_000);
});
