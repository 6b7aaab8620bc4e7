// The response cache: what the key covers, and that a damaged entry is a miss rather than an error.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, defaultCacheDir, requestKey, ResponseCache } from '../harness/producers/cache.js';
import { resolveEndpoint } from '../harness/producers/endpoint.js';
import { costUsd, parsePriceFlag } from '../harness/producers/pricing.js';

describe('cache key', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'q' }], temperature: 0.7, seed: 1 };
  const k = requestKey('http://h/v1', 'chat', body);
  it('is independent of key order and of a trailing slash on the endpoint', () => {
    expect(requestKey('http://h/v1/', 'chat', { seed: 1, temperature: 0.7, messages: [{ content: 'q', role: 'user' }], model: 'm' })).toBe(k);
    expect(canonicalJson({ b: 1, a: [2, { d: 3, c: undefined }] })).toBe('{"a":[2,{"d":3}],"b":1}');
  });
  it('changes with the prompt, any parameter, the model, the API kind and the endpoint', () => {
    for (const other of [
      requestKey('http://h/v1', 'chat', { ...body, temperature: 0.8 }),
      requestKey('http://h/v1', 'chat', { ...body, seed: 2 }),
      requestKey('http://h/v1', 'chat', { ...body, model: 'm2' }),
      requestKey('http://h/v1', 'chat', { ...body, messages: [{ role: 'user', content: 'q2' }] }),
      requestKey('http://h/v1', 'completions', body),
      requestKey('http://other/v1', 'chat', body),
    ]) expect(other).not.toBe(k);
  });
  it('a damaged entry is a miss; entries round-trip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apieval-cache-'));
    try {
      const c = new ResponseCache<{ x: number }>(dir);
      expect(c.get(k)).toBeUndefined();
      c.put(k, { x: 1 }, { body });
      expect(c.get(k)).toEqual({ x: 1 });
      const sub = join(dir, k.slice(0, 2));
      writeFileSync(join(sub, readdirSync(sub)[0]), '{"key": "');
      expect(c.get(k)).toBeUndefined();
      expect(new ResponseCache(null).get(k)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('default location follows APIEVAL_CACHE_DIR, then XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ APIEVAL_CACHE_DIR: '/c' })).toBe('/c/responses');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/apieval/responses');
  });
  it('one rule for every cache: responses, the APIBench download and the sandbox build files share the root', async () => {
    const { cacheDir: dataCache } = await import('../harness/datasets/source.js');
    const { cacheRoot } = await import('../core/cache-root.js');
    for (const env of [{ APIEVAL_CACHE_DIR: '/c' }, { APIEVAL_CACHE_DIR: ' ', XDG_CACHE_HOME: '/x' }, { XDG_CACHE_HOME: '', HOME: '/h' }]) {
      const root = cacheRoot(env);
      expect(defaultCacheDir(env)).toBe(`${root}/responses`);
      expect(dataCache(env).startsWith(`${root}/apibench/`)).toBe(true);
    }
    expect(cacheRoot({ APIEVAL_CACHE_DIR: '/c' })).toBe('/c');
    expect(cacheRoot({ APIEVAL_CACHE_DIR: ' ', XDG_CACHE_HOME: '/x' })).toBe('/x/apieval');
  });
});

describe('endpoint and price', () => {
  it('flags beat the environment; local servers need no key; OpenAI does', () => {
    expect(resolveEndpoint({ model: 'a' }, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', APIEVAL_MODEL: 'b' })).toEqual({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'no-key', model: 'a' });
    expect(resolveEndpoint({}, { APIEVAL_MODEL: 'b', OPENAI_API_KEY: 'sk-1' })).toEqual({ baseURL: 'https://api.openai.com/v1', apiKey: 'sk-1', model: 'b' });
    expect(() => resolveEndpoint({ model: 'a' }, {})).toThrow(/no API key/);
    expect(() => resolveEndpoint({}, {})).toThrow(/no model given/);
  });
  it('cost is per million tokens, or unknown', () => {
    const u = { prompt_tokens: 2_000_000, completion_tokens: 500_000, total_tokens: 2_500_000 };
    expect(costUsd(u, parsePriceFlag('0.15,0.6'))).toBeCloseTo(0.6, 12);
    expect(costUsd(u, undefined)).toBe('unknown');
    expect(() => parsePriceFlag('cheap')).toThrow(/expected INPUT,OUTPUT/);
  });
});
