// `apieval score` through the built CLI: output shape, agreement with the golden files, corpus level,
// options, and every kind of bad input (one line `file:line: message`, exit 2, nothing written).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO, runCli } from './helpers/cli.js';
import { sharedPath } from './helpers/shared.js';
import { readGolden } from '../harness/score/golden-files.js';
import { sameValue, type GoldenCorpusRecord, type GoldenPair } from '../metrics/golden.js';

let dir: string;
let pairs: GoldenPair[];
let rougePairs: Map<string, Record<string, unknown>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-score-'));
  pairs = await readGolden<GoldenPair>(sharedPath('golden', 'codebleu_pairs.jsonl.gz'));
  const rp = await readGolden<Record<string, unknown>>(sharedPath('golden', 'rouge_pairs.jsonl.gz'));
  rougePairs = new Map(rp.map((r) => [r.id as string, r]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string): string => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const readLines = (f: string): Record<string, any>[] => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const toInput = (ps: GoldenPair[]): string => ps.map((p) => JSON.stringify({ id: p.id, reference: p.reference, prediction: p.prediction })).join('\n') + '\n';

describe('apieval score (sentence level)', () => {
  it('scores the fixture: one line per input line, in order, errors per metric', () => {
    const out = join(dir, 'fx.jsonl');
    const r = runCli(['score', '--input', resolve(REPO, 'fixtures/score/pairs.jsonl'), '--output', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('codebleu|v:k4black-0.7.1|grammar:tree-sitter-python-0.23.6|w:0.25,0.25,0.25,0.25|level:sentence');
    const lines = readLines(out);
    expect(lines.map((l) => l.id)).toEqual(['loop', 'api', 'multi', 'comment', 'surrogate', 'empty']);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(['id', 'codebleu', 'rouge']);
      expect(Object.keys(l.rouge)).toEqual(['rouge1', 'rouge2', 'rougeL', 'rougeLsum']);
    }
    expect(Object.keys(lines[0].codebleu)).toEqual(['ngram_match', 'weighted_ngram_match', 'syntax_match', 'dataflow_match', 'codebleu']);
    // the lone surrogate fails CodeBLEU (as the Python reference raises) but not ROUGE
    expect(lines[4].codebleu.error).toMatch(/^UnicodeEncodeError: 'utf-8' codec can't encode character '\\ud800' in position 5/);
    expect(typeof lines[4].rouge.rouge1.fmeasure).toBe('number');
    // empty prediction: k4black's `dataflow or 1`
    expect(lines[5].codebleu.codebleu).toBe(0.25);
  });

  it('agrees with the golden files on a sample through the whole CLI (both variants, stemmer on and off)', () => {
    const sample = pairs.filter((_, i) => i % 7 === 0);
    const input = write('sample.jsonl', toInput(sample));
    for (const [variant, key, stem] of [['k4black', 'k4black', false], ['codexglue', 'cxg_modern', true]] as const) {
      const out = join(dir, `sample-${variant}.jsonl`);
      const args = ['score', '--input', input, '--output', out, '--codebleu-variant', variant];
      if (stem) args.push('--rouge-stemmer');
      const r = runCli(args);
      expect(r.status, r.stderr).toBe(0);
      const lines = readLines(out);
      expect(lines.length).toBe(sample.length);
      const bad: string[] = [];
      lines.forEach((l, i) => {
        const g = sample[i][key] as Record<string, unknown>;
        for (const f of ['ngram_match', 'weighted_ngram_match', 'syntax_match', 'dataflow_match', 'codebleu']) {
          const actual = 'error' in l.codebleu ? l.codebleu : l.codebleu[f];
          const expected = typeof g.codebleu === 'object' ? g.codebleu : g[f];
          if (!sameValue(actual, expected)) bad.push(`${l.id} codebleu.${f}`);
        }
        const gr = (rougePairs.get(l.id)!.rouge_score as any)[stem ? 'use_stemmer_true' : 'use_stemmer_false'];
        for (const t of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']) {
          for (const f of ['precision', 'recall', 'fmeasure']) if (!sameValue(l.rouge[t][f], gr[t][f])) bad.push(`${l.id} rouge.${t}.${f}`);
        }
      });
      expect(bad).toEqual([]);
    }
  });

  it('the parsing/ROUGE worker thread gives byte-identical output to one thread, for both variants', () => {
    // 3,200 pairs: enough for the worker (it starts from 1,000 distinct items) and for ROUGE to move
    // between the threads as their speeds change.
    const input = write('threads.jsonl', toInput(pairs.slice(0, 3200)));
    for (const extra of [[], ['--codebleu-variant', 'codexglue', '--rouge-stemmer']]) {
      const one = join(dir, 't1.jsonl');
      const two = join(dir, 't2.jsonl');
      const r1 = runCli(['score', '--input', input, '--output', one, ...extra], { env: { APIEVAL_SCORE_THREADS: '1' } });
      const r2 = runCli(['score', '--input', input, '--output', two, ...extra], { env: { APIEVAL_SCORE_THREADS: '2' } });
      expect(r1.status, r1.stderr).toBe(0);
      expect(r2.status, r2.stderr).toBe(0);
      expect(readFileSync(two, 'utf8')).toBe(readFileSync(one, 'utf8'));
    }
  });

  it('--metrics and --codebleu-weights', () => {
    const out = join(dir, 'w.jsonl');
    const fx = resolve(REPO, 'fixtures/score/pairs.jsonl');
    expect(runCli(['score', '--input', fx, '--output', out, '--metrics', 'rouge']).status).toBe(0);
    expect(Object.keys(readLines(out)[0])).toEqual(['id', 'rouge']);
    expect(runCli(['score', '--input', fx, '--output', out, '--metrics', 'codebleu', '--codebleu-weights', '0.1,0.2,0.3,0.4']).status).toBe(0);
    const l = readLines(out)[0].codebleu;
    const df = l.dataflow_match || 1; // k4black
    expect(l.codebleu).toBeCloseTo(0.1 * l.ngram_match + 0.2 * l.weighted_ngram_match + 0.3 * l.syntax_match + 0.4 * df, 15);
  });
});

describe('apieval score (corpus level)', () => {
  it('reproduces the golden corpus values of a subset', async () => {
    const corpus = await readGolden<GoldenCorpusRecord>(sharedPath('golden', 'codebleu_corpus.jsonl.gz'));
    const rc = await readGolden<Record<string, any>>(sharedPath('golden', 'rouge_corpus.jsonl.gz'));
    const byId = new Map(pairs.map((p) => [p.id, p]));
    const rec = corpus.find((c) => c.subset === 'hf_code/Gorilla_RT_0_shot')!;
    const input = write('corpus.jsonl', toInput(rec.ids.map((id) => byId.get(id)!)));
    const out = join(dir, 'corpus.json');
    const r = runCli(['score', '--input', input, '--output', out, '--level', 'corpus']);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(readFileSync(out, 'utf8'));
    expect(o.level).toBe('corpus');
    expect(o.n).toBe(rec.n);
    expect(o.signatures.codebleu).toBe('codebleu|v:k4black-0.7.1|grammar:tree-sitter-python-0.23.6|w:0.25,0.25,0.25,0.25|level:corpus');
    expect(o.signatures.rouge).toMatch(/\|agg:mean$/);
    const g = rec.k4black as Record<string, number>;
    for (const f of ['ngram_match', 'weighted_ngram_match', 'syntax_match', 'dataflow_match', 'codebleu']) expect(sameValue(o.codebleu[f], g[f]), f).toBe(true);
    const gr = rc.find((x) => x.subset === rec.subset)!.use_stemmer_false;
    for (const t of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']) {
      expect(sameValue(o.rouge[t].fmeasure, gr.mean_fmeasure[t])).toBe(true);
      expect(sameValue(o.rouge[t].precision, gr.mean_precision[t])).toBe(true);
      expect(sameValue(o.rouge[t].recall, gr.mean_recall[t])).toBe(true);
    }
  });

  it('one lone surrogate makes corpus CodeBLEU an error, as in the reference', () => {
    const out = join(dir, 'fxc.json');
    const r = runCli(['score', '--input', resolve(REPO, 'fixtures/score/pairs.jsonl'), '--output', out, '--level', 'corpus']);
    expect(r.status, r.stderr).toBe(0);
    const o = JSON.parse(readFileSync(out, 'utf8'));
    expect(o.codebleu.error).toMatch(/^UnicodeEncodeError/);
    expect(typeof o.rouge.rougeL.fmeasure).toBe('number');
  });
});

describe('apieval score: bad input', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed JSON', '{"id":"a","reference":"x","prediction":"y"}\n{"id": "b", "reference": \n', /bad\.jsonl:2: not valid JSON/],
    ['missing prediction', '{"id":"a","reference":"x"}\n', /bad\.jsonl:1: missing field "prediction"/],
    ['missing id', '{"reference":"x","prediction":"y"}\n', /bad\.jsonl:1: missing field "id"/],
    ['non-string prediction', '{"id":"a","reference":"x","prediction":3}\n', /bad\.jsonl:1: "prediction" must be a string, got a number/],
    ['bad reference list', '{"id":"a","reference":["x",null],"prediction":"y"}\n', /bad\.jsonl:1: "reference"\[1\] must be a string, got null/],
    ['empty reference list', '{"id":"a","reference":[],"prediction":"y"}\n', /bad\.jsonl:1: "reference" is an empty array/],
    ['object reference', '{"id":"a","reference":{"x":1},"prediction":"y"}\n', /bad\.jsonl:1: "reference" must be a string or an array of strings, got an object/],
    ['duplicate id', '{"id":"a","reference":"x","prediction":"y"}\n{"id":"a","reference":"x","prediction":"y"}\n', /bad\.jsonl:2: duplicate id "a" \(first on line 1\)/],
    ['not an object', '[1,2]\n', /bad\.jsonl:1: expected a JSON object/],
    ['empty file', '\n\n', /bad\.jsonl: is empty/],
  ];
  for (const [name, text, re] of cases) {
    it(name, () => {
      const input = write('bad.jsonl', text);
      const out = join(dir, 'never.jsonl');
      const r = runCli(['score', '--input', input, '--output', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('a failed run leaves an existing output file untouched', () => {
    const out = write('keep.jsonl', 'previous\n');
    const input = write('bad2.jsonl', '{"id":"a","reference":"x","prediction":"y"}\nnope\n');
    expect(runCli(['score', '--input', input, '--output', out]).status).toBe(2);
    expect(readFileSync(out, 'utf8')).toBe('previous\n');
  });

  it('rejects bad options with one line and exit 2', () => {
    const fx = resolve(REPO, 'fixtures/score/pairs.jsonl');
    const out = join(dir, 'never2.jsonl');
    for (const [args, re] of [
      [['--metrics', 'bleu'], /--metrics: unknown metric 'bleu'/],
      [['--codebleu-variant', 'gorilla'], /--codebleu-variant: unknown variant 'gorilla'/],
      [['--codebleu-weights', '0.5,0.5'], /--codebleu-weights: expected four comma-separated numbers/],
      [['--level', 'document'], /--level: expected sentence or corpus/],
    ] as [string[], RegExp][]) {
      const r = runCli(['score', '--input', fx, '--output', out, ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(re);
    }
    const missing = runCli(['score', '--input', join(dir, 'nope.jsonl'), '--output', out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: no such file/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('score with - for standard input and output', () => {
  it('reads the pairs from stdin and writes the same bytes to stdout as to a file; errors name <stdin>', () => {
    const d = mkdtempSync(join(tmpdir(), 'apieval-stdio-'));
    const lines = [
      { id: 1, reference: 'import torch\nm = torch.hub.load("a", "b")', prediction: 'import torch\nm = torch.hub.load("a", "c")' },
      { id: 'two', reference: ['x = 1', 'x = 2'], prediction: 'x = 1' },
    ].map((r) => JSON.stringify(r) + '\n').join('');
    const f = join(d, 'in.jsonl');
    writeFileSync(f, lines);
    expect(runCli(['score', '--input', f, '--output', join(d, 'out.jsonl')]).status).toBe(0);
    const r = runCli(['score', '--input', '-', '--output', '-'], { input: lines });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(d, 'out.jsonl'), 'utf8'));
    expect(r.stderr).toMatch(/^apieval score: 2 item\(s\) -> standard output/);
    const bad = runCli(['score', '--input', '-', '--output', join(d, 'x.jsonl')], { input: lines + '{"id": 3, "reference": "a"}\n' });
    expect(bad.stderr).toBe('apieval: <stdin>:3: missing field "prediction"\n');
    expect(bad.status).toBe(2);
    expect(existsSync(join(d, 'x.jsonl'))).toBe(false);
    rmSync(d, { recursive: true, force: true });
  });
});
