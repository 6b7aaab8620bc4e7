import type { Command } from 'commander';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, decimal, numericOption } from '../numeric-options.js';

export function register(program: Command): void {
  program
    .command('leaderboard')
    .description('Checkpoints × metrics from run directories, with intervals, paired significance vs a baseline (Holm), per-domain breakdown')
    .argument('<run_dir...>', 'run directories written by apieval eval')
    .option('--baseline <name>', 'checkpoint to test every other one against')
    .option('--out <dir>', 'output folder', 'leaderboard')
    .option('--formats <list>', 'csv,latex,md,json,html (any subset)', 'csv,latex,md,json,html')
    .addOption(numericOption('--alpha <a>', 'family-wise significance level (Holm)', decimal(0, 0.5, { minExclusive: true }), 0.05))
    .addOption(numericOption('--seed <n>', 'bootstrap seed (default: the first run directory\'s)', BOOTSTRAP_SEED))
    .addOption(numericOption('--bootstrap <n>', 'bootstrap resamples (default: the first run directory\'s)', BOOTSTRAP_RESAMPLES))
    .option('--quiet', 'do not print the table', false)
    .addHelpText('after', `
Example:
  apieval leaderboard runs/gorilla-hf --baseline Gorilla_FT_0_shot --out reports/hf --formats csv,latex,md,json,html`)
    .action(async (dirs: string[], o) => {
      const { parseFormats, writeLeaderboardReports } = await import('../report-formats.js');
      const formats = await parseFormats(o.formats);
      const { refuseUnsafeOutputs } = await import('../../../core/output-path.js');
      refuseUnsafeOutputs([{ flag: '--out', path: o.out, dir: true }], dirs.map((d) => ({ flag: 'the run directory', path: d })));
      await writeLeaderboardReports(dirs, { baseline: o.baseline, alpha: o.alpha, seed: o.seed, nResamples: o.bootstrap }, o.out, formats, !!o.quiet);
    });
}
