/**
 * The endpoint, request and price flags that `generate` and `feedback` share, registered in one place so
 * both commands spell, default and explain them the same way (parsing: cli-options.ts).
 *
 * WHY three adders and not one: each command lists its own flags between these groups in --help
 * (sampling after the endpoint, output paths before the price), and that order is kept. WHY its own
 * module: the command files import it at CLI start-up, so it must pull in nothing but commander.
 */
import { type Command } from 'commander';
import { decimal, integer, numericOption } from './numeric-options.js';
import { choiceOption } from './choice-options.js';

/** What commander hands the action for the shared flags (camel-cased, unparsed). */
export interface CallFlags {
  api: string;
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  concurrency?: number;
  maxRetries?: number;
  timeout?: number;
  retryBase?: number;
  cacheDir?: string;
  /** false with --no-cache. */
  cache?: boolean;
  price?: string;
  priceTable?: string;
}

/** --api, --base-url, --api-key, --model; `help` names what the endpoint and model are for this command. */
export function addEndpointOptions(cmd: Command, help: { baseUrl: string; model: string }): Command {
  return cmd
    .addOption(choiceOption('--api <kind>', 'chat or completions endpoint', ['chat', 'completions']).default('chat'))
    .option('--base-url <url>', `${help.baseUrl} (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)`)
    .option('--api-key <key>', 'API key (default: $OPENAI_API_KEY)')
    .option('--model <name>', `${help.model} (default: $APIEVAL_MODEL)`);
}

/** --concurrency, --max-retries, --timeout, --retry-base, --cache-dir, --no-cache. */
export function addRequestOptions(cmd: Command): Command {
  return cmd
    .addOption(numericOption('--concurrency <n>', 'requests in flight', integer(1, 1024), 4))
    .addOption(numericOption('--max-retries <n>', 'retries per request for 429/5xx/timeouts/malformed replies', integer(0, 100), 6))
    .addOption(numericOption('--timeout <seconds>', 'per-request timeout', decimal(0.001, 86_400), 120))
    .addOption(numericOption('--retry-base <ms>', 'first backoff delay when the server gives no retry-after', decimal(0, 600_000), 1000))
    .option('--cache-dir <dir>', 'response cache (default: $APIEVAL_CACHE_DIR/responses or ~/.cache/apieval/responses)')
    .option('--no-cache', 'do not read or write the response cache');
}

/** --price, --price-table. */
export function addPriceOptions(cmd: Command): Command {
  return cmd
    .option('--price <in,out>', 'USD per million input,output tokens, for the cost line')
    .option('--price-table <file>', 'JSON {"<model>": {"input": USD/1M, "output": USD/1M}}');
}
