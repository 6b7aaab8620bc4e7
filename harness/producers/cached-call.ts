/**
 * The one request path of `generate` and `feedback`: cache lookup → callWithRetry → cache put, with the
 * run's counters (cache hits, requests sent, tokens billed with and without the cache).
 *
 * WHY one path: both commands promise the same resumability (a rerun costs nothing for what is cached) and
 * the same accounting in their summaries; keeping two copies of this block let them drift.
 */
import type OpenAI from 'openai';
import { ResponseCache, requestKey } from './cache.js';
import { callWithRetry, Cancelled, makeClient, newStats, refusesMaxTokens, RequestFailed, withMaxCompletionTokens, type ApiKind, type CallResult, type CallStats, type RetryPolicy, type Usage } from './openai-call.js';
import { addUsage, zeroUsage, type Price } from './pricing.js';

/** Endpoint, retry, cache and price settings that every producer run takes. */
export interface CallOptions {
  api: ApiKind;
  baseURL: string;
  apiKey: string;
  model: string;
  concurrency: number;
  retry: RetryPolicy;
  /** `null` = do not read or write the response cache. */
  cacheDir: string | null;
  price?: Price;
  /** Send the token limit as `max_completion_tokens` from the first request (else only once the endpoint refuses `max_tokens`). */
  maxCompletionTokens?: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

export type CallOutcome =
  /** `key` is the request's cache key: a stable id of the request, whether or not a cache is in use. */
  | { kind: 'ok'; result: CallResult; key: string }
  /** The request failed for good (or its answer was rejected by `check`); the run records it and goes on. */
  | { kind: 'failed'; error: string }
  /** Ctrl-C: not a failure; the work item is simply left for the rerun. */
  | { kind: 'cancelled' };

export class CachedCaller {
  readonly stats: CallStats = newStats();
  /** Tokens billed by this invocation (requests actually sent). */
  readonly usage: Usage = zeroUsage();
  /** Tokens of every answer used, cached ones included. */
  readonly usageAll: Usage = zeroUsage();
  cacheHits = 0;
  requests = 0;
  /**
   * How the token limit is sent: `max_tokens`, or `max_completion_tokens` once the endpoint has refused
   * max_tokens (o1/o3) or the user asked for it. Every later request of the run is sent that way.
   */
  tokenParam: 'max_tokens' | 'max_completion_tokens' = 'max_tokens';
  private readonly cache: ResponseCache<CallResult>;
  private readonly client: OpenAI;

  constructor(private readonly o: Pick<CallOptions, 'api' | 'baseURL' | 'apiKey' | 'retry' | 'cacheDir' | 'signal'> & { log?: (line: string) => void; maxCompletionTokens?: boolean }) {
    if (o.maxCompletionTokens) this.tokenParam = 'max_completion_tokens';
    this.cache = new ResponseCache<CallResult>(o.cacheDir);
    this.client = makeClient(o.baseURL, o.apiKey);
  }

  /**
   * Answers `body` from the cache, else sends it. `check` vets a fresh answer before it is counted or
   * cached (a message = unusable answer, reported as a failure); cached answers passed it when stored.
   */
  async call(original: Record<string, unknown>, check?: (r: CallResult) => string | undefined): Promise<CallOutcome> {
    const body = this.tokenParam === 'max_completion_tokens' ? withMaxCompletionTokens(original) : original;
    const key = requestKey(this.o.baseURL, this.o.api, body);
    const cached = this.cache.get(key);
    if (cached) {
      this.cacheHits++;
      addUsage(this.usageAll, cached.usage);
      return { kind: 'ok', result: cached, key };
    }
    let result: CallResult;
    try {
      this.requests++;
      result = await callWithRetry(this.client, this.o.api, body, this.o.retry, this.o.signal, this.stats);
    } catch (e) {
      if (e instanceof Cancelled) return { kind: 'cancelled' };
      if (e instanceof RequestFailed && this.tokenParam === 'max_tokens' && 'max_tokens' in body && refusesMaxTokens(e)) {
        this.tokenParam = 'max_completion_tokens';
        this.o.log?.(`${this.o.baseURL}: the endpoint refused max_tokens; sending the limit as max_completion_tokens from now on (as OpenAI's o1/o3 models require)`);
        return this.call(original, check);
      }
      if (e instanceof RequestFailed) return { kind: 'failed', error: e.message };
      throw e;
    }
    const bad = check?.(result);
    if (bad !== undefined) return { kind: 'failed', error: bad };
    addUsage(this.usage, result.usage);
    addUsage(this.usageAll, result.usage);
    this.cache.put(key, result, { endpoint: this.o.baseURL, api: this.o.api, body });
    return { kind: 'ok', result, key };
  }

  /** The request counters of a run summary, in the order the summaries print them. */
  counts(): { cache_hits: number; requests: number; attempts: number; retries: number } {
    return { cache_hits: this.cacheHits, requests: this.requests, attempts: this.stats.attempts, retries: this.stats.retries };
  }
}
