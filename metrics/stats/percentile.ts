/**
 * numpy 1.24 `np.percentile(a, q)` with the default method "linear" (Hyndman & Fan type 7), ported from
 * `numpy/lib/function_base.py` (`percentile`, `_quantile`, `_get_indexes`, `_get_gamma`, `_lerp`) so that
 * results agree to the last bit, which matters when a published number IS a percentile (HF evaluate's
 * bootstrap "mid", the eval's interval ends):
 *   q = q / 100; virtual = (n - 1) * q; prev = floor(virtual); next = prev + 1;
 *   virtual >= n - 1 → prev = next = n - 1 (numpy's index -1, so gamma = virtual + 1); virtual < 0 → 0;
 *   gamma = virtual - prev; diff = b - a;
 *   result = gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma.
 * NaN inputs are not supported (numpy would return NaN); callers here never produce them. One module for the
 * whole project: the ROUGE bootstrap and the eval bootstrap use the same function (tested bit for bit
 * against numpy).
 */

/** Percentile q ∈ [0, 100] of data already sorted ascending (not copied). NaN for no data. */
export function percentileSorted(sorted: ArrayLike<number>, q100: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (!(q100 >= 0 && q100 <= 100)) throw new RangeError(`Percentiles must be in the range [0, 100], got ${q100}`);
  const q = q100 / 100;
  const virtual = (n - 1) * q;
  let prev = Math.floor(virtual);
  let next = prev + 1;
  let prevForGamma = prev;
  if (virtual >= n - 1) {
    prev = n - 1;
    next = n - 1;
    prevForGamma = -1; // numpy stores -1 and computes gamma against it
  } else if (virtual < 0) {
    prev = 0;
    next = 0;
    prevForGamma = 0;
  }
  const gamma = virtual - prevForGamma;
  const a = sorted[prev];
  const b = sorted[next];
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Percentile q ∈ [0, 100] of `values` (not modified). NaN for no data. */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  return percentileSorted(Float64Array.from(values).sort(), q);
}

/** Percentiles of `values` (not modified) for each q in [0, 100]; an empty array is an error, as in numpy. */
export function percentileLinear(values: ArrayLike<number>, qs: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('percentile of an empty array');
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => percentileSorted(sorted, q));
}
