import type { Command } from 'commander';
import { UserError } from '../../errors.js';

export function register(program: Command): void {
  program
    .command('leaderboard')
    .description('Checkpoints × metrics from run directories, with intervals, paired significance vs a baseline (Holm), per-domain breakdown')
    .argument('<run_dir...>', 'run directories written by apieval eval')
    .option('--baseline <name>', 'checkpoint to test every other one against')
    .option('--out <dir>', 'output folder', 'leaderboard')
    .option('--formats <list>', 'csv,latex,md,json,html (any subset)', 'csv,latex,md,json,html')
    .option('--alpha <a>', 'family-wise significance level (Holm)', '0.05')
    .option('--seed <n>', 'bootstrap seed (default: the first run directory\'s)')
    .option('--bootstrap <n>', 'bootstrap resamples (default: the first run directory\'s)')
    .option('--quiet', 'do not print the table', false)
    .addHelpText('after', `
Example:
  apieval leaderboard runs/gorilla-hf --baseline Gorilla_FT_0_shot --out reports/hf --formats csv,latex,md,json,html`)
    .action(async (dirs: string[], o) => {
      const { parseFormats } = await import('./eval.js');
      const { buildLeaderboard } = await import('../../runs/leaderboard.js');
      const { writeReports } = await import('../../../reports/index.js');
      const { leaderboardMarkdown } = await import('../../../reports/markdown.js');
      const formats = await parseFormats(o.formats);
      const alpha = Number(o.alpha);
      if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha must be in (0, 1), got '${o.alpha}'`);
      const int = (name: string, v: string | undefined, min: number) => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (!Number.isInteger(n) || n < min || n > 0xffffffff) throw new UserError(`${name} must be an integer ≥ ${min}, got '${v}'`);
        return n;
      };
      const lb = buildLeaderboard(dirs, { baseline: o.baseline, alpha, seed: int('--seed', o.seed, 0), nResamples: int('--bootstrap', o.bootstrap, 1) });
      const files = writeReports(lb, o.out, formats);
      if (!o.quiet) {
        process.stdout.write(leaderboardMarkdown({ ...lb, domains: null }) + '\n');
        process.stderr.write(`leaderboard: ${files.join(', ')}\n`);
      }
    });
}
