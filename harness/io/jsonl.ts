import { createReadStream, existsSync, mkdirSync, openSync, closeSync, writeSync, fsyncSync, renameSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { inputError, UserError } from '../errors.js';

/** One parsed JSONL record with the 1-based line it came from, so later validation can name it. */
export interface Located<T> {
  value: T;
  line: number;
}

function readText(file: string): string {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as Error).message})`);
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
  const text = readText(file);
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

/** Streams a (possibly gzip-compressed, by `.gz` suffix) JSONL file record by record. */
export async function* streamJsonl<T = Record<string, unknown>>(file: string): AsyncGenerator<Located<T>> {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const input = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    if (!NON_BLANK.test(raw)) continue;
    yield { value: parseJsonLine<T>(file, line, raw), line };
  }
}

/** Reads a whole gzip-or-plain JSONL file into memory (golden files, fixtures). */
export async function readJsonlAll<T = Record<string, unknown>>(file: string): Promise<T[]> {
  const out: T[] = [];
  for await (const r of streamJsonl<T>(file)) out.push(r.value);
  return out;
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

/** Serialises records as JSONL text (one line each). */
export function toJsonl(records: Iterable<unknown>): string {
  let s = '';
  for (const r of records) s += JSON.stringify(r) + '\n';
  return s;
}
