/**
 * Exact McNemar test for paired binary outcomes (AST correct, executable).
 *
 * Only discordant pairs carry information: b = samples A got right and B got wrong, c = the reverse.
 * Under H0 (equal success probability) each discordant pair is a fair coin, so b ~ Binomial(b + c, 1/2).
 * The two-sided exact p-value doubles the smaller tail, capped at 1:
 *
 *     p = min(1, 2 · Σ_{k=0}^{min(b,c)} C(b+c, k) / 2^(b+c))
 *
 * (the "exact conditional" McNemar test, as in statsmodels `mcnemar(exact=True)`). b + c = 0 gives p = 1.
 * Terms are summed in log space so that thousands of discordant pairs do not underflow.
 */
export interface McNemarResult {
  /** A correct, B wrong. */
  b: number;
  /** A wrong, B correct. */
  c: number;
  p: number;
}

export function mcnemarExact(b: number, c: number): number {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) throw new RangeError(`McNemar counts must be non-negative integers, got ${b}, ${c}`);
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // log C(n, j) built incrementally: log C(n, j+1) = log C(n, j) + log(n − j) − log(j + 1).
  const logHalfN = -n * Math.LN2;
  let logC = 0;
  const logs: number[] = [];
  for (let j = 0; j <= k; j++) {
    if (j > 0) logC += Math.log(n - j + 1) - Math.log(j);
    logs.push(logC + logHalfN);
  }
  const m = Math.max(...logs);
  let s = 0;
  for (const l of logs) s += Math.exp(l - m);
  const tail = Math.exp(m + Math.log(s));
  return Math.min(1, 2 * tail);
}

/** Counts discordant pairs of two aligned binary vectors and runs the exact test. */
export function mcnemar(a: ArrayLike<boolean | number>, bOutcomes: ArrayLike<boolean | number>): McNemarResult {
  if (a.length !== bOutcomes.length) throw new RangeError(`McNemar needs paired outcomes of equal length (${a.length} vs ${bOutcomes.length})`);
  let b = 0;
  let c = 0;
  for (let i = 0; i < a.length; i++) {
    const x = !!a[i];
    const y = !!bOutcomes[i];
    if (x && !y) b++;
    else if (!x && y) c++;
  }
  return { b, c, p: mcnemarExact(b, c) };
}
