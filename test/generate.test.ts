// apieval generate's machinery against a real OpenAI-compatible HTTP server on 127.0.0.1 (in this process):
// retries with retry-after, 500s, hangs past the timeout, malformed bodies; nothing lost; the cache; resume.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callWithRetry, Cancelled, DEFAULT_RETRY, makeClient, newStats, parseRetryAfter, RequestFailed, type RetryPolicy } from '../harness/producers/openai-call.js';
import { runGenerate, type GenerateOptions } from '../harness/producers/generate.js';
import { loadQuestions, loadResponses } from '../harness/datasets/apibench.js';
import { extractResponse } from '../harness/datasets/extract.js';
import { startFakeOpenAI, generationAnswer, type FakeOpenAI, type FakeOptions } from './helpers/openai-server.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';

// The timeout is generous for a local server so a loaded CI machine does not add retries the counts do not expect.
const FAST: RetryPolicy = { ...DEFAULT_RETRY, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, maxRetries: 4 };

let dir: string;
let server: FakeOpenAI;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-gen-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(opts: FakeOptions = {}): Promise<FakeOpenAI> {
  server = await startFakeOpenAI(opts);
  return server;
}

const chatBody = { model: 'm', messages: [{ role: 'user', content: 'hello' }] };

describe('callWithRetry', () => {
  it('honours retry-after (seconds) and retry-after-ms exactly', async () => {
    const s = await serve({ faults: { 1: { kind: '429', retryAfter: '1' }, 2: { kind: '429', retryAfterMs: '30' } } });
    const stats = newStats();
    const r = await callWithRetry(makeClient(s.url, 'k'), 'chat', chatBody, FAST, new AbortController().signal, stats);
    expect(r.choices[0].text).toBe(generationAnswer('user: hello', '||0'));
    expect(stats.waits).toEqual([
      { kind: 'http_429', ms: 1000, retryAfter: true },
      { kind: 'http_429', ms: 30, retryAfter: true },
    ]);
    expect(s.stats.requests).toBe(3);
    expect(stats).toMatchObject({ attempts: 3, retries: 2, transient: { http_429: 2 } });
  });

  it('a retry-after pauses every worker of the run, not only the one told', async () => {
    const s = await serve({ faults: { 1: { kind: '429', retryAfterMs: '300' } }, delayMs: 20 });
    const stats = newStats();
    const c = makeClient(s.url, 'k');
    const sig = new AbortController().signal;
    // Two lanes: the first request is rate-limited; the second lane's next request must wait for the pause.
    const lane = async (k: number): Promise<void> => {
      for (let i = 0; i < 3; i++) await callWithRetry(c, 'chat', { ...chatBody, messages: [{ role: 'user', content: `l${k}-${i}` }] }, FAST, sig, stats);
    };
    await Promise.all([lane(0), lane(1)]);
    expect(stats.waits.filter((w) => w.kind === 'http_429')).toEqual([{ kind: 'http_429', ms: 300, retryAfter: true }]);
    expect(stats.waits.some((w) => w.kind === 'shared_pause')).toBe(true);
    expect(s.stats.requests).toBe(7);
  });

  it('retries 500, a hang past the timeout, and a malformed body; then succeeds', async () => {
    const s = await serve({ faults: { 1: { kind: '500' }, 2: { kind: 'hang' }, 3: { kind: 'malformed' } } });
    const stats = newStats();
    const r = await callWithRetry(makeClient(s.url, 'k'), 'chat', chatBody, FAST, new AbortController().signal, stats);
    expect(r.choices).toHaveLength(1);
    expect(r.usage).toEqual({ prompt_tokens: 2, completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
    expect(stats.transient).toEqual({ http_5xx: 1, timeout: 1, malformed: 1 });
    expect(stats.waits.every((w) => !w.retryAfter && w.ms <= FAST.maxDelayMs)).toBe(true);
    expect(s.stats.requests).toBe(4);
  });

  it('does not retry a 400, and gives up after maxRetries', async () => {
    const s = await serve({ faults: { 1: { kind: '400' }, 2: { kind: '500' }, 3: { kind: '500' } } });
    const c = makeClient(s.url, 'k');
    await expect(callWithRetry(c, 'chat', chatBody, FAST, new AbortController().signal, newStats())).rejects.toThrow(/HTTP 400/);
    expect(s.stats.requests).toBe(1);
    const err = await callWithRetry(c, 'chat', chatBody, { ...FAST, maxRetries: 1 }, new AbortController().signal, newStats()).catch((e) => e);
    expect(err).toBeInstanceOf(RequestFailed);
    expect(err.message).toMatch(/HTTP 500.*gave up after 2 attempts/);
  });

  it('cancellation aborts a request in flight', async () => {
    const s = await serve({ faults: { 1: { kind: 'hang' } } });
    const ctl = new AbortController();
    const p = callWithRetry(makeClient(s.url, 'k'), 'chat', chatBody, { ...FAST, timeoutMs: 60_000 }, ctl.signal, newStats());
    setTimeout(() => ctl.abort(), 50);
    await expect(p).rejects.toBeInstanceOf(Cancelled);
  });

  it('parses retry-after as seconds, HTTP date, and retry-after-ms', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '2.5' }))).toBe(2500);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '120', 'retry-after': '9' }))).toBe(120);
    expect(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(new Headers({}))).toBeUndefined();
  });
});

function opts(url: string, over: Partial<GenerateOptions> = {}): GenerateOptions {
  return {
    hub: 'huggingface',
    dataDir: APIBENCH,
    limit: 12,
    style: 'gorilla-chat',
    retriever: 'none',
    numDocs: 1,
    template: '###USER: {prompt}###ASSISTANT: ',
    api: 'chat',
    baseURL: url,
    apiKey: 'k',
    model: 'fake-7b',
    sampling: { n: 1, splitN: false },
    seeds: [0],
    concurrency: 3,
    retry: FAST,
    cacheDir: join(dir, 'cache'),
    outDir: join(dir, 'out'),
    runName: 'run',
    signal: new AbortController().signal,
    log: () => {},
    ...over,
  };
}

const read = (f: string): string => readFileSync(f, 'utf8');
const stripIds = (t: string): string => t.replace(/"answer_id":"[0-9a-f]+"/g, '"answer_id":""');

describe('runGenerate', () => {
  sharedPath('apibench');

  it('loses nothing under injected failures; a rerun is served from the cache', async () => {
    // Reference: a clean server, no cache.
    const clean = await startFakeOpenAI();
    const ref = await runGenerate(opts(clean.url, { cacheDir: null, outDir: join(dir, 'ref') }));
    await clean.close();
    expect(ref.complete).toBe(true);
    const refText = read(ref.files[0]);

    const s = await serve({ faults: { 2: { kind: '429', retryAfterMs: '20' }, 3: { kind: '500' }, 5: { kind: 'hang' }, 7: { kind: 'malformed' }, 8: { kind: '500' } } });
    const sum = await runGenerate(opts(s.url));
    expect(sum.complete).toBe(true);
    expect(sum.failures).toEqual([]);
    expect(sum.counts).toMatchObject({ questions: 12, tasks: 12, requests: 12, cache_hits: 0, retries: 5, attempts: 17 });
    expect(sum.transient_errors).toEqual({ http_429: 1, http_5xx: 2, timeout: 1, malformed: 1 });
    expect(s.stats.requests).toBe(17);
    const text = read(sum.files[0]);
    // Same answers, same order, nothing lost or duplicated (answer_id hashes the request, endpoint included).
    expect(stripIds(text)).toBe(stripIds(refText));
    const recs = loadResponses(sum.files[0]);
    expect(recs.map((r) => r.question_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(recs[0]).toMatchObject({ model_id: 'fake-7b', metadata: { seed: 0, sample: 0, prompt_style: 'gorilla-chat', retriever: 'none', finish_reason: 'stop' } });
    expect(existsSync(sum.files[0] + '.partial')).toBe(false);
    expect(sum.usage.prompt_tokens).toBeGreaterThan(0);
    expect(sum.cost_usd).toBe('unknown');

    // Rerun with the outputs gone: every answer from the cache, no request reaches the server.
    rmSync(join(dir, 'out'), { recursive: true });
    const again = await runGenerate(opts(s.url));
    expect(s.stats.requests).toBe(17);
    expect(again.counts).toMatchObject({ cache_hits: 12, requests: 0, already_on_disk: 0 });
    expect(again.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(again.usage_including_cache).toEqual(sum.usage);
    expect(read(again.files[0])).toBe(text);

    // Rerun with the outputs present: nothing to do at all.
    const third = await runGenerate(opts(s.url));
    expect(third.counts).toMatchObject({ already_on_disk: 12, cache_hits: 0, requests: 0 });
    expect(read(third.files[0])).toBe(text);
    expect(JSON.parse(read(join(dir, 'out', 'run.run.json'))).counts.already_on_disk).toBe(12);
  });

  it('resumes an interrupted run from its partial file (no cache) without redoing finished questions', async () => {
    const s = await serve({ delayMs: 60 });
    const ctl = new AbortController();
    const partialFile = join(dir, 'out', 'run.seed0.jsonl.partial');
    const poll = setInterval(() => {
      if (existsSync(partialFile) && read(partialFile).split('\n').length > 3) ctl.abort(); // 3+ answers on disk
    }, 5);
    const first = await runGenerate(opts(s.url, { cacheDir: null, concurrency: 2, signal: ctl.signal })).finally(() => clearInterval(poll));
    expect(first.interrupted).toBe(true);
    expect(first.complete).toBe(false);
    const out = join(dir, 'out', 'run.seed0.jsonl');
    expect(existsSync(out)).toBe(false);
    const partial = read(out + '.partial').trim().split('\n').map((l) => JSON.parse(l));
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.length).toBeLessThan(12);
    const before = s.stats.requests;
    const second = await runGenerate(opts(s.url, { cacheDir: null }));
    expect(second.complete).toBe(true);
    expect(second.counts.already_on_disk).toBe(partial.length);
    expect(second.counts.requests).toBe(12 - partial.length);
    // No question already on disk reached the server again. (A request aborted by the interrupt may be
    // counted by the server a moment later, so the check is on what was asked, not on a counter.)
    const texts = new Map(loadQuestions(APIBENCH, 'huggingface').map((q) => [q.question_id, q.text]));
    const askedAfter = (s.stats.bodies.slice(before) as { messages: { content: string }[] }[]).map((b) => b.messages[1].content);
    for (const r of partial) expect(askedAfter.some((c) => c.startsWith(texts.get(r.question_id)! + '\nWrite a python program'))).toBe(false);
    expect(loadResponses(out).map((r) => r.question_id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('n samples in one request → one file per sample; --split-n → n requests with seeds s*n+r', async () => {
    const s = await serve();
    const a = await runGenerate(opts(s.url, { limit: 4, sampling: { n: 3, splitN: false, temperature: 0.7 }, seeds: [1, 2] }));
    expect(a.files.map((f) => f.split('/').pop())).toEqual(['run.seed1.sample0.jsonl', 'run.seed1.sample1.jsonl', 'run.seed1.sample2.jsonl', 'run.seed2.sample0.jsonl', 'run.seed2.sample1.jsonl', 'run.seed2.sample2.jsonl']);
    expect(s.stats.requests).toBe(8);
    expect((s.stats.bodies[0] as { n: number }).n).toBe(3);
    const t0 = loadResponses(a.files[0])[0].text;
    const t1 = loadResponses(a.files[1])[0].text;
    expect(t0).not.toBe(t1);

    const b = await runGenerate(opts(s.url, { limit: 2, runName: 'split', sampling: { n: 3, splitN: true, temperature: 0.7 }, seeds: [5] }));
    expect(b.complete).toBe(true);
    const splitBodies = s.stats.bodies.slice(8) as { n?: number; seed: number }[];
    expect(splitBodies).toHaveLength(6);
    expect(splitBodies.every((x) => x.n === undefined)).toBe(true);
    expect(new Set(splitBodies.map((x) => x.seed))).toEqual(new Set([15, 16, 17]));
    expect(loadResponses(b.files[2])[0].metadata).toMatchObject({ seed: 5, sample: 2, request_seed: 17 });
  });

  it('a server that ignores n is a failure naming --split-n, not a silently short file', async () => {
    const s = await serve({ maxChoices: 1 });
    const r = await runGenerate(opts(s.url, { limit: 2, sampling: { n: 2, splitN: false } }));
    expect(r.complete).toBe(false);
    expect(r.failures).toHaveLength(2);
    expect(r.failures[0].error).toMatch(/returned 1 choice\(s\) for n=2; rerun with --split-n/);
    expect(readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
  });

  it('completions endpoint with the Gorilla model prompt and BM25 docs; logprobs kept; cost from a price', async () => {
    const s = await serve();
    const r = await runGenerate(
      opts(s.url, { api: 'completions', style: 'gorilla-model', retriever: 'bm25', limit: 3, sampling: { n: 1, splitN: false, maxTokens: 64, stop: ['###'], logprobs: 1 }, price: { input: 1, output: 2 } }),
    );
    const body = s.stats.bodies[0] as { prompt: string; max_tokens: number; stop: string[]; logprobs: number; seed: number };
    expect(body.prompt.startsWith('###USER:  Design a feature for a social media website')).toBe(true);
    expect(body.prompt).toContain("\\n \n Use this API documentation for reference: [Document(page_content='{\\'domain\\': ");
    expect(body.prompt.endsWith("', metadata={})]###ASSISTANT: ")).toBe(true);
    expect(body).toMatchObject({ max_tokens: 64, stop: ['###'], logprobs: 1, seed: 0 });
    const recs = loadResponses(r.files[0]);
    const md = recs[0].metadata as { retrieved: number[]; logprobs: { tokens: string[] } };
    expect(md.retrieved).toHaveLength(1);
    expect(md.logprobs.tokens.length).toBeGreaterThan(0);
    // The fake model calls the API it was shown: the retrieved document's api_call comes back out.
    expect(extractResponse(recs[0].text, 'huggingface').api_call).toBeTruthy();
    expect(r.cost_usd).toBeCloseTo((r.usage.prompt_tokens * 1 + r.usage.completion_tokens * 2) / 1e6, 12);
  });

  it('an endpoint that refuses max_tokens (o1/o3) gets max_completion_tokens from then on; --max-completion-tokens sends it from the start', async () => {
    const s = await serve({ rejectMaxTokens: true });
    const logs: string[] = [];
    const r = await runGenerate(opts(s.url, { limit: 5, concurrency: 1, sampling: { n: 1, splitN: false, maxTokens: 64 }, log: (l) => logs.push(l) }));
    expect(r.failures).toEqual([]);
    expect(r.token_param).toBe('max_completion_tokens');
    const bodies = s.stats.bodies as Record<string, unknown>[];
    // One refused request, then every request (the refused one again first) with the same limit under the other name.
    expect(bodies).toHaveLength(6);
    expect(bodies[0]).toMatchObject({ max_tokens: 64 });
    for (const b of bodies.slice(1)) {
      expect(b.max_completion_tokens).toBe(64);
      expect('max_tokens' in b).toBe(false);
    }
    expect(bodies[1].messages).toEqual(bodies[0].messages);
    expect(logs.some((l) => /refused max_tokens; sending the limit as max_completion_tokens/.test(l))).toBe(true);
    expect(loadResponses(r.files[0])).toHaveLength(5);

    const s2 = await startFakeOpenAI({ rejectMaxTokens: true });
    try {
      const r2 = await runGenerate(opts(s2.url, { limit: 3, outDir: join(dir, 'out2'), cacheDir: null, maxCompletionTokens: true, sampling: { n: 1, splitN: false, maxTokens: 32 } }));
      expect(r2.failures).toEqual([]);
      expect(r2.token_param).toBe('max_completion_tokens');
      expect((s2.stats.bodies as Record<string, unknown>[]).map((b) => [b.max_completion_tokens, 'max_tokens' in b])).toEqual([[32, false], [32, false], [32, false]]);
    } finally {
      await s2.close();
    }
  });

  it('the oracle retriever embeds json.dumps(api_data); the chat style refuses completions', async () => {
    const s = await serve();
    await runGenerate(opts(s.url, { style: 'gorilla-model', retriever: 'oracle', limit: 1 }));
    const msgs = (s.stats.bodies[0] as { messages: { role: string; content: string }[] }).messages;
    expect(msgs).toHaveLength(1);
    expect(msgs[0].content).toContain(' \n Use this API documentation for reference:  {"domain": ');
    await expect(runGenerate(opts(s.url, { api: 'completions', style: 'gorilla-chat' }))).rejects.toThrow(/needs --api chat/);
  });

  it('refuses to resume into files made with other parameters', async () => {
    const s = await serve();
    const a = await runGenerate(opts(s.url, { limit: 2, sampling: { n: 1, splitN: false, temperature: 0.5 } }));
    expect(a.status).toBe('complete');
    expect(JSON.parse(read(join(dir, 'out', 'run.run.json'))).config.sampling).toEqual({ n: 1, splitN: false, temperature: 0.5 });
    await expect(runGenerate(opts(s.url, { limit: 2, sampling: { n: 1, splitN: false, temperature: 0.7 } }))).rejects.toThrow(/were made with different sampling; pass another --run-name/);
    await expect(runGenerate(opts(s.url, { limit: 2, model: 'other', sampling: { n: 1, splitN: false, temperature: 0.5 } }))).rejects.toThrow(/different model/);
    // Another seed or a larger limit is the same run: fine.
    const b = await runGenerate(opts(s.url, { limit: 3, seeds: [0, 9], sampling: { n: 1, splitN: false, temperature: 0.5 } }));
    expect(b.counts).toMatchObject({ already_on_disk: 2, requests: 4 });
  });
});
