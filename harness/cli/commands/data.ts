import type { Command } from 'commander';

interface SelOpts {
  hub?: string[];
  responses?: boolean;
}

// `apieval data`: get, check and locate the pinned APIBench files (Gorilla @ 6ea5797, sha256-checked).
export function register(program: Command): void {
  const data = program.command('data').description('APIBench data: download into the cache, verify checksums, show where it is');

  data
    .command('fetch')
    .description('download the pinned APIBench files that are missing into the cache (or --dir), checking each sha256')
    .option('--hub <hub...>', 'only these hubs (huggingface, torchhub, tensorflowhub; default all)')
    .option('--responses', "also the 8 Gorilla response files per hub (15 MB)")
    .option('--dir <dir>', 'download into this directory instead of the cache')
    .action(async (opts: SelOpts & { dir?: string }) => {
      const { fetchData, cacheDir, baseUrl } = await import('../../datasets/source.js');
      const sel = await selection(opts);
      const dir = opts.dir ?? cacheDir();
      let downloaded = 0;
      let present = 0;
      await fetchData(sel, {
        dir,
        base: baseUrl(),
        onFile: (f, status) => {
          if (status === 'downloaded') {
            downloaded++;
            process.stderr.write(`downloaded ${f.local}\n`);
          } else present++;
        },
      });
      process.stdout.write(JSON.stringify({ dir, downloaded, present }) + '\n');
    });

  data
    .command('verify')
    .description('check the files of a data directory against the pinned sha256 checksums (exit 1 on any problem)')
    .option('--data-dir <dir>', 'directory to check (default: APIEVAL_DATA_DIR, else the cache)')
    .option('--hub <hub...>', 'only these hubs')
    .option('--responses', 'also the Gorilla response files')
    .action(async (opts: SelOpts & { dataDir?: string }) => {
      const { verifyDataDir, cacheDir } = await import('../../datasets/source.js');
      const { UserError } = await import('../../../core/errors.js');
      const dir = opts.dataDir ?? (process.env.APIEVAL_DATA_DIR?.trim() ? process.env.APIEVAL_DATA_DIR : cacheDir());
      const { existsSync } = await import('node:fs');
      if (!existsSync(dir)) throw new UserError(`${dir}: no such directory`);
      const results = verifyDataDir(dir, await selection(opts));
      let bad = 0;
      for (const r of results) {
        if (r.status !== 'ok') bad++;
        process.stdout.write(`${r.status.padEnd(8)} ${r.file.local}${r.status === 'mismatch' ? ` (sha256 ${r.sha256}, expected ${r.file.sha256})` : ''}\n`);
      }
      process.stdout.write(JSON.stringify({ dir, files: results.length, ok: results.length - bad, bad }) + '\n');
      if (bad > 0) process.exitCode = 1;
    });

  data
    .command('path')
    .description('print the data directory apieval reads (--data-dir, APIEVAL_DATA_DIR or the cache), without downloading')
    .option('--data-dir <dir>', 'a local copy')
    .action(async (opts: { dataDir?: string }) => {
      const { cacheDir } = await import('../../datasets/source.js');
      const { resolve } = await import('node:path');
      const env = process.env.APIEVAL_DATA_DIR?.trim();
      process.stdout.write(resolve(opts.dataDir ?? (env ? env : cacheDir())) + '\n');
    });
}

async function selection(opts: SelOpts) {
  const { parseHub } = await import('../../datasets/apibench.js');
  return { hubs: opts.hub?.map(parseHub), responses: !!opts.responses };
}
