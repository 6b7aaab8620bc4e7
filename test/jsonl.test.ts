import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { UserError } from '../core/errors.js';
import { JsonlAppender, readJsonl, readJsonlAll, writeFileAtomic } from '../core/jsonl.js';

const dir = mkdtempSync(join(tmpdir(), 'apieval-jsonl-'));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('JSONL input', () => {
  it('reads records with their 1-based line numbers, skipping blank lines and CRLF endings', () => {
    const p = file('ok.jsonl', '{"a":1}\r\n\n{"a":2}\n');
    expect(readJsonl(p)).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { a: 2 }, line: 3 },
    ]);
  });
  it('names the file and line of a malformed record', () => {
    const p = file('bad.jsonl', '{"a":1}\n{"a":\n');
    expect(() => readJsonl(p)).toThrow(UserError);
    expect(() => readJsonl(p)).toThrow(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON`));
  });
  it('rejects a line that is JSON but not an object', () => {
    const p = file('array.jsonl', '[1,2]\n');
    expect(() => readJsonl(p)).toThrow(/:1: expected a JSON object/);
  });
  it('rejects an empty file unless asked not to, and a missing file', () => {
    const p = file('empty.jsonl', '\n\n');
    expect(() => readJsonl(p)).toThrow(/is empty/);
    expect(readJsonl(p, { allowEmpty: true })).toEqual([]);
    expect(() => readJsonl(join(dir, 'nope.jsonl'))).toThrow(/no such file/);
  });
  it('streams gzip-compressed files and reports their bad lines too', async () => {
    const good = file('g.jsonl.gz', gzipSync('{"x":"é"}\n{"x":2}\n'));
    expect(await readJsonlAll(good)).toEqual([{ x: 'é' }, { x: 2 }]);
    const bad = file('b.jsonl.gz', gzipSync('{"x":1}\nnot json\n'));
    await expect(readJsonlAll(bad)).rejects.toThrow(/:2: not valid JSON/);
  });
});

describe('JSONL output', () => {
  it('appends whole lines and keeps what was written before', () => {
    const p = join(dir, 'out.jsonl');
    const a = new JsonlAppender(p);
    a.write({ id: 1 });
    a.close();
    const b = new JsonlAppender(p);
    b.write({ id: 2 });
    b.close();
    expect(readFileSync(p, 'utf8')).toBe('{"id":1}\n{"id":2}\n');
  });
  it('writes files atomically, leaving no temporary file behind', () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const p = join(sub, 'summary.json');
    writeFileAtomic(p, 'first');
    writeFileAtomic(p, 'second');
    expect(readFileSync(p, 'utf8')).toBe('second');
    expect(readdirSync(sub)).toEqual(['summary.json']);
  });

  it('writes a sequence of pieces (several ~1 MB writes) the same way, and leaves nothing when it fails', () => {
    const sub = join(dir, 'pieces');
    const p = join(sub, 'lines.jsonl');
    const lines = Array.from({ length: 30_000 }, (_, i) => `{"id":${i},"text":"${'é'.repeat(i % 50)}"}\n`);
    writeFileAtomic(p, lines);
    expect(readFileSync(p, 'utf8')).toBe(lines.join(''));
    const failing = (function* (): Iterable<string> {
      yield 'partial\n';
      throw new Error('boom');
    })();
    expect(() => writeFileAtomic(p, failing)).toThrow('boom');
    expect(readFileSync(p, 'utf8')).toBe(lines.join('')); // the old file is untouched
    expect(readdirSync(sub)).toEqual(['lines.jsonl']);
  });
});

describe('readResumeLines and cutTornTail (the one reader of a run’s own files)', () => {
  it('parses what it can, marks the torn last line, decodes a cut multi-byte character leniently', async () => {
    const { readResumeLines, cutTornTail } = await import('../core/jsonl.js');
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const d = mkdtempSync(join(tmpdir(), 'apieval-resume-'));
    const f = join(d, 'r.jsonl');
    expect(readResumeLines(join(d, 'none.jsonl'))).toEqual([]);
    cutTornTail(join(d, 'none.jsonl'));
    const torn = Buffer.concat([Buffer.from('{"a":1}\n\nnot json\n[1]\n{"b":"é'), Buffer.from([0xc3])]);
    writeFileSync(f, torn);
    const lines = readResumeLines(f);
    expect(lines.map((l) => [l.line, l.value, l.torn])).toEqual([
      [1, { a: 1 }, false],
      [3, undefined, false],
      [4, undefined, false],
      [5, undefined, true],
    ]);
    cutTornTail(f);
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n\nnot json\n[1]\n');
    cutTornTail(f);
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n\nnot json\n[1]\n');
  });
});
