/**
 * Holm–Bonferroni step-down correction (Holm 1979) for a family of m tests.
 *
 * Sorted ascending p_(1) ≤ … ≤ p_(m), the adjusted values are
 *     p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) · p_(j))
 * and hypothesis i is rejected at level α when p̃_i ≤ α. This controls the family-wise error rate with no
 * assumption on dependence between tests, which is why it is used across the whole leaderboard table
 * (checkpoints × metrics share samples). NaN p-values (tests that could not be run) are left out of the
 * family and stay NaN. Ties keep their input order (stable sort), which does not change the result.
 */
export interface HolmResult {
  adjusted: number[];
  reject: boolean[];
}

export function holm(pValues: readonly number[], alpha = 0.05): HolmResult {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter((x) => !Number.isNaN(x.p))
    .sort((x, y) => x.p - y.p);
  const m = order.length;
  const adjusted = pValues.map(() => NaN);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    if (p < 0 || p > 1) throw new RangeError(`p-value out of [0, 1]: ${p}`);
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return { adjusted, reject: adjusted.map((q) => !Number.isNaN(q) && q <= alpha) };
}
