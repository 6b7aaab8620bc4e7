/**
 * Port of rouge-score 0.1.2 `rouge_score/tokenize.py` `tokenize(text, stemmer)` (via
 * `tokenizers.DefaultTokenizer`):
 *
 *   text = text.lower()
 *   text = re.sub(r"[^a-z0-9]+", " ", text)
 *   tokens = re.split(r"\s+", text)
 *   if stemmer: tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
 *   tokens = [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]
 *
 * i.e. the tokens are the maximal runs of [a-z0-9] after Python's `str.lower()`. Non-ASCII letters vanish
 * (`café` → `caf`). Python's `lower()` maps exactly two non-ASCII code points to text containing [a-z0-9]
 * (checked over all of Unicode with CPython 3.11): U+0130 `İ` → "i" + U+0307 (so it ends the token after
 * an "i") and U+212A KELVIN SIGN → "k". Those two are special-cased here instead of calling
 * `toLowerCase()` on the whole text, which keeps the result independent of the ICU version and lets the
 * hot loop stay on char codes.
 */

export type Stem = (word: string) => string;

const CC_0 = 48;
const CC_9 = 57;
const CC_A = 65;
const CC_Z = 90;
const CC_a = 97;
const CC_z = 122;
const DOTTED_CAPITAL_I = 0x0130;
const KELVIN = 0x212a;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** 1 = a-z or 0-9 (kept), 2 = A-Z (kept, lowercased), 0 = separator. */
const ASCII_CLASS = new Uint8Array(128);
for (let c = CC_a; c <= CC_z; c++) ASCII_CLASS[c] = 1;
for (let c = CC_0; c <= CC_9; c++) ASCII_CLASS[c] = 1;
for (let c = CC_A; c <= CC_Z; c++) ASCII_CLASS[c] = 2;

export function tokenize(text: string, stem?: Stem): string[] {
  const tokens: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur.length > 0) {
      // Stem only tokens longer than 3 characters; the valid-token filter then drops nothing for
      // [a-z0-9] input but is kept for stems that could come back empty.
      const t = stem !== undefined && cur.length > 3 ? stem(cur) : cur;
      if (t.length > 0) tokens.push(t);
      cur = '';
    }
  };
  let runStart = -1; // start of the current run of already-lowercase [a-z0-9] chars (fast slice path)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= CC_a && c <= CC_z) || (c >= CC_0 && c <= CC_9)) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      cur += text.slice(runStart, i);
      runStart = -1;
    }
    if (c >= CC_A && c <= CC_Z) {
      cur += String.fromCharCode(c + 32);
    } else if (c === KELVIN) {
      cur += 'k';
    } else if (c === DOTTED_CAPITAL_I) {
      cur += 'i';
      flush(); // the U+0307 that Python's lower() appends is a separator
    } else {
      flush();
    }
  }
  if (runStart >= 0) cur += text.slice(runStart);
  flush();
  return tokens;
}

/** Token ids of one text plus where its "\n"-separated lines end (rougeLsum's sentences). */
export interface TokenIds {
  /** Interned ids of the tokens, in order (only the first `length` entries are valid). */
  ids: Int32Array;
  length: number;
  /** Token offsets at which each "\n" occurred (line i spans [lineEnds[i-1], lineEnds[i])). */
  lineEnds: number[];
}

/**
 * The same tokenizer as `tokenize`, producing interned integer ids instead of strings, for the scorer's
 * hot loop. The id of a token is the id of its FINAL (stemmed, when stemming) form, so ids compare the way
 * the Python token strings do.
 *
 * Why a hand-made hash table: creating a string per token and looking it up in a Map dominated the
 * profile. Here the hash is computed from the (lowercased) char codes while scanning and the table entry
 * is verified against the text in place, so a string is only created the first time a token is seen.
 * The raw-token → id table doubles as the stemmer's memo.
 */
export class TokenInterner {
  private readonly stem: Stem | undefined;
  private finalToId = new Map<string, number>();
  // Open addressing: slot → entry index + 1 (0 = empty); entries hold hash, raw token and final id.
  private slots = new Int32Array(1 << 12);
  private entryHash: number[] = [];
  private entryRaw: string[] = [];
  private entryId: number[] = [];
  /** Beyond this many distinct raw tokens the tables are dropped between calls (bounded memory). */
  private readonly maxEntries: number;

  constructor(stem?: Stem, maxEntries = 1 << 20) {
    this.stem = stem;
    this.maxEntries = maxEntries;
  }

  /** Number of distinct final tokens seen (ids are < this). */
  get vocabularySize(): number {
    return this.finalToId.size;
  }

  /** Call between independent scoring calls only: ids from before a reset are meaningless after it. */
  maybeReset(): void {
    if (this.entryRaw.length > this.maxEntries) {
      this.finalToId = new Map();
      this.slots = new Int32Array(1 << 12);
      this.entryHash = [];
      this.entryRaw = [];
      this.entryId = [];
    }
  }

  /** Id for a raw token that is not in the table yet (stems it, interns the final form). */
  private insert(raw: string, hash: number, slot: number): number {
    const fin = this.stem !== undefined && raw.length > 3 ? this.stem(raw) : raw;
    let id: number;
    if (fin.length === 0) {
      id = -1; // dropped by the valid-token filter
    } else {
      const known = this.finalToId.get(fin);
      if (known === undefined) {
        id = this.finalToId.size;
        this.finalToId.set(fin, id);
      } else id = known;
    }
    this.entryHash.push(hash);
    this.entryRaw.push(raw);
    this.entryId.push(id);
    this.slots[slot] = this.entryRaw.length;
    if (this.entryRaw.length * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let e = 0; e < this.entryHash.length; e++) {
      let s = this.entryHash[e] & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = e + 1;
    }
    this.slots = slots;
  }

  /** FNV-1a over the lowercased char codes; `tokenize` computes the same hash while scanning. */
  private static hashRange(text: string, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) {
      let c = text.charCodeAt(i);
      if (c <= CC_Z && c >= CC_A) c += 32;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    return h;
  }

  /** Id of the ASCII token text[start, end) lowercased, whose hash `h` the caller computed. */
  private idOfRange(text: string, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    const len = end - start;
    let slot = h & mask;
    for (;;) {
      const e = this.slots[slot];
      if (e === 0) break;
      if (this.entryHash[e - 1] === h) {
        const raw = this.entryRaw[e - 1];
        if (raw.length === len) {
          let same = true;
          for (let k = 0; k < len; k++) {
            let c = text.charCodeAt(start + k);
            if (c <= CC_Z && c >= CC_A) c += 32;
            if (raw.charCodeAt(k) !== c) {
              same = false;
              break;
            }
          }
          if (same) return this.entryId[e - 1];
        }
      }
      slot = (slot + 1) & mask;
    }
    return this.insert(text.slice(start, end).toLowerCase(), h, slot);
  }

  /** Id of an already-lowercased token string (slow path for tokens built around U+212A / U+0130). */
  private idOfString(raw: string): number {
    return raw.length === 0 ? -1 : this.idOfRange(raw, 0, raw.length, TokenInterner.hashRange(raw, 0, raw.length));
  }

  tokenize(text: string, out: TokenIds): void {
    out.length = 0;
    out.lineEnds.length = 0;
    let ids = out.ids;
    let len = 0;
    let start = -1; // start of the current plain-ASCII run
    let h = FNV_OFFSET; // hash of the run so far (lowercased)
    let special = ''; // token text accumulated across U+212A (rare slow path)
    const n = text.length;
    for (let i = 0; i <= n; i++) {
      let c = i < n ? text.charCodeAt(i) : 10;
      const cls = c < 128 ? ASCII_CLASS[c] : 0;
      if (cls !== 0) {
        if (start < 0) {
          start = i;
          h = FNV_OFFSET;
        }
        if (cls === 2) c += 32;
        h = Math.imul(h ^ c, FNV_PRIME);
        continue;
      }
      let id = -1;
      if (c === KELVIN || c === DOTTED_CAPITAL_I || special.length > 0) {
        const run = start >= 0 ? text.slice(start, i).toLowerCase() : '';
        if (c === KELVIN) {
          special += run + 'k';
          start = -1;
          continue;
        }
        id = this.idOfString(c === DOTTED_CAPITAL_I ? special + run + 'i' : special + run);
        special = '';
      } else if (start >= 0) {
        id = this.idOfRange(text, start, i, h);
      }
      start = -1;
      if (id >= 0) {
        if (len === ids.length) {
          const grown = new Int32Array(ids.length * 2 + 16);
          grown.set(ids);
          ids = grown;
        }
        ids[len++] = id;
      }
      if (c === 10 && i < n) out.lineEnds.push(len);
    }
    out.ids = ids;
    out.length = len;
  }
}
