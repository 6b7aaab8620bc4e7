/**
 * Percentile with numpy's default method ("linear", type 7 of Hyndman & Fan): the value at rank
 * (n − 1)·q/100 of the sorted data, interpolated between its two neighbours. Chosen so that intervals
 * agree with what a user computes with `np.percentile` on the same bootstrap replicates.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile q must be in [0, 100], got ${q}`);
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return percentileSorted(sorted, q);
}

/** Same as {@link percentile} on data already sorted ascending (no copy). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = ((n - 1) * q) / 100;
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const frac = rank - lo;
  // numpy's _lerp: a + (b − a)·t, with the symmetric form for t ≥ 0.5 (keeps exact endpoints).
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
}
