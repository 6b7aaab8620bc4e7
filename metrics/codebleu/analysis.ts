/**
 * Everything CodeBLEU derives from one code string through tree-sitter, computed once per distinct
 * string and cached: the syntax subtree ids and the normalised data-flow items.
 *
 * References repeat (the same APIBench reference is scored against every model's answer), and the
 * comment-stripped forms repeat too, so parsing once per distinct text is the main speed-up over the
 * Python reference, which re-parses both sides for every pair in both the syntax and dataflow steps.
 */
import { removeCommentsAndDocstringsPython, removeCommentsJavaStyle } from './python-comments.js';
import { utf8EncodeError } from './pystr.js';
import { parseFlat, type FlatTree } from './tree.js';
import { growInt32, IntSequenceInterner } from './int-sequence-interner.js';
import { SexpInterner, subtreeIds } from './sexp.js';
import { getDataFlow, normalizedDataflowIds } from './dfg-python.js';

export interface CodeAnalysis {
  /** `str(e)` of the UnicodeEncodeError `bytes(code, 'utf8')` raises, or null. */
  encodeError: string | null;
  /** Subtree ids of `get_all_sub_trees` (null when the text cannot be encoded). */
  subtrees: Int32Array | null;
  /**
   * `normalize_dataflow(get_data_flow(code))`, each item key as its id in {@link dataflowKeys} (empty
   * when the text cannot be encoded), or null when not computed yet: a candidate's graph is only needed
   * when its reference has one (most single-line API calls have none), so it is computed on demand.
   */
  dataflow: Int32Array | null;
}

const interner = new SexpInterner();

/**
 * Normalised data-flow item keys (`var_0|comesFrom|var_1`, …) as small integers, one table per process:
 * few distinct keys exist, and ids let the per-pair match count in an array instead of a Map of strings.
 */
const dataflowKeys = new IntSequenceInterner();

function dataflowIds(tree: FlatTree): Int32Array {
  return normalizedDataflowIds(getDataFlow(tree), dataflowKeys);
}
/**
 * Two caches: references repeat (every model answers the same questions) and are kept up to 50,000;
 * predictions are mostly unique, so only a small recent window of them is kept (repeats are usually
 * adjacent: identical answers, multi-reference re-stripping). This bounds memory on large inputs.
 */
export type Role = 'reference' | 'prediction';
const CAPS: Record<Role, number> = { reference: 50_000, prediction: 2_000 };
const analysisCaches: Record<Role, Map<string, CodeAnalysis>> = { reference: new Map(), prediction: new Map() };

function remember<V>(cache: Map<string, V>, cap: number, key: string, value: V): V {
  // At the cap, drop the oldest entry (Map keeps insertion order): repeats are usually recent, and
  // keeping the last `cap` texts re-parses fewer of them than starting over empty.
  if (cache.size >= cap) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** Analyses `code` (cached); with `withDataflow`, the data-flow items are guaranteed to be present. */
export function analyzeCode(code: string, withDataflow: boolean, role: Role): CodeAnalysis {
  const cache = analysisCaches[role];
  const hit = cache.get(code) ?? (role === 'prediction' ? analysisCaches.reference.get(code) : undefined);
  if (hit && (hit.dataflow !== null || !withDataflow)) return hit;
  if (hit) {
    // Parsed before without its graph: parse again for it (rare; keeps trees out of the cache).
    hit.dataflow = dataflowIds(parseFlat(code));
    return hit;
  }
  const encodeError = utf8EncodeError(code);
  if (encodeError !== null) return remember(cache, CAPS[role], code, { encodeError, subtrees: null, dataflow: new Int32Array(0) });
  const tree = parseFlat(code);
  return remember(cache, CAPS[role], code, {
    encodeError: null,
    subtrees: subtreeIds(tree, interner),
    dataflow: withDataflow ? dataflowIds(tree) : null,
  });
}

/** Per subtree id, the stamp of the last candidate whose ids were marked ({@link countSubtreeMatches}). */
let marks = new Int32Array(1024);
let stamp = 0;

/**
 * syntax_match's count: how many of the reference's subtree ids (duplicates counted) occur among the
 * candidate's. Ids are small dense integers from one interner, so a stamped array replaces a Set.
 */
export function countSubtreeMatches(candidate: Int32Array, reference: Int32Array): number {
  if (marks.length < interner.size) marks = growInt32(marks, interner.size);
  if (++stamp === 0x7fffffff) {
    marks.fill(0);
    stamp = 1;
  }
  for (let i = 0; i < candidate.length; i++) marks[candidate[i]] = stamp;
  let matched = 0;
  for (let i = 0; i < reference.length; i++) if (marks[reference[i]] === stamp) matched++;
  return matched;
}

/** Per data-flow key id, how many of the candidate's items are still unmatched ({@link countDataflowMatches}). */
let unmatched = new Int32Array(256);

/**
 * dataflow_match's count: each reference item matches one equal candidate item not matched yet (a
 * multiset intersection, as the Python list.remove loop does).
 */
export function countDataflowMatches(candidate: Int32Array, reference: Int32Array): number {
  if (unmatched.length < dataflowKeys.size) unmatched = new Int32Array(Math.max(dataflowKeys.size, unmatched.length * 2));
  for (let i = 0; i < candidate.length; i++) unmatched[candidate[i]]++;
  let matched = 0;
  for (let i = 0; i < reference.length; i++) {
    if (unmatched[reference[i]] > 0) {
      matched++;
      unmatched[reference[i]]--;
    }
  }
  for (let i = 0; i < candidate.length; i++) unmatched[candidate[i]] = 0; // all zero again for the next pair
  return matched;
}

export type StripKind = 'python' | 'java';

/**
 * True when k4black's Python strip provably returns `code` unchanged, so tokenizing can be skipped (most
 * APIBench texts are API calls or short programs without comments). The strip rebuilds the text from
 * CPython 3.11 `tokenize` tokens ({@link removeCommentsAndDocstringsPython}); the conditions, and why
 * together they make that rebuild the identity:
 * - Only printable ASCII and '\n'; no '#' outside a string (so no COMMENT); no tab, '\r' or other
 *   control character, so every gap between tokens is plain spaces, which the rebuild re-emits one for
 *   one within a line, and every other character belongs to exactly one token (an unmatched character
 *   becomes a one-character ERRORTOKEN, which is kept).
 * - Lines: no blank or all-space line (the final filter would drop it), no space at the start or end of
 *   the text and no '\n' at its end (spaces before an inner '\n' come back as the gap before its NEWLINE
 *   or NL token). A line's indentation comes back as the INDENT token's text, as the empty DEDENT token
 *   placed at the indentation column, or as the gap before the line's first token (the rebuild resets
 *   its column on every new row); NEWLINE and NL tokens carry their '\n'.
 * - No backslash at the end of a line or of the text (a continuation joins lines: its '\n' is no token).
 * - Strings are single-line and closed: no triple quote, and every quote is closed on its line (escapes
 *   skipped), so this scan sees the same strings as tokenize and counts the same brackets outside them.
 *   A STRING is dropped when it starts at column 0 or follows INDENT or NEWLINE, i.e. starts a logical
 *   line. So no line (after its indentation) may begin with a quote or with up to two letters and a
 *   quote (string prefixes such as f'…', rb"…") when it is at column 0 or outside brackets (there it
 *   starts a logical line; inside brackets the previous token is NL and the string is kept). Brackets
 *   never close below zero.
 * Where the tokenizer would raise instead (inconsistent dedent, a bracket left open at the end), the
 * caller keeps the original text: the identity again. test/codebleu-strip-fastpath.test.ts checks every
 * text this accepts, random and real, against the full port.
 */
export function pythonStripIsIdentity(code: string): boolean {
  const n = code.length;
  if (n === 0 || code.charCodeAt(0) === SPACE || code.charCodeAt(n - 1) === SPACE || code.charCodeAt(n - 1) === NEWLINE) return false;
  let depth = 0;
  let j = 0;
  while (j < n) {
    // A physical line: its indentation, then what starts it.
    let c = j;
    while (code.charCodeAt(c) === SPACE) c++;
    if (c === n || code.charCodeAt(c) === NEWLINE) return false;
    if ((depth === 0 || c === j) && startsString(code, c)) return false;
    // The rest of the line.
    for (j = c; j < n; j++) {
      const ch = code.charCodeAt(j);
      if (ch === NEWLINE) {
        j++;
        break;
      }
      if (ch < 0x20 || ch > 0x7e || ch === HASH) return false;
      if (ch === QUOTE || ch === APOSTROPHE) {
        j = stringEnd(code, j);
        if (j < 0) return false;
      } else if (ch === BACKSLASH) {
        if (j + 1 === n || code.charCodeAt(j + 1) === NEWLINE) return false;
      } else if (ch === 0x28 || ch === 0x5b || ch === 0x7b) {
        depth++;
      } else if ((ch === 0x29 || ch === 0x5d || ch === 0x7d) && --depth < 0) {
        return false;
      }
    }
  }
  return true;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const HASH = 0x23;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;

/** Whether a string literal may start at `i`: a quote, or one or two letters (a prefix) and a quote. */
function startsString(code: string, i: number): boolean {
  for (let k = i; k <= i + 2; k++) {
    const c = code.charCodeAt(k);
    if (c === QUOTE || c === APOSTROPHE) return true;
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a))) return false;
  }
  return false;
}

/**
 * The index of the quote closing the single-line string whose opening quote is at `i` (escapes skipped),
 * or -1 when it is a triple quote, is not closed on its line, or holds a non-printable character.
 */
function stringEnd(code: string, i: number): number {
  const q = code.charCodeAt(i);
  if (code.charCodeAt(i + 1) === q && code.charCodeAt(i + 2) === q) return -1;
  for (let k = i + 1; k < code.length; k++) {
    const c = code.charCodeAt(k);
    if (c === q) return k;
    if (c < 0x20 || c > 0x7e) return -1; // a '\n' (unclosed) or a control/non-ASCII character
    if (c === BACKSLASH) {
      const e = code.charCodeAt(k + 1);
      if (!(e >= 0x20 && e <= 0x7e)) return -1; // a continuation, or the end of the text
      k++;
    }
  }
  return -1;
}

const stripCaches: Record<Role, Record<StripKind, Map<string, string>>> = {
  reference: { python: new Map(), java: new Map() },
  prediction: { python: new Map(), java: new Map() },
};

/**
 * `remove_comments_and_docstrings(code, lang)` inside the callers' `try: … except Exception: pass`:
 * the original text is kept when the stripper raises.
 */
export function stripComments(code: string, kind: StripKind, role: Role = 'reference'): string {
  const cache = stripCaches[role][kind];
  const hit = cache.get(code);
  if (hit !== undefined) return hit;
  let out: string;
  if (kind === 'python' && pythonStripIsIdentity(code)) return remember(cache, CAPS[role], code, code);
  try {
    out = kind === 'python' ? removeCommentsAndDocstringsPython(code) : removeCommentsJavaStyle(code);
  } catch (e) {
    // A Python exception in the reference is swallowed there; a JS RangeError/TypeError would be our bug.
    if (e instanceof RangeError || e instanceof TypeError || e instanceof ReferenceError) throw e;
    out = code;
  }
  return remember(cache, CAPS[role], code, out);
}
