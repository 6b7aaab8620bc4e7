import type { Cell, Leaderboard } from './model.js';
import { cellInterval, cellMain, cellMark, formatP, legend, pct, signatureLines } from './format.js';

/** Escapes Markdown inline syntax and the table pipe, and HTML, so a name renders literally. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n\t]+/g, ' ')
    // Only what can start inline markup or break a table cell; `.`, `-`, `(` are literal mid-line.
    .replace(/[\\`*_[\]|~]/g, (c) => '\\' + c)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function mdCell(c: Cell | undefined): string {
  if (!c || c.value === null) return '–';
  const main = c.best ? `**${cellMain(c)}**` : cellMain(c);
  const interval = cellInterval(c);
  return `${main}${cellMark(c)}${interval ? ` ${interval}` : ''}`;
}

function table(header: string[], rows: string[][], align: string[]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function leaderboardMarkdown(lb: Leaderboard): string {
  const out: string[] = [`# APIBench ${escapeMarkdown(lb.dataset.hub)} leaderboard`, ''];
  out.push(
    table(
      ['Checkpoint', ...lb.metrics.map((m) => escapeMarkdown(m.label) + (m.higherIsBetter ? '' : ' ↓'))],
      lb.rows.map((r) => [
        escapeMarkdown(r.checkpoint) + (r.checkpoint === lb.baseline ? ' (baseline)' : ''),
        ...lb.metrics.map((m) => mdCell(r.cells[m.key])),
      ]),
      ['l', ...lb.metrics.map(() => 'r')],
    ),
  );
  out.push('', ...legend(lb).map((l) => escapeMarkdown(l) + '  '), '');
  if (lb.baseline !== null) {
    out.push('p-values against the baseline (raw / Holm-adjusted):', '');
    const others = lb.rows.filter((r) => r.checkpoint !== lb.baseline);
    out.push(
      table(
        ['Checkpoint', ...lb.metrics.map((m) => escapeMarkdown(m.label))],
        others.map((r) => [
          escapeMarkdown(r.checkpoint),
          ...lb.metrics.map((m) => {
            const t = r.cells[m.key]?.vs_baseline;
            if (!t || Number.isNaN(t.p)) return '–';
            return `${fmtP(t.p)} / ${fmtP(t.p_holm)}${t.significant ? '*' : ''}`;
          }),
        ]),
        ['l', ...lb.metrics.map(() => 'r')],
      ),
      '',
    );
  }
  out.push('Signatures:', '', ...signatureLines(lb.metrics).map((s) => `- \`${s.replace(/`/g, "'")}\``), '');
  const d = lb.domains;
  if (d) {
    out.push(`## ${escapeMarkdown(d.label)} by domain (%)`, '');
    out.push(
      table(
        ['Domain', 'n', ...d.rows.map((r) => escapeMarkdown(r.checkpoint))],
        d.domains.map((dom) => [
          escapeMarkdown(dom),
          String(Math.max(0, ...d.rows.map((r) => r.values[dom]?.n ?? 0))),
          ...d.rows.map((r) => pct(r.values[dom]?.value ?? null, 1)),
        ]),
        ['l', 'r', ...d.rows.map(() => 'r')],
      ),
      '',
    );
  }
  for (const n of lb.notes) out.push(`> ${escapeMarkdown(n)}`, '');
  return out.join('\n');
}

function fmtP(p: number): string {
  return formatP(p);
}
