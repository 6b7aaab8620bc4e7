/**
 * Corpus-level ROUGE from per-sample scores.
 *
 * `rougeMean`: the plain arithmetic mean of each of precision / recall / fmeasure (left-to-right sum,
 * then / n), the deterministic number most papers mean by "average ROUGE".
 *
 * `rougeBootstrap`: port of rouge-score 0.1.2 `scoring.py` `BootstrapAggregator(confidence_interval=0.95,
 * n_samples=1000).aggregate()` as Hugging Face `evaluate` (metrics/rouge/rouge.py `Rouge._compute`, at
 * a7dd338) runs it inside `temp_seed(seed)`, i.e. right after `np.random.seed(seed)`. For each rouge type,
 * IN THE ORDER OF THE SCORE OBJECTS' KEYS (the scorer's rouge_types order; HF's default is rouge1, rouge2,
 * rougeL, rougeLsum) and all from ONE random stream:
 *   for i in range(n_samples):
 *     idx = np.random.choice(np.arange(n), size=n)        # legacy randint(0, n, n) on MT19937
 *     sample_mean[i] = np.mean(matrix[idx, :], axis=0)    # matrix rows = (precision, recall, fmeasure)
 *   low, mid, high = np.percentile(sample_mean, 100 * [d, 0.5, 1 - d], axis=0), d = (1 - 0.95) / 2
 * HF `evaluate` returns `mid.fmeasure` per type; `mid` is the MEDIAN of the resample means, not the mean.
 *
 * Summation order matters for bit-exactness: `np.mean(x, axis=0)` on the C-contiguous (n, 3) resample
 * reduces along the SLOW axis, which numpy does row by row (a plain left-to-right sum per column), not
 * with the pairwise summation it uses along a contiguous axis. Verified with numpy 1.24.2: for n = 100,
 * 1000 and 14312 np.mean(axis=0) equals the sequential sum / n exactly and differs from pairwise sums.
 */
import { MT19937 } from '../random/mt19937.js';
import { percentileLinear } from '../stats/percentile.js';
import type { PRF, RougeScores, RougeType } from './scorer.js';

export interface RougeInterval {
  low: PRF;
  mid: PRF;
  high: PRF;
}

export interface BootstrapOptions {
  seed: number;
  /** Resamples; rouge_score's and HF's default is 1000. */
  nSamples?: number;
  /** rouge_score's default 0.95 → the 2.5th and 97.5th percentiles. */
  confidenceInterval?: number;
}

/** The rouge types of a score list, in key order, checked to be the same for every item. */
function typesOf(scores: RougeScores[], what: string): RougeType[] {
  if (!Array.isArray(scores) || scores.length === 0) throw new RangeError(`${what} needs at least one score`);
  const types = Object.keys(scores[0]) as RougeType[];
  for (let i = 1; i < scores.length; i++) {
    const k = Object.keys(scores[i]);
    if (k.length !== types.length || k.some((t, j) => t !== types[j])) {
      throw new RangeError(`${what}: score ${i} has rouge types [${k.join(', ')}], expected [${types.join(', ')}]`);
    }
  }
  return types;
}

/** Plain means of precision, recall and fmeasure per rouge type. */
export function rougeMean(scores: RougeScores[]): RougeScores {
  const types = typesOf(scores, 'rougeMean');
  const out = {} as RougeScores;
  const n = scores.length;
  for (const t of types) {
    let p = 0;
    let r = 0;
    let f = 0;
    for (const s of scores) {
      p += s[t].precision;
      r += s[t].recall;
      f += s[t].fmeasure;
    }
    out[t] = { precision: p / n, recall: r / n, fmeasure: f / n };
  }
  return out;
}

/** HF evaluate's seeded BootstrapAggregator: low / mid / high per rouge type. */
export function rougeBootstrap(scores: RougeScores[], opts: BootstrapOptions): Record<RougeType, RougeInterval> {
  const types = typesOf(scores, 'rougeBootstrap');
  const nSamples = opts.nSamples ?? 1000;
  const ci = opts.confidenceInterval ?? 0.95;
  if (!Number.isInteger(nSamples) || nSamples <= 0) throw new RangeError('n_samples must be positive');
  if (!(ci >= 0 && ci <= 1)) throw new RangeError('confidence_interval must be in range [0, 1]');
  // Exactly scoring.py's arithmetic: q = 100 * [d, 0.5, 1 - d], later divided by 100 by np.percentile.
  const d = (1 - ci) / 2;
  const qs = [100 * d, 100 * 0.5, 100 * (1 - d)];

  const rng = new MT19937(opts.seed);
  const n = scores.length;
  const idx = new Int32Array(n);
  const result = {} as Record<RougeType, RougeInterval>;
  for (const t of types) {
    const P = new Float64Array(n);
    const R = new Float64Array(n);
    const F = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      P[i] = scores[i][t].precision;
      R[i] = scores[i][t].recall;
      F[i] = scores[i][t].fmeasure;
    }
    const mp = new Float64Array(nSamples);
    const mr = new Float64Array(nSamples);
    const mf = new Float64Array(nSamples);
    for (let s = 0; s < nSamples; s++) {
      rng.randintInto(0, n, idx, n);
      // numpy's reduction starts from the first selected row and adds the rest in order.
      let j = idx[0];
      let sp = P[j];
      let sr = R[j];
      let sf = F[j];
      for (let i = 1; i < n; i++) {
        j = idx[i];
        sp += P[j];
        sr += R[j];
        sf += F[j];
      }
      mp[s] = sp / n;
      mr[s] = sr / n;
      mf[s] = sf / n;
    }
    const pp = percentileLinear(mp, qs);
    const pr = percentileLinear(mr, qs);
    const pf = percentileLinear(mf, qs);
    const at = (k: number): PRF => ({ precision: pp[k], recall: pr[k], fmeasure: pf[k] });
    result[t] = { low: at(0), mid: at(1), high: at(2) };
  }
  return result;
}

/** What `evaluate.load("rouge", seed=seed).compute(...)` returns: mid.fmeasure per type. */
export function hfEvaluateRouge(intervals: Record<RougeType, RougeInterval>): Record<RougeType, number> {
  const out = {} as Record<RougeType, number>;
  for (const t of Object.keys(intervals) as RougeType[]) out[t] = intervals[t].mid.fmeasure;
  return out;
}

/** Aggregate signature suffixes: `agg:mean` or `agg:hf-bootstrap-1000-seed42`. */
export function rougeAggregateSignature(scorerSignature: string, agg: { kind: 'mean' } | { kind: 'bootstrap'; seed: number; nSamples?: number }): string {
  if (agg.kind === 'mean') return `${scorerSignature}|agg:mean`;
  return `${scorerSignature}|agg:hf-bootstrap-${agg.nSamples ?? 1000}-seed${agg.seed}`;
}
