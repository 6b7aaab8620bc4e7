/**
 * N-gram BLEU and weighted n-gram BLEU as CodeBLEU computes them, split into per-sample sufficient
 * statistics and a corpus aggregation (sentence level = a corpus of one).
 *
 * Ports of k4black/codebleu 0.7.1 `codebleu/bleu.py` (NLTK 3.x `corpus_bleu`, `modified_precision`,
 * `closest_ref_length`, `brevity_penalty`, `SmoothingFunction.method1`) and
 * `codebleu/weighted_ngram_match.py` (`corpus_bleu`, `modified_recall`), which are CodeXGLUE's files with
 * integer tuples in place of `Fraction(..., _normalize=False)` (bit-identical floats on CPython 3.11).
 *
 * Exactness notes:
 * - Counts are kept unnormalised (no fraction reduction), exactly as `_normalize=False` / tuples do.
 * - N-gram identity: tokens are renamed to per-sample integers; the keys keep Python's tuple equality.
 * - The weighted unigram sums are float sums whose value depends on the order of addition; they are
 *   added in the reference's first-appearance order, which is the order of Python's `Counter`/dict.
 * - The corpus sums add the per-sample numbers in sample order, as the Python loop does.
 */
import { fsum } from './fsum.js';

const ORDERS = 4;
/** NLTK's BLEU weights inside CodeBLEU are always the default 0.25 x 4 (the CodeBLEU weights are separate). */
const BLEU_WEIGHTS = [0.25, 0.25, 0.25, 0.25];
const EPSILON = 0.1; // SmoothingFunction().method1

/** Clipped n-gram counts (orders 1..4), hypothesis length and closest reference length of one sample. */
export interface NgramStats {
  num: number[];
  den: number[];
  hyp_len: number;
  ref_len: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  if (tokens.length < n) return m;
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' ');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * Tokens renamed to small integers per sample, so that n-gram keys are short strings of char codes
 * (hashing them is much cheaper than hashing joined token text). Unigram maps keep the token text
 * because the weighted match needs it for the keyword test.
 */
class Vocab {
  private ids = new Map<string, number>();
  encode(tokens: readonly string[]): string {
    let s = '';
    for (const t of tokens) {
      let id = this.ids.get(t);
      if (id === undefined) {
        id = this.ids.size;
        this.ids.set(t, id);
      }
      s += String.fromCharCode(id & 0xffff, id >>> 16);
    }
    return s;
  }
}

/** n-gram counts (n >= 2) over an encoded token string (two chars per token), first-appearance order. */
function codedCounts(coded: string, n: number): Map<string, number> {
  const m = new Map<string, number>();
  const len = coded.length >> 1;
  for (let i = 0; i + n <= len; i++) {
    const key = coded.slice(2 * i, 2 * (i + n));
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

function countsFor(tokens: readonly string[], coded: string, n: number): Map<string, number> {
  return n === 1 ? ngramCounts(tokens, 1) : codedCounts(coded, n);
}

/** `closest_ref_length`: the reference length nearest the hypothesis length, ties to the shorter. */
function closestRefLength(refLens: readonly number[], hypLen: number): number {
  let best = refLens[0];
  for (let i = 1; i < refLens.length; i++) {
    const r = refLens[i];
    const d = Math.abs(r - hypLen);
    const bd = Math.abs(best - hypLen);
    if (d < bd || (d === bd && r < best)) best = r;
  }
  return best;
}

/** `brevity_penalty(closest_ref_len, hyp_len)`. */
function brevityPenalty(closestRefLen: number, hypLen: number): number {
  if (hypLen > closestRefLen) return 1;
  if (hypLen === 0) return 0;
  return Math.exp(1 - closestRefLen / hypLen);
}

/**
 * `corpus_bleu` over per-sample statistics, with chencherry method1 smoothing: NLTK's for the n-gram match,
 * and CodeXGLUE's `weighted_ngram_match.corpus_bleu` for the weighted one (the same arithmetic: a zero count
 * becomes 0.1 over its denominator, and the score is 0 without a unigram match).
 */
function corpusBleu(stats: readonly { num: number[]; den: number[]; hyp_len: number; ref_len: number }[]): number {
  const num = new Array<number>(ORDERS).fill(0);
  const den = new Array<number>(ORDERS).fill(0);
  let hypLengths = 0;
  let refLengths = 0;
  for (const s of stats) {
    for (let i = 0; i < ORDERS; i++) {
      num[i] += s.num[i];
      den[i] += s.den[i];
    }
    hypLengths += s.hyp_len;
    refLengths += s.ref_len;
  }
  const bp = brevityPenalty(refLengths, hypLengths);
  if (num[0] === 0) return 0;
  const terms: number[] = [];
  for (let i = 0; i < ORDERS; i++) {
    const p = num[i] === 0 ? (num[i] + EPSILON) / den[i] : num[i] / den[i];
    terms.push(BLEU_WEIGHTS[i] * Math.log(p));
  }
  return bp * Math.exp(fsum(terms));
}

/** NLTK `corpus_bleu` over per-sample n-gram statistics. */
export function ngramScore(stats: readonly NgramStats[]): number {
  return corpusBleu(stats);
}

/** Per-sample statistics of the weighted n-gram match (`modified_recall`, summed over references). */
export interface WeightedNgramStats {
  num: number[];
  den: number[];
  hyp_len: number;
  /** `closest_ref_length` over `[tokens, weights]` pairs: always 2 (the quirk golden README §5.8 names). */
  ref_len: number;
}

/**
 * Both per-sample statistics at once: the same hypothesis and reference n-gram counts feed NLTK's
 * `modified_precision` (clipped by the max over references) and CodeBLEU's `modified_recall` (summed over
 * references), so they are counted once. Unigrams of the weighted match are weighted by `keywords` (1 for a
 * keyword, 0.2 otherwise); its guard `len(weights) == len(reference_counts)` is always true for unigrams.
 */
export function bothNgramStats(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  keywords: ReadonlySet<string>,
): { ngram: NgramStats; weighted: WeightedNgramStats } {
  return (references.length === 1 ? singleReferenceNumeric(references[0], hypothesis, keywords) : null) ?? bothNgramStatsGeneral(references, hypothesis, keywords);
}

/** The path for any number of references (and the fallback of the single-reference one); tests compare the two. */
export function bothNgramStatsGeneral(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  keywords: ReadonlySet<string>,
): { ngram: NgramStats; weighted: WeightedNgramStats } {
  return bothNgramStatsNumeric(references, hypothesis, keywords) ?? bothNgramStatsCoded(references, hypothesis, keywords);
}

/** Fixed base of the single-reference numeric keys: ids below it keep 4-gram keys exact (2¹³ˣ⁴ = 2⁵²). */
const REFERENCE_KEY_BASE = 8192;

/** One reference's side of the single-reference path, computed once per reference. */
interface ReferenceGrams {
  keywords: ReadonlySet<string>;
  /** Reference tokens to ids 0..v-1, in first-appearance order. */
  idOf: Map<string, number>;
  /** Per order n (index n-1): n-gram key (base {@link REFERENCE_KEY_BASE}) to its rank in first-appearance order. */
  rank: Map<number, number>[];
  /** Per order: the count of each n-gram, by rank. */
  count: Int32Array[];
  /** Keyword weight (1 or 0.2) of each unigram, by rank. */
  unigramWeight: Float64Array;
}

/**
 * Per reference token array (callers pass the same array for the same reference text): the same
 * reference is scored against every model's answer, so its n-grams are counted once.
 */
const referenceGrams = new WeakMap<readonly string[], ReferenceGrams>();

function referenceGramsOf(reference: readonly string[], keywords: ReadonlySet<string>): ReferenceGrams | null {
  const hit = referenceGrams.get(reference);
  if (hit && hit.keywords === keywords) return hit;
  const idOf = new Map<string, number>();
  const ids = new Int32Array(reference.length);
  for (let i = 0; i < reference.length; i++) {
    let id = idOf.get(reference[i]);
    if (id === undefined) idOf.set(reference[i], (id = idOf.size));
    ids[i] = id;
  }
  if (idOf.size > REFERENCE_KEY_BASE) return null;
  const rank: Map<number, number>[] = [];
  const count: Int32Array[] = [];
  for (let n = 1; n <= ORDERS; n++) {
    const m = numericCounts(ids, n, REFERENCE_KEY_BASE);
    const r = new Map<number, number>();
    const c = new Int32Array(m.size);
    m.forEach((k, key) => {
      c[r.size] = k;
      r.set(key, r.size);
    });
    rank.push(r);
    count.push(c);
  }
  // Unigram keys are the token ids, and ids were given in first-appearance order: rank = id.
  const unigramWeight = new Float64Array(idOf.size);
  idOf.forEach((id, token) => (unigramWeight[id] = keywords.has(token) ? 1 : 0.2));
  const g: ReferenceGrams = { keywords, idOf, rank, count, unigramWeight };
  referenceGrams.set(reference, g);
  return g;
}

/**
 * Both statistics for one reference, with the reference's n-grams counted once ({@link referenceGramsOf}):
 * each hypothesis n-gram is looked up among the reference's, and only matches are counted (an n-gram
 * with a token the reference lacks cannot match). With one reference, NLTK's clip is the reference count
 * and CodeBLEU's recall sums run over the reference's n-grams in first-appearance order, by rank here:
 * the same values summed in the same order as {@link ngramStatsFromCounts}.
 */
function singleReferenceNumeric(
  reference: readonly string[],
  hypothesis: readonly string[],
  keywords: ReadonlySet<string>,
): { ngram: NgramStats; weighted: WeightedNgramStats } | null {
  const g = referenceGramsOf(reference, keywords);
  if (!g) return null;
  const hypIds = new Int32Array(hypothesis.length);
  for (let i = 0; i < hypothesis.length; i++) hypIds[i] = g.idOf.get(hypothesis[i]) ?? -1;
  const pNum: number[] = [];
  const pDen: number[] = [];
  const wNum: number[] = [];
  const wDen: number[] = [];
  for (let n = 1; n <= ORDERS; n++) {
    const rank = g.rank[n - 1];
    const count = g.count[n - 1];
    const seen = new Int32Array(count.length); // hypothesis occurrences of each reference n-gram
    let clipped = 0;
    for (let i = 0; i + n <= hypIds.length; i++) {
      let key = 0;
      let k = 0;
      for (; k < n; k++) {
        const id = hypIds[i + k];
        if (id < 0) break;
        key = key * REFERENCE_KEY_BASE + id;
      }
      if (k < n) continue;
      const r = rank.get(key);
      if (r !== undefined && seen[r]++ < count[r]) clipped++;
    }
    pNum.push(clipped);
    pDen.push(Math.max(1, hypIds.length - n + 1));
    if (n === 1) {
      let clippedSum = 0;
      let refSum = 0;
      for (let r = 0; r < count.length; r++) {
        const w = g.unigramWeight[r];
        clippedSum += Math.min(count[r], seen[r]) * w;
        refSum += count[r] * w;
      }
      wNum.push(clippedSum);
      wDen.push(Math.max(1, refSum));
    } else {
      // The reference's n-gram counts sum to its number of n-gram positions.
      wNum.push(clipped);
      wDen.push(Math.max(1, reference.length - n + 1));
    }
  }
  return {
    ngram: { num: pNum, den: pDen, hyp_len: hypothesis.length, ref_len: reference.length },
    weighted: { num: wNum, den: wDen, hyp_len: hypothesis.length, ref_len: 2 },
  };
}

/** Largest per-sample vocabulary whose 4-gram keys `((a·V + b)·V + c)·V + d` stay exact doubles (V⁴ ≤ 2⁵³). */
const MAX_NUMERIC_VOCAB = Math.floor(Math.pow(2, 53 / ORDERS));

/** n-gram counts over token ids as base-`base` numbers (injective: every id < base), first-appearance order. */
function numericCounts(ids: Int32Array, n: number, base: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i + n <= ids.length; i++) {
    let key = ids[i];
    for (let k = 1; k < n; k++) key = key * base + ids[i + k];
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/**
 * {@link bothNgramStatsCoded} with n-grams keyed by numbers instead of strings (no string building or
 * hashing). Each key stands for exactly one n-gram and every map is filled in the same first-appearance
 * order, so the sums run over the same values in the same order: identical results. Null when the
 * sample's vocabulary is too large for exact keys (the string path then runs).
 */
function bothNgramStatsNumeric(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  keywords: ReadonlySet<string>,
): { ngram: NgramStats; weighted: WeightedNgramStats } | null {
  const idOf = new Map<string, number>();
  const weight: number[] = [];
  const toIds = (tokens: readonly string[]): Int32Array => {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      let id = idOf.get(t);
      if (id === undefined) {
        id = weight.length;
        idOf.set(t, id);
        weight.push(keywords.has(t) ? 1 : 0.2);
      }
      out[i] = id;
    }
    return out;
  };
  const hypIds = toIds(hypothesis);
  const refIds = references.map(toIds);
  const base = Math.max(1, weight.length);
  if (base > MAX_NUMERIC_VOCAB) return null;
  return ngramStatsFromCounts(
    references,
    hypothesis.length,
    (side, n) => numericCounts(side < 0 ? hypIds : refIds[side], n, base),
    (g) => weight[g],
  );
}

/** The string-keyed form (any vocabulary size). */
function bothNgramStatsCoded(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  keywords: ReadonlySet<string>,
): { ngram: NgramStats; weighted: WeightedNgramStats } {
  const vocab = new Vocab();
  const hypCoded = vocab.encode(hypothesis);
  const refCoded = references.map((r) => vocab.encode(r));
  return ngramStatsFromCounts(
    references,
    hypothesis.length,
    (side, n) => (side < 0 ? countsFor(hypothesis, hypCoded, n) : countsFor(references[side], refCoded[side], n)),
    (g) => (keywords.has(g) ? 1 : 0.2),
  );
}

/**
 * The per-sample statistics of NLTK's BLEU and CodeBLEU's weighted BLEU from n-gram counts, whatever the
 * n-gram keys are. `counts(-1, n)` gives the hypothesis's n-gram counts, `counts(r, n)` reference r's;
 * `unigramWeight` is the keyword weight (1 or 0.2) of a unigram key. Sums run over the reference maps in
 * their insertion (first-appearance) order, as the Python dictionaries do.
 */
function ngramStatsFromCounts<K>(
  references: readonly (readonly string[])[],
  hypLen: number,
  counts: (side: number, n: number) => Map<K, number>,
  unigramWeight: (g: K) => number,
): { ngram: NgramStats; weighted: WeightedNgramStats } {
  const pNum: number[] = [];
  const pDen: number[] = [];
  const wNum: number[] = [];
  const wDen: number[] = [];
  // Map.forEach rather than for…of: same (insertion) order, no entry array allocated per n-gram.
  for (let n = 1; n <= ORDERS; n++) {
    const hypCounts = counts(-1, n);
    // NLTK clips each hypothesis n-gram by its largest count in any reference; with one reference that
    // is the reference's count, looked up directly (the sums are of integers: exact in any order).
    const maxCounts = references.length === 1 ? null : new Map<K, number>();
    let refCountsOfOnly: Map<K, number> | null = null;
    let numerator = 0;
    let denominator = 0;
    for (let r = 0; r < references.length; r++) {
      const refCounts = counts(r, n);
      if (maxCounts) hypCounts.forEach((_c, g) => maxCounts.set(g, Math.max(maxCounts.get(g) ?? 0, refCounts.get(g) ?? 0)));
      else refCountsOfOnly = refCounts;
      let clippedSum = 0;
      let refSum = 0;
      if (n === 1) {
        refCounts.forEach((c, g) => {
          const w = unigramWeight(g);
          clippedSum += Math.min(c, hypCounts.get(g) ?? 0) * w;
          refSum += c * w;
        });
      } else {
        refCounts.forEach((c, g) => {
          clippedSum += Math.min(c, hypCounts.get(g) ?? 0);
          refSum += c;
        });
      }
      numerator += clippedSum;
      denominator += Math.max(1, refSum);
    }
    wNum.push(numerator);
    wDen.push(denominator);
    const clipBy = (maxCounts ?? refCountsOfOnly)!;
    let clipped = 0;
    let total = 0;
    hypCounts.forEach((c, g) => {
      clipped += Math.min(c, clipBy.get(g) ?? 0);
      total += c;
    });
    pNum.push(clipped);
    pDen.push(Math.max(1, total));
  }
  return {
    ngram: { num: pNum, den: pDen, hyp_len: hypLen, ref_len: closestRefLength(references.map((r) => r.length), hypLen) },
    weighted: { num: wNum, den: wDen, hyp_len: hypLen, ref_len: 2 },
  };
}

/** weighted_ngram_match.corpus_bleu over per-sample statistics (reference length 2: see the stats). */
export function weightedNgramScore(stats: readonly WeightedNgramStats[]): number {
  return corpusBleu(stats);
}
