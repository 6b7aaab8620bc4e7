import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('merge')
    .description("Join the shards of 'apieval eval --shard K/N' into one run directory, byte-identical to the unsharded run's (apart from its command and timings), then its leaderboard")
    .argument('<shard_dir...>', "run directories written by 'apieval eval --shard K/N'")
    .requiredOption('--out <dir>', 'the merged run directory')
    .option('--report <dir>', 'where to write the leaderboard (default: RUN_DIR/report)')
    .option('--no-report', 'do not write the leaderboard')
    .option('--baseline <name>', 'checkpoint the leaderboard tests others against')
    .option('--formats <list>', 'leaderboard formats: csv,latex,md,json,html', 'csv,latex,md,json,html')
    .option('--quiet', 'do not print the table', false)
    .addHelpText('after', `
Example:
  for k in 1 2 3; do apieval eval --gorilla-responses --no-exec --shard $k/3 --out runs/hf.shard$k; done
  apieval merge runs/hf.shard1 runs/hf.shard2 runs/hf.shard3 --out runs/hf --baseline Gorilla_FT_0_shot`)
    .action(async (dirs: string[], o) => {
      const { join, resolve } = await import('node:path');
      const { parseFormats } = await import('../report-formats.js');
      const formats = await parseFormats(o.formats);
      const outDir = resolve(o.out);
      const reportDir = typeof o.report === 'string' ? resolve(o.report) : join(outDir, 'report');
      const { refuseUnsafeOutputs } = await import('../../../core/output-path.js');
      const { MANIFEST, SAMPLES, SUMMARY, GOLD } = await import('../../runs/run-dir.js');
      refuseUnsafeOutputs(
        [{ flag: '--out', path: outDir, dir: true, writes: [MANIFEST, SAMPLES, SUMMARY, GOLD] }],
        dirs.flatMap((d) => [MANIFEST, SAMPLES, SUMMARY, GOLD].map((f) => ({ flag: 'a shard', path: join(resolve(d), f) }))),
      );
      const { mergeShards } = await import('../../runs/merge.js');
      const r = mergeShards(dirs.map((d) => resolve(d)), outDir, ['apieval', ...process.argv.slice(2)].join(' '));
      if (!o.quiet) process.stderr.write(`merge: ${dirs.length} shards, ${r.records.length} samples → ${outDir}\n`);
      if (o.report !== false) {
        const { writeLeaderboardReports } = await import('../report-formats.js');
        await writeLeaderboardReports([outDir], { baseline: o.baseline }, reportDir, formats, !!o.quiet);
      }
    });
}
