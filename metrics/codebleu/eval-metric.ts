/**
 * The CodeBLEU metric of `apieval eval` (metrics/metric.ts): on the API call and on the code, micro-averaged
 * over the corpus from per-sample sufficient statistics. See CARD.md.
 */
import { errorText, failureOf, type EvalMetric, type EvalSample, type PairMetric, type SampleScorer, type View } from '../metric.js';
import { DEFAULT_MAX_TEXT_BYTES, isFailure, textTooLong } from '../types.js';
import { CODEBLEU_GOLDEN } from './golden.js';
import { codeBleuComponents, codeBleuFromStats, codeBleuParseTexts, codeBleuSignature, codeBleuStats, type CodeBleuOptions, type CodeBleuStats, type CodeBleuVariant } from './index.js';

function scorer(name: string, implementation: number, opts: CodeBleuOptions, pick: (s: EvalSample) => [string, string] | null): SampleScorer {
  return {
    name,
    signature: codeBleuSignature(opts),
    implementation,
    compute(s) {
      const pair = pick(s);
      if (pair === null) return null;
      const [reference, prediction] = pair;
      const tooLong = textTooLong([prediction, reference], DEFAULT_MAX_TEXT_BYTES, ['the prediction', 'the reference']);
      if (tooLong) return { error: tooLong.error };
      try {
        const stats = codeBleuStats([reference], prediction, opts);
        if (isFailure(stats)) return { error: stats.error };
        const scores = codeBleuFromStats([stats], opts);
        if (isFailure(scores)) return { error: scores.error };
        return { ...scores, stats: stats as unknown };
      } catch (e) {
        return { error: errorText(e) };
      }
    },
  };
}

function view(key: string, label: string, variant: CodeBleuVariant): View {
  return {
    key,
    label,
    metric: key,
    kind: 'continuous',
    higherIsBetter: true,
    leaderboard: true,
    signatureSuffix: '|level:corpus',
    additive: true,
    item(v) {
      if (v === null || v === undefined) return null;
      return failureOf(v) ?? (v as unknown as { stats: CodeBleuStats }).stats;
    },
    corpus(items) {
      if (items.length === 0) return { error: 'no samples' };
      for (const it of items) if (isFailure(it)) return { error: it.error };
      const r = codeBleuFromStats(items as CodeBleuStats[], { variant });
      return isFailure(r) ? { error: r.error } : r.codebleu;
    },
  };
}

/** `apieval score --metrics codebleu`: the four components and their weighted sum, per pair or micro-averaged. */
const pairs: PairMetric = {
  name: 'codebleu',
  stats: (p, ctx) => codeBleuStats(p.references, p.prediction, ctx.codebleu),
  sentence: (st, ctx) => codeBleuFromStats([st as CodeBleuStats], ctx.codebleu),
  corpus(stats, ctx, warn) {
    const all = stats as CodeBleuStats[];
    if (codeBleuComponents(all, ctx.codebleu).dataflow_degenerate) {
      warn('no reference data-flows were extracted from the whole corpus; dataflow_match degenerates to 0 (consider ignoring it)');
    }
    return codeBleuFromStats(all, ctx.codebleu);
  },
  signature: (ctx, level) => codeBleuSignature(ctx.codebleu, level),
  parseTexts: (p, ctx) => codeBleuParseTexts(p.references, p.prediction, ctx.codebleu),
};

/** apieval's implementation version of each value (bump in the commit that changes what it produces). */
const IMPLEMENTATION = { codebleu_api: 1, codebleu_code: 1 };

export const codeBleuMetric: EvalMetric = {
  id: 'codebleu',
  kind: 'sample',
  implementation: IMPLEMENTATION,
  scorers(ctx) {
    const opts: CodeBleuOptions = { variant: ctx.codebleuVariant };
    return [
      // reference = the eval record's `api_call`; prediction = the exact substring ast_eval_hf.py parses.
      scorer('codebleu_api', IMPLEMENTATION.codebleu_api, opts, (s) => [s.reference.apiCall, s.prediction.apiCall]),
      // reference = the eval record's code after `<<<code>>>` (none in 23 of the 911 HF records: not applicable).
      scorer('codebleu_code', IMPLEMENTATION.codebleu_code, opts, (s) => (s.reference.code === undefined ? null : [s.reference.code, s.prediction.code])),
    ];
  },
  views: (ctx) => [view('codebleu_api', 'CodeBLEU api', ctx.codebleuVariant), view('codebleu_code', 'CodeBLEU code', ctx.codebleuVariant)],
  pairs,
  golden: CODEBLEU_GOLDEN,
};
