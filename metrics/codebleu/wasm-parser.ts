/**
 * tree-sitter-python 0.23.6 parsing of UTF-8 bytes for CodeBLEU, through a WebAssembly build of the
 * tree-sitter C runtime and the grammar's C sources (wasm/build.sh, wasm/cbparse.c: why UTF-8 matters is
 * explained there). The .wasm is committed; users never build it.
 *
 * Loading is synchronous (WebAssembly.Module/Instance) so the metric stays synchronous. One instance per
 * thread (module state is per isolate), so worker threads never share a parser. The WASI imports the C
 * library references are stubs: nothing is printed and no clock is read (parse timeouts are never set).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Int32 fields per node in {@link parseRecords}' result (see cbparse.c). */
export const CB_FIELDS = 10;

interface Exports {
  memory: WebAssembly.Memory;
  _initialize(): void;
  cb_alloc(n: number): number;
  cb_free(p: number): void;
  cb_parse(src: number, len: number, nOut: number): number;
  cb_node_strings(src: number, len: number, bytesOut: number): number;
  cb_symbol_count(): number;
  cb_symbol_name(id: number): number;
  cb_field_count(): number;
  cb_field_name(id: number): number;
}

const WASM_NAME = 'tree-sitter-python-codebleu.wasm';

function wasmPath(): string {
  // Sources run from metrics/codebleu/, compiled code from dist/metrics/codebleu/; the binary stays in the
  // source tree (tsc does not copy it).
  for (const rel of [`./wasm/${WASM_NAME}`, `../../../metrics/codebleu/wasm/${WASM_NAME}`]) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error(`${WASM_NAME} not found next to ${fileURLToPath(import.meta.url)} (rebuild with metrics/codebleu/wasm/build.sh)`);
}

let ex: Exports | undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function instance(): Exports {
  if (ex) return ex;
  const mod = new WebAssembly.Module(readFileSync(wasmPath()));
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
  const inst = new WebAssembly.Instance(mod, { wasi_snapshot_preview1: wasi });
  const e = inst.exports as unknown as Exports;
  memory = e.memory;
  e._initialize();
  ex = e;
  return e;
}

function cString(e: Exports, p: number): string {
  const mem = new Uint8Array(e.memory.buffer);
  let end = p;
  while (mem[end] !== 0) end++;
  return decoder.decode(mem.subarray(p, end));
}

/** Runs `fn` with the UTF-8 bytes of `code` in wasm memory and a 4-byte out-parameter. */
function withInput<T>(code: string, fn: (e: Exports, src: number, len: number, out: number) => T): T {
  const e = instance();
  const bytes = encoder.encode(code);
  const src = e.cb_alloc(bytes.length);
  const out = e.cb_alloc(4);
  try {
    new Uint8Array(e.memory.buffer, src, bytes.length).set(bytes);
    return fn(e, src, bytes.length, out);
  } finally {
    e.cb_free(src);
    e.cb_free(out);
  }
}

/** Parses `code` (no lone surrogates: callers check) and returns the flat node records (a copy). */
export function parseRecords(code: string): Int32Array {
  return withInput(code, (e, src, len, out) => {
    const ptr = e.cb_parse(src, len, out);
    if (ptr === 0) throw new Error('tree-sitter failed to parse (out of memory?)');
    const n = new Uint32Array(e.memory.buffer, out, 1)[0];
    // Copy out before anything else can grow (and so detach) the wasm memory.
    return new Int32Array(e.memory.buffer, ptr, n * CB_FIELDS).slice();
  });
}

/** `ts_node_string` of the root and of every node with children (tests check the renderer with it). */
export function nodeStrings(code: string): string[] {
  return withInput(code, (e, src, len, out) => {
    const ptr = e.cb_node_strings(src, len, out);
    if (ptr === 0) throw new Error('tree-sitter failed to parse (out of memory?)');
    const n = new Uint32Array(e.memory.buffer, out, 1)[0];
    const text = decoder.decode(new Uint8Array(e.memory.buffer, ptr, n).slice());
    return text.split('\u0000').slice(0, -1);
  });
}

let symbols: string[] | undefined;
let fields: string[] | undefined;

/** Node type names by symbol id (ERROR, 0xFFFF, is not in the table). */
export function symbolNames(): string[] {
  if (!symbols) {
    const e = instance();
    symbols = Array.from({ length: e.cb_symbol_count() }, (_, i) => cString(e, e.cb_symbol_name(i)));
  }
  return symbols;
}

/** Field names by field id (index 0 unused). */
export function fieldNames(): string[] {
  if (!fields) {
    const e = instance();
    fields = [''];
    for (let i = 1; i <= e.cb_field_count(); i++) fields.push(cString(e, e.cb_field_name(i)));
  }
  return fields;
}
