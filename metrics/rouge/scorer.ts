/**
 * Port of rouge-score 0.1.2 `rouge_score/rouge_scorer.py` (`RougeScorer.score`, `score_multi`,
 * `_create_ngrams`, `_score_ngrams`, `_score_lcs`, `_lcs_table`, `_backtrack_norec`,
 * `_summary_level_lcs`, `_union_lcs`) and `scoring.py` `fmeasure`, with the default tokenizer
 * (`tokenizers.DefaultTokenizer`, split_summaries=False).
 *
 * Faithfulness notes (each is a behaviour of the Python code that changes numbers):
 *   - n-gram precision/recall divide by max(count, 1), so empty sides give 0, never NaN;
 *   - LCS scores are 0 when either side has no tokens;
 *   - rougeLsum splits on "\n" only (a CR is just a non-alphanumeric character), drops empty LINES
 *     (not lines without tokens), takes for each reference line the union of one LCS per candidate line —
 *     the specific LCS `_backtrack_norec` reads out, ties resolved the same way — and clips hits by the
 *     token counts of both summaries;
 *   - `score_multi` picks, per rouge type, the reference with the largest fmeasure (first one on ties,
 *     as `np.argmax` does);
 *   - fmeasure = 2*p*r/(p+r), 0 when p + r == 0.
 *
 * For speed (and only where the result is provably the same integer counts): tokens are interned to
 * integers (renumbered densely per call), bigram counts are merged from sorted keys, rougeL's LCS length
 * comes from a bit-parallel algorithm, rougeLsum reuses rougeL when both texts have one non-empty line,
 * and rougeLsum skips line pairs that share no token. The floating-point arithmetic on the final counts is
 * the same sequence of IEEE operations as in Python, so the scores are bit-identical (tested on every
 * golden pair). Limitation shared with Python: rougeLsum keeps a full (len+1)×(len+1) table per line pair,
 * so two single lines of tens of thousands of tokens each need gigabytes.
 */
import { porterStem } from './porter.js';
import { TokenInterner, type TokenIds } from './tokenize.js';

export type RougeType = 'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum';
export const ROUGE_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];

export interface PRF {
  precision: number;
  recall: number;
  fmeasure: number;
}
/** Only the requested types are present (the type says all four, as the shared interface does). */
export type RougeScores = Record<RougeType, PRF>;

export interface RougeScorerOptions {
  rougeTypes?: RougeType[];
  useStemmer?: boolean;
}

export const ROUGE_VERSION = 'rouge-score-0.1.2';
export const STEMMER_VERSION = 'nltk-3.8-porter';

/** `scoring.fmeasure`. */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0.0;
}

function prf(precision: number, recall: number): PRF {
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

const ZERO = (): PRF => ({ precision: 0, recall: 0, fmeasure: 0 });

/** Zeroed scratch count arrays shared by the scoring functions (each returns them zeroed again). */
let cntA = new Int32Array(1024);
let cntB = new Int32Array(1024);
function ensureCounts(vocab: number): void {
  if (cntA.length < vocab) {
    cntA = new Int32Array(Math.max(vocab, cntA.length * 2));
    cntB = new Int32Array(cntA.length);
  }
}

/** `_score_ngrams(_create_ngrams(target, n), _create_ngrams(prediction, n))` for n = 1. */
function scoreUnigrams(t: Int32Array, p: Int32Array, vocab: number): PRF {
  ensureCounts(vocab);
  const tc = cntA;
  const pc = cntB;
  for (let i = 0; i < t.length; i++) tc[t[i]]++;
  for (let i = 0; i < p.length; i++) pc[p[i]]++;
  let inter = 0;
  for (let v = 0; v < vocab; v++) {
    inter += tc[v] < pc[v] ? tc[v] : pc[v];
    tc[v] = 0;
    pc[v] = 0;
  }
  return prf(inter / Math.max(p.length, 1), inter / Math.max(t.length, 1));
}

/** Sorted bigram keys a * vocab + b (exact: vocab**2 < 2**53). */
function bigramKeys(x: Int32Array, vocab: number): Float64Array {
  const k = new Float64Array(Math.max(x.length - 1, 0));
  for (let i = 0; i + 1 < x.length; i++) k[i] = x[i] * vocab + x[i + 1];
  return k.sort();
}

/** Scratch open-addressing table for bigram counts (keys -1 = empty). */
let bgKeys = new Int32Array(1024).fill(-1);
let bgCounts = new Int32Array(1024);

/**
 * Same for n = 2: sum over target bigrams of min(count_t, count_p), computed by counting the target's
 * bigrams and letting each prediction bigram consume one remaining target occurrence.
 */
function scoreBigrams(t: Int32Array, p: Int32Array, vocab: number): PRF {
  const nt = Math.max(t.length - 1, 0);
  const np = Math.max(p.length - 1, 0);
  let inter = 0;
  if (vocab * vocab >= 0x7fffffff) {
    // Keys would not fit an Int32Array: merge sorted key lists instead (same count).
    const tk = bigramKeys(t, vocab);
    const pk = bigramKeys(p, vocab);
    let i = 0;
    let j = 0;
    while (i < tk.length && j < pk.length) {
      if (tk[i] < pk[j]) i++;
      else if (tk[i] > pk[j]) j++;
      else {
        inter++;
        i++;
        j++;
      }
    }
  } else if (nt > 0 && np > 0) {
    let cap = 64;
    while (cap < 2 * nt) cap *= 2;
    if (bgKeys.length < cap) {
      bgKeys = new Int32Array(cap).fill(-1);
      bgCounts = new Int32Array(cap);
    }
    const keys = bgKeys;
    const counts = bgCounts;
    const mask = cap - 1;
    for (let i = 0; i < nt; i++) {
      const k = t[i] * vocab + t[i + 1];
      let s = Math.imul(k, 0x9e3779b1) >>> 0 & mask;
      while (keys[s] !== -1 && keys[s] !== k) s = (s + 1) & mask;
      keys[s] = k;
      counts[s]++;
    }
    for (let i = 0; i < np; i++) {
      const k = p[i] * vocab + p[i + 1];
      let s = Math.imul(k, 0x9e3779b1) >>> 0 & mask;
      while (keys[s] !== -1 && keys[s] !== k) s = (s + 1) & mask;
      if (keys[s] === k && counts[s] > 0) {
        counts[s]--;
        inter++;
      }
    }
    keys.fill(-1, 0, cap);
    counts.fill(0, 0, cap);
  }
  return prf(inter / Math.max(np, 1), inter / Math.max(nt, 1));
}

/** Scratch for the bit-parallel LCS: per-symbol match masks (kept zeroed) and the state vector. */
let maskBuf = new Int32Array(1 << 14);
let stateBuf = new Int32Array(64);

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * LCS length by the bit-parallel algorithm of Hyyrö (2004) / Crochemore et al. (2001): for each symbol
 * of `b`, V' = (V + (V & M[sym])) | (V & ~M[sym]) over |a|-bit vectors; the LCS length is the number of
 * zero bits of V. It is an exact integer computation, equal to `_lcs_table(ref, can)[-1][-1]`, and
 * ~30x fewer operations than the DP table (rougeL only needs the length; rougeLsum, which needs the
 * specific LCS Python reads back, keeps the table).
 */
function lcsLength(a: Int32Array, b: Int32Array, vocab: number): number {
  if (a.length > b.length) {
    const t = a;
    a = b;
    b = t;
  }
  const m = a.length;
  const W = (m + 31) >>> 5;
  const need = vocab * W;
  if (maskBuf.length < need) maskBuf = new Int32Array(Math.max(need, maskBuf.length * 2));
  if (stateBuf.length < W) stateBuf = new Int32Array(Math.max(W, stateBuf.length * 2));
  const M = maskBuf;
  const V = stateBuf;
  for (let i = 0; i < m; i++) M[a[i] * W + (i >>> 5)] |= 1 << (i & 31);
  V.fill(-1, 0, W);
  for (let j = 0; j < b.length; j++) {
    const base = b[j] * W;
    let carry = 0;
    for (let w = 0; w < W; w++) {
      const mk = M[base + w];
      const v = V[w] >>> 0;
      const u = (v & mk) >>> 0;
      const sum = v + u + carry; // < 2**33, exact in a double
      carry = sum > 0xffffffff ? 1 : 0;
      V[w] = (sum | 0) | (v & ~mk);
    }
  }
  let lcs = 0;
  for (let w = 0; w < W; w++) lcs += popcount32(~V[w]);
  for (let i = 0; i < m; i++) M[a[i] * W + (i >>> 5)] = 0;
  return lcs;
}

/** `_score_lcs`. */
function scoreLcs(t: Int32Array, p: Int32Array, vocab: number): PRF {
  if (t.length === 0 || p.length === 0) return ZERO();
  const lcs = lcsLength(t, p, vocab);
  return prf(lcs / p.length, lcs / t.length);
}

/**
 * Scratch space for full LCS tables, reused across calls up to RETAINED_CELLS; a larger table (a
 * pathological pair of very long lines) gets a temporary buffer so one odd input does not pin memory.
 */
let tableBuf = new Int32Array(1 << 16);
const RETAINED_CELLS = 1 << 22;

/**
 * `lcs_ind(ref, can)` = `_backtrack_norec(_lcs_table(ref, can), ref, can)`: marks in `mark` the indices
 * of `ref` on the one LCS the Python backtrack reads out (match → diagonal; else left if strictly
 * greater than up, otherwise up).
 */
function markLcsIndices(ref: Int32Array, can: Int32Array, mark: Uint8Array): void {
  const rows = ref.length;
  const cols = can.length;
  if (rows === 0 || cols === 0) return;
  const w = cols + 1;
  const size = (rows + 1) * w;
  let t = tableBuf;
  if (t.length < size) {
    t = new Int32Array(size <= RETAINED_CELLS ? Math.min(Math.max(size, tableBuf.length * 2), RETAINED_CELLS) : size);
    if (size <= RETAINED_CELLS) tableBuf = t;
  }
  t.fill(0, 0, w);
  for (let i = 1; i <= rows; i++) {
    const base = i * w;
    const up = base - w;
    t[base] = 0;
    const r = ref[i - 1];
    for (let j = 1; j <= cols; j++) {
      if (r === can[j - 1]) t[base + j] = t[up + j - 1] + 1;
      else {
        const a = t[up + j];
        const b = t[base + j - 1];
        t[base + j] = a > b ? a : b;
      }
    }
  }
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      mark[i - 1] = 1;
      i--;
      j--;
    } else if (t[i * w + j - 1] > t[(i - 1) * w + j]) j--;
    else i--;
  }
}

/** `_summary_level_lcs(ref_sent, can_sent)`; sentences are given as non-empty token ranges. */
function summaryLevelLcs(refSents: Int32Array[], canSents: Int32Array[], vocab: number): PRF {
  // Sentences without tokens change nothing below (they add 0 to m / n and have empty LCSs), so
  // "no sentences" and "no tokens" are the same zero case here, as in Python.
  let m = 0;
  let n = 0;
  for (const s of refSents) m += s.length;
  for (const s of canSents) n += s.length;
  if (n === 0 || m === 0) return ZERO();
  ensureCounts(vocab);
  const cntR = cntA;
  const cntC = cntB;
  for (const s of refSents) for (let i = 0; i < s.length; i++) cntR[s[i]]++;
  for (const s of canSents) for (let i = 0; i < s.length; i++) cntC[s[i]]++;
  // 32-bit "bloom" signature per sentence: two sentences whose signatures share no bit share no token,
  // so their LCS is empty and the DP can be skipped (exact: no false negatives).
  const sig = (s: Int32Array): number => {
    let x = 0;
    for (let i = 0; i < s.length; i++) x |= 1 << (s[i] & 31);
    return x;
  };
  const canSig = canSents.map(sig);
  let hits = 0;
  for (const r of refSents) {
    // _union_lcs: sorted union of the LCS index sets against every candidate sentence.
    const mark = new Uint8Array(r.length);
    const rs = sig(r);
    for (let k = 0; k < canSents.length; k++) if ((rs & canSig[k]) !== 0) markLcsIndices(r, canSents[k], mark);
    for (let i = 0; i < r.length; i++) {
      if (mark[i] === 0) continue;
      const tok = r[i];
      if (cntC[tok] > 0 && cntR[tok] > 0) {
        hits++;
        cntC[tok]--;
        cntR[tok]--;
      }
    }
  }
  cntR.fill(0, 0, vocab);
  cntC.fill(0, 0, vocab);
  return prf(hits / n, hits / m);
}

/** Non-empty lines of a tokenized text as subarrays (views, no copies). */
function lines(t: TokenIds, ids: Int32Array): Int32Array[] {
  const out: Int32Array[] = [];
  let from = 0;
  for (const end of t.lineEnds) {
    if (end > from) out.push(ids.subarray(from, end));
    from = end;
  }
  if (t.length > from) out.push(ids.subarray(from, t.length));
  return out;
}

export class RougeScorer {
  readonly rougeTypes: readonly RougeType[];
  readonly useStemmer: boolean;
  private readonly interner: TokenInterner;
  // Per-call scratch: tokenizer outputs and the global-id → call-local-id remap (stamped, never cleared).
  private readonly tTok: TokenIds = { ids: new Int32Array(256), length: 0, lineEnds: [] };
  private readonly pTok: TokenIds = { ids: new Int32Array(256), length: 0, lineEnds: [] };
  private localOf = new Int32Array(1024);
  private stampOf = new Int32Array(1024);
  private stamp = 0;

  constructor(opts: RougeScorerOptions = {}) {
    const types = opts.rougeTypes ?? [...ROUGE_TYPES];
    if (!Array.isArray(types) || types.length === 0) throw new RangeError('rougeTypes must be a non-empty list');
    for (const t of types) {
      if (!ROUGE_TYPES.includes(t)) throw new RangeError(`Invalid rouge type: ${String(t)} (expected one of ${ROUGE_TYPES.join(', ')})`);
    }
    this.rougeTypes = [...new Set(types)];
    this.useStemmer = opts.useStemmer ?? false;
    // The interner's raw-token map memoises the stemmer too.
    this.interner = new TokenInterner(this.useStemmer ? porterStem : undefined);
  }

  /**
   * `rouge|v:rouge-score-0.1.2|tok:default|stem:nltk-3.8-porter` (or `stem:none`); a non-default list of
   * types is appended as `|types:a,b`.
   */
  signature(): string {
    const base = `rouge|v:${ROUGE_VERSION}|tok:default|stem:${this.useStemmer ? STEMMER_VERSION : 'none'}`;
    const isDefault = this.rougeTypes.length === ROUGE_TYPES.length && this.rougeTypes.every((t, i) => t === ROUGE_TYPES[i]);
    return isDefault ? base : `${base}|types:${this.rougeTypes.join(',')}`;
  }

  /** Renumbers the global ids of both texts densely from 0 (count arrays stay call-sized). */
  private toLocal(t: TokenIds, p: TokenIds): { t: Int32Array; p: Int32Array; vocab: number } {
    const size = this.interner.vocabularySize;
    if (this.localOf.length < size) {
      const cap = Math.max(size, this.localOf.length * 2);
      const lo = new Int32Array(cap);
      const st = new Int32Array(cap);
      lo.set(this.localOf);
      st.set(this.stampOf);
      this.localOf = lo;
      this.stampOf = st;
    }
    const stamp = ++this.stamp;
    let vocab = 0;
    const map = (src: TokenIds): Int32Array => {
      const out = new Int32Array(src.length);
      for (let i = 0; i < src.length; i++) {
        const g = src.ids[i];
        if (this.stampOf[g] !== stamp) {
          this.stampOf[g] = stamp;
          this.localOf[g] = vocab++;
        }
        out[i] = this.localOf[g];
      }
      return out;
    };
    const tl = map(t);
    const pl = map(p);
    return { t: tl, p: pl, vocab };
  }

  /** `RougeScorer.score(target, prediction)`: target is the reference. */
  score(target: string, prediction: string): RougeScores {
    if (typeof target !== 'string' || typeof prediction !== 'string') {
      throw new TypeError('RougeScorer.score expects two strings');
    }
    if (this.stamp > 0x3fffffff) {
      this.stamp = 0;
      this.stampOf.fill(0);
    }
    this.interner.maybeReset();
    // Every "\n" is a token separator, so the whole text's tokens are its lines' tokens in order:
    // tokenize once and use it for all four types.
    this.interner.tokenize(target, this.tTok);
    this.interner.tokenize(prediction, this.pTok);
    const { t, p, vocab } = this.toLocal(this.tTok, this.pTok);
    const result = {} as RougeScores;
    let lcs: PRF | undefined;
    for (const type of this.rougeTypes) {
      if (type === 'rouge1') result.rouge1 = scoreUnigrams(t, p, vocab);
      else if (type === 'rouge2') result.rouge2 = scoreBigrams(t, p, vocab);
      else if (type === 'rougeL') result.rougeL = lcs ??= scoreLcs(t, p, vocab);
      else {
        const tl = lines(this.tTok, t);
        const pl = lines(this.pTok, p);
        // One line on each side: the union LCS is the LCS itself and clipping never bites (an LCS uses
        // each token no more often than either side has it), so rougeLsum equals rougeL exactly.
        if (tl.length === 1 && pl.length === 1) result.rougeLsum = { ...(lcs ??= scoreLcs(t, p, vocab)) };
        else result.rougeLsum = summaryLevelLcs(tl, pl, vocab);
      }
    }
    return result;
  }

  /** `RougeScorer.score_multi(targets, prediction)`: per type, the target with the largest fmeasure. */
  scoreMulti(targets: string[], prediction: string): RougeScores {
    if (!Array.isArray(targets) || targets.length === 0) {
      // np.argmax of an empty list raises in Python; an empty reference list is a caller error.
      throw new RangeError('scoreMulti needs at least one target');
    }
    const all = targets.map((t) => this.score(t, prediction));
    const best = {} as RougeScores;
    for (const type of this.rougeTypes) {
      let bi = 0;
      for (let i = 1; i < all.length; i++) if (all[i][type].fmeasure > all[bi][type].fmeasure) bi = i;
      best[type] = all[bi][type];
    }
    return best;
  }
}
