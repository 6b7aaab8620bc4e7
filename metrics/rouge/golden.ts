/**
 * Recomputes ROUGE for golden records (rouge_pairs / rouge_corpus formats of ../shared/golden) and lists
 * every disagreement: rouge-score 0.1.2 per pair (stemmer off and on, HF evaluate's per-item fmeasure),
 * and per subset the plain means and HF evaluate's seeded bootstrap (low/mid/high × P/R/F).
 */
import { RougeScorer, rougeBootstrap, rougeMean, ROUGE_TYPES, type RougeScores, type RougeType } from './index.js';
import { corpusItems, isCorpusRecord, sameValue, type Disagreement, type GoldenCorpusRecord, type GoldenFormat, type GoldenPair } from '../golden.js';

const STEMS = [
  ['use_stemmer_false', false],
  ['use_stemmer_true', true],
] as const;

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | undefined => (x && typeof x === 'object' ? (x as Obj) : undefined);
/** What a golden record lacks is a disagreement too: a field missing from the file is never a silent pass. */
const MISSING = '(missing from the golden record)';

function scoreOne(scorer: RougeScorer, p: GoldenPair): RougeScores {
  return Array.isArray(p.reference) ? scorer.scoreMulti(p.reference, p.prediction) : scorer.score(p.reference, p.prediction);
}

export function verifyRougePairs(pairs: Iterable<GoldenPair>): { checked: number; disagreements: Disagreement[] } {
  const disagreements: Disagreement[] = [];
  const scorers = STEMS.map(([, stem]) => new RougeScorer({ useStemmer: stem }));
  let checked = 0;
  for (const p of pairs) {
    const golden = obj(p.rouge_score);
    const hf = obj(p.hf_use_aggregator_false);
    checked++;
    STEMS.forEach(([key], k) => {
      const s = scoreOne(scorers[k], p);
      const g = obj(golden?.[key]);
      const h = obj(hf?.[key]);
      for (const t of ROUGE_TYPES) {
        const gt = obj(g?.[t]);
        for (const f of ['precision', 'recall', 'fmeasure'] as const) {
          const want = gt?.[f];
          if (want === undefined) disagreements.push({ id: p.id, field: `rouge.${key}.${t}.${f}`, expected: MISSING, actual: s[t][f] });
          else if (!sameValue(s[t][f], want)) disagreements.push({ id: p.id, field: `rouge.${key}.${t}.${f}`, expected: want, actual: s[t][f] });
        }
        if (h?.[t] === undefined) disagreements.push({ id: p.id, field: `hf.${key}.${t}`, expected: MISSING, actual: s[t].fmeasure });
        else if (!sameValue(s[t].fmeasure, h[t])) disagreements.push({ id: p.id, field: `hf.${key}.${t}`, expected: h[t], actual: s[t].fmeasure });
      }
    });
  }
  return { checked, disagreements };
}

export function verifyRougeCorpus(
  records: Iterable<GoldenCorpusRecord>,
  pairs: ReadonlyMap<string, GoldenPair>,
): { checked: number; disagreements: Disagreement[]; skipped: { subset: string; missing: number }[] } {
  const disagreements: Disagreement[] = [];
  const skipped: { subset: string; missing: number }[] = [];
  const scorers = STEMS.map(([, stem]) => new RougeScorer({ useStemmer: stem }));
  let checked = 0;
  for (const rec of records) {
    const items = corpusItems(rec, pairs);
    if (!Array.isArray(items)) {
      skipped.push({ subset: rec.subset, missing: items.missing.length });
      continue;
    }
    checked++;
    STEMS.forEach(([key], k) => {
      const g = obj(rec[key]);
      const scores = items.map((p) => scoreOne(scorers[k], p));
      const mean = rougeMean(scores);
      for (const [field, f] of [['mean_fmeasure', 'fmeasure'], ['mean_precision', 'precision'], ['mean_recall', 'recall']] as const) {
        const gm = obj(g?.[field]);
        for (const t of ROUGE_TYPES) {
          if (gm?.[t] === undefined) disagreements.push({ id: rec.subset, field: `${key}.${field}.${t}`, expected: MISSING, actual: mean[t][f] });
          else if (!sameValue(mean[t][f], gm[t])) disagreements.push({ id: rec.subset, field: `${key}.${field}.${t}`, expected: gm[t], actual: mean[t][f] });
        }
      }
      const agg = obj(g?.hf_evaluate_aggregated);
      if (agg === undefined) disagreements.push({ id: rec.subset, field: `${key}.hf_evaluate_aggregated`, expected: MISSING, actual: '(computed)' });
      for (const [seed, v] of Object.entries(agg ?? {})) {
        const iv = rougeBootstrap(scores, { seed: Number(seed) });
        const returned = obj(obj(v)?.returned);
        const intervals = obj(obj(v)?.intervals);
        for (const t of ROUGE_TYPES) {
          if (returned && t in returned && !sameValue(iv[t].mid.fmeasure, returned[t])) {
            disagreements.push({ id: rec.subset, field: `${key}.hf_evaluate_aggregated.${seed}.returned.${t}`, expected: returned[t], actual: iv[t].mid.fmeasure });
          }
          const gi = obj(intervals?.[t]);
          if (!gi) continue;
          for (const b of ['low', 'mid', 'high'] as const) {
            const gb = obj(gi[b]);
            if (!gb) continue;
            for (const f of ['precision', 'recall', 'fmeasure'] as const) {
              if (!sameValue(iv[t as RougeType][b][f], gb[f])) {
                disagreements.push({ id: rec.subset, field: `${key}.hf_evaluate_aggregated.${seed}.intervals.${t}.${b}.${f}`, expected: gb[f], actual: iv[t as RougeType][b][f] });
              }
            }
          }
        }
      }
    });
  }
  return { checked, disagreements, skipped };
}

/** The golden formats of ROUGE (`apieval verify`). */
export const ROUGE_GOLDEN: readonly GoldenFormat[] = [
  {
    kind: 'rouge-pairs',
    detect: (first) => 'rouge_score' in first,
    checks: (records) => [{ name: 'rouge', unit: 'pairs', run: () => verifyRougePairs(records as unknown as GoldenPair[]) }],
  },
  {
    kind: 'rouge-corpus',
    detect: (first) => isCorpusRecord(first) && ('use_stemmer_false' in first || 'use_stemmer_true' in first),
    pairsFile: 'rouge_pairs.jsonl.gz',
    checks: (records, pairs) => [{ name: 'rouge', unit: 'subsets', run: () => verifyRougeCorpus(records as unknown as GoldenCorpusRecord[], pairs!) }],
  },
];
