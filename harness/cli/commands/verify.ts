import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('verify')
    .description('Recompute a golden file (codebleu/rouge pairs or corpus format) and report every disagreement > 1e-9')
    .requiredOption('--golden <file>', 'golden JSONL(.gz): codebleu_pairs, codebleu_corpus, rouge_pairs or rouge_corpus format')
    .option('--variant <name>', 'CodeBLEU variant to check: k4black, codexglue or all (default: those present in the file)')
    .option('--pairs <file>', 'pairs file for a corpus file (default: the sibling *_pairs.jsonl.gz)')
    .option('--max-show <n>', 'print at most n disagreement lines per check', '50')
    .action(async (opts: { golden: string; variant?: string; pairs?: string; maxShow: string }) => {
      const { UserError } = await import('../../errors.js');
      let variants: ('k4black' | 'codexglue')[] | undefined;
      if (opts.variant && opts.variant !== 'all') {
        const { parseVariant } = await import('../../score/options.js');
        variants = [parseVariant(opts.variant, '--variant')];
      }
      const maxShow = Number(opts.maxShow);
      if (!Number.isInteger(maxShow) || maxShow < 0) throw new UserError(`--max-show: expected a non-negative integer, got '${opts.maxShow}'`);
      const { runVerify } = await import('../../score/verify-run.js');
      const r = await runVerify({ golden: opts.golden, variants, pairs: opts.pairs, maxShow });
      if (!r.ok) process.exitCode = 1;
    });
}
