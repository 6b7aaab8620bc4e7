/**
 * The ROUGE metric of `apieval eval` (metrics/metric.ts): ROUGE-1/2/L/Lsum F-measure on the code, averaged
 * over samples. See CARD.md.
 */
import { errorText, meanFieldView, type EvalMetric, type PairMetric, type View } from '../metric.js';
import { DEFAULT_MAX_TEXT_BYTES, textTooLong } from '../types.js';
import { ROUGE_GOLDEN } from './golden.js';
import { RougeScorer, rougeAggregateSignature, rougeMean, type RougeScores } from './index.js';

/** One column per ROUGE type; ROUGE-L is the leaderboard's, the others go to summary.json. */
function view(type: 'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum', leaderboard: boolean): View {
  return meanFieldView(`${type}_code`, `${type.replace('rouge', 'ROUGE-')} code`, 'rouge_code', leaderboard, (v) => (v as Record<string, { fmeasure: number }>)[type].fmeasure);
}

let scorer: { stem: boolean; s: RougeScorer } | null = null;

/** One scorer per stemmer setting (its tokenizer caches are worth keeping across pairs). */
function rougeScorer(stem: boolean): RougeScorer {
  if (!scorer || scorer.stem !== stem) scorer = { stem, s: new RougeScorer({ useStemmer: stem }) };
  return scorer.s;
}

/** `apieval score --metrics rouge`: rouge-score's per-pair scores (score_multi for a list), or their plain mean. */
const pairs: PairMetric = {
  name: 'rouge',
  stats(p, ctx) {
    const s = rougeScorer(ctx.rougeStemmer);
    return p.multi ? s.scoreMulti(p.references, p.prediction) : s.score(p.references[0], p.prediction);
  },
  sentence: (scores) => scores,
  corpus: (stats) => rougeMean(stats as RougeScores[]),
  signature(ctx, level) {
    const base = rougeScorer(ctx.rougeStemmer).signature();
    return level === 'corpus' ? rougeAggregateSignature(base, { kind: 'mean' }) : base;
  },
};

/** apieval's implementation version of each value (bump in the commit that changes what it produces). */
const IMPLEMENTATION = { rouge_code: 1 };

export const rougeMetric: EvalMetric = {
  id: 'rouge',
  kind: 'sample',
  implementation: IMPLEMENTATION,
  scorers(ctx) {
    const rouge = new RougeScorer({ useStemmer: ctx.rougeStemmer });
    return [
      {
        name: 'rouge_code',
        signature: rouge.signature(),
        implementation: IMPLEMENTATION.rouge_code,
        compute(s) {
          if (s.reference.code === undefined) return null;
          const tooLong = textTooLong([s.prediction.code, s.reference.code], DEFAULT_MAX_TEXT_BYTES, ['the prediction', 'the reference']);
          if (tooLong) return { error: tooLong.error };
          try {
            return rouge.score(s.reference.code, s.prediction.code) as unknown as Record<string, unknown>;
          } catch (e) {
            return { error: errorText(e) };
          }
        },
      },
    ];
  },
  views: () => [view('rouge1', false), view('rouge2', false), view('rougeL', true), view('rougeLsum', false)],
  pairs,
  golden: ROUGE_GOLDEN,
};
