/**
 * Unreadable, truncated, corrupt or non-UTF-8 inputs are one `file[:line]: message` line (exit 2), never
 * the decoder's exception (issue 15: `verify --golden` on a truncated .gz or a directory printed
 * "internal error (please report)" with a stack trace).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readJsonl, readJsonlAll, readTextFile, streamJsonl } from '../core/jsonl.js';
import { runCli } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'apieval-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
const lines = (n: number, at?: number, bad = Buffer.from([0xc3, 0x28])): Buffer =>
  Buffer.concat(Array.from({ length: n }, (_, i) => Buffer.concat([Buffer.from(`{"i":${i},"pad":"${'x'.repeat(500)}`), i + 1 === at ? bad : Buffer.alloc(0), Buffer.from('"}\n')])));

async function streamError(p: string): Promise<string> {
  try {
    await readJsonlAll(p);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

describe('readers', () => {
  it('name the line of the first byte that is not UTF-8, in plain, gzip and whole-file reads, across chunk boundaries', async () => {
    // Line 300 sits past the first 64 KiB chunk; the bad byte is a lead byte without its continuation.
    const plain = file('bad.jsonl', lines(400, 300));
    expect(() => readJsonl(plain)).toThrow(new RegExp(`^${plain}:300: not valid UTF-8 \\(byte 0xc3 at offset \\d+\\); save the file as UTF-8$`));
    expect(await streamError(plain)).toBe(`${plain}:300: not valid UTF-8; save the file as UTF-8`);
    const gz = file('bad.jsonl.gz', gzipSync(lines(400, 257)));
    expect(await streamError(gz)).toBe(`${gz}:257: not valid UTF-8; save the file as UTF-8`);
    // A lone continuation byte, and an overlong encoding of '/', are refused too (WHATWG's fatal decoder).
    expect(() => readJsonl(file('cont.jsonl', lines(3, 2, Buffer.from([0x80]))))).toThrow(/:2: not valid UTF-8/);
    expect(() => readJsonl(file('overlong.jsonl', lines(3, 3, Buffer.from([0xc0, 0xaf]))))).toThrow(/:3: not valid UTF-8/);
  });

  it('read valid multi-byte text split at every chunk boundary, a BOM and CRLF the same as plain LF', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ i, s: 'é中😀'.repeat(i % 50) }));
    const text = rows.map((r) => JSON.stringify(r)).join('\r\n') + '\r\n';
    const p = file('ok.jsonl.gz', gzipSync(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])));
    expect(await readJsonlAll(p)).toEqual(rows);
    const q = file('ok.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    expect(readJsonl(q).map((r) => r.value)).toEqual(rows);
    expect(readTextFile(q).startsWith('{')).toBe(true);
    // One 3 MB line spanning many chunks, then a last line without a newline.
    const big = 'y'.repeat(3 << 20);
    const r = file('big.jsonl', `{"big":"${big}"}\n{"last":1}`);
    const got: unknown[] = [];
    for await (const x of streamJsonl(r)) got.push([x.line, x.value]);
    expect(got).toEqual([[1, { big }], [2, { last: 1 }]]);
  });

  it('refuse truncated and corrupt gzip, directories and missing files with one line', async () => {
    const full = gzipSync(lines(200));
    const cut = file('cut.jsonl.gz', full.subarray(0, full.length >> 1));
    expect(await streamError(cut)).toBe(`${cut}: truncated gzip data (unexpected end of file); download or copy it again`);
    const junk = file('junk.jsonl.gz', Buffer.from('this is not gzip at all\n'));
    expect(await streamError(junk)).toMatch(new RegExp(`^${junk}: not valid gzip data \\(incorrect header check\\)$`));
    const d = join(dir, 'adir.jsonl');
    mkdirSync(d);
    expect(await streamError(d)).toBe(`${d}: is a directory, not a file`);
    expect(() => readJsonl(d)).toThrow(`${d}: is a directory, not a file`);
    expect(() => readJsonl(join(dir, 'nope.jsonl'))).toThrow(/nope\.jsonl: no such file$/);
  });
});

describe('through the CLI: one line, exit 2', () => {
  it('verify --golden on a truncated .gz, a corrupt .gz and a directory; score on non-UTF-8', () => {
    const golden = readFileSync(sharedPath('golden', 'codebleu_pairs.jsonl.gz'));
    const cut = file('golden-cut.jsonl.gz', golden.subarray(0, 20_000));
    const flipped = Buffer.from(golden);
    flipped[flipped.length >> 1] ^= 0xff; // inside the deflate stream
    const corrupt = file('golden-corrupt.jsonl.gz', flipped);
    const cases: [string[], RegExp][] = [
      [['verify', '--golden', cut], /^apieval: .*golden-cut\.jsonl\.gz: truncated gzip data \(unexpected end of file\); download or copy it again\n$/],
      [['verify', '--golden', corrupt], /^apieval: .*golden-corrupt\.jsonl\.gz(:\d+)?: (not valid gzip data|not valid UTF-8|not valid JSON|truncated gzip).*\n$/],
      [['verify', '--golden', dir], /^apieval: .*: is a directory, not a file\n$/],
      [['score', '--input', file('nonutf8.jsonl', lines(5, 4)), '--output', join(dir, 'o.jsonl')], /^apieval: .*nonutf8\.jsonl:4: not valid UTF-8 \(byte 0xc3 at offset \d+\); save the file as UTF-8\n$/],
    ];
    for (const [args, msg] of cases) {
      const r = runCli(args);
      expect(r.stderr, args.join(' ')).toMatch(msg);
      expect(r.status, args.join(' ')).toBe(2);
    }
  });
});
