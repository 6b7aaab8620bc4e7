import { type Command } from 'commander';
import { addEndpointOptions, addPriceOptions, addRequestOptions, } from '../producer-flags.js';
import type { GenerateCliOptions as Opts } from '../runners/generate.js';
import { decimal, integer, numericOption } from '../numeric-options.js';
import { choiceOption } from '../choice-options.js';


const DEFAULT_TEMPLATE = '###USER: {prompt}###ASSISTANT: ';

/** Flags that only mean something for an endpoint, refused with --checkpoint. */
const ENDPOINT_ONLY: [keyof Opts, string][] = [
  ['baseUrl', '--base-url'], ['apiKey', '--api-key'], ['model', '--model'], ['promptStyle', '--prompt-style'],
  ['splitN', '--split-n'], ['stop', '--stop'], ['logprobs', '--logprobs'], ['maxCompletionTokens', '--max-completion-tokens'], ['price', '--price'], ['priceTable', '--price-table'],
];

export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .description('Generate candidate answers for APIBench questions from an OpenAI-compatible endpoint or a local checkpoint (Gorilla-style response files)')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--questions <file>', 'questions JSONL ({question_id, text}) instead of the hub\'s 0-shot questions; with --checkpoint also holdout-of:RUN (the eval questions training run RUN kept out)')
    .addOption(numericOption('--limit <n>', 'only the first n questions', integer(1, 1e9)))
    .addOption(choiceOption('--prompt-style <style>', 'gorilla-chat (get_llm_responses.py messages) or gorilla-model (the question-file text the Gorilla models saw); default: gorilla-chat for --api chat, gorilla-model for completions', ['gorilla-chat', 'gorilla-model']))
    .addOption(choiceOption('--retriever <r>', 'append a retrieved API document: none (0-shot), bm25 (rank_bm25 BM25Okapi over the API database) or oracle (the question\'s own API record)', ['none', 'bm25', 'oracle']).default('none'))
    .addOption(numericOption('--num-docs <k>', 'documents BM25 retrieves', integer(1, 100), 1))
    .option('--template <text>', 'completions prompt template; {prompt} is the question text', DEFAULT_TEMPLATE);
  addEndpointOptions(cmd, { baseUrl: 'endpoint base URL', model: 'model name' })
    .addOption(numericOption('-n, --n <n>', 'samples per prompt (one output file per sample index)', integer(1, 1000), 1))
    .option('--split-n', 'send n separate requests instead of one with n (for servers without n); sample r of seed s uses seed s*n+r')
    .addOption(numericOption('--temperature <t>', 'sampling temperature', decimal(0, 10)))
    .addOption(numericOption('--top-p <p>', 'nucleus sampling', decimal(0, 1)))
    .addOption(numericOption('--max-tokens <n>', 'completion token limit (sent as max_tokens; switched to max_completion_tokens by itself when the endpoint refuses max_tokens, as o1/o3 do)', integer(1, 1 << 24)))
    .addOption(numericOption('--max-completion-tokens <n>', 'completion token limit sent as max_completion_tokens from the first request (chat; OpenAI o1/o3 models)', integer(1, 1 << 24)))
    .option('--seed <list>', 'comma-separated seeds, one output file each', '0')
    .option('--no-seed', 'send no seed (one output file, named noseed)')
    .option('--stop <text>', 'stop sequence (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .addOption(numericOption('--logprobs [k]', 'keep token logprobs in metadata, with k alternatives per token (default 0)', integer(0, 20)))
    .option('--checkpoint <dir>', 'generate with a local Hugging Face GPT-2 checkpoint (e.g. RUN/final of apieval train) instead of an endpoint')
    .option('--tokenizer <dir>', 'with --checkpoint: tokenizer folder (default: the checkpoint\'s)')
    .addOption(numericOption('--top-k <k>', 'with --checkpoint: top-k sampling', integer(1, 1 << 24)))
    .addOption(numericOption('--max-new-tokens <n>', 'with --checkpoint: new tokens per answer (default 256)', integer(1, 1 << 20)))
    .addOption(numericOption('--batch-size <n>', 'with --checkpoint: prompts per batch (default 8)', integer(1, 4096)))
    .addOption(choiceOption('--device <d>', 'with --checkpoint: cpu, cuda or auto', ['cpu', 'cuda', 'auto']))
    .option('--quiet', 'no progress output');
  addRequestOptions(cmd)
    .option('--out-dir <dir>', 'where response files and the run manifest go', 'runs')
    .option('--run-name <name>', 'file name stem (default: <hub>_<model>_<retriever>)');
  addPriceOptions(cmd)
    .option('--json', 'print the run summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  apieval generate --base-url http://127.0.0.1:8000/v1 --model gorilla-7b --api completions --seed 0,1,2 --out-dir runs/gen
  apieval generate --checkpoint runs/sft-tiny/final --questions holdout-of:runs/sft-tiny --seed 0,1,2 --temperature 0.7 --top-p 0.95 --out-dir runs/gen`,
    )
    .action(async (opts: Opts) => {
      if (opts.checkpoint !== undefined) {
        const { UserError } = await import('../../../core/errors.js');
        for (const [k, flag] of ENDPOINT_ONLY) if (opts[k] !== undefined && opts[k] !== false) throw new UserError(`${flag} is for endpoints; --checkpoint generates locally`);
        if (opts.template !== undefined && opts.template !== DEFAULT_TEMPLATE) throw new UserError('--template is for endpoints; a checkpoint is prompted as it was trained');
        if (opts.retriever !== 'none') throw new UserError('--retriever is for endpoints; a checkpoint is prompted as it was trained (0-shot)');
        if (opts.n !== 1) throw new UserError('-n is for endpoints; with --checkpoint give several --seed values');
        if (opts.seed === false) throw new UserError('--no-seed: a checkpoint always samples from a seed');
        const { parseSeeds } = await import('../runners/generate.js');
        const { runCheckpointGenerate } = await import('../../../trainers/generate.js');
        await runCheckpointGenerate({ ...opts, checkpoint: opts.checkpoint, maxNewTokens: opts.maxNewTokens ?? opts.maxTokens, seeds: parseSeeds(opts.seed) as number[] });
        return;
      }
      for (const [v, flag] of [[opts.tokenizer, '--tokenizer'], [opts.topK, '--top-k'], [opts.maxNewTokens, '--max-new-tokens'], [opts.batchSize, '--batch-size'], [opts.device, '--device']] as const) {
        if (v !== undefined) {
          const { UserError } = await import('../../../core/errors.js');
          throw new UserError(`${flag} needs --checkpoint (an endpoint takes --max-tokens, --concurrency)`);
        }
      }
      if (opts.questions?.startsWith('holdout-of:')) {
        const { UserError } = await import('../../../core/errors.js');
        throw new UserError("--questions holdout-of:RUN needs --checkpoint; for an endpoint, answer all questions and give 'apieval eval' --questions holdout-of:RUN");
      }
      const { runGenerateCommand } = await import('../runners/generate.js');
      await runGenerateCommand(opts);
    });
}

