import type { Cell, Leaderboard, MetricColumn } from './model.js';
import { cellInterval, cellMain, cellMark, formatP, legend, pct, signatureLines } from './format.js';

/**
 * One self-contained HTML file: tables plus charts drawn as inline SVG (no script, no web font, no external
 * stylesheet), so it opens offline, in an e-mail attachment or a CI artifact viewer, and renders the same
 * everywhere. A Content-Security-Policy forbids any network fetch, which also proves the point in tests.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1b1f24;max-width:1200px}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #d0d7de;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead th{border-bottom:2px solid #1b1f24}
td.best{font-weight:700}
.ci{color:#57606a;font-size:.75rem}
.sig{color:#cf222e;font-weight:700}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;border:1px solid #d0d7de;border-radius:6px;padding:.5rem}
figcaption{font-size:.85rem;font-weight:600;margin-bottom:.25rem}
.legend,.sigs{font-size:.8rem;color:#57606a}
code{font-size:.75rem}
svg text{font-family:system-ui,sans-serif}
`;

function cellHtml(c: Cell | undefined): string {
  if (!c || c.value === null) return `<td title="${escapeHtml(c?.error ?? 'not computed')}">–</td>`;
  const t = c.vs_baseline;
  const title = t ? `Δ = ${pct(t.delta)}; ${t.test}; p = ${formatP(t.p)}; Holm p = ${formatP(t.p_holm)}` : '';
  const mark = cellMark(c) ? `<span class="sig">${cellMark(c)}</span>` : '';
  const interval = cellInterval(c);
  return `<td class="${c.best ? 'best' : ''}"${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(cellMain(c))}${mark}${interval ? ` <span class="ci">${escapeHtml(interval)}</span>` : ''}</td>`;
}

const PALETTE = ['#0969da', '#1a7f37', '#9a6700', '#cf222e', '#8250df', '#bf3989', '#0a7ea4', '#6e7781'];

/** A forest plot of one metric: a dot per checkpoint at its score, a whisker over its 95% interval. */
function metricChart(lb: Leaderboard, m: MetricColumn): string {
  const rows = lb.rows.map((r) => ({ name: r.checkpoint, c: r.cells[m.key] }));
  const labelW = 170;
  const plotW = 300;
  const rowH = 22;
  const top = 8;
  const axisH = 26;
  const h = top + rows.length * rowH + axisH;
  const vals = rows.flatMap(({ c }) => (c && c.value !== null ? [c.value, c.low ?? c.value, c.high ?? c.value] : [])).filter((v) => Number.isFinite(v));
  let lo = vals.length ? Math.min(...vals) : 0;
  let hi = vals.length ? Math.max(...vals) : 1;
  // Round the axis outward to 10-point steps of a percentage, clamped to [0, 100].
  lo = Math.max(0, Math.floor(lo * 10) / 10);
  hi = Math.min(1, Math.ceil(hi * 10) / 10);
  if (hi <= lo) hi = Math.min(1, lo + 0.1), lo = Math.max(0, hi - 0.1);
  const x = (v: number) => labelW + ((v - lo) / (hi - lo)) * plotW;
  const parts: string[] = [];
  const ticks = 5;
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    const xx = x(v).toFixed(1);
    parts.push(`<line x1="${xx}" x2="${xx}" y1="${top}" y2="${h - axisH}" stroke="#eaeef2"/>`);
    parts.push(`<text x="${xx}" y="${h - axisH + 14}" font-size="10" text-anchor="middle" fill="#57606a">${pct(v, 0)}</text>`);
  }
  rows.forEach(({ name, c }, i) => {
    const y = top + i * rowH + rowH / 2;
    const color = PALETTE[i % PALETTE.length];
    const label = name.length > 26 ? name.slice(0, 25) + '…' : name;
    parts.push(`<text x="${labelW - 6}" y="${y + 4}" font-size="11" text-anchor="end"><title>${escapeHtml(name)}</title>${escapeHtml(label)}</text>`);
    if (!c || c.value === null || !Number.isFinite(c.value)) return;
    if (c.low !== null && c.high !== null && Number.isFinite(c.low) && Number.isFinite(c.high)) {
      parts.push(`<line class="whisker" x1="${x(c.low).toFixed(1)}" x2="${x(c.high).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`);
      for (const v of [c.low, c.high]) parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${y - 5}" y2="${y + 5}" stroke="${color}" stroke-width="2"/>`);
    }
    const tip = `${name}: ${cellMain(c)} ${cellInterval(c)}`;
    parts.push(`<circle class="point" cx="${x(c.value).toFixed(1)}" cy="${y}" r="5" fill="${color}"><title>${escapeHtml(tip)}</title></circle>`);
    if (cellMark(c)) parts.push(`<text x="${(x(c.value) + 7).toFixed(1)}" y="${y - 4}" font-size="11" fill="#cf222e">*</text>`);
  });
  const w = labelW + plotW + 20;
  return `<figure><figcaption>${escapeHtml(m.label)}${m.higherIsBetter ? '' : ' (lower is better)'}</figcaption><svg class="chart metric-chart" data-metric="${escapeHtml(m.key)}" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(m.label)} with 95% intervals">${parts.join('')}</svg></figure>`;
}

/** White → blue colour ramp for the heatmap (perceptually monotone, readable text on both ends). */
function heatColor(v: number): string {
  const t = Math.max(0, Math.min(1, v));
  const from = [247, 251, 255];
  const to = [8, 48, 107];
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function heatmap(lb: Leaderboard): string {
  const d = lb.domains;
  if (!d || d.domains.length === 0) return '';
  // Room for the longest domain name (about 6.5 px per character at 11 px) and for the rotated headers,
  // which lean right past the last column.
  const longest = Math.max(...d.domains.map((x) => Math.min(x.length, 60)));
  const labelW = Math.max(120, Math.min(420, Math.ceil(longest * 6.5) + 12));
  const cellW = 58;
  const cellH = 18;
  const headH = 120;
  const w = labelW + d.rows.length * cellW + 110;
  const h = headH + d.domains.length * cellH + 10;
  const parts: string[] = [];
  d.rows.forEach((r, j) => {
    const cx = labelW + j * cellW + cellW / 2;
    const label = r.checkpoint.length > 22 ? r.checkpoint.slice(0, 21) + '…' : r.checkpoint;
    parts.push(`<text transform="translate(${cx + 4},${headH - 6}) rotate(-50)" font-size="11"><title>${escapeHtml(r.checkpoint)}</title>${escapeHtml(label)}</text>`);
  });
  d.domains.forEach((dom, i) => {
    const y = headH + i * cellH;
    const label = dom.length > 60 ? dom.slice(0, 59) + '…' : dom;
    parts.push(`<text x="${labelW - 6}" y="${y + cellH / 2 + 4}" font-size="11" text-anchor="end"><title>${escapeHtml(dom)}</title>${escapeHtml(label)}</text>`);
    d.rows.forEach((r, j) => {
      const v = r.values[dom];
      const xx = labelW + j * cellW;
      const val = v?.value ?? null;
      const fill = val === null || !Number.isFinite(val) ? '#eaeef2' : heatColor(val);
      const tip = `${r.checkpoint} · ${dom}: ${pct(val, 1)}% (n = ${v?.n ?? 0})`;
      parts.push(`<rect class="heat-cell" x="${xx}" y="${y}" width="${cellW - 1}" height="${cellH - 1}" fill="${fill}"><title>${escapeHtml(tip)}</title></rect>`);
      if (val !== null && Number.isFinite(val)) {
        parts.push(`<text x="${xx + cellW / 2}" y="${y + cellH / 2 + 4}" font-size="10" text-anchor="middle" fill="${val > 0.55 ? '#fff' : '#1b1f24'}">${pct(val, 0)}</text>`);
      }
    });
  });
  return `<figure><figcaption>${escapeHtml(d.label)} by domain (%)</figcaption><svg class="chart heatmap" xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(d.label)} by domain">${parts.join('')}</svg></figure>`;
}

export function leaderboardHtml(lb: Leaderboard): string {
  const head = `<tr><th>Checkpoint</th>${lb.metrics.map((m) => `<th title="${escapeHtml(m.signature)}">${escapeHtml(m.label)}${m.higherIsBetter ? '' : ' ↓'}</th>`).join('')}</tr>`;
  const body = lb.rows
    .map((r) => `<tr><td>${escapeHtml(r.checkpoint)}${r.checkpoint === lb.baseline ? ' <em>(baseline)</em>' : ''}</td>${lb.metrics.map((m) => cellHtml(r.cells[m.key])).join('')}</tr>`)
    .join('\n');
  let domainTable = '';
  const d = lb.domains;
  if (d) {
    const dh = `<tr><th>Domain</th><th>n</th>${d.rows.map((r) => `<th>${escapeHtml(r.checkpoint)}</th>`).join('')}</tr>`;
    const db = d.domains
      .map((dom) => `<tr><td>${escapeHtml(dom)}</td><td>${Math.max(0, ...d.rows.map((r) => r.values[dom]?.n ?? 0))}</td>${d.rows.map((r) => `<td>${pct(r.values[dom]?.value ?? null, 1)}</td>`).join('')}</tr>`)
      .join('\n');
    domainTable = `<h2>${escapeHtml(d.label)} by domain</h2>${heatmap(lb)}<details><summary>Table</summary><table class="domains"><thead>${dh}</thead><tbody>${db}</tbody></table></details>`;
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>APIBench ${escapeHtml(lb.dataset.hub)} leaderboard</title>
<style>${CSS}</style>
</head>
<body>
<h1>APIBench ${escapeHtml(lb.dataset.hub)} leaderboard</h1>
<table class="leaderboard"><thead>${head}</thead><tbody>
${body}
</tbody></table>
<div class="legend">${legend(lb).map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</div>
<h2>Scores with 95% intervals</h2>
<div class="charts">${lb.metrics.map((m) => metricChart(lb, m)).join('\n')}</div>
${domainTable}
<h2>Signatures</h2>
<ul class="sigs">${signatureLines(lb.metrics).map((s) => `<li><code>${escapeHtml(s)}</code></li>`).join('')}</ul>
${lb.notes.map((n) => `<p class="legend">${escapeHtml(n)}</p>`).join('\n')}
<p class="legend">Generated by ${escapeHtml(lb.generator)}.</p>
</body>
</html>
`;
}
