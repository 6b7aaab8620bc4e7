import { type Command } from 'commander';
import { integer, numericOption } from '../numeric-options.js';
import { LIMIT_RANGES } from '../../../sandbox/limits.js';
import { choiceOption } from '../choice-options.js';
import { PROFILE_CHOICES } from '../profile-option.js';

export function register(program: Command): void {
  const reward = program.command('reward').description('Reward models made by apieval train reward, run in this process (onnxruntime-node)');
  const scoreCmd = reward
    .command('score')
    .description("Each response's reward: the model's logit and P(acceptable), from its reward.onnx")
    .requiredOption('--model <dir>', 'reward model folder (RUN/final of apieval train reward: reward.onnx, reward_config.json, tokenizer.json)')
    .option('--responses <file>', 'Gorilla-style response file; instructions from the hub\'s questions (as apieval feedback pairs them)')
    .option('--pairs <file>', 'JSONL of {id?, question_id?, prompt|instruction, completion}');
  addScoringOptions(scoreCmd, 'JSONL of {id, question_id, logit, p, tokens}')
    .addOption(numericOption('--threads <n>', 'onnxruntime intra-op threads (default: every core)', integer(1, 1024)))
    .addHelpText('after', `
Example:
  apieval reward score --model runs/rm-tiny/final --data-dir ../shared/apibench --responses runs/gen/huggingface_sft-tiny.seed0.jsonl --out runs/rm-scores.jsonl`)
    .action(async (opts) => {
      const { runRewardScore } = await import('../runners/reward-score.js');
      await runRewardScore(opts);
    });

  reward
    .command('serve')
    .description("The harness's scorers as an HTTP reward on 127.0.0.1 (POST /score), for apieval train ppo --reward http://…")
    .requiredOption('--reward <term>', 'a term of the reward, repeatable, summed: [WEIGHT*]rm:DIR (the reward model\'s logit), [WEIGHT*]ast[:strict] (1 when Gorilla\'s AST match is correct, else 0) or [WEIGHT*]exec (1 when the program runs ok in the sandbox, else 0)', (v: string, acc: string[] = []) => [...acc, v])
    .addOption(numericOption('--port <n>', 'port on 127.0.0.1 (0: any free one; the URL is printed)', integer(0, 65_535), 8808))
    .option('--hub <hub>', 'the eval questions the ast term matches against (by question_id)', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .addOption(numericOption('--threads <n>', 'onnxruntime intra-op threads (default: every core)', integer(1, 1024)))
    .addOption(numericOption('--batch-size <n>', 'sequences per onnxruntime call', integer(1, 4096), 16))
    .addOption(numericOption('--max-body-mb <n>', 'largest request body', integer(1, 4096), 64))
    .addOption(choiceOption('--profile <profile>', 'exec term: sandbox profile built by apieval sandbox build', [...PROFILE_CHOICES]))
    .option('--image <name>', 'exec term: sandbox image (overrides --profile)')
    .addOption(numericOption('--timeout-s <n>', 'exec term: per-program wall-clock limit, seconds', LIMIT_RANGES.timeoutS))
    .addOption(numericOption('--memory-mb <n>', 'exec term: per-program memory limit, MiB', LIMIT_RANGES.memoryMb))
    .addOption(numericOption('--concurrency <n>', 'exec term: warm sandbox containers', LIMIT_RANGES.concurrency))
    .addHelpText('after', `
Protocol: POST /score {"samples": [{"prompt", "completion", "question_id"}]} -> {"scores": [...], "terms": {...}}; GET /health.
Examples:
  apieval reward serve --port 8808 --reward rm:runs/rm-tiny/final
  apieval reward serve --port 8808 --data-dir ../shared/apibench --reward '0.5*rm:runs/rm-tiny/final' --reward '0.5*ast'
  apieval train ppo --sft runs/sft-tiny/final --reward http://127.0.0.1:8808/score --out runs/ppo-mixed`)
    .action(async (opts) => {
      const { runRewardServe } = await import('../runners/reward-serve.js');
      await runRewardServe(opts);
    });

  const rerankCmd = program
    .command('rerank')
    .description('Best-of-n by a reward model: n response files in, one response file out (the highest-reward answer per question)')
    .requiredOption('--reward-model <dir>', 'reward model folder (RUN/final of apieval train reward)')
    .requiredOption('--responses <F1,F2,...>', 'comma-separated response files: the n samples (e.g. one per seed)');
  addScoringOptions(rerankCmd, 'the best-of-n response file')
    .addHelpText('after', `
Example:
  apieval rerank --reward-model runs/rm-tiny/final --data-dir ../shared/apibench \\
    --responses runs/gen/huggingface_sft-tiny.seed0.jsonl,runs/gen/huggingface_sft-tiny.seed1.jsonl,runs/gen/huggingface_sft-tiny.seed2.jsonl --out runs/gen/best-of-3.jsonl`)
    .action(async (opts) => {
      const { runRerank } = await import('../runners/rerank.js');
      await runRerank(opts);
    });
}

/** What `reward score` and `rerank` share (harness/reward/score-cli.ts ResponseScoringOptions). */
function addScoringOptions(cmd: Command, outHelp: string): Command {
  return cmd
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--questions <file>', 'questions JSONL instead of the hub\'s (instructions are paired as apieval feedback pairs them)')
    .addOption(choiceOption('--completion <what>', 'what the reward model reads: text (the raw response, feedback\'s default) or code', ['text', 'code']).default('text'))
    .requiredOption('--out <file>', outHelp)
    .addOption(numericOption('--batch-size <n>', 'sequences per onnxruntime call', integer(1, 4096), 16))
    .option('--json', 'print the summary as JSON');
}
