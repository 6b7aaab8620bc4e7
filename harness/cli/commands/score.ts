import type { Command } from 'commander';
import { integer, numericOption } from '../numeric-options.js';
import { DEFAULT_MAX_TEXT_BYTES } from '../../../metrics/types.js';

export function register(program: Command): void {
  program
    .command('score')
    .description("Score predictions against references with the registry's pair metrics, CodeBLEU and ROUGE (sentence or corpus level)")
    .requiredOption('--input <file>', 'JSON Lines: {"id", "reference": string | string[], "prediction": string}; - reads standard input')
    .requiredOption('--output <file>', 'where to write the scores (written atomically); - writes standard output')
    .option('--metrics <list>', 'comma-separated pair metrics of metrics/registry.ts (codebleu, rouge); default: all of them')
    .option('--codebleu-variant <name>', 'k4black (codebleu 0.7.1) or codexglue (CodeXGLUE evaluator)', 'k4black')
    .option('--codebleu-weights <a,b,c,d>', 'weights of ngram, weighted ngram, syntax, dataflow', '0.25,0.25,0.25,0.25')
    .option('--rouge-stemmer', 'Porter-stem tokens (rouge-score use_stemmer=True)', false)
    .option('--level <level>', 'sentence (one line per input line) or corpus (one object)', 'sentence')
    .addOption(numericOption('--max-text-bytes <n>', 'longest reference or prediction (UTF-8 bytes) scored; a pair with a longer one gets {"error": "TextTooLong: …"} for each metric, and the run goes on', integer(1, 2 ** 31 - 1), DEFAULT_MAX_TEXT_BYTES))
    .action(async (opts: { input: string; output: string; metrics?: string; codebleuVariant: string; codebleuWeights: string; rougeStemmer: boolean; level: string; maxTextBytes: number }) => {
      const { parseMetrics, pairMetricNames, parseVariant, parseWeights, parseLevel } = await import('../../score/options.js');
      const metrics = parseMetrics(opts.metrics ?? pairMetricNames());
      const variant = parseVariant(opts.codebleuVariant);
      const weights = parseWeights(opts.codebleuWeights);
      const level = parseLevel(opts.level);
      const { refuseUnsafeOutputs } = await import('../../../core/output-path.js');
      refuseUnsafeOutputs([{ flag: '--output', path: opts.output }], [{ flag: '--input', path: opts.input }]);
      const { runScore } = await import('../../score/run.js');
      const t0 = performance.now();
      const s = await runScore({ input: opts.input, output: opts.output, metrics, ctx: { codebleu: { variant, weights }, rougeStemmer: !!opts.rougeStemmer }, level, maxTextBytes: opts.maxTextBytes });
      const failed = Object.entries(s.failures).map(([m, k]) => `${k} ${m} failure(s)`).join(', ');
      process.stderr.write(
        `apieval score: ${s.n} item(s) -> ${opts.output === '-' ? 'standard output' : opts.output} (${level}, ${((performance.now() - t0) / 1000).toFixed(2)} s)${failed ? `; ${failed}` : ''}\n` +
          Object.values(s.signatures).map((sig) => `  ${sig}\n`).join(''),
      );
    });
}
