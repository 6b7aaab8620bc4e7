import type { ExecResult, ExecStatus } from './types.js';

export interface RateSummary {
  /** Samples in the denominator (sandbox_error excluded: the sample was never judged). */
  n: number;
  ok: number;
  /** ok / n; null when n is 0 (an undefined rate is not 0 %). */
  rate: number | null;
  /** sandbox_error results, reported apart. */
  sandboxErrors: number;
}

export interface ExecutabilityRate {
  all: RateSummary;
  /** Over tasks whose reference program executes in the image (gold gate); present when given. */
  supported?: RateSummary & { tasks: number };
  counts: Partial<Record<ExecStatus, number>>;
}

function summarize(results: ExecResult[]): RateSummary {
  let ok = 0;
  let errors = 0;
  for (const r of results) {
    if (r.status === 'sandbox_error') errors++;
    else if (r.status === 'ok') ok++;
  }
  const n = results.length - errors;
  return { n, ok, rate: n > 0 ? ok / n : null, sandboxErrors: errors };
}

/** The paper's executability rate (share of samples that run to completion), over all and over supported tasks. */
export function executabilityRate(results: ExecResult[], supportedIds?: Set<string> | Iterable<string>): ExecutabilityRate {
  const counts: Partial<Record<ExecStatus, number>> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  const out: ExecutabilityRate = { all: summarize(results), counts };
  if (supportedIds) {
    const ids = supportedIds instanceof Set ? supportedIds : new Set(supportedIds);
    out.supported = { ...summarize(results.filter((r) => ids.has(r.id))), tasks: ids.size };
  }
  return out;
}

export function formatRate(s: RateSummary): string {
  return s.rate === null ? `undefined (0 judged samples)` : `${(100 * s.rate).toFixed(1)}% (${s.ok}/${s.n})`;
}
