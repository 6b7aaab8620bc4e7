/**
 * Option parsing shared by `generate` and `feedback`: numbers, lists, endpoint and retry flags, and the
 * Ctrl-C handling that turns SIGINT into a clean cancellation.
 */
import { UserError } from '../errors.js';
import type { CallFlags } from './call-flags.js';
import { DEFAULT_RETRY, type RetryPolicy } from './openai-call.js';
import { defaultCacheDir } from './cache.js';
import { loadPriceTable, parsePriceFlag, type Price } from './pricing.js';

export function intOpt(name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw new UserError(`${name} '${v}': expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new UserError(`${name} ${v}: must be between ${min} and ${max}`);
  return n;
}

export function numOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`${name} '${v}': expected a number`);
  if (n < min || n > max) throw new UserError(`${name} ${v}: must be between ${min} and ${max}`);
  return n;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * --concurrency, the retry flags and the cache flags, parsed in this order (so the first bad flag named is
 * the same in every command); spread into a run's options.
 */
export function requestOptions(o: CallFlags): { concurrency: number; retry: RetryPolicy; cacheDir: string | null } {
  return { concurrency: intOpt('--concurrency', o.concurrency, 1, 1024)!, retry: retryPolicy(o), cacheDir: cacheDirOpt(o) };
}

function retryPolicy(o: CallFlags): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    maxRetries: intOpt('--max-retries', o.maxRetries, 0, 100) ?? DEFAULT_RETRY.maxRetries,
    timeoutMs: (numOpt('--timeout', o.timeout, 0.001, 86_400) ?? DEFAULT_RETRY.timeoutMs / 1000) * 1000,
    baseDelayMs: numOpt('--retry-base', o.retryBase, 0, 600_000) ?? DEFAULT_RETRY.baseDelayMs,
  };
}

function cacheDirOpt(o: CallFlags): string | null {
  if (o.cache === false) return null;
  return o.cacheDir ?? defaultCacheDir();
}

export function priceOpt(o: CallFlags, model: string): Price | undefined {
  if (o.price) return parsePriceFlag(o.price);
  if (o.priceTable) return loadPriceTable(o.priceTable, model);
  return undefined;
}

/**
 * First Ctrl-C: abort in-flight requests and stop starting new ones; the command then writes what it has
 * and exits 130. A second Ctrl-C exits at once.
 */
export function interruptSignal(log: (s: string) => void): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const onSigint = (): void => {
    if (ctl.signal.aborted) process.exit(130);
    log('interrupted: cancelling requests in flight and saving what is finished (Ctrl-C again to quit at once)');
    ctl.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: ctl.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

export function sanitizeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}
