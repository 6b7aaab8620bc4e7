/**
 * A content-addressed response cache on disk: key = sha256 of the canonical JSON of (endpoint, API kind,
 * full request body: model, prompt, every sampling parameter). A rerun of the same command therefore costs
 * nothing, and changing any parameter (or the model, or the endpoint) can never return a stale answer.
 * The API key is deliberately not part of the key: it does not change what a model answers.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/jsonl.js';
import { cacheRoot } from '../../core/cache-root.js';

/** JSON with object keys sorted at every level, so equal requests hash equally. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  const o = v as Record<string, unknown>;
  return (
    '{' +
    Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonicalJson(o[k]))
      .join(',') +
    '}'
  );
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Normalises an endpoint URL so `http://h/v1` and `http://h/v1/` share cache entries. */
export function normaliseEndpoint(url: string): string {
  return url.replace(/\/+$/, '');
}

export function requestKey(endpoint: string, api: string, body: Record<string, unknown>): string {
  return sha256(canonicalJson({ v: 1, endpoint: normaliseEndpoint(endpoint), api, body }));
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'responses');
}

export class ResponseCache<T> {
  constructor(readonly dir: string | null) {}

  private path(key: string): string {
    return join(this.dir!, key.slice(0, 2), `${key}.json`);
  }

  get(key: string): T | undefined {
    if (!this.dir) return undefined;
    const p = this.path(key);
    if (!existsSync(p)) return undefined;
    try {
      const entry = JSON.parse(readFileSync(p, 'utf8')) as { key: string; value: T };
      return entry.key === key ? entry.value : undefined;
    } catch {
      return undefined; // a damaged entry is a miss: the request is simply made again
    }
  }

  put(key: string, value: T, request?: unknown): void {
    if (!this.dir) return;
    // The request is stored beside the answer so an entry can be audited without the run that made it.
    writeFileAtomic(this.path(key), JSON.stringify({ key, request, value }) + '\n');
  }
}
