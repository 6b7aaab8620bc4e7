import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('grade')
    .description("Re-grade a finished run directory from its records: re-classify every stored sandbox verdict, recompute the gold gate and rewrite summary.json — no container, no metric recomputed")
    .argument('<run_dir>', 'a run directory written by apieval eval')
    .addHelpText('after', `
Example:
  apieval grade runs/gorilla-hf-exec && apieval leaderboard runs/gorilla-hf-exec --out reports/hf`)
    .action(async (dir: string) => {
      const { grade } = await import('../../runs/grade.js');
      const r = grade(dir);
      process.stderr.write(
        `grade: ${r.samples} samples; ${r.reclassifiedSamples} sample and ${r.reclassifiedGold} gold outcomes changed by re-classification; ${dir}/summary.json written\n`,
      );
    });
}
