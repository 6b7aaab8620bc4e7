/**
 * Mean ± standard deviation of a metric over repeated inference runs (the RLAIF paper reports the mean of
 * 3 runs). The sd is the sample standard deviation (n − 1 denominator, numpy `std(ddof=1)`), null for a
 * single run: one run says nothing about run-to-run spread, and printing "± 0" would claim it does.
 */
export interface MeanSd {
  mean: number;
  sd: number | null;
  n: number;
}

export function meanSd(values: readonly number[]): MeanSd {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: null, n };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n === 1) return { mean, sd: null, n };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}
