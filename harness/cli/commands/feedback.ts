import { type Command } from 'commander';
import { addEndpointOptions, addPriceOptions, addRequestOptions, } from '../producer-flags.js';
import type { FeedbackCliOptions as Opts } from '../runners/feedback.js';
import { decimal, integer, numericOption, SEED } from '../numeric-options.js';
import { choiceOption } from '../choice-options.js';


export function register(program: Command): void {
  const cmd = program
    .command('feedback')
    .description('Label generated answers with a judge model\'s yes/no rubric (RLAIF AI feedback) and write a reward-model training set')
    .option('--responses <file>', 'Gorilla-style response file (e.g. from apieval generate); instructions come from the hub\'s questions')
    .option('--pairs <file>', 'JSONL of {id?, question_id?, instruction, completion} instead of --responses')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub (for --responses)', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--questions <file>', 'questions JSONL ({question_id, text}) instead of the hub\'s')
    .addOption(choiceOption('--completion <what>', 'what the judge sees of each response: text (the whole answer) or code (the program after <<<code>>>, escapes decoded)', ['text', 'code']).default('text'))
    .option('--rubric <file>', 'rubric JSON (default: fixtures/rubric/default.json, 8 questions)')
    .addOption(numericOption('--threshold <tau>', 'accept when the number of "yes" answers S >= tau (default: every question)', integer(0, 1000)));
  addEndpointOptions(cmd, { baseUrl: 'judge endpoint base URL', model: 'judge model' })
    .addOption(numericOption('--temperature <t>', 'judge temperature', decimal(0, 10), 0))
    .addOption(numericOption('--max-tokens <n>', 'judge answer token limit', integer(1, 1 << 24), 16))
    .addOption(numericOption('--seed <n>', 'seed sent with every judge request', SEED, 0))
    .option('--no-seed', 'send no seed')
    .addOption(numericOption('--logprobs [k]', 'ask for logprobs (k alternatives, at least 2) and report P(yes)', integer(0, 20)));
  addRequestOptions(cmd)
    .requiredOption('--out <file>', 'reward-model training set (JSONL)')
    .option('--stats <file>', 'label statistics and agreement (JSON; default: <out>.stats.json)')
    .option('--ast <file>', 'apieval ast-match per-sample output of the same responses, for agreement')
    .option('--exec <file>', 'apieval exec per-sample output of the same responses, for agreement');
  addPriceOptions(cmd)
    .option('--json', 'print the statistics as JSON')
    .action(async (opts: Opts) => {
      const { runFeedbackCommand } = await import('../runners/feedback.js');
      await runFeedbackCommand(opts);
    });
}

