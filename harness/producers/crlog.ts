/**
 * A correctly rounded natural logarithm.
 *
 * WHY: V8's `Math.log` (an fdlibm port) is off by one ulp for about 2% of arguments, while CPython's
 * `math.log` calls glibc, whose `log` is correctly rounded in practice. BM25 idf values feed a ranking,
 * and one ulp can flip the order of two documents, so the port computes the logarithm exactly: in 128-bit
 * fixed point with BigInt (ln z = 2·atanh((z−1)/(z+1)) on the mantissa, plus the exponent times ln 2), then
 * a single rounding to double. Results are memoised: BM25 only ever asks for log(k + 0.5), k ≤ corpus size.
 */
const F = 128n;
const ONE = 1n << F;

function atanhSeries(tf: bigint): bigint {
  // atanh(t) = t + t^3/3 + t^5/5 + ...   (t in fixed point, 0 <= t <= 1/3)
  const t2 = (tf * tf) >> F;
  let term = tf;
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 2n) {
    sum += term / k;
    term = (term * t2) >> F;
  }
  return sum;
}

const LN2 = 2n * atanhSeries(ONE / 3n);

const memo = new Map<number, number>();

export function crLog(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  const hit = memo.get(x);
  if (hit !== undefined) return hit;
  // x = m * 2^e exactly, with m an integer below 2^53.
  let e = 0;
  let m = x;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  const M = BigInt(m);
  const bits = M.toString(2).length - 1; // M = 2^bits * z, 1 <= z < 2
  const zf = (M << F) >> BigInt(bits);
  const tf = ((zf - ONE) << F) / (zf + ONE);
  const total = 2n * atanhSeries(tf) + BigInt(bits + e) * LN2;
  // Number(bigint) rounds once to nearest; dividing by a power of two is exact.
  const r = Number(total) / 2 ** Number(F);
  memo.set(x, r);
  return r;
}
