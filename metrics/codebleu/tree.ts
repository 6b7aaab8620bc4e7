/**
 * Parsing for CodeBLEU: tree-sitter-python 0.23.6 on the UTF-8 bytes of the code (the reference's
 * py-tree-sitter input), flattened into arrays.
 *
 * What a node is here: the *visible* nodes, exactly what py-tree-sitter's `node.children` exposes (hidden
 * grammar rules are inlined, as a TreeCursor does). Field names come from the cursor, whose inheritance
 * through hidden nodes is the same as `ts_node_string`'s (both take the innermost non-inherited field-map
 * entry, else the hidden parent's field).
 *
 * Positions are py-tree-sitter's: byte offsets, and points whose column is a UTF-8 *byte* column (CodeBLEU
 * then indexes Python `str` lines with those byte columns).
 */
import { CB_FIELDS, fieldNames, parseRecords, symbolNames } from './wasm-parser.js';

type IntArray = Int32Array | number[];

export interface FlatTree {
  /** Node count; node 0 is the root; nodes are in pre-order (document order). */
  size: number;
  type: string[];
  named: boolean[];
  missing: boolean[];
  /** Field name as the cursor reports it, or null. */
  field: (string | null)[];
  /** Start/end UTF-8 byte offsets into the parsed string. */
  start: IntArray;
  end: IntArray;
  parent: IntArray;
  firstChild: IntArray;
  nextSibling: IntArray;
  childCount: IntArray;
  /** The parsed text (needed for error leaves' first character and token text). */
  text: string;
  /** py-tree-sitter points: rows split on '\n', columns in UTF-8 bytes. */
  pts: PyPoints;
}

/** `[start_point, end_point]` of every node as py-tree-sitter reports them. */
export interface PyPoints {
  sr: Int32Array;
  sc: Int32Array;
  er: Int32Array;
  ec: Int32Array;
}

const ERROR_TYPE_ID = 0xffff;

/**
 * Parses `code` (which must not contain a lone surrogate: callers check) from its UTF-8 bytes, exactly
 * as py-tree-sitter does, and flattens the tree (see wasm-parser.ts).
 */
export function parseFlat(code: string): FlatTree {
  const symbolTable = symbolNames();
  const fieldTable = fieldNames();
  const a = parseRecords(code);
  const n = a.length / CB_FIELDS;
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
  for (let i = 0, o = 0; i < n; i++, o += CB_FIELDS) {
    const sym = a[o];
    type[i] = sym === ERROR_TYPE_ID ? 'ERROR' : symbolTable[sym];
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
  return { size: n, type, named, missing, field, start, end, parent, firstChild, nextSibling, childCount, text: code, pts: { sr, sc, er, ec } };
}

/** The first code point of node `i`'s text (what `(UNEXPECTED c)` prints for an error leaf). */
export function firstCodePoint(t: FlatTree, i: number): number {
  const bytes = Buffer.from(t.text, 'utf8');
  return bytes.subarray(t.start[i], Math.min(bytes.length, t.start[i] + 4)).toString('utf8').codePointAt(0)!;
}

/** `node.child_by_field_name(name)`: the first visible child carrying that field, or -1. */
export function childByField(t: FlatTree, i: number, name: string): number {
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) if (t.field[k] === name) return k;
  return -1;
}
