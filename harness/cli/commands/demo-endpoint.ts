import type { Command } from 'commander';
import { integer, numericOption } from '../numeric-options.js';

// `apieval demo-endpoint`: the deterministic OpenAI-compatible server (harness/demo/openai-endpoint.ts), to try
// `generate` and `feedback` with no provider. It ships in the package, so the README's demo works from npm too.
export function register(program: Command): void {
  program
    .command('demo-endpoint')
    .description('a deterministic OpenAI-compatible server on 127.0.0.1 (chat and completions), to try generate and feedback without a provider')
    .addOption(numericOption('--port <n>', 'port on 127.0.0.1 (0: any free one; the URL is printed)', integer(0, 65_535), 8011))
    .option('--options <json>', 'faults and delays, e.g. \'{"faults": {"2": {"kind": "429", "retryAfter": "1"}}, "delayMs": 50}\'')
    .addHelpText('after', `
Prints "listening on http://127.0.0.1:<port>/v1"; point --base-url there. GET /__stats gives request counts;
POST /__faults replaces the options (faults by request number, delayMs, maxChoices, rejectMaxTokens).
Example:
  apieval demo-endpoint --port 8011 &
  apieval generate --base-url http://127.0.0.1:8011/v1 --model fake-7b --limit 20 --out-dir runs`)
    .action(async (o: { port: number; options?: string }) => {
      const { UserError } = await import('../../../core/errors.js');
      const { FakeOpenAI } = await import('../../demo/openai-endpoint.js');
      let opts = {};
      if (o.options !== undefined) {
        try {
          opts = JSON.parse(o.options) as object;
        } catch (e) {
          throw new UserError(`--options: not valid JSON (${(e as Error).message})`);
        }
        if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new UserError('--options: expected a JSON object');
      }
      const server = new FakeOpenAI(opts);
      let url: string;
      try {
        url = await server.listen(o.port);
      } catch (e) {
        throw new UserError(`--port ${o.port}: cannot listen on 127.0.0.1 (${(e as Error).message})`);
      }
      process.stdout.write(`listening on ${url}\n`);
      const stop = (): void => void server.close().then(() => process.exit(0));
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    });
}
