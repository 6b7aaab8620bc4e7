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
import { parseFlat } from './tree.js';
import { SexpInterner, subtreeIds } from './sexp.js';
import { getDataFlow, normalizeDataflow } from './dfg-python.js';

export interface CodeAnalysis {
  /** `str(e)` of the UnicodeEncodeError `bytes(code, 'utf8')` raises, or null. */
  encodeError: string | null;
  /** Subtree ids of `get_all_sub_trees` (null when the text cannot be encoded). */
  subtrees: Int32Array | null;
  /**
   * `normalize_dataflow(get_data_flow(code))` as item keys ([] when the text cannot be encoded), or null
   * when not computed yet: a candidate's graph is only needed when its reference has one (most
   * single-line API calls have none), so it is computed on demand.
   */
  dataflow: string[] | null;
}

const interner = new SexpInterner();
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
    hit.dataflow = normalizeDataflow(getDataFlow(parseFlat(code)));
    return hit;
  }
  const encodeError = utf8EncodeError(code);
  if (encodeError !== null) return remember(cache, CAPS[role], code, { encodeError, subtrees: null, dataflow: [] });
  const tree = parseFlat(code);
  return remember(cache, CAPS[role], code, {
    encodeError: null,
    subtrees: subtreeIds(tree, interner),
    dataflow: withDataflow ? normalizeDataflow(getDataFlow(tree)) : null,
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
  if (marks.length < interner.size) {
    const bigger = new Int32Array(Math.max(interner.size, marks.length * 2));
    bigger.set(marks);
    marks = bigger;
  }
  if (++stamp === 0x7fffffff) {
    marks.fill(0);
    stamp = 1;
  }
  for (let i = 0; i < candidate.length; i++) marks[candidate[i]] = stamp;
  let matched = 0;
  for (let i = 0; i < reference.length; i++) if (marks[reference[i]] === stamp) matched++;
  return matched;
}

export type StripKind = 'python' | 'java';

/**
 * True when k4black's Python strip provably returns `code` unchanged, so tokenizing can be skipped (most
 * APIBench texts are one-line calls). The conditions, and why each makes the rebuild the identity:
 * - one non-empty line of printable ASCII, no '#' (no COMMENT), no tab or other control character, no
 *   leading or trailing space (a '\\' continues a line only before a newline, and there is none here):
 *   every gap between tokens is made of plain
 *   spaces, which the rebuild re-emits one for one, and every other character belongs to exactly one
 *   token (an unmatched character becomes a one-character ERRORTOKEN, which is kept); there is no INDENT,
 *   no NL, and the only NEWLINE is the implicit empty one at the end; the blank-line filter keeps the line;
 * - the first token is not a STRING: a STRING is then dropped only after INDENT or NEWLINE or at column
 *   0, none of which occurs later in one line. The first character is neither a quote nor part of a
 *   leading identifier run followed by a quote (string prefixes such as f'…', rb"…").
 * Where the tokenizer would raise instead (an unclosed bracket or triple quote), the caller keeps the
 * original text: the identity again.
 */
export function pythonStripIsIdentity(code: string): boolean {
  const n = code.length;
  if (n === 0) return false;
  let i = 0;
  while (i < n) {
    const c = code.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f) i++;
    else break;
  }
  const first = code.charCodeAt(i < n ? i : 0);
  if (i < n && (first === 0x22 || first === 0x27)) return false;
  if (code.charCodeAt(0) === 0x20 || code.charCodeAt(n - 1) === 0x20) return false;
  for (let j = 0; j < n; j++) {
    const c = code.charCodeAt(j);
    if (c < 0x20 || c > 0x7e || c === 0x23) return false;
  }
  return true;
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
