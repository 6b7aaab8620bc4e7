import { describe, expect, it } from 'vitest';
import { MT19937 } from '../metrics/random/mt19937.js';
import {
  percentile,
  bootstrapInterval,
  pairedBootstrap,
  meanStatistic,
  mcnemar,
  mcnemarExact,
  holm,
  meanSd,
} from '../metrics/stats/index.js';

/** Exact two-sided McNemar p with BigInt arithmetic: an independent derivation from the binomial pmf. */
function exactMcNemarBigInt(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let coef = 1n; // C(n, 0)
  let tail = 0n;
  for (let j = 0; j <= k; j++) {
    if (j > 0) coef = (coef * BigInt(n - j + 1)) / BigInt(j);
    tail += coef;
  }
  const num = 2n * tail;
  if (num >= 1n << BigInt(n)) return 1;
  // num / 2^n as a double: keep num's top 60 bits, then scale by powers of two (in two steps so that
  // an intermediate 2^-k does not underflow before the product does).
  const e = Math.max(0, num.toString(2).length - 60);
  const top = Number(num >> BigInt(e));
  return top * 2 ** (e - n + 60) * 2 ** -60;
}

describe('percentile (numpy linear)', () => {
  it('matches values computed by hand with numpy semantics', () => {
    expect(percentile([1, 2, 3, 4], 25)).toBeCloseTo(1.75, 15); // rank 0.75
    expect(percentile([4, 3, 2, 1], 97.5)).toBeCloseTo(3.925, 15); // rank 2.925
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([0, 10], 2.5)).toBeCloseTo(0.25, 15);
    expect(percentile([5], 2.5)).toBe(5);
    expect(percentile([1, 2], 100)).toBe(2);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('bootstrapInterval', () => {
  it('is the point itself when every resample is identical', () => {
    const ci = bootstrapInterval(5, meanStatistic([3, 3, 3, 3, 3]), { seed: 1 });
    expect(ci).toMatchObject({ point: 3, low: 3, high: 3, level: 0.95, nResamples: 1000, seed: 1 });
    const one = bootstrapInterval(1, meanStatistic([0.25]), { seed: 9 });
    expect([one.low, one.high]).toEqual([0.25, 0.25]);
  });

  it('reproduces the exact bootstrap distribution of a two-point sample', () => {
    // Resampled mean of [0, 1] is 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and 97.5%
    // quantiles are 0 and 1, the 25% tail sits at 0 and the interval cannot be narrower.
    const ci = bootstrapInterval(2, meanStatistic([0, 1]), { seed: 3, nResamples: 4000 });
    expect(ci.point).toBe(0.5);
    expect(ci.low).toBe(0);
    expect(ci.high).toBe(1);
    const ci50 = bootstrapInterval(2, meanStatistic([0, 1]), { seed: 3, nResamples: 4001, level: 0.4 });
    expect(ci50.low).toBe(0.5); // 30% quantile: P(0) = 25% < 30%
    expect(ci50.high).toBe(0.5); // 70% quantile: P(≤ 0.5) = 75% > 70%
  });

  it('agrees with the normal approximation on a large sample', () => {
    const n = 4000;
    const v = Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
    const mean = v.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    const half = (1.959964 * sd) / Math.sqrt(n);
    const ci = bootstrapInterval(n, meanStatistic(v), { seed: 2024, nResamples: 2000 });
    expect(ci.point).toBeCloseTo(mean, 12);
    expect(Math.abs(ci.low - (mean - half))).toBeLessThan(0.15 * half);
    expect(Math.abs(ci.high - (mean + half))).toBeLessThan(0.15 * half);
  });

  it('recomputes a micro-averaged corpus score from resampled sufficient statistics', () => {
    // Per-sample (matches, total): the corpus score is Σmatches/Σtotal = 6/10, not the mean of ratios (0.5).
    const stats = [
      { m: 0, t: 1 },
      { m: 6, t: 9 },
    ];
    const seen: number[][] = [];
    const corpus = (idx: Int32Array) => {
      seen.push(Array.from(idx));
      let m = 0;
      let t = 0;
      for (const i of idx) {
        m += stats[i].m;
        t += stats[i].t;
      }
      return m / t;
    };
    const ci = bootstrapInterval(2, corpus, { seed: 5, nResamples: 2000 });
    expect(ci.point).toBeCloseTo(0.6, 15);
    // Possible resamples: {0,0} → 0, {0,1} → 0.6, {1,1} → 2/3. Bounds must be among those values.
    expect(ci.low).toBe(0);
    expect(ci.high).toBeCloseTo(2 / 3, 15);
    expect(seen[0]).toEqual([0, 1]); // first call: the full data
    expect(seen.length).toBe(2001);
  });

  it('is reproducible from its seed and changes with it', () => {
    const v = Array.from({ length: 50 }, (_, i) => (i % 7) / 7);
    const a = bootstrapInterval(50, meanStatistic(v), { seed: 11 });
    const b = bootstrapInterval(50, meanStatistic(v), { seed: 11 });
    const c = bootstrapInterval(50, meanStatistic(v), { seed: 12 });
    expect(a).toEqual(b);
    expect([a.low, a.high]).not.toEqual([c.low, c.high]);
  });

  it('gives NaN bounds for a failed metric instead of a number', () => {
    const ci = bootstrapInterval(3, () => NaN, { seed: 1 });
    expect(ci.low).toBeNaN();
    expect(ci.high).toBeNaN();
  });

  it('leaves out resamples on which the statistic is undefined', () => {
    // Mean over the applicable samples only (NaN = not applicable); a resample without any is undefined.
    const v = [NaN, NaN, NaN, 1, 0];
    const stat = (idx: Int32Array) => {
      let s = 0;
      let n = 0;
      for (const i of idx) if (!Number.isNaN(v[i])) (s += v[i]), n++;
      return n ? s / n : NaN;
    };
    const ci = bootstrapInterval(5, stat, { seed: 3, nResamples: 2000 });
    expect(ci.point).toBe(0.5);
    expect([ci.low, ci.high]).toEqual([0, 1]);
  });
});

describe('pairedBootstrap', () => {
  it('gives p = 1 and delta 0 for identical systems', () => {
    const v = [0.1, 0.7, 0.3, 0.9];
    const r = pairedBootstrap(4, meanStatistic(v), meanStatistic(v), { seed: 1 });
    expect(r.delta).toBe(0);
    expect(r.p).toBe(1);
  });

  it('gives the minimum p = 1/(B+1) for a difference no resample can erase', () => {
    const a = [0, 0, 0, 0];
    const b = [0.1, 0.5, 0.9, 0.3];
    const r = pairedBootstrap(4, meanStatistic(a), meanStatistic(b), { seed: 1, nResamples: 999 });
    expect(r.delta).toBeCloseTo(0.45, 15);
    expect(r.p).toBeCloseTo(1 / 1000, 15);
    expect(r.low).toBeGreaterThan(0);
  });

  it('matches the exact (enumerated) bootstrap p-value on a small sample', () => {
    // Per-sample differences d = [-1, 0.3, 2.5], δ = 0.6. Enumerate all 27 equally likely resamples of
    // 3 indices and count those with |δ* − E δ*| ≥ |δ| (E δ* = δ for the mean): an exact p of the
    // shifted bootstrap, computed independently of the library.
    const d = [-1, 0.3, 2.5];
    const delta = (d[0] + d[1] + d[2]) / 3;
    let hits = 0;
    for (const i of [0, 1, 2]) for (const j of [0, 1, 2]) for (const k of [0, 1, 2]) {
      const m = (d[i] + d[j] + d[k]) / 3;
      if (Math.abs(m - delta) >= Math.abs(delta)) hits++;
    }
    const exact = hits / 27;
    expect(exact).toBeCloseTo(14 / 27, 15); // hand count, see the derivation in the comments above
    const r = pairedBootstrap(3, meanStatistic([0, 0, 0]), meanStatistic(d), { seed: 99, nResamples: 20000 });
    expect(r.delta).toBeCloseTo(0.6, 15);
    expect(Math.abs(r.p - exact)).toBeLessThan(0.02);
  });

  it('is antisymmetric in the systems', () => {
    const a = [0.2, 0.4, 0.9, 0.1, 0.5];
    const b = [0.3, 0.6, 0.8, 0.4, 0.5];
    const ab = pairedBootstrap(5, meanStatistic(a), meanStatistic(b), { seed: 4 });
    const ba = pairedBootstrap(5, meanStatistic(b), meanStatistic(a), { seed: 4 });
    expect(ab.delta).toBeCloseTo(-ba.delta, 15);
    expect(ab.p).toBeCloseTo(ba.p, 12);
    expect(ab.low).toBeCloseTo(-ba.high, 12);
  });
});

describe('exact McNemar', () => {
  it('matches hand-computed binomial tails', () => {
    // b=1, c=9: 2·(C(10,0)+C(10,1))/2^10 = 22/1024.
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 15);
    expect(mcnemarExact(9, 1)).toBeCloseTo(22 / 1024, 15);
    // b=0, c=5: 2/32.
    expect(mcnemarExact(0, 5)).toBeCloseTo(1 / 16, 15);
    expect(mcnemarExact(3, 3)).toBe(1);
    expect(mcnemarExact(0, 0)).toBe(1);
    expect(mcnemarExact(0, 1)).toBe(1);
  });
  it('agrees with the binomial distribution computed exactly (BigInt) over many tables', () => {
    const cases: [number, number][] = [];
    for (let b = 0; b <= 30; b++) for (let c = 0; c <= 30; c += 3) cases.push([b, c]);
    cases.push([120, 180], [400, 450], [10, 900], [0, 1074], [512, 530], [3000, 3100]);
    for (const [b, c] of cases) {
      const want = exactMcNemarBigInt(b, c);
      const got = mcnemarExact(b, c);
      if (want < 1e-300) expect(got).toBeLessThan(1e-290);
      else expect(Math.abs(got - want) / want).toBeLessThan(1e-10);
    }
  });
  it('counts discordant pairs from aligned outcomes', () => {
    const a = [true, true, false, false, true, false];
    const b = [true, false, true, true, false, true];
    expect(mcnemar(a, b)).toEqual({ b: 2, c: 3, p: mcnemarExact(2, 3) });
    expect(() => mcnemar([true], [])).toThrow(RangeError);
  });
});

describe('Holm correction', () => {
  it('reproduces the textbook example', () => {
    // Four tests, α = 0.05 (Holm 1979 style worked example): sorted 0.005, 0.01, 0.03, 0.04 get
    // multipliers 4, 3, 2, 1 → 0.02, 0.03, 0.06, max(0.06, 0.04) = 0.06. The first two are rejected.
    const r = holm([0.01, 0.04, 0.03, 0.005]);
    expect(r.adjusted[0]).toBeCloseTo(0.03, 15);
    expect(r.adjusted[1]).toBeCloseTo(0.06, 15);
    expect(r.adjusted[2]).toBeCloseTo(0.06, 15);
    expect(r.adjusted[3]).toBeCloseTo(0.02, 15);
    expect(r.reject).toEqual([true, false, false, true]);
  });
  it('caps at 1, ignores NaN tests and reduces to the raw p for one test', () => {
    const r = holm([0.5, NaN, 0.6]);
    expect(r.adjusted[0]).toBe(1);
    expect(r.adjusted[1]).toBeNaN();
    expect(r.adjusted[2]).toBe(1);
    expect(r.reject).toEqual([false, false, false]);
    expect(holm([0.03]).adjusted).toEqual([0.03]);
    expect(holm([]).adjusted).toEqual([]);
  });
});

describe('meanSd', () => {
  it('uses the sample standard deviation and no sd for one run', () => {
    const r = meanSd([1, 2, 3, 4]);
    expect(r.mean).toBe(2.5);
    expect(r.sd).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(meanSd([0.7])).toEqual({ mean: 0.7, sd: null, n: 1 });
    expect(meanSd([]).mean).toBeNaN();
  });
});

describe('resample index cache', () => {
  it('gives the same intervals as an uncached draw of the same stream', () => {
    // Statistic that records its indices; compare the first resample with the stream drawn by hand.
    const seen: number[][] = [];
    bootstrapInterval(6, (idx) => (seen.push(Array.from(idx)), 0), { seed: 77, nResamples: 3 });
    const rng = new MT19937(77);
    const want = Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => rng.randintOne(0, 6)));
    expect(seen.slice(1)).toEqual(want);
    // A second call (cache hit) sees the same resamples.
    const again: number[][] = [];
    bootstrapInterval(6, (idx) => (again.push(Array.from(idx)), 0), { seed: 77, nResamples: 3 });
    expect(again).toEqual(seen);
  });
});
