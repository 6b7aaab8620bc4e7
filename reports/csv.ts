import { stringify } from 'csv-stringify/sync';
import type { Leaderboard } from './model.js';

function num(x: number | null | undefined): number | string {
  return x === null || x === undefined || Number.isNaN(x) ? '' : x;
}

/**
 * The leaderboard as CSV, long format (one row per checkpoint × metric) so every number — value,
 * interval, sd, p-values — has its own column, unrounded, ready for pandas or a spreadsheet.
 */
export function leaderboardCsv(lb: Leaderboard): string {
  const header = [
    'checkpoint', 'metric', 'label', 'value', 'ci_low', 'ci_high', 'sd', 'runs', 'n', 'best',
    'baseline', 'delta', 'test', 'p', 'p_holm', 'significant', 'mcnemar_b', 'mcnemar_c', 'error', 'signature',
  ];
  const rows: unknown[][] = [header];
  for (const r of lb.rows) {
    for (const m of lb.metrics) {
      const c = r.cells[m.key];
      if (!c) continue;
      const t = c.vs_baseline;
      rows.push([
        r.checkpoint, m.key, m.label, num(c.value), num(c.low), num(c.high), num(c.sd), c.runs, c.n, c.best,
        lb.baseline ?? '', num(t?.delta), t?.test ?? '', num(t?.p), num(t?.p_holm), t ? t.significant : '',
        num(t?.b), num(t?.c), c.error ?? '', m.signature,
      ]);
    }
  }
  return stringify(rows, { cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

/** The per-domain table as CSV: one row per domain × checkpoint. */
export function domainsCsv(lb: Leaderboard): string {
  const rows: unknown[][] = [['metric', 'domain', 'checkpoint', 'value', 'n']];
  const d = lb.domains;
  if (d) {
    for (const dom of d.domains) {
      for (const r of d.rows) {
        const v = r.values[dom];
        rows.push([d.metric, dom, r.checkpoint, num(v?.value), v?.n ?? 0]);
      }
    }
  }
  return stringify(rows);
}
