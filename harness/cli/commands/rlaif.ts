import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('rlaif')
    .description('The whole RLAIF loop (arXiv 2406.20060): SFT → samples → AI feedback → reward model → PPO → sft / rl / best-of-n on held-out questions → eval and leaderboard')
    .requiredOption('--config <file>', 'the loop\'s config (JSON; fixtures/rlaif/tiny.json runs on a CPU machine)')
    .requiredOption('--out <dir>', 'folder of the stages (sft/, samples/, feedback/, reward/, ppo/, generate/, eval/) and rlaif.json')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--until <stage>', 'stop after this stage: sft, samples, feedback, reward, ppo, generate or eval')
    .option('--quiet', 'no progress output', false)
    .addHelpText('after', `
A finished stage whose part of the config (and every stage before it) is unchanged is skipped; a changed option
reruns from the first stage it affects; after a crash or kill the same command resumes.
Examples:
  apieval rlaif --config fixtures/rlaif/tiny.json --data-dir ../shared/apibench --out runs/rlaif-tiny
  apieval rlaif --config fixtures/rlaif/paper.json --out runs/rlaif-gpt2-large`)
    .action(async (o) => {
      const { runRlaif } = await import('../../rlaif/run.js');
      const { existsSync, readFileSync } = await import('node:fs');
      const r = await runRlaif({ config: o.config, out: o.out, dataDir: o.dataDir, quiet: o.quiet, until: o.until });
      const { leaderboardMarkdown } = await import('../../../reports/markdown.js');
      for (const [title, file] of [['sft, rl and best-of-n against sft', r.leaderboard], ['rl against best-of-n (the same reward model)', r.versusBestOfN]] as const) {
        if (file === null || !existsSync(file)) continue;
        if (!o.quiet) process.stdout.write(`## ${title}\n\n${leaderboardMarkdown({ ...JSON.parse(readFileSync(file, 'utf8')), domains: null })}\n`);
      }
      if (!o.quiet) process.stderr.write(`rlaif: ${r.stages.filter((s) => s.status === 'ran').length} stage(s) ran, ${r.stages.filter((s) => s.status === 'skipped').length} skipped → ${r.out}\n`);
    });
}
