/**
 * Option parsing shared by `generate` and `feedback`: numbers, lists, endpoint and retry flags, and the
 * Ctrl-C handling that turns SIGINT into a clean cancellation.
 */
import type { CallFlags } from './producer-flags.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../producers/openai-call.js';
import { defaultCacheDir } from '../producers/cache.js';
import { loadPriceTable, parsePriceFlag, type Price } from '../producers/pricing.js';
import { interruptOnSignal, type Interrupt } from '../../core/interrupt.js';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * --concurrency, the retry flags and the cache flags, parsed in this order (so the first bad flag named is
 * the same in every command); spread into a run's options.
 */
export function requestOptions(o: CallFlags): { concurrency: number; retry: RetryPolicy; cacheDir: string | null } {
  return { concurrency: o.concurrency!, retry: retryPolicy(o), cacheDir: cacheDirOpt(o) };
}

function retryPolicy(o: CallFlags): RetryPolicy {
  return {
    ...DEFAULT_RETRY,
    maxRetries: o.maxRetries ?? DEFAULT_RETRY.maxRetries,
    timeoutMs: (o.timeout ?? DEFAULT_RETRY.timeoutMs / 1000) * 1000,
    baseDelayMs: o.retryBase ?? DEFAULT_RETRY.baseDelayMs,
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
export function interruptSignal(log: (s: string) => void): Interrupt {
  return interruptOnSignal('interrupted: cancelling requests in flight and saving what is finished (Ctrl-C again to quit at once)', log);
}

export function sanitizeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
}
