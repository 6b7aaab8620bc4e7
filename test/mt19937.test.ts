import { describe, expect, it } from 'vitest';
import { MT19937 } from '../metrics/random/mt19937.js';

/*
 * Expected values were produced with Debian bookworm's python3-numpy 1.24.2 (the numpy of the golden
 * oracles), each with a fresh `np.random.RandomState(seed)` (same state as `np.random.seed(seed)`):
 */
const NUMPY = {
  // RandomState(42).randint(0, 2**32, size=5, dtype=np.uint64): raw genrand_int32 outputs
  raw32_seed42: [1608637542, 3421126067, 4083286876, 787846414, 3143890026],
  // RandomState(42).randint(0, 10, 5)
  randint_0_10_seed42: [6, 3, 7, 4, 6],
  // RandomState(42).randint(0, 1000, 5)
  randint_0_1000_seed42: [102, 435, 860, 270, 106],
  // RandomState(0).randint(-5, 7, 8)
  randint_m5_7_seed0: [0, -5, -2, 6, -2, 2, 4, -2],
  // RandomState(1234).choice(np.arange(904), size=904)[:10]
  choice_arange904_seed1234_first10: [815, 723, 294, 53, 204, 372, 664, 655, 689, 279],
  // r = RandomState(7); r.randint(0, 1, 3); r.randint(0, 10, 3)  → the second equals RandomState(7).randint(0, 10, 3)
  rng0_then_0_10_seed7: [4, 9, 6],
  // RandomState(3).randint(0, 2**32, 4)   (range exactly 2**32 - 1: raw 32-bit draws)
  randint_full32_seed3: [2365658986, 303761048, 3041471737, 3607553667],
  // RandomState(3).randint(0, 2**40 + 5, 4)   (64-bit masked draws)
  randint_big_seed3: [1073054410371, 867663915883, 593770158997, 511502908838],
  // RandomState(42).random_sample(4)
  random_sample_seed42: [0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366],
  // RandomState(5).permutation(10)
  permutation10_seed5: [9, 5, 2, 4, 7, 1, 0, 8, 6, 3],
  // RandomState(2**32 - 1).randint(0, 100, 6)
  seed_max: [35, 34, 12, 71, 52, 64],
  // r = RandomState(11); r.randint(0, 5, 700); r.randint(0, 1 << 20, 5)   (crosses a 624-word block)
  after700_seed11: [935028, 1006472, 864469, 40853, 597047],
};

describe('MT19937 (numpy legacy RandomState)', () => {
  it('raw 32-bit outputs follow init_genrand(seed)', () => {
    const r = new MT19937(42);
    expect(Array.from({ length: 5 }, () => r.nextUint32())).toEqual(NUMPY.raw32_seed42);
  });

  it('randint uses masked rejection on 32-bit draws', () => {
    expect(new MT19937(42).randint(0, 10, 5)).toEqual(NUMPY.randint_0_10_seed42);
    expect(new MT19937(42).randint(0, 1000, 5)).toEqual(NUMPY.randint_0_1000_seed42);
    expect(new MT19937(0).randint(-5, 7, 8)).toEqual(NUMPY.randint_m5_7_seed0);
    expect(new MT19937(2 ** 32 - 1).randint(0, 100, 6)).toEqual(NUMPY.seed_max);
  });

  it('a zero-width range consumes no draws', () => {
    const r = new MT19937(7);
    expect(r.randint(0, 1, 3)).toEqual([0, 0, 0]);
    expect(r.randint(0, 10, 3)).toEqual(NUMPY.rng0_then_0_10_seed7);
  });

  it('range 2**32 - 1 takes raw draws, larger ranges take 64-bit draws', () => {
    expect(new MT19937(3).randint(0, 2 ** 32, 4)).toEqual(NUMPY.randint_full32_seed3);
    expect(new MT19937(3).randint(0, 2 ** 40 + 5, 4)).toEqual(NUMPY.randint_big_seed3);
  });

  it('choice(arange(n), size=n) is randint(0, n, n)', () => {
    const a = Array.from({ length: 904 }, (_, i) => i);
    expect(new MT19937(1234).choice(a, 904).slice(0, 10)).toEqual(NUMPY.choice_arange904_seed1234_first10);
  });

  it('state carries across the 624-word regeneration', () => {
    const r = new MT19937(11);
    r.randint(0, 5, 700);
    expect(r.randint(0, 1 << 20, 5)).toEqual(NUMPY.after700_seed11);
  });

  it('random_sample and permutation', () => {
    const r = new MT19937(42);
    expect(Array.from(r.randomArray(4))).toEqual(NUMPY.random_sample_seed42);
    expect(new MT19937(5).permutation(10)).toEqual(NUMPY.permutation10_seed5);
  });

  it('rejects seeds and ranges numpy rejects', () => {
    expect(() => new MT19937(-1)).toThrow(/seed/);
    expect(() => new MT19937(2 ** 32)).toThrow(/seed/);
    expect(() => new MT19937(1.5)).toThrow(/seed/);
    expect(() => new MT19937(1).randint(5, 5, 1)).toThrow(/low >= high/);
    expect(() => new MT19937(1).choice([], 1)).toThrow(/empty/);
  });
});
