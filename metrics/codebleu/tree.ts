/**
 * Parsing with node tree-sitter 0.22.4 + tree-sitter-python 0.23.6 (the grammar of the k4black oracle),
 * flattened into plain arrays in one cursor walk.
 *
 * Why flatten: every property read on a node-tree-sitter node is a native call; CodeBLEU reads each node
 * several times (syntax subtrees, token index, DFG). One TreeCursor pass reads each node once, and the
 * metric code then works on JavaScript arrays.
 *
 * What a node is here: the *visible* nodes, exactly what py-tree-sitter's `node.children` exposes (hidden
 * grammar rules are inlined, as the cursor does). Field names come from the cursor, whose inheritance
 * through hidden nodes is the same as `ts_node_string`'s (both take the innermost non-inherited field-map
 * entry, else the hidden parent's field).
 *
 * Positions: node-tree-sitter parses JS strings as UTF-16 and reports UTF-16 indexes. py-tree-sitter
 * parses `bytes(code, 'utf8')` and reports points whose column is a UTF-8 *byte* column; CodeBLEU then
 * indexes Python `str` lines with those byte columns. {@link pythonPoints} converts.
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';
import { isAscii, utf8Len } from './pystr.js';
import { NODE_FIELDS, nativeFailure, nativeParser } from './native.js';

type IntArray = Int32Array | number[];

export interface FlatTree {
  /** Node count; node 0 is the root; nodes are in pre-order (document order). */
  size: number;
  type: string[];
  named: boolean[];
  missing: boolean[];
  /** Field name as the cursor reports it, or null. */
  field: (string | null)[];
  /** Start/end offsets into the parsed string (UTF-8 bytes or UTF-16 units, see `utf8`). */
  start: IntArray;
  end: IntArray;
  parent: IntArray;
  firstChild: IntArray;
  nextSibling: IntArray;
  childCount: IntArray;
  /** The parsed text (needed for error leaves' first character and token text). */
  text: string;
  /** True when start/end are UTF-8 byte offsets (native parser), false for UTF-16 indexes (node-tree-sitter). */
  utf8: boolean;
  /** py-tree-sitter points, when the parser reported them directly (native parser). */
  pts?: PyPoints;
}

const ERROR_TYPE_ID = 0xffff;

let parser: Parser | null = null;
const typeNames: (string | undefined)[] = [];
const typeNamed: boolean[] = [];
const fieldNames: (string | undefined)[] = [];

function getParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  return parser;
}

let warned = false;

/** Which parser {@link parseFlat} uses: `utf8` (native addon, exact) or `utf16` (fallback). */
export function parserKind(): 'utf8' | 'utf16' {
  return nativeParser() ? 'utf8' : 'utf16';
}

/**
 * Parses `code` (which must not contain a lone surrogate: callers check) and flattens the tree, with the
 * UTF-8 native parser when available, else node-tree-sitter (warning once).
 */
export function parseFlat(code: string): FlatTree {
  const native = nativeParser();
  if (native) return parseFlatNative(code);
  if (!warned) {
    warned = true;
    process.stderr.write(
      `apieval: warning: native UTF-8 tree-sitter parser unavailable (${nativeFailure()}); using node-tree-sitter (UTF-16), ` +
        'whose error recovery differs on unparsable code: CodeBLEU syntax/dataflow may then differ from the Python reference\n',
    );
  }
  return parseFlatUtf16(code);
}

let symbolTable: [string, boolean][] | null = null;
let fieldTable: string[] | null = null;

function parseFlatNative(code: string): FlatTree {
  const native = nativeParser()!;
  symbolTable ??= native.symbols();
  fieldTable ??= native.fields();
  const a = native.parse(code);
  const n = a.length / NODE_FIELDS;
  const type: string[] = new Array(n);
  const named: boolean[] = new Array(n);
  const missing: boolean[] = new Array(n);
  const field: (string | null)[] = new Array(n);
  const start = new Int32Array(n);
  const end = new Int32Array(n);
  const parent = new Int32Array(n);
  const firstChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  const childCount = new Int32Array(n);
  const lastChild = new Int32Array(n).fill(-1);
  const sr = new Int32Array(n);
  const sc = new Int32Array(n);
  const er = new Int32Array(n);
  const ec = new Int32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += NODE_FIELDS) {
    const sym = a[o];
    type[i] = sym === ERROR_TYPE_ID ? 'ERROR' : symbolTable[sym][0];
    named[i] = (a[o + 1] & 1) !== 0;
    missing[i] = (a[o + 1] & 2) !== 0;
    field[i] = a[o + 2] ? fieldTable[a[o + 2]] : null;
    start[i] = a[o + 3];
    end[i] = a[o + 4];
    sr[i] = a[o + 5];
    sc[i] = a[o + 6];
    er[i] = a[o + 7];
    ec[i] = a[o + 8];
    const p = a[o + 9];
    parent[i] = p;
    if (p >= 0) {
      if (lastChild[p] < 0) firstChild[p] = i;
      else nextSibling[lastChild[p]] = i;
      lastChild[p] = i;
      childCount[p]++;
    }
  }
  return { size: n, type, named, missing, field, start, end, parent, firstChild, nextSibling, childCount, text: code, utf8: true, pts: { sr, sc, er, ec } };
}

/** The first code point of node `i`'s text (what `(UNEXPECTED c)` prints for an error leaf). */
export function firstCodePoint(t: FlatTree, i: number): number {
  if (!t.utf8) return t.text.codePointAt(t.start[i])!;
  const bytes = Buffer.from(t.text, 'utf8');
  return bytes.subarray(t.start[i], Math.min(bytes.length, t.start[i] + 4)).toString('utf8').codePointAt(0)!;
}

/** node-tree-sitter (UTF-16) parse, flattened with one cursor walk. */
export function parseFlatUtf16(code: string): FlatTree {
  const tree = getParser().parse(code);
  const c = tree.walk();
  const type: string[] = [];
  const named: boolean[] = [];
  const missing: boolean[] = [];
  const field: (string | null)[] = [];
  const start: number[] = [];
  const end: number[] = [];
  const parent: number[] = [];
  const firstChild: number[] = [];
  const nextSibling: number[] = [];
  const childCount: number[] = [];
  const lastChild: number[] = [];
  const stack: number[] = [];
  let i = 0;
  for (;;) {
    const tid = c.nodeTypeId;
    let name = typeNames[tid];
    if (name === undefined) {
      name = c.nodeType;
      typeNames[tid] = name;
      typeNamed[tid] = tid === ERROR_TYPE_ID ? true : c.nodeIsNamed;
    }
    const s = c.startIndex;
    const e = c.endIndex;
    const fid = c.currentFieldId;
    let fname: string | null = null;
    if (fid) {
      fname = fieldNames[fid] ?? null;
      if (fname === null) {
        fname = c.currentFieldName;
        fieldNames[fid] = fname;
      }
    }
    type.push(name);
    named.push(typeNamed[tid]);
    // MISSING nodes are zero-width leaves; ask the binding only for zero-width nodes.
    missing.push(s === e ? c.nodeIsMissing : false);
    field.push(fname);
    start.push(s);
    end.push(e);
    firstChild.push(-1);
    nextSibling.push(-1);
    childCount.push(0);
    lastChild.push(-1);
    const p = stack.length ? stack[stack.length - 1] : -1;
    parent.push(p);
    if (p >= 0) {
      if (lastChild[p] < 0) firstChild[p] = i;
      else nextSibling[lastChild[p]] = i;
      lastChild[p] = i;
      childCount[p]++;
    }
    i++;
    if (c.gotoFirstChild()) {
      stack.push(i - 1);
      continue;
    }
    let done = false;
    while (!c.gotoNextSibling()) {
      if (!c.gotoParent()) {
        done = true;
        break;
      }
      stack.pop();
    }
    if (done) break;
  }
  return { size: i, type, named, missing, field, start, end, parent, firstChild, nextSibling, childCount, text: code, utf8: false };
}

/** Children of node `i`, in order. */
export function childrenOf(t: FlatTree, i: number): number[] {
  const out: number[] = [];
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) out.push(k);
  return out;
}

/** `node.child_by_field_name(name)`: the first visible child carrying that field, or -1. */
export function childByField(t: FlatTree, i: number, name: string): number {
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) if (t.field[k] === name) return k;
  return -1;
}

/**
 * py-tree-sitter points for every node: `[startRow, startByteCol, endRow, endByteCol]` per node, rows
 * split on '\n' only (tree-sitter's rule), columns in UTF-8 bytes.
 */
export interface PyPoints {
  sr: Int32Array;
  sc: Int32Array;
  er: Int32Array;
  ec: Int32Array;
}

export function pythonPoints(t: FlatTree): PyPoints {
  if (t.pts) return t.pts;
  const text = t.text;
  // Row of each line start, and whether the line is ASCII (then byte column == UTF-16 column).
  const lineStarts: number[] = [0];
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lineStarts.push(k + 1);
  const lineAscii: boolean[] = lineStarts.map((ls, r) => {
    const le = r + 1 < lineStarts.length ? lineStarts[r + 1] : text.length;
    return isAscii(text.slice(ls, le));
  });
  const rowOf = (idx: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= idx) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const byteCol = (row: number, idx: number): number => {
    const ls = lineStarts[row];
    if (lineAscii[row]) return idx - ls;
    let b = 0;
    for (let k = ls; k < idx; k++) {
      const cu = text.charCodeAt(k);
      if (cu >= 0xd800 && cu <= 0xdbff && k + 1 < idx) {
        b += 4;
        k++;
      } else b += utf8Len(cu);
    }
    return b;
  };
  const n = t.size;
  const sr = new Int32Array(n);
  const sc = new Int32Array(n);
  const er = new Int32Array(n);
  const ec = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const rs = rowOf(t.start[i]);
    const re = rowOf(t.end[i]);
    sr[i] = rs;
    sc[i] = byteCol(rs, t.start[i]);
    er[i] = re;
    ec[i] = byteCol(re, t.end[i]);
  }
  return { sr, sc, er, ec };
}
