/**
 * Sharded evaluation (issue 14): `eval --shard K/N` for N = 1, 3, 7 and `merge` give the unsharded run
 * directory byte for byte (samples, summary, gold gate; the manifest apart from command and timings); merge
 * refuses a missing shard, a duplicated one, a shard of another configuration and an unfinished one; a shard
 * is not a leaderboard input. With the sandbox: the gold gate runs each reference once over all shards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval } from '../harness/runs/run.js';
import { mergeShards } from '../harness/runs/merge.js';
import { assignShards, parseShard } from '../harness/runs/shard.js';
import { ftEvalOptions } from './helpers/eval-options.js';
import { REPO, runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const tmp = mkdtempSync(join(tmpdir(), 'apieval-shard-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ids = Array.from({ length: 60 }, (_, i) => i + 1);
const questions = { spec: 'first 60', label: 'questions 1–60', ids };
const BM25 = sharedPath('apibench', 'responses', 'huggingface', 'response_huggingface_Gorilla_FT_bm25.jsonl');
const options = (outDir: string, over: Parameters<typeof ftEvalOptions>[1] = {}) =>
  ftEvalOptions(outDir, { jobs: 1, questions, candidates: [{ name: 'ft', files: [sharedPath('apibench', 'responses', 'huggingface', 'response_huggingface_Gorilla_FT_0_shot.jsonl')] }, { name: 'bm25', files: [BM25] }], ...over });
const read = (d: string, f: string) => readFileSync(join(d, f), 'utf8');
const manifestCore = (d: string) => {
  const { command: _c, timings: _t, ...rest } = JSON.parse(read(d, 'manifest.json'));
  return rest;
};

describe('split', () => {
  it('parses K/N and balances questions by cost, deterministically', () => {
    expect(parseShard('3/8')).toEqual({ k: 3, n: 8 });
    for (const bad of ['0/3', '4/3', '3', 'a/b', '1/0', '1/10001']) expect(() => parseShard(bad), bad).toThrow(/expected K\/N/);
    const cost = new Map([[1, 10], [2, 9], [3, 8], [4, 1], [5, 1], [6, 1]]);
    const a = assignShards(cost, 3);
    expect([...a.entries()].sort((x, y) => x[0] - y[0])).toEqual([[1, 1], [2, 2], [3, 3], [4, 3], [5, 2], [6, 3]]);
    expect(assignShards(cost, 3)).toEqual(a);
  });
});

describe('eval --shard K/N + merge', () => {
  const whole = join(tmp, 'whole');
  beforeAll(async () => {
    await runEval(options(whole));
  }, 120_000);

  for (const n of [1, 3, 7]) {
    it(`N = ${n}: the merged run equals the unsharded one byte for byte`, async () => {
      const dirs: string[] = [];
      for (let k = 1; k <= n; k++) {
        const d = join(tmp, `n${n}-s${k}`);
        await runEval(options(d, { shard: { k, n } }));
        dirs.push(d);
      }
      const out = join(tmp, `n${n}-merged`);
      mergeShards(dirs.reverse(), out, 'test');
      for (const f of ['samples.jsonl', 'summary.json']) expect(read(out, f), f).toBe(read(whole, f));
      expect(manifestCore(out)).toEqual(manifestCore(whole));
      expect(JSON.stringify(manifestCore(out))).toBe(JSON.stringify(manifestCore(whole)));
    }, 300_000);
  }

  it('refuses a missing shard, a duplicate, another configuration, an unfinished shard; a shard is no leaderboard', async () => {
    const s = (k: number) => join(tmp, `n3-s${k}`);
    const merge = (...dirs: string[]) => runCli(['merge', ...dirs, '--out', join(tmp, 'refused'), '--no-report']);
    let r = merge(s(1), s(3));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('apieval: shard 2/3 missing (given: 1/3, 3/3)\n');
    r = merge(s(1), s(2), s(3), s(2));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^apieval: shard 2\/3 given twice: .*n3-s2 and .*n3-s2\n$/);
    const other = join(tmp, 'other-s2');
    await runEval(options(other, { shard: { k: 2, n: 3 }, config: { codebleuVariant: 'codexglue' } }));
    r = merge(s(1), other, s(3));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/other-s2: a shard of another run than .*n3-s1 \(its config differs\)/);
    const unfinished = join(tmp, 'unfinished-s2');
    cpSync(s(2), unfinished, { recursive: true });
    const m = JSON.parse(read(unfinished, 'manifest.json'));
    writeFileSync(join(unfinished, 'manifest.json'), JSON.stringify({ ...m, timings: { ...m.timings, finished_at: null } }));
    r = merge(s(1), unfinished, s(3));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard 2\/3 did not finish/);
    r = merge(s(1), whole, s(3));
    expect(r.stderr).toMatch(/whole: not a shard/);
    r = runCli(['leaderboard', s(1), '--out', join(tmp, 'lb')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard 1\/3 of a sharded run, not a whole one; join the shards first/);
    // A shard's folder is not reused for another shard.
    r = runCli(['eval', '--data-dir', APIBENCH, '--candidate', `ft=${BM25}`, '--no-exec', '--shard', '1/2', '--out', s(1)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds shard 1\/3, not shard 1\/2; use another --out folder/);
  }, 300_000);
});

describe.skipIf(SKIP_DOCKER)('sharded with the sandbox', () => {
  beforeAll(async () => {
    await requireSandbox('base');
  });
  it('3 shards with execution and the gold gate merge to the unsharded run, gold gate included', () => {
    const f = join(REPO, 'fixtures/runs/exec_example.jsonl');
    const args = (out: string, extra: string[] = []) => ['eval', '--data-dir', APIBENCH, '--candidate', `ex=${f}`, '--out', out, '--timeout-s', '20', '--quiet', '--no-report', ...extra];
    const whole = join(tmp, 'exec-whole');
    expect(runCli(args(whole)).status).toBe(0);
    const dirs = [1, 2, 3].map((k) => join(tmp, `exec-s${k}`));
    dirs.forEach((d, i) => {
      const r = runCli(args(d, ['--shard', `${i + 1}/3`]));
      expect(r.status, r.stderr).toBe(0);
    });
    const out = join(tmp, 'exec-merged');
    const r = runCli(['merge', ...dirs, '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    for (const x of ['samples.jsonl', 'gold.jsonl', 'summary.json']) expect(read(out, x), x).toBe(read(whole, x));
    expect(manifestCore(out)).toEqual(manifestCore(whole));
    // Each reference program ran in exactly one shard.
    const golds = dirs.map((d) => read(d, 'gold.jsonl').trim().split('\n').filter(Boolean).length);
    expect(golds.reduce((a, b) => a + b, 0)).toBe(5);
    expect(JSON.parse(read(join(out, 'report'), 'leaderboard.json')).metrics.map((m: { key: string }) => m.key)).toContain('exec');
  }, 300_000);
});

describe('--shard on the command line', () => {
  it('is refused at parse time, before any data is looked for', () => {
    const r = runCli(['eval', '--gorilla-responses', '--no-exec', '--shard', '0/3', '--out', join(tmp, 'never')], { env: { ...process.env, APIEVAL_DATA_DIR: '/nonexistent' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("apieval: --shard '0/3': expected K/N with 1 ≤ K ≤ N ≤ 10000 (e.g. 3/8)\n");
  });
});
