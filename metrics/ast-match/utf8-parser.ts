/**
 * tree-sitter-python 0.23.6 parsing of UTF-8 bytes, through a WebAssembly build of the tree-sitter C
 * runtime and the grammar's C sources (see wasm/build.sh and wasm/tsparse.c).
 *
 * Why not node `tree-sitter`: its binding (like web-tree-sitter) always feeds the parser UTF-16, and
 * tree-sitter's error recovery charges skipped text per BYTE, so on text that does not parse it recovers
 * differently from py-tree-sitter, which the Gorilla scripts use on `bytes(text, 'utf8')`. With UTF-16,
 * 37 of the 5,424 visible golden AST verdicts change; with UTF-8 bytes every one matches.
 *
 * Loading is synchronous (WebAssembly.Module/Instance) so callers stay synchronous. No I/O besides reading
 * the .wasm file once; the WASI imports the C library references are stubs (nothing is ever printed).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface TsNode {
  /** Byte offsets into the UTF-8 source. */
  start: number;
  end: number;
  symbol: number;
  flags: number;
  children: TsNode[];
}

export const FLAG_NAMED = 1;
export const FLAG_MISSING = 2;
export const FLAG_EXTRA = 4;
export const FLAG_HAS_ERROR = 8;
export const FLAG_ERROR = 16;

export class Utf8Tree {
  private static decoder = new TextDecoder('utf-8', { fatal: false });
  constructor(
    readonly source: Uint8Array,
    readonly root: TsNode,
  ) {}
  /** The node's text, decoded (node boundaries always fall on character boundaries). */
  text(node: TsNode): string {
    return Utf8Tree.decoder.decode(this.source.subarray(node.start, node.end));
  }
}

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  tsp_alloc(n: number): number;
  tsp_free(p: number): void;
  tsp_parse(src: number, len: number, nOut: number): number;
  tsp_symbol_count(): number;
  tsp_symbol_name(id: number): number;
}

const WASM_NAME = 'tree-sitter-python-utf8.wasm';

function wasmPath(): string {
  // Sources run from metrics/ast-match/, compiled code from dist/metrics/ast-match/; the binary stays in
  // the source tree (tsc does not copy it).
  for (const rel of [`./wasm/${WASM_NAME}`, `../../../metrics/ast-match/wasm/${WASM_NAME}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`${WASM_NAME} not found next to ${fileURLToPath(import.meta.url)} (rebuild with metrics/ast-match/wasm/build.sh)`);
}

let exportsCache: Exports | undefined;
const encoder = new TextEncoder();

function instance(): Exports {
  if (exportsCache) return exportsCache;
  const mod = new WebAssembly.Module(readFileSync(wasmPath()));
  let memory: WebAssembly.Memory | undefined;
  const ENOSYS = 52;
  const wasi = {
    // tree-sitter reads a clock only for parse timeouts, which are never set here.
    clock_time_get: (_id: number, _precision: bigint, out: number) => {
      new DataView(memory!.buffer).setBigUint64(out, 0n, true);
      return 0;
    },
    fd_close: () => ENOSYS,
    fd_seek: () => ENOSYS,
    fd_write: () => ENOSYS,
  };
  const inst = new WebAssembly.Instance(mod, { wasi_snapshot_preview1: wasi });
  const ex = inst.exports as unknown as Exports;
  memory = ex.memory;
  ex._initialize();
  exportsCache = ex;
  return ex;
}

/** Parses text as Python from its UTF-8 bytes. Throws only if the runtime itself fails (out of memory). */
export function parseUtf8(text: string): Utf8Tree {
  const ex = instance();
  const bytes = encoder.encode(text);
  const src = ex.tsp_alloc(bytes.length);
  const nOut = ex.tsp_alloc(4);
  try {
    new Uint8Array(ex.memory.buffer, src, bytes.length).set(bytes);
    const ptr = ex.tsp_parse(src, bytes.length, nOut);
    if (ptr === 0) throw new Error('tree-sitter failed to parse (out of memory?)');
    const n = new Uint32Array(ex.memory.buffer, nOut, 1)[0];
    // Copy out before anything else can grow (and so detach) the wasm memory.
    const rec = new Uint32Array(ex.memory.buffer, ptr, n * 5).slice();
    return new Utf8Tree(bytes, buildTree(rec, n));
  } finally {
    ex.tsp_free(src);
    ex.tsp_free(nOut);
  }
}

function buildTree(rec: Uint32Array, n: number): TsNode {
  // Records are in pre-order with child counts: rebuild with an explicit stack (no recursion limits).
  const mk = (i: number): TsNode => ({ start: rec[i * 5], end: rec[i * 5 + 1], symbol: rec[i * 5 + 3], flags: rec[i * 5 + 4], children: [] });
  const root = mk(0);
  const stack: { node: TsNode; left: number }[] = [{ node: root, left: rec[2] }];
  for (let i = 1; i < n; i++) {
    while (stack[stack.length - 1].left === 0) stack.pop();
    const top = stack[stack.length - 1];
    const node = mk(i);
    top.node.children.push(node);
    top.left--;
    stack.push({ node, left: rec[i * 5 + 2] });
  }
  return root;
}

let symbolNames: string[] | undefined;

/** Grammar symbol names (node types), for debugging and s-expressions. */
export function symbolName(id: number): string {
  if (!symbolNames) {
    const ex = instance();
    const dec = new TextDecoder();
    symbolNames = [];
    for (let i = 0; i < ex.tsp_symbol_count(); i++) {
      const p = ex.tsp_symbol_name(i);
      const mem = new Uint8Array(ex.memory.buffer);
      let e = p;
      while (mem[e] !== 0) e++;
      symbolNames.push(dec.decode(mem.subarray(p, e)));
    }
  }
  return symbolNames[id] ?? `#${id}`;
}
