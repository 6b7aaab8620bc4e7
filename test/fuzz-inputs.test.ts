/**
 * Fuzzing every input reader and option parser (issue 15): thousands of generated inputs — malformed JSON,
 * wrong types, huge and empty values, NUL bytes, invalid UTF-8, BOMs, CRLF and lone CR, duplicate ids,
 * truncated gzip. The property for a reader: it returns, or it throws a UserError whose message is one
 * line naming the file (and, where it names a line, a line the file has). Never another exception (that
 * is the CLI's "internal error (please report)" with a stack trace). Through the CLI: exit 0 with a
 * complete output, or exit 2 with exactly one line naming the file and no output file written.
 *
 * Seeded (the same inputs every run) and bounded (runs and seconds), so it belongs in the normal test run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../core/errors.js';
import { readJsonl, readJsonlAll, readTextFile } from '../core/jsonl.js';
import { readScoreInput } from '../harness/score/input.js';
import { readPrograms } from '../harness/cli/runners/exec.js';
import { loadEvalFile, loadQuestionsFile, loadResponses, loadApiDbFile } from '../harness/datasets/apibench.js';
import { readOutcomes, samplesFromPairs } from '../harness/producers/feedback.js';
import { readLabels, readPairs } from '../trainers/reward.js';
import { loadRubric } from '../harness/producers/rubric.js';
import { loadPriceTable } from '../harness/producers/pricing.js';
import { loadRlaifConfig } from '../harness/rlaif/config.js';
import { decimal, integer, parseNumeric, type NumericRange } from '../harness/cli/numeric-options.js';
import { runCli } from './helpers/cli.js';

const SEED = 20261207;
const dir = mkdtempSync(join(tmpdir(), 'apieval-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- generators -------------------------------------------------------------------------------------

/** Values of the types the readers see, and the wrong ones: strings with NUL, surrogates and huge runs. */
const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', '\u0000', 'x'.repeat(5000), '\ud800', 'print(1)', '<<<code>>>: x = 1', '<<<api_call>>>: pipeline("x")'),
  fc.integer({ min: -3, max: 2000 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.oneof({ maxDepth: 2 }, scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 3 }));
/** An object with the field names every reader looks for, each present or not, with any type. */
const FIELDS = ['id', 'question_id', 'reference', 'prediction', 'code', 'text', 'instruction', 'completion', 'prompt', 'chosen', 'rejected', 'label', 'score', 'status', 'correct', 'api_call', 'api_data', 'domain', 'questions', 'name', 'version', 'input', 'output', 'sft', 'stages'];
const record = fc.dictionary(fc.constantFrom(...FIELDS), value, { maxKeys: 6 }).map((o) => JSON.stringify(o));
/** Valid records of each reader's format, then 0–2 fields replaced by any value or removed: inputs that get past the first checks. */
const TEMPLATES: Record<string, unknown>[] = [
  { id: 'a', reference: 'x = 1', prediction: 'x = 2' },
  { id: 3, reference: ['x = 1', 'y'], prediction: 'x = 1' },
  { id: 'a', code: 'print(1)' },
  { question_id: 1, text: '<<<domain>>>: NLP <<<api_call>>>: pipeline("x") <<<code>>>: x = 1' },
  { question_id: 2, text: 'What is it?' },
  { instruction: 'do', completion: 'x' },
  { prompt: 'p', chosen: 'a', rejected: 'b' },
  { prompt: 'p', completion: 'c', label: 1, score: 0.5, question_id: 4 },
  { question_id: 1, correct: true, hallucination: false },
  { id: 'a', status: 'ok' },
];
const nearValid = fc
  .tuple(fc.constantFrom(...TEMPLATES), fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.option(value, { freq: 3 })), { maxLength: 2 }), fc.nat(5))
  .map(([t, edits, id]) => {
    const o: Record<string, unknown> = { ...t };
    if ('id' in o && typeof o.id === 'string') o.id = `s${id}`;
    if ('question_id' in o) o.question_id = id + 1;
    for (const [k, v] of edits) {
      if (v === null) delete o[k];
      else o[k] = v;
    }
    return JSON.stringify(o);
  });
const line = fc.oneof(
  { weight: 6, arbitrary: nearValid },
  { weight: 3, arbitrary: record },
  fc.json({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('', '   ', '{', '}', '[]', 'null', '"s"', '{"id": 1,}', '{"id":1}{"id":2}', '\u0000', '\uFEFF{"id":1}'),
);
const separator = fc.constantFrom('\n', '\r\n', '\r', '\n\n');

/** Bytes of a JSONL file: lines (some repeated, for duplicate ids) joined, then perhaps damaged. */
const jsonlBytes = fc
  .tuple(fc.array(line, { maxLength: 8 }), separator, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.constantFrom(0xff, 0xc3, 0x80, 0xed, 0x00, 0x0a, 0x0d)), { maxLength: 3 }), fc.option(fc.nat(), { freq: 4 }))
  .map(([ls, sep, repeat, inserts, cut]) => {
    const all = repeat && ls.length ? [...ls, ls[0]] : ls;
    let b = Buffer.from(all.join(sep) + (all.length ? sep : ''), 'utf8');
    for (const [at, byte] of inserts) {
      const k = b.length ? at % (b.length + 1) : 0;
      b = Buffer.concat([b.subarray(0, k), Buffer.from([byte]), b.subarray(k)]);
    }
    if (cut !== null && b.length) b = b.subarray(0, cut % b.length);
    return b;
  });
/** A whole JSON document (rubric, price table, rlaif config), the same way. */
const jsonBytes = fc.oneof(fc.json({ maxDepth: 3 }), record, fc.string({ unit: 'binary', maxLength: 40 })).chain((t) =>
  fc.tuple(fc.constant(t), fc.boolean(), fc.option(fc.nat(), { freq: 4 })).map(([text, bom, cut]) => {
    let b = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8');
    if (cut !== null && b.length) b = Buffer.concat([b.subarray(0, cut % b.length), Buffer.from([0xff])]);
    return b;
  }),
);

// ---- the property -----------------------------------------------------------------------------------

let n = 0;
function fileWith(bytes: Uint8Array, ext = '.jsonl'): string {
  const p = join(dir, `in${n++}${ext}`);
  writeFileSync(p, bytes);
  return p;
}

/** Lines a file has, counted as the readers count them (\n-separated; a last line without \n counts). */
function lineCount(bytes: Uint8Array): number {
  let k = 1;
  for (const b of bytes) if (b === 10) k++;
  return k;
}

/** Calls the reader: a result, or a one-line UserError naming the file (and an existing line). */
async function answersCleanly(read: (file: string) => unknown, file: string, bytes: Uint8Array): Promise<void> {
  try {
    await read(file);
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`${file}: not a UserError: ${(e as Error)?.stack ?? e}`);
    expect(e.message).not.toMatch(/\n/);
    expect(e.message.startsWith(`${file}:`) || e.message.startsWith(`${file} `), e.message).toBe(true);
    const m = /^[^:]+:(\d+):/.exec(e.message);
    if (m) expect(Number(m[1])).toBeGreaterThanOrEqual(1), expect(Number(m[1])).toBeLessThanOrEqual(lineCount(bytes));
  }
}

const JSONL_READERS: [string, (f: string) => unknown][] = [
  ['readJsonl', (f) => readJsonl(f)],
  ['score input', readScoreInput],
  ['exec programs', readPrograms],
  ['responses', loadResponses],
  ['questions', loadQuestionsFile],
  ['eval file', loadEvalFile],
  ['api database', loadApiDbFile],
  ['feedback pairs', samplesFromPairs],
  ['ast outcomes', (f) => readOutcomes(f, 'ast')],
  ['exec outcomes', (f) => readOutcomes(f, 'exec')],
  ['reward labels', readLabels],
  ['reward pairs', readPairs],
];
const JSON_READERS: [string, (f: string) => unknown][] = [
  ['rubric', (f) => loadRubric(f)],
  ['price table', (f) => loadPriceTable(f, 'm')],
  ['rlaif config', loadRlaifConfig],
  ['text file', readTextFile],
];
const RUNS = { seed: SEED, numRuns: 300, interruptAfterTimeLimit: 15_000 };

describe('fuzzed input files', () => {
  for (const [name, read] of JSONL_READERS) {
    it(`${name}: a result or one line naming the file`, async () => {
      await fc.assert(
        fc.asyncProperty(jsonlBytes, async (bytes) => answersCleanly(read, fileWith(bytes), bytes)),
        RUNS,
      );
    });
  }
  for (const [name, read] of JSON_READERS) {
    it(`${name}: a result or one line naming the file`, async () => {
      await fc.assert(fc.asyncProperty(jsonBytes, async (bytes) => answersCleanly(read, fileWith(bytes, '.json'), bytes)), RUNS);
    });
  }
  it('gzip JSONL (golden files): whole, truncated anywhere, or with flipped bytes', async () => {
    const gz = fc.tuple(jsonlBytes, fc.option(fc.nat(), { freq: 2 }), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { freq: 2 })).map(([b, cut, flip]) => {
      let z = Buffer.from(gzipSync(b));
      if (cut !== null) z = z.subarray(0, cut % z.length);
      if (flip !== null && z.length) z[flip[0] % z.length] ^= flip[1];
      return z;
    });
    // Line numbers in a gzip file's errors count decompressed lines, so only the file name is checked.
    await fc.assert(fc.asyncProperty(gz, async (z) => answersCleanly(readJsonlAll, fileWith(z, '.jsonl.gz'), new Uint8Array(1 << 20).fill(10))), RUNS);
  });
});

describe('fuzzed numeric options', () => {
  const range: fc.Arbitrary<NumericRange> = fc.oneof(
    fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.nat(10_000)).map(([lo, w]) => integer(lo, lo + w)),
    fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), fc.boolean()).map(([lo, w, ex]) => decimal(lo, lo + w, { minExclusive: ex })),
  );
  const raw = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.integer().map(String), fc.double().map(String), fc.constantFrom('', ' 1', '1e3', '0x10', '-0', '+5', '.5', '5.', 'Infinity', '1_000', '٣'));
  it('a number inside the range, or one line naming the flag', () => {
    fc.assert(
      fc.property(range, raw, (r, v) => {
        try {
          const x = parseNumeric('--opt', v, r);
          expect(Number.isFinite(x)).toBe(true);
          expect(r.minExclusive ? x > r.min : x >= r.min).toBe(true);
          expect(x <= r.max).toBe(true);
          if (r.integer) expect(Number.isInteger(x)).toBe(true);
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          expect(e.message).toMatch(/^--opt .*(expected an? (integer|number)|out of range)/s);
          expect(e.message.split('\n').length).toBeLessThanOrEqual(1 + (v.match(/\n/g)?.length ?? 0));
        }
      }),
      { seed: SEED, numRuns: 5000 },
    );
  });
});

describe('fuzzed inputs through the CLI', () => {
  it('score: exit 0 with one output line per pair, or exit 2 with one line naming the file and nothing written', () => {
    fc.assert(
      fc.property(jsonlBytes, (bytes) => {
        const input = fileWith(bytes);
        const output = join(dir, `out${n++}.jsonl`);
        const r = runCli(['score', '--input', input, '--output', output, '--metrics', 'rouge']);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        if (r.status === 0) {
          const out = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
          expect(out.length).toBe(readScoreInput(input).length);
        } else {
          expect(r.status).toBe(2);
          expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
          expect(r.stderr.startsWith(`apieval: ${input}`), r.stderr).toBe(true);
          expect(existsSync(output)).toBe(false);
        }
      }),
      { seed: SEED, numRuns: 25 },
    );
  });
});
