/**
 * No command writes over one of its inputs or into the data folder: each case below overwrote or wrote
 * there before (issue 15), and must now be a one-line error, exit 2, with the input byte for byte intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { APIBENCH } from './helpers/shared.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-outpaths-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

function refused(args: string[], kept: string[], message: RegExp): void {
  const before = kept.map((f) => readFileSync(f));
  const r = runCli(args, { env: { APIEVAL_CACHE_DIR: join(dir, 'cache'), OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' } });
  expect(r.stderr, args.join(' ')).toMatch(message);
  expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  expect(r.status, args.join(' ')).toBe(2);
  kept.forEach((f, i) => expect(readFileSync(f).equals(before[i]), f).toBe(true));
}

const PAIR = JSON.stringify({ id: 'a', reference: 'x = 1', prediction: 'x = 2' }) + '\n';

describe('an output is never an input', () => {
  it('score --output = --input, or a symlink to it', () => {
    const f = file('score/in.jsonl', PAIR);
    refused(['score', '--input', f, '--output', f], [f], /--output .*in\.jsonl: is the same file as --input/);
    const link = join(dir, 'score/link.jsonl');
    symlinkSync(f, link);
    refused(['score', '--input', f, '--output', link], [f], /--output .*link\.jsonl: is the same file as --input/);
    // A different file is written as before.
    const out = join(dir, 'score/out.jsonl');
    expect(runCli(['score', '--input', f, '--output', out, '--metrics', 'rouge']).status).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('exec (its results and its gold results), ast-match, feedback, reward score', () => {
    const progs = file('exec/p.jsonl', JSON.stringify({ id: 'a', code: 'print(1)' }) + '\n');
    refused(['exec', '--input', progs, '--output', progs], [progs], /--output .*p\.jsonl: is the same file as --input/);
    const gold = file('exec/run.gold.jsonl', JSON.stringify({ id: 'a', code: 'print(2)' }) + '\n');
    refused(['exec', '--input', progs, '--gold', gold, '--output', join(dir, 'exec/run.jsonl')], [progs, gold], /--output \(its gold results\) .*run\.gold\.jsonl: is the same file as --gold/);

    const resp = file('ast/resp.jsonl', JSON.stringify({ question_id: 1, text: 'x' }) + '\n');
    refused(['ast-match', '--responses', resp, '--output', resp, '--data-dir', APIBENCH], [resp], /--output .*resp\.jsonl: is the same file as --responses/);

    const pairs = file('fb/pairs.jsonl', JSON.stringify({ instruction: 'do', completion: 'x' }) + '\n');
    refused(['feedback', '--pairs', pairs, '--out', pairs, '--model', 'judge'], [pairs], /--out .*pairs\.jsonl: is the same file as --pairs/);
    const stats = file('fb/out.stats.json', '{"mine": true}\n');
    refused(['feedback', '--pairs', stats, '--out', join(dir, 'fb/out.jsonl'), '--model', 'judge'], [stats], /--out \(its statistics file\) .*out\.stats\.json: is the same file as --pairs/);

    refused(['reward', 'score', '--model', dir, '--pairs', pairs, '--out', pairs], [pairs], /--out .*pairs\.jsonl: is the same file as --pairs/);
  });

  it('eval: a candidate file where the run directory keeps its samples; leaderboard --out a run directory', () => {
    const run = join(dir, 'evalrun');
    const cand = file('evalrun/samples.jsonl', JSON.stringify({ question_id: 1, text: 'x' }) + '\n');
    refused(['eval', '--data-dir', APIBENCH, '--candidate', `m=${cand}`, '--no-exec', '--out', run], [cand], /--out .*evalrun: would overwrite .*samples\.jsonl, which is --candidate m/);
    refused(['leaderboard', run, '--out', run], [cand], /--out .*evalrun: is the same path as the run directory/);
  });

  it('generate: --questions is one of the answer files of this run', () => {
    const q = file('gen/mine.seed0.jsonl', JSON.stringify({ question_id: 1, text: 'What?' }) + '\n');
    refused(['generate', '--model', 'm', '--questions', q, '--out-dir', join(dir, 'gen'), '--run-name', 'mine'], [q], /--out-dir .*mine\.seed0\.jsonl: is the same file as --questions/);
  });
});

describe('nothing is written inside the data folder', () => {
  it('eval --out and ast-match --output inside the APIBench folder are refused, and nothing appears there', () => {
    const before = readdirSync(APIBENCH).sort();
    const resp = file('dd/resp.jsonl', JSON.stringify({ question_id: 1, text: 'x' }) + '\n');
    refused(['eval', '--data-dir', APIBENCH, '--candidate', `m=${resp}`, '--no-exec', '--out', join(APIBENCH, 'my-run')], [resp], /--out .*my-run: inside the data folder/);
    refused(['ast-match', '--responses', resp, '--output', join(APIBENCH, 'verdicts.jsonl'), '--data-dir', APIBENCH], [resp], /--output .*verdicts\.jsonl: inside the data folder/);
    expect(readdirSync(APIBENCH).sort()).toEqual(before);
  });
});
