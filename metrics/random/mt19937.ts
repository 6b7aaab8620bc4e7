/**
 * numpy-compatible Mersenne Twister (MT19937) with numpy's *legacy* `RandomState` draws.
 *
 * Port of the parts of numpy 1.24 that seeded legacy code paths go through:
 *   - `numpy/random/src/mt19937/mt19937.c`   `mt19937_seed` (= Matsumoto–Nishimura `init_genrand`),
 *     `mt19937_gen` and `mt19937_next32` / `mt19937_next64` / `mt19937_next_double`;
 *   - `numpy/random/mtrand.pyx`               `RandomState.seed(int)` → `_legacy_seeding` → `mt19937_seed`,
 *     `randint` (legacy: `_rand_int64(..., use_masked=True)`), `choice(a, size)` with replacement and no `p`
 *     (= `randint(0, len(a), size)`), `random_sample`, `shuffle` / `permutation` (1-D);
 *   - `numpy/random/src/distributions/distributions.c` `random_bounded_uint64_fill` (masked rejection:
 *     32-bit draws when the range fits in 32 bits, 64-bit draws otherwise) and `random_interval`.
 *
 * Why: Hugging Face `evaluate` (and `rouge_score`'s BootstrapAggregator) resample with
 * `np.random.choice(np.arange(n), size=n)` after `np.random.seed(seed)`. Reproducing their published
 * numbers bit for bit needs exactly this stream, not "a" Mersenne Twister.
 *
 * Every method here is checked against vectors produced by numpy 1.24.2 in test/mt19937.test.ts.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Largest safe span for integer draws: results are JS numbers, so they must stay exact. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export class MT19937 {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /** Same state as `np.random.seed(seed)` / `np.random.RandomState(seed)` for an integer seed. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /** `RandomState.seed(int)`: numpy rejects seeds outside [0, 2**32 - 1], so do we. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
    }
    // init_genrand: key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >>> 30)) + i, all mod 2**32.
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      const x = (s ^ (s >>> 30)) >>> 0;
      // Math.imul keeps the 32-bit product exact (a plain * would lose bits above 2**53).
      s = (Math.imul(1812433253, x) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  /** Regenerates the 624-word block (`mt19937_gen`). */
  private generate(): void {
    const k = this.key;
    let y: number;
    let i = 0;
    for (; i < N - M; i++) {
      y = (k[i] & UPPER_MASK) | (k[i + 1] & LOWER_MASK);
      k[i] = k[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (k[i] & UPPER_MASK) | (k[i + 1] & LOWER_MASK);
      k[i] = k[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (k[N - 1] & UPPER_MASK) | (k[0] & LOWER_MASK);
    k[N - 1] = k[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.pos = 0;
  }

  /** One tempered 32-bit output (`mt19937_next32`), as an unsigned number. */
  nextUint32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `mt19937_next64`: (first draw << 32) | second draw. */
  nextUint64(): bigint {
    const hi = BigInt(this.nextUint32());
    const lo = BigInt(this.nextUint32());
    return (hi << 32n) | lo;
  }

  /** `random_sample()` / `random()`: a double in [0, 1) with 53 random bits (two 32-bit draws). */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `random_sample(size)`. */
  randomArray(size: number): Float64Array {
    checkSize(size);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.random();
    return out;
  }

  /**
   * Legacy `randint(low, high, size)` with the default int64 dtype: uniform integers in [low, high).
   * numpy draws these by masked rejection sampling on rng = high - 1 - low: a range of 0 consumes NO
   * draws (this matters for streams shared between calls), a range < 2**32 - 1 uses 32-bit draws
   * masked to the next power of two minus one, exactly 2**32 - 1 takes raw 32-bit draws, and larger
   * ranges use 64-bit draws.
   */
  randint(low: number, high: number, size: number): number[] {
    const out = new Array<number>(size);
    this.randintInto(low, high, out, size);
    return out;
  }

  /** `randint(low, high)` with size=None: one draw (same stream consumption as size=1). */
  randintOne(low: number, high: number): number {
    const out = [0];
    this.randintInto(low, high, out, 1);
    return out[0];
  }

  /** `randint` writing into a caller-owned buffer (hot loops: bootstrap resampling). */
  randintInto(low: number, high: number, out: { [i: number]: number; length: number }, size = out.length): void {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint bounds must be safe integers, got [${low}, ${high})`);
    }
    if (low >= high) throw new RangeError(`low >= high (${low} >= ${high})`);
    checkSize(size);
    const rng = high - 1 - low;
    if (rng > MAX_SAFE) throw new RangeError('randint range exceeds 2**53');
    if (rng === 0) {
      for (let i = 0; i < size; i++) out[i] = low;
    } else if (rng < 0xffffffff) {
      const mask = genMask32(rng);
      for (let i = 0; i < size; i++) {
        let v: number;
        do v = (this.nextUint32() & mask) >>> 0;
        while (v > rng);
        out[i] = low + v;
      }
    } else if (rng === 0xffffffff) {
      for (let i = 0; i < size; i++) out[i] = low + this.nextUint32();
    } else {
      const r = BigInt(rng);
      const mask = genMask64(r);
      for (let i = 0; i < size; i++) {
        let v: bigint;
        do v = this.nextUint64() & mask;
        while (v > r);
        out[i] = low + Number(v);
      }
    }
  }

  /**
   * `choice(a, size)` with replacement and uniform probabilities: `a[randint(0, len(a), size)]`.
   * (`np.random.choice(np.arange(n), size=n)` is therefore `randint(0, n, n)`.)
   */
  choice<T>(a: readonly T[], size: number): T[] {
    if (a.length === 0) throw new RangeError("'a' cannot be empty unless no samples are taken");
    return this.randint(0, a.length, size).map((i) => a[i]);
  }

  /**
   * `random_interval(max)`: uniform integer in [0, max] by masked rejection (used by shuffle).
   */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      const mask = genMask32(max);
      let v: number;
      do v = (this.nextUint32() & mask) >>> 0;
      while (v > max);
      return v;
    }
    const r = BigInt(max);
    const mask = genMask64(r);
    let v: bigint;
    do v = this.nextUint64() & mask;
    while (v > r);
    return Number(v);
  }

  /** Legacy 1-D `shuffle(x)` in place: Fisher–Yates from the end with `random_interval`. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.interval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** Legacy `permutation(n)`: `arange(n)` shuffled. */
  permutation(n: number): number[] {
    checkSize(n);
    const a = Array.from({ length: n }, (_, i) => i);
    this.shuffle(a);
    return a;
  }
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
}

/** Smallest 2**k - 1 that is >= v (v < 2**32). */
function genMask32(v: number): number {
  let m = v >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

function genMask64(v: bigint): bigint {
  let m = v;
  for (const s of [1n, 2n, 4n, 8n, 16n, 32n]) m |= m >> s;
  return m;
}
