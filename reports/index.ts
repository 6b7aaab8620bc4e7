import { join } from 'node:path';
import { writeFileAtomic } from '../core/jsonl.js';
import type { Leaderboard } from './model.js';
import { domainsCsv, leaderboardCsv } from './csv.js';
import { leaderboardLatex } from './latex.js';
import { leaderboardMarkdown } from './markdown.js';
import { leaderboardJson } from './json.js';
import { leaderboardHtml } from './html.js';

export type ReportFormat = 'csv' | 'latex' | 'md' | 'json' | 'html';
export const REPORT_FORMATS: readonly ReportFormat[] = ['csv', 'latex', 'md', 'json', 'html'];

export * from './model.js';
export { escapeLatex, leaderboardLatex, leaderboardTableLatex, domainTableLatex } from './latex.js';
export { escapeMarkdown, leaderboardMarkdown } from './markdown.js';
export { escapeHtml, leaderboardHtml } from './html.js';
export { leaderboardCsv, domainsCsv } from './csv.js';
export { leaderboardJson } from './json.js';

/** Renders each requested format into `outDir`; returns the files written (each written atomically). */
export function writeReports(lb: Leaderboard, outDir: string, formats: readonly ReportFormat[] = REPORT_FORMATS): string[] {
  const files: [string, string][] = [];
  for (const f of formats) {
    if (f === 'csv') {
      files.push(['leaderboard.csv', leaderboardCsv(lb)]);
      if (lb.domains) files.push(['leaderboard_domains.csv', domainsCsv(lb)]);
    } else if (f === 'latex') files.push(['leaderboard.tex', leaderboardLatex(lb)]);
    else if (f === 'md') files.push(['leaderboard.md', leaderboardMarkdown(lb)]);
    else if (f === 'json') files.push(['leaderboard.json', leaderboardJson(lb)]);
    else if (f === 'html') files.push(['leaderboard.html', leaderboardHtml(lb)]);
  }
  return files.map(([name, text]) => {
    const p = join(outDir, name);
    writeFileAtomic(p, text);
    return p;
  });
}
