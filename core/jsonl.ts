import { createReadStream, mkdirSync, openSync, closeSync, writeSync, fsyncSync, fstatSync, ftruncateSync, renameSync, readFileSync, readSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { inputError, UserError } from './errors.js';

/** One parsed JSONL record with the 1-based line it came from, so later validation can name it. */
export interface Located<T> {
  value: T;
  line: number;
}

/** `-` as an input path is standard input, as in Unix tools; errors then name it `<stdin>`. */
export const STDIN = '-';
const STDIN_NAME = '<stdin>';

/** How errors name an input path (`-` is `<stdin>`). */
export function inputName(file: string): string {
  return file === STDIN ? STDIN_NAME : file;
}

/** All of standard input (a pipe, a file or a terminal), waiting out EAGAIN on a non-blocking pipe. */
function readStdin(): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 5);
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/** A UTF-8 byte-order mark, which editors on Windows put at the start of a file; read as if absent (TextDecoder drops it too). */
const BOM = '\uFEFF';

/** Refuses a path that is missing or not a regular file, naming it (what reading it would fail with, said plainly). */
function checkReadable(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' || code === 'ENOTDIR' ? `${file}: no such file` : `${file}: cannot read (${(e as Error).message})`);
  }
  if (st.isDirectory()) throw new UserError(`${file}: is a directory, not a file`);
}

/** The 1-based line of byte offset `at` in `buf`. */
function lineAt(buf: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < buf.length; i++) if (buf[i] === 10) line++;
  return line;
}

/** Offset of the first byte that is not well-formed UTF-8 (as WHATWG's fatal decoder judges it), or -1. */
function firstInvalidUtf8(buf: Uint8Array): number {
  // Binary search on prefixes would need care with split sequences; a linear scan with the decoder in
  // streaming mode finds it in one pass over ~64 KiB chunks.
  const dec = new TextDecoder('utf-8', { fatal: true });
  const CHUNK = 1 << 16;
  for (let i = 0; i < buf.length; i += CHUNK) {
    try {
      dec.decode(buf.subarray(i, i + CHUNK), { stream: true });
    } catch {
      // Narrow down inside the failing chunk, byte by byte (rare, and only on the error path).
      const d2 = new TextDecoder('utf-8', { fatal: true });
      d2.decode(buf.subarray(0, i), { stream: true });
      for (let j = i; j < Math.min(i + CHUNK, buf.length); j++) {
        try {
          d2.decode(buf.subarray(j, j + 1), { stream: true });
        } catch {
          // The decoder notices at the byte that cannot continue a sequence; report the sequence's lead byte.
          for (let k = j - 1; k >= Math.max(0, j - 3); k--) {
            if ((buf[k] & 0xc0) === 0xc0) return k;
            if ((buf[k] & 0xc0) !== 0x80) break;
          }
          return j;
        }
      }
      return i;
    }
  }
  try {
    dec.decode();
  } catch {
    return Math.max(0, buf.length - 1);
  }
  return -1;
}

/**
 * Reads a text file that a user gave: a missing path, a directory, an unreadable file or bytes that are
 * not UTF-8 are one-line errors naming the file (and the line of the first bad byte). A leading BOM is dropped.
 */
export function readTextFile(file: string): string {
  if (file === STDIN) file = STDIN_NAME;
  else checkReadable(file);
  let buf: Buffer;
  try {
    buf = file === STDIN_NAME ? readStdin() : readFileSync(file);
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as Error).message})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const at = firstInvalidUtf8(buf);
    throw inputError(file, lineAt(buf, at), `not valid UTF-8 (byte 0x${buf[at]?.toString(16).padStart(2, '0')} at offset ${at}); save the file as UTF-8`);
  }
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** Reads and parses a JSON file a user gave, with the same errors as readTextFile plus the JSON's own. */
export function readJsonFile<T = unknown>(file: string): T {
  const text = readTextFile(file);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw inputError(file, undefined, `not valid JSON (${(e as Error).message})`);
  }
}

/** Parses one JSONL line that must hold a JSON object; errors name the file and line. */
function parseJsonLine<T>(file: string, line: number, raw: string): T {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw inputError(file, line, `not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw inputError(file, line, 'expected a JSON object');
  }
  return value as T;
}

/** A line with something besides whitespace (what `line.trim() !== ''` tests, without copying the line). */
const NON_BLANK = /\S/;

/**
 * Reads a JSON Lines file whole. Blank lines are skipped; a line that is not JSON, or not an object, is
 * an error naming the file and line. `allowEmpty: false` (the default) rejects a file with no records.
 */
export function readJsonl<T = Record<string, unknown>>(file: string, opts: { allowEmpty?: boolean } = {}): Located<T>[] {
  const text = readTextFile(file);
  if (file === STDIN) file = STDIN_NAME;
  const out: Located<T>[] = [];
  let line = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    const raw = text.slice(start, end).replace(/\r$/, '');
    start = end + 1;
    if (!NON_BLANK.test(raw)) continue;
    out.push({ value: parseJsonLine<T>(file, line, raw), line });
  }
  if (out.length === 0 && !opts.allowEmpty) throw inputError(file, undefined, 'is empty (no JSON records)');
  return out;
}

/**
 * Streams a (possibly gzip-compressed, by `.gz` suffix) JSONL file record by record. A truncated or corrupt
 * gzip stream, bytes that are not UTF-8, a directory or an unreadable file end the stream with a one-line
 * error naming the file (and the line, where there is one), never with the decoder's exception.
 */
export async function* streamJsonl<T = Record<string, unknown>>(file: string): AsyncGenerator<Located<T>> {
  checkReadable(file);
  const gz = file.endsWith('.gz');
  const raw = createReadStream(file);
  const input = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => input.destroy(e));
  const dec = new TextDecoder('utf-8', { fatal: true });
  let line = 0;
  let previous: Uint8Array | undefined; // the previous chunk (kept by reference: only a bad byte reads it)
  const decode = (chunk: Uint8Array | undefined): string => {
    try {
      return chunk === undefined ? dec.decode() : dec.decode(chunk, { stream: true });
    } catch {
      let at = 0;
      if (chunk !== undefined) {
        // The previous chunk's last bytes, from a lead byte on: a character the chunk boundary cut in two.
        let tail: Uint8Array = new Uint8Array(0);
        if (previous !== undefined) {
          let k = Math.max(0, previous.length - 3);
          while (k < previous.length && (previous[k] & 0xc0) === 0x80) k++;
          tail = previous.subarray(k);
        }
        const both = new Uint8Array(tail.length + chunk.length);
        both.set(tail);
        both.set(chunk, tail.length);
        at = Math.max(0, firstInvalidUtf8(both) - tail.length);
      }
      throw inputError(file, line + (chunk === undefined ? 1 : lineAt(chunk, at)), 'not valid UTF-8; save the file as UTF-8');
    } finally {
      if (chunk !== undefined) previous = chunk;
    }
  };
  // The current line's pieces when it spans chunks (searching only each new chunk keeps a 50 MB line linear).
  let parts: string[] = [];
  const lines = function* (text: string, final: boolean): Generator<Located<T>> {
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      line++;
      let l = text.slice(start, end);
      if (parts.length) {
        parts.push(l);
        l = parts.join('');
        parts = [];
      }
      start = end + 1;
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (NON_BLANK.test(l)) yield { value: parseJsonLine<T>(file, line, l), line };
    }
    if (start < text.length) parts.push(start === 0 ? text : text.slice(start));
    if (final && parts.length) {
      line++;
      let l = parts.join('');
      parts = [];
      if (l.endsWith('\r')) l = l.slice(0, -1);
      if (NON_BLANK.test(l)) yield { value: parseJsonLine<T>(file, line, l), line };
    }
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) yield* lines(decode(chunk), false);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (gz && (err.code?.startsWith('Z_') || /unexpected end of file|incorrect header check|invalid/i.test(err.message))) {
      throw inputError(file, undefined, /unexpected end of file/i.test(err.message) ? 'truncated gzip data (unexpected end of file); download or copy it again' : `not valid gzip data (${err.message})`);
    }
    throw new UserError(`${file}: cannot read (${err.message})`);
  } finally {
    raw.destroy();
  }
  yield* lines(decode(undefined), true);
}

/** Reads a whole gzip-or-plain JSONL file into memory (golden files, fixtures). */
export async function readJsonlAll<T = Record<string, unknown>>(file: string): Promise<T[]> {
  const out: T[] = [];
  for await (const r of streamJsonl<T>(file)) out.push(r.value);
  return out;
}

/** One non-blank line of a file apieval wrote itself and may resume from, parsed when it can be. */
export interface ResumeLine {
  /** 1-based line number. */
  line: number;
  raw: string;
  /** The line's JSON object; undefined when the line is not one (torn by a crash, or not ours). */
  value?: Record<string, unknown>;
  /** The line is valid JSON but not an object (a number, a string, an array, null). */
  jsonNotObject: boolean;
  /** The last line of the file, with no newline after it: a write a crash cut short. */
  torn: boolean;
}

/**
 * The lines of a run's own output file (samples, gold results, partial answers, exec results) for resuming.
 * One reader, and each caller decides what a bad line means (skip it: a cache; refuse it: not our file).
 * Decoding is lenient (a crash can cut a multi-byte character in half); [] for a file that does not exist.
 */
export function readResumeLines(file: string): ResumeLine[] {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UserError(`${file}: cannot read (${(e as Error).message})`);
  }
  const text = buf.toString('utf8');
  const parts = text.split('\n');
  const out: ResumeLine[] = [];
  parts.forEach((raw, i) => {
    if (!NON_BLANK.test(raw)) return;
    let value: Record<string, unknown> | undefined;
    let jsonNotObject = false;
    try {
      const v: unknown = JSON.parse(raw);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) value = v as Record<string, unknown>;
      else jsonNotObject = true;
    } catch {
      /* left undefined */
    }
    out.push({ line: i + 1, raw, value, jsonNotObject, torn: i === parts.length - 1 });
  });
  return out;
}

/** Cuts a file back to its last complete line (a crash mid-append), so appending continues cleanly. */
export function cutTornTail(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    ftruncateSync(fd, readFileSync(file).lastIndexOf(0x0a) + 1);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a file so that readers never see half of it: the text goes to a temporary sibling, is flushed,
 * and is renamed over the target. A crash leaves either the old file or the new one.
 */
export function writeFileAtomic(file: string, text: string | Iterable<string>): void {
  mkdirSync(dirname(file) || '.', { recursive: true });
  const tmp = join(dirname(file) || '.', `.${basename(file)}.${process.pid}.tmp`);
  try {
    if (typeof text === 'string') writeFileSync(tmp, text);
    else writePieces(tmp, text);
    const fd = openSync(tmp, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes the pieces in order, gathered into ~1 MB writes (a large output is never one string in memory). */
function writePieces(file: string, pieces: Iterable<string>): void {
  const fd = openSync(file, 'w');
  try {
    let buf = '';
    for (const p of pieces) {
      buf += p;
      if (buf.length >= 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    if (buf) writeSync(fd, buf);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one JSON record per line and flushes each, so that results already computed survive a crash
 * (runs resume from what is on disk). Lines are written whole with a single write.
 */
export class JsonlAppender {
  private fd: number;
  constructor(readonly file: string, mode: 'append' | 'truncate' = 'append') {
    mkdirSync(dirname(file) || '.', { recursive: true });
    this.fd = openSync(file, mode === 'append' ? 'a' : 'w');
  }
  write(record: unknown): void {
    writeSync(this.fd, JSON.stringify(record) + '\n');
  }
  /** Forces the data to disk; call at checkpoints, not per line (fsync is slow). */
  sync(): void {
    fsyncSync(this.fd);
  }
  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** Writes text to standard output in order, waiting for the pipe to drain (a large output is never one string). */
export async function writeStdout(text: string | Iterable<string>): Promise<void> {
  const pieces = typeof text === 'string' ? [text] : text;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (!process.stdout.write(buf)) await new Promise<void>((r) => process.stdout.once('drain', () => r()));
    buf = '';
  };
  for (const p of pieces) {
    buf += p;
    if (buf.length >= 1 << 20) await flush();
  }
  if (buf) await flush();
}

/** Serialises records as JSONL text (one line each). */
export function toJsonl(records: Iterable<unknown>): string {
  let s = '';
  for (const r of records) s += JSON.stringify(r) + '\n';
  return s;
}
