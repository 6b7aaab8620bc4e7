// `apieval generate` and `apieval feedback` end to end through the built CLI, against the local
// OpenAI-compatible server running in its own process (runCli blocks this one), with injected failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, REPO } from './helpers/cli.js';
import { FakeOpenAIProcess } from './helpers/openai-server.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { loadResponses } from '../harness/datasets/apibench.js';

let dir: string;
let server: FakeOpenAIProcess;
beforeAll(async () => {
  sharedPath('apibench');
  dir = mkdtempSync(join(tmpdir(), 'apieval-cli-'));
  server = await FakeOpenAIProcess.start();
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = { APIEVAL_DATA_DIR: APIBENCH, OPENAI_BASE_URL: '', OPENAI_API_KEY: '', APIEVAL_MODEL: '', APIEVAL_CACHE_DIR: '' };

function gen(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(['generate', '--base-url', server.url, '--cache-dir', join(dir, 'cache'), '--out-dir', join(dir, 'out'), '--retry-base', '5', '--timeout', '3', ...args], { env: { ...env, ...extraEnv } });
}

describe('apieval generate (CLI)', () => {
  it('survives 429/500/hang/malformed, writes one Gorilla response file per seed, reruns from the cache', async () => {
    await server.setOptions({ faults: { 2: { kind: '429', retryAfter: '1' }, 3: { kind: '500' }, 5: { kind: 'hang' }, 7: { kind: 'malformed' } } });
    const before = (await server.stats()).requests;
    const r = gen(['--model', 'fake-7b', '--limit', '8', '--concurrency', '2', '--seed', '1,2', '--retriever', 'bm25', '--price', '0.5,1.5']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/questions 8, tasks 16: 0 already on disk, 0 from cache, 16 requested \(20 HTTP attempts, 4 retries\), 0 failed/);
    expect(r.stdout).toMatch(/cost: \$\d+\.\d{6}/);
    const f1 = join(dir, 'out', 'huggingface_fake-7b_bm25.seed1.jsonl');
    const f2 = join(dir, 'out', 'huggingface_fake-7b_bm25.seed2.jsonl');
    expect(r.stdout).toContain(`wrote ${f1}`);
    const recs = loadResponses(f1);
    expect(recs.map((x) => x.question_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(loadResponses(f2)).toHaveLength(8);
    expect((await server.stats()).requests - before).toBe(20);
    const manifest = JSON.parse(readFileSync(join(dir, 'out', 'huggingface_fake-7b_bm25.run.json'), 'utf8'));
    expect(manifest).toMatchObject({ complete: true, counts: { requests: 16, retries: 4 }, transient_errors: { http_429: 1, http_5xx: 1, timeout: 1, malformed: 1 }, price_per_million: { input: 0.5, output: 1.5 } });
    expect(manifest.cost_usd).toBeCloseTo((manifest.usage.prompt_tokens * 0.5 + manifest.usage.completion_tokens * 1.5) / 1e6, 12);
    const text1 = readFileSync(f1, 'utf8');

    // Rerun without the outputs: no request reaches the server.
    rmSync(join(dir, 'out'), { recursive: true });
    const again = gen(['--model', 'fake-7b', '--limit', '8', '--concurrency', '2', '--seed', '1,2', '--retriever', 'bm25', '--json']);
    expect(again.status).toBe(0);
    const s = JSON.parse(again.stdout);
    expect(s.counts).toMatchObject({ cache_hits: 16, requests: 0 });
    expect(s.cost_usd).toBe('unknown');
    expect((await server.stats()).requests - before).toBe(20);
    expect(readFileSync(f1, 'utf8')).toBe(text1);
  });

  it('the generated file is scored directly by apieval ast-match', () => {
    const f = join(dir, 'out', 'huggingface_fake-7b_bm25.seed1.jsonl');
    const out = join(dir, 'ast.jsonl');
    const r = runCli(['ast-match', '--responses', f, '--output', out, '--hub', 'huggingface', '--data-dir', APIBENCH]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    const verdicts = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(verdicts).toHaveLength(8);
    // The fake model calls the BM25-retrieved API, which exists in the database: never a hallucination.
    expect(verdicts.every((v) => v.hallucination === false)).toBe(true);
  });

  it('apieval feedback labels that file and reports agreement with the AST verdicts', async () => {
    const before = (await server.stats()).requests;
    const f = join(dir, 'out', 'huggingface_fake-7b_bm25.seed1.jsonl');
    const out = join(dir, 'fb', 'rm.jsonl');
    const args = ['feedback', '--responses', f, '--base-url', server.url, '--model', 'judge-70b', '--cache-dir', join(dir, 'cache'), '--out', out, '--threshold', '6', '--logprobs', '--ast', join(dir, 'ast.jsonl'), '--retry-base', '5'];
    const r = runCli(args, { env });
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/labelled 8\/8: accepted \d+, rejected \d+/);
    expect(r.stdout).toMatch(/agreement with ast: n 8 \(unmatched 0\), tp \d+ fp \d+ fn \d+ tn \d+, accuracy \d\.\d{4}, Cohen's kappa (\d|-|n\/a)/);
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(8);
    expect(Object.keys(rows[0])).toEqual(['id', 'question_id', 'prompt', 'completion', 'label', 'score', 'p_yes_mean', 'unparsed', 'answers']);
    expect(rows.every((x) => x.label === (x.score >= 6 ? 1 : 0) && typeof x.p_yes_mean === 'number')).toBe(true);
    const stats = JSON.parse(readFileSync(join(dir, 'fb', 'rm.stats.json'), 'utf8'));
    expect(stats.agreement.ast.n).toBe(8);
    expect(stats.accepted + stats.rejected).toBe(8);
    expect((await server.stats()).requests - before).toBe(64);
    // Rerun: from the cache.
    const again = runCli(args, { env });
    expect(again.status).toBe(0);
    expect((await server.stats()).requests - before).toBe(64);
    expect(again.stdout).toMatch(/64 needed, 64 from cache, 0 sent/);
  });

  it('user mistakes are one-line errors with exit code 2', () => {
    const noModel = gen(['--limit', '1']);
    expect(noModel.status).toBe(2);
    expect(noModel.stderr.trim()).toBe('apieval: no model given: pass --model NAME or set APIEVAL_MODEL');
    const style = gen(['--model', 'm', '--api', 'completions', '--prompt-style', 'gorilla-chat']);
    expect(style.status).toBe(2);
    expect(style.stderr).toMatch(/gorilla-chat needs --api chat/);
    expect(gen(['--model', 'm', '--temperature', 'hot']).stderr).toMatch(/--temperature 'hot': expected a number/);
    expect(gen(['--model', 'm', '--base-url', 'ftp://x']).stderr).toMatch(/not an http\(s\) URL/);
    const q = join(dir, 'q.jsonl');
    writeFileSync(q, '{"question_id": 1, "text": "a"}\n{"question_id": "x", "text": "b"}\n');
    const badQ = gen(['--model', 'm', '--questions', q]);
    expect(badQ.status).toBe(2);
    expect(badQ.stderr).toMatch(/q\.jsonl:2: /);
    const fb = runCli(['feedback', '--out', join(dir, 'x.jsonl'), '--model', 'j', '--base-url', server.url], { env });
    expect(fb.status).toBe(2);
    expect(fb.stderr).toMatch(/pass exactly one of --responses FILE or --pairs FILE/);
  });

  it('a permanent HTTP error exits 1 naming the question, and the rerun completes', async () => {
    await server.setOptions({ faults: {} });
    const base = (await server.stats()).requests;
    await server.setOptions({ faults: { [base + 2]: { kind: '400' } } });
    const args = ['--model', 'fail-model', '--limit', '3', '--concurrency', '1', '--run-name', 'perm'];
    const r = gen(args);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/1 request\(s\) failed \(first: question 2: HTTP 400/);
    expect(r.stdout).toMatch(/incomplete: answers so far are in .*perm\.seed0\.jsonl\.partial/);
    const again = gen(args);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/2 already on disk, 0 from cache, 1 requested/);
    expect(loadResponses(join(dir, 'out', 'perm.seed0.jsonl')).map((x) => x.question_id)).toEqual([1, 2, 3]);
  });

  it('Ctrl-C cancels cleanly: exit 130, finished answers on disk, the rerun resumes', async () => {
    await server.setOptions({ faults: {}, delayMs: 150 });
    const args = [resolve(REPO, 'bin/apieval.js'), 'generate', '--base-url', server.url, '--no-cache', '--out-dir', join(dir, 'out'), '--model', 'slow', '--limit', '30', '--concurrency', '2', '--run-name', 'sigint'];
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const partial = join(dir, 'out', 'sigint.seed0.jsonl.partial');
    while (!(existsSync(partial) && readFileSync(partial, 'utf8').split('\n').length > 4)) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: finished answers are saved; rerun the same command to resume/);
    const lines = readFileSync(partial, 'utf8').trim().split('\n');
    const done = lines.map((l) => JSON.parse(l).question_id as number);
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect(done.length).toBeLessThan(30);
    expect(existsSync(join(dir, 'out', 'sigint.seed0.jsonl'))).toBe(false);
    await server.setOptions({ delayMs: 0 });
    const r = runCli(args.slice(1), { env });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`questions 30, tasks 30: ${done.length} already on disk, 0 from cache, ${30 - done.length} requested`);
    expect(loadResponses(join(dir, 'out', 'sigint.seed0.jsonl')).map((x) => x.question_id)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  });
});
