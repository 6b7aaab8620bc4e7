import type { Cell, Leaderboard, MetricColumn } from './model.js';

/** Scores are printed as percentages with two decimals (Gorilla and the RLAIF paper print 69.36). */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return (100 * x).toFixed(digits);
}

export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || Number.isNaN(p)) return '';
  if (p < 1e-4) return p.toExponential(1);
  return p.toFixed(4);
}

/** The main text of a cell: `mean ± sd` for repeated runs, else the score. */
export function cellMain(c: Cell): string {
  if (c.value === null) return '–';
  return c.runs > 1 && c.sd !== null ? `${pct(c.value)} ± ${pct(c.sd)}` : pct(c.value);
}

/** The interval as `[low, high]`, empty when there is none. */
export function cellInterval(c: Cell): string {
  if (c.low === null || c.high === null || Number.isNaN(c.low) || Number.isNaN(c.high)) return '';
  return `[${pct(c.low)}, ${pct(c.high)}]`;
}

/** `*` when the difference to the baseline survives Holm correction. */
export function cellMark(c: Cell): string {
  return c.vs_baseline?.significant ? '*' : '';
}

export function legend(lb: Leaderboard): string[] {
  const lines = [
    `Scores in %. Single runs: corpus score [95% bootstrap interval, ${lb.bootstrap.n_resamples} resamples of the questions, seed ${lb.bootstrap.seed}]. Repeated runs: mean ± sd over runs.`,
    `Bold: best value of the column.`,
  ];
  if (lb.dataset.questions) lines.unshift(`Questions: ${lb.dataset.questions}.`);
  if (lb.baseline !== null) {
    lines.push(
      `*: differs from the baseline ${lb.baseline} at α = ${lb.alpha} after Holm correction across the table (exact McNemar for binary metrics with single runs, paired bootstrap otherwise).`,
    );
  }
  return lines;
}

export function signatureLines(metrics: MetricColumn[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of metrics) {
    const line = `${m.label}: ${m.signature}`;
    if (!seen.has(line)) out.push(line);
    seen.add(line);
  }
  return out;
}
