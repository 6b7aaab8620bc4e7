import { Option, type Command } from 'commander';

interface Opts {
  responses?: string;
  pairs?: string;
  hub: string;
  dataDir?: string;
  questions?: string;
  rubric?: string;
  completion: string;
  threshold?: string;
  api: string;
  baseUrl?: string;
  apiKey?: string;
  model?: string;
  temperature: string;
  maxTokens: string;
  seed: string | false;
  logprobs?: string | boolean;
  concurrency?: string;
  maxRetries?: string;
  timeout?: string;
  retryBase?: string;
  cacheDir?: string;
  cache?: boolean;
  out: string;
  stats?: string;
  ast?: string;
  exec?: string;
  price?: string;
  priceTable?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('feedback')
    .description('Label generated answers with a judge model\'s yes/no rubric (RLAIF AI feedback) and write a reward-model training set')
    .option('--responses <file>', 'Gorilla-style response file (e.g. from apieval generate); instructions come from the hub\'s questions')
    .option('--pairs <file>', 'JSONL of {id?, question_id?, instruction, completion} instead of --responses')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub (for --responses)', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--questions <file>', 'questions JSONL ({question_id, text}) instead of the hub\'s')
    .addOption(new Option('--completion <what>', 'what the judge sees of each response: text (the whole answer) or code (the program after <<<code>>>, escapes decoded)').choices(['text', 'code']).default('text'))
    .option('--rubric <file>', 'rubric JSON (default: fixtures/rubric/default.json, 8 questions)')
    .option('--threshold <tau>', 'accept when the number of "yes" answers S >= tau (default: every question)')
    .addOption(new Option('--api <kind>', 'chat or completions endpoint').choices(['chat', 'completions']).default('chat'))
    .option('--base-url <url>', 'judge endpoint base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)')
    .option('--api-key <key>', 'API key (default: $OPENAI_API_KEY)')
    .option('--model <name>', 'judge model (default: $APIEVAL_MODEL)')
    .option('--temperature <t>', 'judge temperature', '0')
    .option('--max-tokens <n>', 'judge answer token limit', '16')
    .option('--seed <n>', 'seed sent with every judge request', '0')
    .option('--no-seed', 'send no seed')
    .option('--logprobs [k]', 'ask for logprobs (k alternatives, at least 2) and report P(yes)')
    .option('--concurrency <n>', 'requests in flight', '4')
    .option('--max-retries <n>', 'retries per request for 429/5xx/timeouts/malformed replies', '6')
    .option('--timeout <seconds>', 'per-request timeout', '120')
    .option('--retry-base <ms>', 'first backoff delay when the server gives no retry-after', '1000')
    .option('--cache-dir <dir>', 'response cache (default: $APIEVAL_CACHE_DIR/responses or ~/.cache/apieval/responses)')
    .option('--no-cache', 'do not read or write the response cache')
    .requiredOption('--out <file>', 'reward-model training set (JSONL)')
    .option('--stats <file>', 'label statistics and agreement (JSON; default: <out>.stats.json)')
    .option('--ast <file>', 'apieval ast-match per-sample output of the same responses, for agreement')
    .option('--exec <file>', 'apieval exec per-sample output of the same responses, for agreement')
    .option('--price <in,out>', 'USD per million input,output tokens, for the cost line')
    .option('--price-table <file>', 'JSON {"<model>": {"input": USD/1M, "output": USD/1M}}')
    .option('--json', 'print the statistics as JSON')
    .action(async (opts: Opts) => {
      const { runFeedbackCommand } = await import('../../producers/feedback-cli.js');
      await runFeedbackCommand(opts);
    });
}

export type FeedbackCliOptions = Opts;
