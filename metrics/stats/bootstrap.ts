import { MT19937 } from '../random/mt19937.js';
import { percentileSorted } from './percentile.js';

/**
 * Bootstrap over per-sample sufficient statistics.
 *
 * The resample indices are numpy's: resample b is row b of `np.random.RandomState(seed).randint(0, n,
 * size=(B, n))` (legacy MT19937 with masked rejection, metrics/random/mt19937.ts), so an interval can be
 * reproduced with numpy alone (README, "Intervals"). The same stream serves every metric and the paired
 * tests, which is what makes the tests paired.
 *
 * The caller supplies a statistic that maps a resample — an array of indices into its own per-sample data —
 * to a corpus score. Resampling indices rather than per-sample scores is what makes intervals right for
 * micro-averaged metrics: corpus CodeBLEU pools clipped n-gram counts, subtree counts and dataflow
 * matches over the resampled items and recomputes the score, exactly as on the full corpus, instead of
 * averaging sentence scores (which is a different quantity).
 */
export type Statistic = (indices: Int32Array) => number;

export interface BootstrapOptions {
  /** Explicit seed: the same seed, data and statistic give the same interval on every machine. */
  seed: number;
  /** Number of resamples (default 1000). */
  nResamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export interface Interval {
  /** The statistic on the full data. */
  point: number;
  /** Percentile-bootstrap bounds: the (1−level)/2 and (1+level)/2 quantiles of the replicates (numpy "linear"). */
  low: number;
  high: number;
  level: number;
  nResamples: number;
  seed: number;
}

export const DEFAULT_RESAMPLES = 1000;

function checkOptions(n: number, opts: BootstrapOptions): { B: number; level: number } {
  const B = opts.nResamples ?? DEFAULT_RESAMPLES;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`nResamples must be a positive integer, got ${B}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  return { B, level };
}

export function identityIndices(n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

// The resample indices depend only on (n, B, seed): a leaderboard bootstraps dozens of metrics and
// checkpoints over the same questions with the same seed, so the index matrix is drawn once and reused
// (a few MB; the last few matrices are kept).
const INDEX_CACHE = new Map<string, Int32Array>();
const INDEX_CACHE_MAX = 4;
const INDEX_CACHE_MAX_ENTRIES = 32 * 1024 * 1024; // Int32 entries (128 MB): larger draws are not cached

function resampleMatrix(n: number, B: number, seed: number): Int32Array | null {
  if (n * B > INDEX_CACHE_MAX_ENTRIES) return null;
  const key = `${n}:${B}:${seed}`;
  let m = INDEX_CACHE.get(key);
  if (!m) {
    m = new Int32Array(n * B);
    new MT19937(seed).randintInto(0, n, m);
    if (INDEX_CACHE.size >= INDEX_CACHE_MAX) INDEX_CACHE.delete(INDEX_CACHE.keys().next().value!);
    INDEX_CACHE.set(key, m);
  }
  return m;
}

/**
 * Draws B resamples of n indices (with replacement) from one seeded stream, calling `visit` on each. The
 * b-th resample is always draws b·n … b·n + n − 1 of the stream, cached or not (numpy's row b).
 */
export function forEachResample(n: number, B: number, seed: number, visit: (indices: Int32Array, b: number) => void): void {
  const m = resampleMatrix(n, B, seed);
  if (m) {
    for (let b = 0; b < B; b++) visit(m.subarray(b * n, b * n + n), b);
    return;
  }
  const rng = new MT19937(seed);
  const idx = new Int32Array(n);
  for (let b = 0; b < B; b++) {
    rng.randintInto(0, n, idx);
    visit(idx, b);
  }
}

/**
 * Percentile bounds of the replicates. A replicate is NaN when the statistic is undefined on that
 * resample — e.g. a rate over the few supported tasks, on a resample that drew none of them. Those are left
 * out (the interval is then conditional on the statistic being defined); all-NaN gives NaN bounds.
 */
function quantiles(replicates: Float64Array, level: number): { low: number; high: number } {
  let defined = replicates;
  if (replicates.some((v) => Number.isNaN(v))) defined = replicates.filter((v) => !Number.isNaN(v));
  if (defined.length === 0) return { low: NaN, high: NaN };
  replicates = defined;
  replicates.sort();
  const alpha = (1 - level) / 2;
  return { low: percentileSorted(replicates, 100 * alpha), high: percentileSorted(replicates, 100 * (1 - alpha)) };
}

/**
 * Percentile bootstrap confidence interval of `statistic` over n samples. A statistic that is NaN on the
 * full data (the metric failed) gives NaN bounds; resamples on which it is NaN are left out.
 */
export function bootstrapInterval(n: number, statistic: Statistic, opts: BootstrapOptions): Interval {
  const { B, level } = checkOptions(n, opts);
  const point = statistic(identityIndices(n));
  if (n === 0 || Number.isNaN(point)) return { point, low: NaN, high: NaN, level, nResamples: B, seed: opts.seed };
  const reps = new Float64Array(B);
  forEachResample(n, B, opts.seed, (idx, b) => {
    reps[b] = statistic(idx);
  });
  return { point, ...quantiles(reps, level), level, nResamples: B, seed: opts.seed };
}

/** The mean of a numeric vector as a bootstrap statistic (accuracy, executability rate, mean ROUGE). */
export function meanStatistic(values: ArrayLike<number>): Statistic {
  return (idx) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += values[idx[i]];
    return idx.length === 0 ? NaN : s / idx.length;
  };
}

export interface PairedResult {
  /** statistic(B) − statistic(A) on the full data. */
  delta: number;
  /** Percentile interval of the resampled differences. */
  low: number;
  high: number;
  /** Two-sided p-value for H0: no difference (see {@link pairedBootstrap}). */
  p: number;
  level: number;
  nResamples: number;
  seed: number;
}

/**
 * Paired bootstrap test of system B against system A on the same n samples.
 *
 * Both statistics are evaluated on the SAME resampled indices b = 1..B, giving differences
 * δ*_b = stat_B(idx_b) − stat_A(idx_b). The bootstrap distribution of δ* is centred on the observed δ; shifting
 * it to its mean δ̄* approximates the distribution of δ under the null hypothesis of no difference
 * (the "shift" method, Efron & Tibshirani 1993 §16.4; the form sacrebleu's paired bootstrap uses). The
 * two-sided p-value is
 *
 *     p = (1 + #{ b : |δ*_b − δ̄*| ≥ |δ| }) / (B + 1)
 *
 * The +1 terms count the observed data as one replicate, so p is never 0 and is exact-test valid
 * (Davison & Hinkley 1997, eq. 4.11). δ = 0 gives p = 1.
 */
export function pairedBootstrap(n: number, statA: Statistic, statB: Statistic, opts: BootstrapOptions): PairedResult {
  const { B, level } = checkOptions(n, opts);
  const all = identityIndices(n);
  const delta = statB(all) - statA(all);
  if (n === 0 || Number.isNaN(delta)) return { delta, low: NaN, high: NaN, p: NaN, level, nResamples: B, seed: opts.seed };
  const reps = new Float64Array(B);
  let sum = 0;
  forEachResample(n, B, opts.seed, (idx, b) => {
    const d = statB(idx) - statA(idx);
    reps[b] = d;
    sum += d;
  });
  const mean = sum / B;
  const absDelta = Math.abs(delta);
  let extreme = 0;
  for (let b = 0; b < B; b++) if (Math.abs(reps[b] - mean) >= absDelta) extreme++;
  const p = Number.isNaN(mean) ? NaN : Math.min(1, (1 + extreme) / (B + 1));
  return { delta, ...quantiles(reps, level), p, level, nResamples: B, seed: opts.seed };
}
