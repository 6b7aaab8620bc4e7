import { Option, type Command } from 'commander';
import { addEndpointOptions, addPriceOptions, addRequestOptions, type CallFlags } from '../../producers/call-flags.js';

interface Opts extends CallFlags {
  hub: string;
  dataDir?: string;
  questions?: string;
  limit?: string;
  promptStyle?: string;
  retriever: string;
  numDocs: string;
  template?: string;
  n: string;
  splitN?: boolean;
  temperature?: string;
  topP?: string;
  maxTokens?: string;
  seed: string | false;
  stop?: string[];
  logprobs?: string | boolean;
  outDir: string;
  runName?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command('generate')
    .description('Generate candidate answers for APIBench questions from an OpenAI-compatible endpoint (Gorilla-style response files)')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--questions <file>', 'questions JSONL ({question_id, text}) instead of the hub\'s 0-shot questions')
    .option('--limit <n>', 'only the first n questions')
    .addOption(new Option('--prompt-style <style>', 'gorilla-chat (get_llm_responses.py messages) or gorilla-model (the question-file text the Gorilla models saw); default: gorilla-chat for --api chat, gorilla-model for completions').choices(['gorilla-chat', 'gorilla-model']))
    .addOption(new Option('--retriever <r>', 'append a retrieved API document: none (0-shot), bm25 (rank_bm25 BM25Okapi over the API database) or oracle (the question\'s own API record)').choices(['none', 'bm25', 'oracle']).default('none'))
    .option('--num-docs <k>', 'documents BM25 retrieves', '1')
    .option('--template <text>', 'completions prompt template; {prompt} is the question text', '###USER: {prompt}###ASSISTANT: ');
  addEndpointOptions(cmd, { baseUrl: 'endpoint base URL', model: 'model name' })
    .option('-n, --n <n>', 'samples per prompt (one output file per sample index)', '1')
    .option('--split-n', 'send n separate requests instead of one with n (for servers without n); sample r of seed s uses seed s*n+r')
    .option('--temperature <t>', 'sampling temperature')
    .option('--top-p <p>', 'nucleus sampling')
    .option('--max-tokens <n>', 'completion token limit')
    .option('--seed <list>', 'comma-separated seeds, one output file each', '0')
    .option('--no-seed', 'send no seed (one output file, named noseed)')
    .option('--stop <text>', 'stop sequence (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .option('--logprobs [k]', 'keep token logprobs in metadata, with k alternatives per token (default 0)');
  addRequestOptions(cmd)
    .option('--out-dir <dir>', 'where response files and the run manifest go', 'runs')
    .option('--run-name <name>', 'file name stem (default: <hub>_<model>_<retriever>)');
  addPriceOptions(cmd)
    .option('--json', 'print the run summary as JSON')
    .action(async (opts: Opts) => {
      const { runGenerateCommand } = await import('../../producers/generate-cli.js');
      await runGenerateCommand(opts);
    });
}

export type GenerateCliOptions = Opts;
