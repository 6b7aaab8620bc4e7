import type { Command } from 'commander';
import { integer, numericOption } from '../numeric-options.js';

export function register(program: Command): void {
  program
    .command('verify')
    .description('Recompute a golden file (codebleu/rouge pairs or corpus format) and report every disagreement > 1e-9')
    .requiredOption('--golden <file>', 'golden JSONL(.gz): codebleu_pairs, codebleu_corpus, rouge_pairs or rouge_corpus format')
    .option('--variant <name>', 'CodeBLEU variant to check: k4black, codexglue or all (default: those present in the file)')
    .option('--pairs <file>', 'pairs file for a corpus file (default: the sibling *_pairs.jsonl.gz)')
    .addOption(numericOption('--max-show <n>', 'print at most n disagreement lines per check', integer(0, 1e9), 50))
    .action(async (opts: { golden: string; variant?: string; pairs?: string; maxShow: number }) => {
      let variants: ('k4black' | 'codexglue')[] | undefined;
      if (opts.variant && opts.variant !== 'all') {
        const { parseVariant } = await import('../../score/options.js');
        variants = [parseVariant(opts.variant, '--variant')];
      }
      const { runVerify } = await import('../../score/verify-run.js');
      const r = await runVerify({ golden: opts.golden, variants, pairs: opts.pairs, maxShow: opts.maxShow });
      if (!r.ok) process.exitCode = 1;
    });
}
