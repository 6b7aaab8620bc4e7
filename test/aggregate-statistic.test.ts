/**
 * The resampling statistics of harness/runs/aggregate.ts are computed column-wise for speed; their
 * replicates must be bit-for-bit those of the plain definition (sum the items' fields in resample order,
 * score the summed item, average over runs), so that summary.json never changes with an optimisation.
 */
import { describe, expect, it } from 'vitest';
import { runsStatistic } from '../harness/runs/aggregate.js';
import { corpusNumber, type Item, type View } from '../metrics/metric.js';
import { metricViews } from '../metrics/registry.js';
import { MT19937 } from '../metrics/random/mt19937.js';
import type { CodeBleuStats } from '../metrics/codebleu/index.js';

const views = metricViews({ codebleuVariant: 'k4black', exec: false });
const view = (key: string): View => views.find((v) => v.key === key)!;

/** A CodeBLEU stats item with non-integer weighted counts (their sums depend on the order of addition). */
function randomStats(rng: MT19937): CodeBleuStats {
  const hyp = 1 + rng.randintOne(0, 200);
  const den = [0, 1, 2, 3].map((k) => Math.max(1, hyp - k));
  const num = den.map((d) => rng.randintOne(0, d + 1));
  const w = () => rng.randintOne(0, 40) * 0.2 + rng.randintOne(0, 7) * 1.1;
  return {
    ngram: { num, den, hyp_len: hyp, ref_len: 1 + rng.randintOne(0, 50) },
    weighted_ngram: { num: [w(), num[1], num[2], num[3]], den: [w() + 0.1, den[1], den[2], den[3]], hyp_len: hyp, ref_len: 2 },
    syntax: { matched: rng.randintOne(0, 10), total: 10 + rng.randintOne(0, 10) },
    dataflow: { matched: 0, total: 0 },
  };
}

/** The definition: field-wise sums in resample order (missing items skipped), one corpus score per run. */
function plainStatistic(v: View, items: (Item | null)[][]): (idx: Int32Array) => number {
  const add = (a: unknown, b: unknown): unknown => {
    if (typeof a === 'number') return a + (b as number);
    if (Array.isArray(a)) return a.map((x, i) => add(x, (b as unknown[])[i]));
    return Object.fromEntries(Object.entries(a as Record<string, unknown>).map(([k, x]) => [k, add(x, (b as Record<string, unknown>)[k])]));
  };
  const zero = (a: unknown): unknown => (typeof a === 'number' ? 0 : Array.isArray(a) ? a.map(zero) : Object.fromEntries(Object.entries(a as object).map(([k, x]) => [k, zero(x)])));
  return (idx) => {
    let total = 0;
    for (const run of items) {
      const first = run.find((x) => x !== null);
      let acc = zero(first);
      let n = 0;
      for (const q of idx) {
        const it = run[q];
        if (it === null) continue;
        acc = add(acc, it);
        n++;
      }
      if (n === 0) return NaN;
      total += v.additive ? corpusNumber(v, [acc as Item]) : corpusNumber(v, Array.from(idx, (q) => run[q]).filter((x): x is Item => x !== null));
    }
    return total / items.length;
  };
}

function resamples(n: number, count: number, seed: number): Int32Array[] {
  const rng = new MT19937(seed);
  return Array.from({ length: count }, () => Int32Array.from({ length: n }, () => rng.randintOne(0, n)));
}

describe('runsStatistic', () => {
  it('CodeBLEU (additive): every replicate equals the ordered field-wise sum exactly, with missing items and several runs', () => {
    const rng = new MT19937(7);
    const Q = 120;
    const items: (Item | null)[][] = [0, 1].map((r) => Array.from({ length: Q }, (_, q) => (r === 1 && q % 9 === 0 ? null : randomStats(rng))));
    const fast = runsStatistic(view('codebleu_code'), items);
    const plain = plainStatistic(view('codebleu_code'), items);
    const all = Int32Array.from({ length: Q }, (_, i) => i);
    expect(Object.is(fast(all), plain(all))).toBe(true);
    for (const idx of resamples(Q, 200, 11)) expect(Object.is(fast(idx), plain(idx))).toBe(true);
  });

  it('mean views: the same replicates with and without missing items', () => {
    const rng = new MT19937(3);
    const Q = 150;
    const complete: (Item | null)[][] = [Array.from({ length: Q }, () => rng.randintOne(0, 1000) / 7)];
    const gappy: (Item | null)[][] = [complete[0].map((x, q) => (q % 5 === 0 ? null : x)), complete[0].map((x, q) => (q % 3 === 0 ? x : rng.randintOne(0, 2)))];
    for (const items of [complete, gappy]) {
      const fast = runsStatistic(view('rougeL_code'), items);
      const plain = plainStatistic(view('rougeL_code'), items);
      for (const idx of resamples(Q, 200, 5)) expect(Object.is(fast(idx), plain(idx))).toBe(true);
    }
  });

  it('a resample that draws only missing items is NaN', () => {
    const items: (Item | null)[][] = [[null, null, 0.5]];
    expect(runsStatistic(view('rougeL_code'), items)(Int32Array.from([0, 1, 0]))).toBeNaN();
    const rng = new MT19937(1);
    const cb: (Item | null)[][] = [[null, randomStats(rng), null]];
    expect(runsStatistic(view('codebleu_code'), cb)(Int32Array.from([0, 2, 2]))).toBeNaN();
  });
});
