// Shared body of the two CodeBLEU golden test files (one per variant, so vitest runs them in parallel).
import { expect, it } from 'vitest';
import { GOLDEN, sharedPath } from './helpers/shared.js';
import { readGolden, type GoldenCorpusRecord, type GoldenPair } from '../harness/score/golden.js';
import { verifyCodeBleuCorpus, verifyCodeBleuPairs } from '../harness/score/verify-codebleu.js';
import type { CodeBleuVariant } from '../metrics/codebleu/index.js';
import { resolve } from 'node:path';

export function goldenSuite(variant: CodeBleuVariant): void {
  it(`matches every golden pair and corpus subset (${variant})`, async () => {
    const pairs = await readGolden<GoldenPair>(sharedPath('golden', 'codebleu_pairs.jsonl.gz'));
    const corpus = await readGolden<GoldenCorpusRecord>(resolve(GOLDEN, 'codebleu_corpus.jsonl.gz'));
    expect(pairs.length).toBeGreaterThan(10000);
    const r = verifyCodeBleuPairs(pairs, variant);
    expect(r.checked).toBe(pairs.length);
    expect(r.disagreements.slice(0, 10)).toEqual([]);
    expect(r.disagreements.length).toBe(0);

    const byId = new Map(pairs.map((p) => [p.id, p]));
    const c = verifyCodeBleuCorpus(corpus, byId, variant, r.stats);
    // Subsets that need a kept-back pair cannot be recomputed here; everything else must be.
    expect(c.checked + c.skipped.length).toBe(corpus.length);
    expect(c.checked).toBeGreaterThanOrEqual(13);
    expect(c.skipped.every((s) => s.missing > 0)).toBe(true);
    expect(c.disagreements).toEqual([]);
  });
}
