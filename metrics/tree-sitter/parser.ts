/**
 * tree-sitter-python 0.23.6 parsing of UTF-8 bytes, exactly as py-tree-sitter parses
 * `bytes(text, 'utf8')`, through a WebAssembly build of the tree-sitter C runtime and the grammar's C
 * sources (tsparse.c says why node `tree-sitter` cannot be used: it feeds the parser UTF-16). Shared by the
 * AST match and CodeBLEU. The .wasm is committed (rebuild: build.sh); users never compile anything.
 *
 * {@link parse} returns the visible tree as typed-array columns in pre-order (node 0 is the root), from one
 * copy out of wasm memory: no per-node objects. Loading is synchronous (WebAssembly.Module/Instance) so
 * callers stay synchronous. One instance per thread (module state is per isolate), so worker threads never
 * share a parser. The WASI imports the C library references are stubs: nothing is printed and no clock is
 * read (parse timeouts are never set). No I/O besides reading the .wasm once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Flag bits of {@link SyntaxTree.flags}. */
export const FLAG_NAMED = 1;
export const FLAG_MISSING = 2;
export const FLAG_EXTRA = 4;
export const FLAG_HAS_ERROR = 8;
export const FLAG_ERROR = 16;
/** tree-sitter's ERROR symbol (ts_builtin_sym_error); not in {@link symbolNames}. */
export const SYMBOL_ERROR = 0xffff;

/** Columns in tsparse.c's order. */
const COLUMNS = 13;

/** A parsed text: n nodes in pre-order, one Int32Array per attribute (all views of one buffer). */
export interface SyntaxTree {
  size: number;
  /** Grammar symbol ids; names via {@link typeName}. */
  symbol: Int32Array;
  /** FLAG_* bits. */
  flags: Int32Array;
  /** Field id as the cursor reports it (0: none); names via {@link fieldNames}. */
  field: Int32Array;
  /** UTF-8 byte offsets into the parsed text. */
  start: Int32Array;
  end: Int32Array;
  /** py-tree-sitter points: rows split on '\n', columns in UTF-8 bytes. */
  startRow: Int32Array;
  startCol: Int32Array;
  endRow: Int32Array;
  endCol: Int32Array;
  /** -1 for the root. */
  parent: Int32Array;
  childCount: Int32Array;
  /** -1 when none. */
  firstChild: Int32Array;
  nextSibling: Int32Array;
  /** The parsed text. */
  source: string;
  /** True when every character is ASCII, so byte offsets are string indexes. */
  ascii: boolean;
  /** Length of the text in UTF-8 bytes. */
  byteLength: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  tsp_columns(): number;
  tsp_input(cap: number): number;
  tsp_parse(len: number, nOut: number): number;
  tsp_node_strings(len: number, bytesOut: number): number;
  tsp_set_speedups(bits: number): void;
  tsp_symbol_count(): number;
  tsp_symbol_name(id: number): number;
  tsp_field_count(): number;
  tsp_field_name(id: number): number;
}

const WASM_NAME = 'tree-sitter-python-utf8.wasm';

function wasmPath(): string {
  // Sources run from metrics/tree-sitter/, compiled code from dist/metrics/tree-sitter/; the binary stays
  // in the source tree (tsc does not copy it; package.json "files" ships it).
  for (const rel of [`./${WASM_NAME}`, `../../../metrics/tree-sitter/${WASM_NAME}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`${WASM_NAME} not found next to ${fileURLToPath(import.meta.url)} (rebuild with metrics/tree-sitter/build.sh)`);
}

let compiled: WebAssembly.Module | undefined;
let ex: Exports | undefined;
/** Address of a 4-byte out-parameter slot, placed by load() right after the text in the input buffer. */
let outParam = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The compiled module. A worker thread given it (workerData) through {@link useCompiledModule} skips
 * compiling and shares the optimised code V8 tiers up, instead of compiling the 0.6 MB module again.
 */
export function compiledModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(wasmPath()));
  return compiled;
}

/** Uses a module compiled by another thread ({@link compiledModule}); call before the first parse. */
export function useCompiledModule(m: WebAssembly.Module): void {
  if (!(m instanceof WebAssembly.Module)) throw new TypeError('useCompiledModule: not a WebAssembly.Module');
  if (!ex) compiled = m;
}

function instance(): Exports {
  if (ex) return ex;
  let memory: WebAssembly.Memory | undefined;
  const ENOSYS = 52;
  const wasi = {
    clock_time_get: (_id: number, _precision: bigint, out: number) => {
      new DataView(memory!.buffer).setBigUint64(out, 0n, true);
      return 0;
    },
    fd_close: () => ENOSYS,
    fd_seek: () => ENOSYS,
    fd_write: () => ENOSYS,
  };
  const e = new WebAssembly.Instance(compiledModule(), { wasi_snapshot_preview1: wasi }).exports as unknown as Exports;
  memory = e.memory;
  e._initialize();
  if (e.tsp_columns() !== COLUMNS) throw new Error(`${WASM_NAME}: ${e.tsp_columns()} columns, parser.ts expects ${COLUMNS} (rebuild it)`);
  ex = e;
  return e;
}

/** Writes the UTF-8 bytes of `code` into the wasm input buffer; returns [byte length, ascii]. */
function load(e: Exports, code: string): [number, boolean] {
  // UTF-8 needs at most 3 bytes per UTF-16 unit.
  const cap = code.length * 3 + 4;
  const ptr = e.tsp_input(cap);
  if (ptr === 0) throw new Error('tree-sitter: out of memory');
  const { read, written } = encoder.encodeInto(code, new Uint8Array(e.memory.buffer, ptr, cap - 4));
  if (read !== code.length) throw new Error('tree-sitter: input buffer too small');
  // A single out-parameter slot right after the text (inside the capacity asked for).
  outParam = ptr + ((written + 3) & ~3);
  return [written, written === code.length];
}

/**
 * Parses `code` as Python from its UTF-8 bytes. Callers must refuse lone surrogates first (Python's
 * `bytes(text, 'utf8')` raises on them; the encoder here would silently replace them). Throws only if
 * the runtime itself fails (out of memory).
 */
export function parse(code: string): SyntaxTree {
  const hit = recent.get(code) ?? provided.get(code);
  if (hit !== undefined) return hit;
  const tree = parseUncached(code);
  if (recent.size >= RECENT_MAX) recent.delete(recent.keys().next().value!);
  recent.set(code, tree);
  return tree;
}

/**
 * The last few parsed texts and their trees. The metrics of one sample parse the same text more than
 * once (the AST match and CodeBLEU-api both parse the response's api_call substring; CodeBLEU re-parses a
 * cached reference for its data-flow graph), always close together, so a small window removes those
 * repeats without holding many trees. Safe to share: no caller writes into a tree's columns.
 */
const RECENT_MAX = 16;
const recent = new Map<string, SyntaxTree>();

/**
 * A parse as plain data, so that another thread can do it: the node count, the columns in one buffer
 * (transferable), and the text's UTF-8 facts. {@link parseToColumns} makes it, {@link provideParsed}
 * hands it to this thread's {@link parse}.
 */
export interface ParsedColumns {
  size: number;
  columns: Int32Array;
  ascii: boolean;
  byteLength: number;
}

/** Parses `code` (same rules as {@link parse}) without building a tree: for a parsing thread. */
export function parseToColumns(code: string): ParsedColumns {
  const e = instance();
  const [len, ascii] = load(e, code);
  const ptr = e.tsp_parse(len, outParam);
  if (ptr === 0) throw new Error('tree-sitter failed to parse (out of memory?)');
  const n = new Uint32Array(e.memory.buffer, outParam, 1)[0];
  // One copy out before anything else can grow (and so detach) the wasm memory.
  return { size: n, columns: new Int32Array(e.memory.buffer, ptr, n * COLUMNS).slice(), ascii, byteLength: len };
}

/**
 * Trees parsed elsewhere ({@link parseToColumns} in a worker) for texts this thread is about to parse;
 * {@link parse} takes them before parsing itself. The caller forgets them ({@link forgetProvided}) once
 * the work that needed them is done.
 */
const provided = new Map<string, SyntaxTree>();

export function provideParsed(code: string, parsed: ParsedColumns): void {
  provided.set(code, treeFromColumns(code, parsed));
}

export function forgetProvided(): void {
  provided.clear();
}

function parseUncached(code: string): SyntaxTree {
  return treeFromColumns(code, parseToColumns(code));
}

function treeFromColumns(code: string, p: ParsedColumns): SyntaxTree {
  const { size: n, columns: all, ascii, byteLength: len } = p;
  if (all.length !== n * COLUMNS) throw new Error(`tree-sitter: ${all.length} column values for ${n} nodes`);
  const col = (c: number): Int32Array => all.subarray(c * n, (c + 1) * n);
  return {
    size: n,
    symbol: col(0),
    flags: col(1),
    field: col(2),
    start: col(3),
    end: col(4),
    startRow: col(5),
    startCol: col(6),
    endRow: col(7),
    endCol: col(8),
    parent: col(9),
    childCount: col(10),
    firstChild: col(11),
    nextSibling: col(12),
    source: code,
    ascii,
    byteLength: len,
  };
}

/** The speed-ups inside the wasm; none may change a tree. */
export interface ParserSpeedups {
  /** tsparse.c's dense copy of the parse table (off: the grammar's own compressed table). */
  denseTable: boolean;
  /** recovery-cache.patch's per-state lists of what error recovery scans for (off: the runtime's own scans). */
  recoveryCache: boolean;
  /** tsparse.c's per-parse memory region (off: malloc and free for every allocation). */
  arena: boolean;
  /** tsparse.c's walk over the subtrees for the columns (off: the public tree cursor API). */
  directWalk: boolean;
}

/** Tests only: turn speed-ups off (all are on by default) to check that they change nothing. */
export function setParserSpeedups(on: ParserSpeedups): void {
  // Bits in tsparse.c's SPEEDUP_* order.
  instance().tsp_set_speedups((on.denseTable ? 1 : 0) | (on.recoveryCache ? 2 : 0) | (on.arena ? 4 : 0) | (on.directWalk ? 8 : 0));
  recent.clear();
}

const utf8Cache = new WeakMap<SyntaxTree, Uint8Array>();

/** The text of node `i` (node boundaries always fall on character boundaries). */
export function nodeText(t: SyntaxTree, i: number): string {
  if (t.ascii) return t.source.slice(t.start[i], t.end[i]);
  let bytes = utf8Cache.get(t);
  if (!bytes) utf8Cache.set(t, (bytes = encoder.encode(t.source)));
  return decoder.decode(bytes.subarray(t.start[i], t.end[i]));
}

/** The `k`-th visible child of node `i`, or -1. */
export function childAt(t: SyntaxTree, i: number, k: number): number {
  let c = t.firstChild[i];
  while (k-- > 0 && c >= 0) c = t.nextSibling[c];
  return c;
}

/** `ts_node_string` of the root and of every node with children, in pre-order (tests check renderers with it). */
export function nodeStrings(code: string): string[] {
  const e = instance();
  const [len] = load(e, code);
  const ptr = e.tsp_node_strings(len, outParam);
  if (ptr === 0) throw new Error('tree-sitter failed to parse (out of memory?)');
  const n = new Uint32Array(e.memory.buffer, outParam, 1)[0];
  const text = decoder.decode(new Uint8Array(e.memory.buffer, ptr, n).slice());
  return text.split('\u0000').slice(0, -1);
}

function cString(e: Exports, p: number): string {
  const mem = new Uint8Array(e.memory.buffer);
  let end = p;
  while (mem[end] !== 0) end++;
  return decoder.decode(mem.subarray(p, end));
}

let symbols: string[] | undefined;
let fields: string[] | undefined;

/** Node type names by symbol id (ERROR, {@link SYMBOL_ERROR}, is not in the table: see {@link typeName}). */
export function symbolNames(): readonly string[] {
  if (!symbols) {
    const e = instance();
    symbols = Array.from({ length: e.tsp_symbol_count() }, (_, i) => cString(e, e.tsp_symbol_name(i)));
  }
  return symbols;
}

/** The node type name of a symbol id, `ERROR` included. */
export function typeName(symbol: number): string {
  return symbol === SYMBOL_ERROR ? 'ERROR' : (symbolNames()[symbol] ?? `#${symbol}`);
}

/** Field names by field id (index 0, "no field", is the empty string). */
export function fieldNames(): readonly string[] {
  if (!fields) {
    const e = instance();
    fields = [''];
    for (let i = 1; i <= e.tsp_field_count(); i++) fields.push(cString(e, e.tsp_field_name(i)));
  }
  return fields;
}
