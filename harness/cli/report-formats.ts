/** `--formats csv,latex,md,json,html` of `eval` and `leaderboard`: aliases (tex, markdown) and one-line errors. */
import { UserError } from '../../core/errors.js';

export async function parseFormats(list: string): Promise<import('../../reports/index.js').ReportFormat[]> {
  const { REPORT_FORMATS } = await import('../../reports/index.js');
  const out = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((s) => (s === 'tex' ? 'latex' : s === 'markdown' ? 'md' : s));
  for (const f of out) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UserError(`--formats: unknown format '${f}' (expected ${REPORT_FORMATS.join(', ')})`);
  }
  if (out.length === 0) throw new UserError('--formats: give at least one format');
  return out as import('../../reports/index.js').ReportFormat[];
}

/**
 * The leaderboard of run directories written as reports (eval, merge and leaderboard end alike): the files in
 * `formats` under `outDir`, the table on stdout and the file list on stderr unless `quiet`.
 */
export async function writeLeaderboardReports(
  dirs: string[],
  lbOpts: import('../runs/leaderboard.js').LeaderboardOptions,
  outDir: string,
  formats: import('../../reports/index.js').ReportFormat[],
  quiet: boolean,
): Promise<void> {
  const { buildLeaderboard } = await import('../runs/leaderboard.js');
  const { writeReports } = await import('../../reports/index.js');
  const { leaderboardMarkdown } = await import('../../reports/markdown.js');
  const lb = buildLeaderboard(dirs, lbOpts);
  const files = writeReports(lb, outDir, formats);
  if (!quiet) {
    process.stdout.write(leaderboardMarkdown({ ...lb, domains: null }) + '\n');
    process.stderr.write(`leaderboard: ${files.join(', ')}\n`);
  }
}
