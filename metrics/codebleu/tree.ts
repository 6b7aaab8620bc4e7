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
import { fieldNames, FLAG_MISSING, FLAG_NAMED, nodeText, parse, symbolNames, SYMBOL_ERROR, type SyntaxTree } from '../tree-sitter/parser.js';

export interface FlatTree {
  /** Node count; node 0 is the root; nodes are in pre-order (document order). */
  size: number;
  type: string[];
  /** The parser's FLAG_* bits (named, missing, …): see {@link isNamed}, {@link isMissing}. */
  flags: Int32Array;
  /** Field id as the cursor reports it (0: none); ids and names correspond one to one ({@link fieldName}). */
  fieldId: Int32Array;
  /** Start/end UTF-8 byte offsets into the parsed string. */
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  childCount: Int32Array;
  /** The parsed text (needed for error leaves' first character and token text). */
  text: string;
  /** Every character is ASCII: byte offsets are string indexes. */
  ascii: boolean;
  /** Length of the text in UTF-8 bytes. */
  byteLength: number;
  /** py-tree-sitter points: rows split on '\n', columns in UTF-8 bytes. */
  pts: PyPoints;
  /** The parser's tree these arrays come from (for its byte-offset text helpers). */
  syntax: SyntaxTree;
}

/** `[start_point, end_point]` of every node as py-tree-sitter reports them. */
export interface PyPoints {
  sr: Int32Array;
  sc: Int32Array;
  er: Int32Array;
  ec: Int32Array;
}

/**
 * Parses `code` (which must not contain a lone surrogate: callers check) from its UTF-8 bytes, exactly
 * as py-tree-sitter does (metrics/tree-sitter/parser.ts), with names resolved.
 */
export function parseFlat(code: string): FlatTree {
  const symbolTable = symbolNames();
  const t = parse(code);
  const n = t.size;
  const type: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const sym = t.symbol[i];
    type[i] = sym === SYMBOL_ERROR ? 'ERROR' : symbolTable[sym];
  }
  return {
    size: n,
    type,
    flags: t.flags,
    fieldId: t.field,
    start: t.start,
    end: t.end,
    parent: t.parent,
    firstChild: t.firstChild,
    nextSibling: t.nextSibling,
    childCount: t.childCount,
    text: code,
    ascii: t.ascii,
    byteLength: t.byteLength,
    pts: { sr: t.startRow, sc: t.startCol, er: t.endRow, ec: t.endCol },
    syntax: t,
  };
}

/** The first code point of node `i`'s text (what `(UNEXPECTED c)` prints for an error leaf; never empty there). */
export function firstCodePoint(t: FlatTree, i: number): number {
  if (t.ascii) return t.text.charCodeAt(t.start[i]);
  return nodeText(t.syntax, i).codePointAt(0)!;
}

export function isNamed(t: FlatTree, i: number): boolean {
  return (t.flags[i] & FLAG_NAMED) !== 0;
}

export function isMissing(t: FlatTree, i: number): boolean {
  return (t.flags[i] & FLAG_MISSING) !== 0;
}

/** Node `i`'s field name as the cursor reports it, or null. */
export function fieldName(t: FlatTree, i: number): string | null {
  return t.fieldId[i] ? fieldNames()[t.fieldId[i]] : null;
}

/** Field ids by name (names and ids correspond one to one). */
let fieldIds: Map<string, number> | null = null;

/** `node.child_by_field_name(name)`: the first visible child carrying that field, or -1. */
export function childByField(t: FlatTree, i: number, name: string): number {
  fieldIds ??= new Map(fieldNames().map((f, id) => [f, id] as [string, number]).filter(([, id]) => id > 0));
  const id = fieldIds.get(name);
  if (id === undefined) return -1; // not a field of this grammar: no child carries it
  for (let k = t.firstChild[i]; k >= 0; k = t.nextSibling[k]) if (t.fieldId[k] === id) return k;
  return -1;
}
