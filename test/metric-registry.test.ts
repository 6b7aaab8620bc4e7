/**
 * The metric registry (metrics/registry.ts) is what every reporter iterates over, so its entries must be
 * consistent: each sample metric computes exactly the values it versions, in that order; view keys are
 * unique across metrics; every view reads a value some metric writes; one view feeds the domain table;
 * every metric has its card in its folder. And the eval's suite and columns are the registry's.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { goldenFormats, METRICS, metricViews, pairMetrics, sampleImplementations, sampleScorers } from '../metrics/registry.js';
import { readGolden } from '../harness/score/golden-files.js';
import { detectFormat } from '../harness/score/verify-run.js';
import { parseMetrics } from '../harness/score/options.js';
import { GOLDEN } from './helpers/shared.js';
import { apiDbPath, loadApiDbFile } from '../harness/datasets/apibench.js';
import { buildSuite, IMPLEMENTATION } from '../harness/runs/suite.js';
import { APIBENCH } from './helpers/shared.js';
import { REPO } from './helpers/cli.js';

const apiDb = loadApiDbFile(apiDbPath(APIBENCH, 'huggingface'));
const ctx = { hub: 'huggingface' as const, apiDb, codebleuVariant: 'k4black' as const, rougeStemmer: false };
const all = { codebleuVariant: 'k4black' as const, exec: true, rm: true, supported: new Set([1]) };

describe('metric registry', () => {
  it('sample metrics compute exactly the values they version, in that order', () => {
    for (const m of METRICS.filter((x) => x.kind === 'sample')) {
      expect(m.scorers!(ctx).map((s) => s.name), m.id).toEqual(Object.keys(m.implementation));
      for (const s of m.scorers!(ctx)) expect(s.implementation, s.name).toBe(m.implementation[s.name]);
    }
    for (const m of METRICS.filter((x) => x.kind === 'batch')) expect(m.scorers, m.id).toBeUndefined();
  });

  it('views: unique keys, each reading a value the registry writes, one domain table', () => {
    const views = metricViews(all);
    expect(new Set(views.map((v) => v.key)).size).toBe(views.length);
    const written = new Set([...Object.keys(sampleImplementations()), 'exec', 'rm']);
    for (const v of views) expect(written.has(v.metric), `${v.key} reads ${v.metric}`).toBe(true);
    expect(views.filter((v) => v.domainTable).map((v) => v.key)).toEqual(['ast_gorilla']);
    // Batch columns appear only when their batch ran.
    const plain = metricViews({ codebleuVariant: 'k4black', exec: false });
    expect(plain.some((v) => v.metric === 'exec' || v.metric === 'rm')).toBe(false);
    expect(views.filter((v) => v.metric === 'exec').map((v) => v.key)).toEqual(['exec', 'exec_supported']);
  });

  it('every metric has its folder and card', () => {
    for (const m of METRICS) expect(existsSync(join(REPO, 'metrics', m.id, 'CARD.md')), m.id).toBe(true);
  });

  it("the eval's suite, cache versions and columns are the registry's", () => {
    expect(buildSuite(apiDb, ctx).map((s) => [s.name, s.signature])).toEqual(sampleScorers(ctx).map((s) => [s.name, s.signature]));
    expect(IMPLEMENTATION).toEqual(sampleImplementations());
    // The order summary.json and every report have always had (their bytes depend on it).
    expect(metricViews(all).map((v) => v.key)).toEqual([
      'ast_gorilla', 'hallucination', 'ast_strict', 'codebleu_api', 'codebleu_code',
      'rouge1_code', 'rouge2_code', 'rougeL_code', 'rougeLsum_code', 'rm_p', 'rm_logit', 'exec', 'exec_supported',
    ]);
  });

  it('score and verify: pair metrics and golden formats come from the registry, each golden file is one format', async () => {
    const names = pairMetrics().map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    // --metrics keeps registry order whatever order it is given in, and refuses what the registry lacks.
    expect(parseMetrics([...names].reverse().join(','))).toEqual(names);
    expect(() => parseMetrics('codebleu,bleurt')).toThrow(/unknown metric 'bleurt' \(expected codebleu, rouge\)/);
    const kinds = goldenFormats().map((f) => f.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    const files: Record<string, string> = {
      'codebleu_pairs.jsonl.gz': 'codebleu-pairs',
      'codebleu_corpus.jsonl.gz': 'codebleu-corpus',
      'rouge_pairs.jsonl.gz': 'rouge-pairs',
      'rouge_corpus.jsonl.gz': 'rouge-corpus',
    };
    for (const [file, kind] of Object.entries(files)) {
      const first = (await readGolden<Record<string, unknown>>(join(GOLDEN, file)))[0];
      // Exactly one format recognises each file, so the registry's order never decides.
      expect(goldenFormats().filter((f) => f.detect(first)).map((f) => f.kind), file).toEqual([kind]);
      expect(detectFormat(first)?.kind).toBe(kind);
    }
  });
});
