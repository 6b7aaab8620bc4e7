/**
 * Python's `math.fsum`: the correctly rounded sum of floats (Shewchuk's partials, as in CPython
 * Modules/mathmodule.c `math_fsum`). NLTK's BLEU sums the weighted log precisions with it, so a plain
 * left-to-right sum could differ in the last bit.
 */
export function fsum(values: readonly number[]): number {
  const partials: number[] = [];
  let specialSum = 0;
  let infSum = 0;
  for (const xIn of values) {
    let x = xIn;
    if (!Number.isFinite(x)) {
      // CPython: inf and nan are summed separately; inf + -inf is nan.
      if (Number.isNaN(x)) specialSum = NaN;
      else infSum += x;
      specialSum += x;
      continue;
    }
    let i = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j];
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  if (specialSum !== 0 || Number.isNaN(specialSum)) {
    if (Number.isNaN(infSum)) return NaN;
    return specialSum;
  }
  let n = partials.length;
  let hi = 0;
  if (n > 0) {
    hi = partials[--n];
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = partials[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    // Round-half-even correction, as CPython does.
    if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
  }
  return hi;
}
