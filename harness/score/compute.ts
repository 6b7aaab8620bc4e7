/**
 * The pure scoring step of `apieval score`, shared by the main thread and the worker thread: per item, the
 * statistics of each requested pair metric (metrics/registry.ts, `pairs`). Everything returned is
 * structured-clone safe.
 */
import type { PairContext, PairMetric, TextPair } from '../../metrics/metric.js';
import { pairMetric } from '../../metrics/registry.js';
import type { MetricFailure } from '../../metrics/types.js';

export interface ComputeOptions {
  /** The `score --metrics` names, in registry order. */
  metrics: string[];
  ctx: PairContext;
}

export type ComputeItem = TextPair;

/** Per metric name: the item's statistics, or its failure. */
export type ComputedItem = Record<string, unknown>;

function asFailure(e: unknown): MetricFailure {
  const err = e as Error;
  return { error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

/** The registry's pair metrics of these names. */
export function pairMetricsNamed(names: readonly string[]): PairMetric[] {
  return names.map((n) => {
    const m = pairMetric(n);
    if (!m) throw new Error(`no pair metric '${n}' in the registry`);
    return m;
  });
}

/** The statistics of `names` (default: every metric of `opts`) for each item. */
export function computeItems(items: readonly ComputeItem[], opts: ComputeOptions, names: readonly string[] = opts.metrics): ComputedItem[] {
  const metrics = pairMetricsNamed(names);
  const out: ComputedItem[] = [];
  for (const it of items) {
    const r: ComputedItem = {};
    for (const m of metrics) {
      try {
        r[m.name] = m.stats(it, opts.ctx);
      } catch (e) {
        // A stack overflow is not this pair's failure but the process's: let it stop the run.
        if (e instanceof RangeError && /call stack/i.test(e.message)) throw e;
        r[m.name] = asFailure(e);
      }
    }
    out.push(r);
  }
  return out;
}
