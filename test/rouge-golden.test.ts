import { describe, expect, it } from 'vitest';
import { readJsonlAll } from '../core/jsonl.js';
import { RougeScorer, rougeBootstrap, rougeMean, type RougeScores, type RougeType } from '../metrics/rouge/index.js';
import { sharedPath } from './helpers/shared.js';

/*
 * Every record of ../shared/golden/rouge_pairs.jsonl.gz and every subset of rouge_corpus.jsonl.gz, both
 * stemmer settings, all 4 types × 3 values, to 1e-9 (README of the golden folder, §4).
 */
const TOL = 1e-9;
const TYPES: RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];
const FIELDS = ['precision', 'recall', 'fmeasure'] as const;
type StemKey = 'use_stemmer_false' | 'use_stemmer_true';
const STEM_KEYS: StemKey[] = ['use_stemmer_false', 'use_stemmer_true'];

interface PairRecord {
  id: string;
  reference: string | string[];
  prediction: string;
  rouge_score: Record<StemKey, Record<RougeType, Record<(typeof FIELDS)[number], number>>>;
  hf_use_aggregator_false: Record<StemKey, Record<RougeType, number>>;
}
interface CorpusRecord {
  subset: string;
  n: number;
  ids: string[];
  use_stemmer_false: CorpusSide;
  use_stemmer_true: CorpusSide;
}
interface CorpusSide {
  mean_fmeasure: Record<RougeType, number>;
  mean_precision: Record<RougeType, number>;
  mean_recall: Record<RougeType, number>;
  hf_evaluate_aggregated: Record<string, { returned: Record<RougeType, number>; intervals: Record<RougeType, Record<'low' | 'mid' | 'high', Record<(typeof FIELDS)[number], number>>> }>;
}

const pairs = await readJsonlAll<PairRecord>(sharedPath('golden/rouge_pairs.jsonl.gz'));
const corpus = await readJsonlAll<CorpusRecord>(sharedPath('golden/rouge_corpus.jsonl.gz'));
const byId = new Map(pairs.map((p) => [p.id, p]));
const scorers: Record<StemKey, RougeScorer> = {
  use_stemmer_false: new RougeScorer({ useStemmer: false }),
  use_stemmer_true: new RougeScorer({ useStemmer: true }),
};

function scoreRecord(scorer: RougeScorer, reference: string | string[], prediction: string): RougeScores {
  // HF evaluate and the oracle send list references through score_multi.
  return Array.isArray(reference) ? scorer.scoreMulti(reference, prediction) : scorer.score(reference, prediction);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOL;
}

describe('rouge_score 0.1.2 sentence scores (golden pairs)', () => {
  it('has the golden pairs', () => {
    expect(pairs.length).toBeGreaterThan(10_000);
  });

  for (const sk of STEM_KEYS) {
    it(`every pair, ${sk}: 4 types × P/R/F and HF use_aggregator=False`, () => {
      const wrong: string[] = [];
      let compared = 0;
      for (const rec of pairs) {
        const got = scoreRecord(scorers[sk], rec.reference, rec.prediction);
        expect(Object.keys(got)).toEqual(TYPES);
        for (const t of TYPES) {
          for (const f of FIELDS) {
            compared++;
            if (!close(got[t][f], rec.rouge_score[sk][t][f])) wrong.push(`${rec.id} ${t}.${f}: ${got[t][f]} vs ${rec.rouge_score[sk][t][f]}`);
          }
          compared++;
          if (!close(got[t].fmeasure, rec.hf_use_aggregator_false[sk][t])) wrong.push(`${rec.id} hf ${t}: ${got[t].fmeasure} vs ${rec.hf_use_aggregator_false[sk][t]}`);
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(compared).toBe(pairs.length * 16);
    });
  }
});

/**
 * The corpus records carry only ids; each item's reference and prediction are the pair's, except in
 * `edge/empty_predictions`, whose predictions are all "" (golden README §3, corpus_input).
 */
function subsetItems(c: CorpusRecord): { reference: string | string[]; prediction: string }[] | undefined {
  if (c.ids.some((id) => !byId.has(id))) return undefined;
  return c.ids.map((id) => {
    const p = byId.get(id)!;
    return { reference: p.reference, prediction: c.subset === 'edge/empty_predictions' ? '' : p.prediction };
  });
}

describe('aggregation (golden corpus subsets)', () => {
  it('every subset is checked except those built on kept-back pairs', () => {
    const unusable = corpus.filter((c) => subsetItems(c) === undefined).map((c) => c.subset);
    // adv/069_no_dataflow_pass is one of the adversarial cases kept back from ../shared/golden.
    expect(unusable).toEqual(['edge/no_reference_dataflow']);
    expect(corpus.length - unusable.length).toBeGreaterThanOrEqual(13);
  });

  for (const c of corpus) {
    const items = subsetItems(c);
    if (items === undefined) continue;
    for (const sk of STEM_KEYS) {
      it(`${c.subset} ${sk}: means and HF bootstrap for every recorded seed`, () => {
        expect(items.length).toBe(c.n);
        const scores = items.map((it) => scoreRecord(scorers[sk], it.reference, it.prediction));
        const side = c[sk];
        const mean = rougeMean(scores);
        const wrong: string[] = [];
        for (const t of TYPES) {
          for (const f of FIELDS) {
            const want = side[`mean_${f}`][t];
            if (!close(mean[t][f], want)) wrong.push(`mean ${t}.${f}: ${mean[t][f]} vs ${want}`);
          }
        }
        const seeds = Object.keys(side.hf_evaluate_aggregated);
        expect(seeds.sort()).toEqual(['0', '1234', '42']);
        for (const seed of seeds) {
          const gold = side.hf_evaluate_aggregated[seed];
          const got = rougeBootstrap(scores, { seed: Number(seed) });
          expect(Object.keys(got)).toEqual(TYPES);
          for (const t of TYPES) {
            if (!close(got[t].mid.fmeasure, gold.returned[t])) wrong.push(`seed ${seed} returned ${t}: ${got[t].mid.fmeasure} vs ${gold.returned[t]}`);
            for (const b of ['low', 'mid', 'high'] as const) {
              for (const f of FIELDS) {
                if (!close(got[t][b][f], gold.intervals[t][b][f])) wrong.push(`seed ${seed} ${t}.${b}.${f}: ${got[t][b][f]} vs ${gold.intervals[t][b][f]}`);
              }
            }
          }
        }
        expect(wrong).toEqual([]);
      });
    }
  }
});

describe("apieval verify's ROUGE code on the same golden files", () => {
  it('checks every pair and every usable subset with no disagreement', async () => {
    const { verifyRougePairs, verifyRougeCorpus } = await import('../metrics/rouge/golden.js');
    const p = verifyRougePairs(pairs as never);
    expect(p.checked).toBe(pairs.length);
    expect(p.disagreements.slice(0, 5)).toEqual([]);
    const c = verifyRougeCorpus(corpus as never, byId as never);
    expect(c.skipped.map((s) => s.subset)).toEqual(['edge/no_reference_dataflow']);
    expect(c.checked).toBe(corpus.length - 1);
    expect(c.disagreements.slice(0, 5)).toEqual([]);
  });

  it('reports a field missing from a golden record as a disagreement, never a silent pass', async () => {
    const { verifyRougePairs, verifyRougeCorpus } = await import('../metrics/rouge/golden.js');
    const rec = structuredClone(pairs[0]) as unknown as Record<string, Record<string, Record<string, unknown>>>;
    delete rec.rouge_score.use_stemmer_true.rougeL;
    delete rec.hf_use_aggregator_false.use_stemmer_false;
    const fields = verifyRougePairs([rec as never]).disagreements.map((d) => `${d.field}=${String(d.expected)}`);
    expect([...fields].sort()).toEqual(
      [
        ...['rouge1', 'rouge2', 'rougeL', 'rougeLsum'].map((t) => `hf.use_stemmer_false.${t}=(missing from the golden record)`),
        ...['precision', 'recall', 'fmeasure'].map((f) => `rouge.use_stemmer_true.rougeL.${f}=(missing from the golden record)`),
      ].sort(),
    );
    expect(fields).toHaveLength(7);
    const sub = structuredClone(corpus.find((c) => c.subset !== 'edge/no_reference_dataflow')!) as unknown as Record<string, Record<string, unknown>>;
    delete sub.use_stemmer_false.mean_recall;
    const d = verifyRougeCorpus([sub as never], byId as never).disagreements;
    expect(d.map((x) => x.field)).toEqual(['rouge1', 'rouge2', 'rougeL', 'rougeLsum'].map((t) => `use_stemmer_false.mean_recall.${t}`));
  });
});
