import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import {
  escapeLatex,
  escapeMarkdown,
  escapeHtml,
  leaderboardCsv,
  domainsCsv,
  leaderboardHtml,
  leaderboardJson,
  leaderboardLatex,
  leaderboardMarkdown,
  writeReports,
  REPORT_FORMATS,
  type Leaderboard,
  type Cell,
} from '../reports/index.js';

const HOSTILE = 'ft_v2 & co 50% $x #1 {a} ~b ^c \\d';
const NAMES = [HOSTILE, 'base--line <b>|"q"', 'café-模型 😀', 'plain', '<script>alert(1)</script>'];

function cell(value: number | null, extra: Partial<Cell> = {}): Cell {
  return { value, low: value === null ? null : value - 0.03, high: value === null ? null : value + 0.02, sd: null, runs: 1, n: 904, best: false, ...extra };
}

/** A hand-made leaderboard with hostile names, a repeated-run row, a failed cell and significance marks. */
function fixture(): Leaderboard {
  const metrics = [
    { key: 'ast_gorilla', label: 'AST acc.', kind: 'binary' as const, higherIsBetter: true, signature: 'ast|v:gorilla|hub:huggingface' },
    { key: 'hallucination', label: 'Halluc.', kind: 'binary' as const, higherIsBetter: false, signature: 'ast|v:gorilla|hub:huggingface' },
    { key: 'codebleu_code', label: 'CodeBLEU_code', kind: 'continuous' as const, higherIsBetter: true, signature: 'codebleu|v:k4black-0.7.1|w:0.25,0.25,0.25,0.25' },
  ];
  const rows = NAMES.map((name, i) => ({
    checkpoint: name,
    runs: i === 1 ? 3 : 1,
    cells: {
      ast_gorilla: cell(0.5 + i * 0.05, {
        best: i === NAMES.length - 1,
        runs: i === 1 ? 3 : 1,
        sd: i === 1 ? 0.012 : null,
        vs_baseline: i === 0 ? undefined : { test: 'mcnemar' as const, delta: i * 0.05, p: 0.001 * i, p_holm: 0.003 * i, significant: i < 3, n_paired: 904, b: 3, c: 10 + i },
      }),
      hallucination: cell(0.2 - i * 0.01, { best: i === NAMES.length - 1 }),
      codebleu_code: i === 2 ? cell(null, { error: 'UnicodeEncodeError: surrogates not allowed' }) : cell(0.3 + i * 0.01, { best: i === 4 }),
    },
  }));
  const domains = ['Multimodal Feature Extraction', 'Natural_Language & #Processing', 'Audio ~ Classification'];
  return {
    schema_version: 1,
    generator: 'apieval 0.1.0',
    dataset: { hub: 'huggingface', source: 'test', sha256: { 'huggingface_eval.json': 'abc' } },
    baseline: HOSTILE,
    alpha: 0.05,
    level: 0.95,
    bootstrap: { seed: 12345, n_resamples: 1000 },
    metrics,
    rows,
    domains: {
      metric: 'ast_gorilla',
      label: 'AST acc.',
      domains,
      rows: NAMES.map((name, i) => ({
        checkpoint: name,
        values: Object.fromEntries(domains.map((d, j) => [d, { value: j === 2 && i === 0 ? null : (i + j) / 10, n: 10 + j }])),
      })),
    },
    notes: ['A note with _underscores_ & <tags>.'],
  };
}

/** Minimal RFC 4180 reader for the round-trip test (quotes, doubled quotes, embedded newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQ = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQ) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') inQ = false;
      else field += ch;
    } else if (ch === '"') inQ = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

describe('LaTeX escaping', () => {
  it('escapes every special character exactly once', () => {
    expect(escapeLatex('_ & % $ # { } ~ ^ \\')).toBe('\\_ \\& \\% \\$ \\# \\{ \\} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}');
    expect(escapeLatex('a<b>c|d')).toBe('a\\textless{}b\\textgreater{}c\\textbar{}d');
    expect(escapeLatex('x--y')).toBe('x-{}-{}y');
    expect(escapeLatex('\\textbf{x}')).toBe('\\textbackslash{}textbf\\{x\\}');
    expect(escapeLatex('café 模型\n\u0007x')).toBe('cafe ?? x');
  });
  it('leaves no unescaped special character in the table for hostile names', () => {
    const tex = leaderboardLatex(fixture());
    const esc = escapeLatex(HOSTILE);
    expect(tex).toContain(esc);
    // Strip the escape sequences we emit; what remains of the name must have no special character left.
    const stripped = esc.replace(/\\(textbackslash|textasciitilde|textasciicircum|textless|textgreater|textbar)\{\}|\\[_&%$#{}]/g, '');
    expect(stripped).not.toMatch(/[\\{}$&#%_~^]/);
    expect(tex).not.toContain('<script>');
  });
  it('marks the best value in bold and significant cells with a star', () => {
    const tex = leaderboardLatex(fixture());
    expect(tex).toContain('\\textbf{70.00}'); // last row best AST (0.5 + 4·0.05)
    expect(tex).toMatch(/55\.00\\,\$\\pm\$\\,1\.20\$\^\{\*\}\$/); // repeated runs: mean ± sd, significant
    expect(tex).toContain('\\toprule');
    expect(tex).toContain('\\bottomrule');
  });
  it.runIf(existsSync('/usr/bin/pdflatex'))('compiles as written with pdflatex (hostile names included)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apieval-tex-'));
    try {
      writeFileSync(join(dir, 'leaderboard.tex'), leaderboardLatex(fixture()));
      const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'leaderboard.tex'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stdout.slice(-3000)).toBe(0);
      expect(existsSync(join(dir, 'leaderboard.pdf'))).toBe(true);
      const log = readFileSync(join(dir, 'leaderboard.log'), 'latin1');
      expect(log).not.toMatch(/^! /m);
      expect(log).not.toMatch(/Missing character/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CSV', () => {
  it('round-trips hostile names and keeps numbers unrounded', () => {
    const lb = fixture();
    const rows = parseCsv(leaderboardCsv(lb));
    const header = rows[0];
    expect(header.slice(0, 4)).toEqual(['checkpoint', 'metric', 'label', 'value']);
    expect(rows.length).toBe(1 + NAMES.length * lb.metrics.length);
    const col = (name: string) => header.indexOf(name);
    expect(new Set(rows.slice(1).map((r) => r[0]))).toEqual(new Set(NAMES));
    const r = rows.find((x) => x[0] === NAMES[1] && x[1] === 'ast_gorilla')!;
    expect(Number(r[col('value')])).toBe(0.55);
    expect(Number(r[col('sd')])).toBe(0.012);
    expect(Number(r[col('p')])).toBe(0.001);
    expect(Number(r[col('p_holm')])).toBe(0.003);
    expect(r[col('significant')]).toBe('true');
    expect(r[col('test')]).toBe('mcnemar');
    const failed = rows.find((x) => x[0] === NAMES[2] && x[1] === 'codebleu_code')!;
    expect(failed[col('value')]).toBe('');
    expect(failed[col('error')]).toMatch(/UnicodeEncodeError/);
    for (const row of rows) expect(row.length).toBe(header.length);
  });
  it('writes the domain breakdown long-form', () => {
    const rows = parseCsv(domainsCsv(fixture()));
    expect(rows[0]).toEqual(['metric', 'domain', 'checkpoint', 'value', 'n']);
    expect(rows.length).toBe(1 + 3 * NAMES.length);
    expect(rows.find((r) => r[1] === 'Audio ~ Classification' && r[2] === HOSTILE)![3]).toBe('');
  });
});

describe('Markdown and JSON', () => {
  it('keeps the table shape whatever the names contain', () => {
    const md = leaderboardMarkdown(fixture());
    const tableLines = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Domain') );
    const mainRows = tableLines.slice(0, 1 + NAMES.length);
    for (const l of mainRows) expect(l.split(/(?<!\\)\|/).length - 2).toBe(4); // checkpoint + 3 metrics
    expect(md).toContain(escapeMarkdown(HOSTILE));
    expect(md).not.toContain('<script>');
    expect(md).toContain('**70.00**');
    expect(md).toContain('55.00 ± 1.20*');
  });
  it('serialises every number, NaN as null', () => {
    const lb = fixture();
    lb.rows[0].cells.ast_gorilla.low = NaN;
    const back = JSON.parse(leaderboardJson(lb));
    expect(back.rows[0].cells.ast_gorilla.low).toBeNull();
    expect(back.rows[1].cells.ast_gorilla.vs_baseline.p_holm).toBe(0.003);
    expect(back.rows.map((r: { checkpoint: string }) => r.checkpoint)).toEqual(NAMES);
  });
  it('writes every format into a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apieval-rep-'));
    try {
      const files = writeReports(fixture(), dir, REPORT_FORMATS).map((f) => f.slice(dir.length + 1)).sort();
      expect(files).toEqual(['leaderboard.csv', 'leaderboard.html', 'leaderboard.json', 'leaderboard.md', 'leaderboard.tex', 'leaderboard_domains.csv']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HTML escaping', () => {
  it('escapes HTML (no browser needed)', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('HTML report in headless Chromium', () => {
  let browser: Browser;
  const executablePath = '/usr/bin/chromium';
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders its charts offline with no console error and no network request', async () => {
    const lb = fixture();
    const dir = mkdtempSync(join(tmpdir(), 'apieval-html-'));
    const file = join(dir, 'leaderboard.html');
    writeFileSync(file, leaderboardHtml(lb));
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto('file://' + file, { waitUntil: 'load' });
      // One forest plot per metric, one dot per checkpoint with a value, whiskers with positive width.
      const charts = page.locator('svg.metric-chart');
      expect(await charts.count()).toBe(lb.metrics.length);
      for (let i = 0; i < lb.metrics.length; i++) {
        const box = await charts.nth(i).boundingBox();
        expect(box!.width).toBeGreaterThan(100);
        expect(box!.height).toBeGreaterThan(50);
      }
      const points = page.locator('svg.metric-chart circle.point');
      expect(await points.count()).toBe(NAMES.length * 3 - 1); // one failed cell has no point
      const pbox = await points.first().boundingBox();
      expect(pbox!.width).toBeGreaterThan(0);
      const whiskerWidths = await page.$$eval('svg.metric-chart line.whisker', (ls) => ls.map((l) => (l as SVGLineElement).getBBox().width));
      expect(whiskerWidths.length).toBe(NAMES.length * 3 - 1);
      for (const w of whiskerWidths) expect(w).toBeGreaterThan(0);
      // The heatmap: one rectangle per domain × checkpoint, each visible.
      const heat = page.locator('svg.heatmap rect.heat-cell');
      expect(await heat.count()).toBe(3 * NAMES.length);
      const hbox = await page.locator('svg.heatmap').boundingBox();
      expect(hbox!.width).toBeGreaterThan(200);
      const fills = await page.$$eval('svg.heatmap rect.heat-cell', (rs) => rs.map((r) => getComputedStyle(r).fill));
      expect(new Set(fills).size).toBeGreaterThan(3);
      // Hostile names are text, not markup.
      expect(await page.locator('script').count()).toBe(0);
      const firstCells = await page.$$eval('table.leaderboard tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
      expect(firstCells[0]).toContain(HOSTILE);
      expect(firstCells[4]).toBe('<script>alert(1)</script>');
      expect(problems).toEqual([]);
      expect(requests).toEqual(['file://' + file]);
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

});
