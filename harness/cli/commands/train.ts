import { type Command } from 'commander';
import { addTrainingOptions } from '../training-options.js';
import { decimal, integer, numericOption } from '../numeric-options.js';
import { choiceOption } from '../choice-options.js';

export function register(program: Command): void {
  const train = program.command('train').description('Train checkpoints (the RLAIF recipe\'s stages; see README "Training stages")');
  const sftCmd = train
    .command('sft')
    .description('Supervised fine-tuning of GPT-2 on APIBench (loss on the ###Output: part); the same command resumes')
    .requiredOption('--out <dir>', 'run folder (created; RUN/final is the trained checkpoint)')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--split <split>', "train (Gorilla's huggingface_train.json, downloaded and verified) or holdout:FRACTION[:SEED] (a seeded split of the eval records: train on FRACTION, evaluate on the rest)", 'holdout:0.9')
    .addOption(numericOption('--val-fraction <f>', 'share of the training examples kept for the held-out loss', decimal(0, 0.5), 0.05))
    .option('--model <dir>', 'Hugging Face GPT-2 checkpoint folder to start from (config.json, model.safetensors or pytorch_model.bin, vocab.json, merges.txt)')
    .option('--init <shape>', 'start from a random GPT-2 instead: random:tiny|small|medium|large|xl')
    .option('--tokenizer <dir>', 'tokenizer folder (vocab.json + merges.txt); default: the model folder, or GPT-2\'s for --init');
  addTrainingOptions(sftCmd, { lr: '5e-5', maxLength: '512', seedHelp: 'seed of the data order, the random init and dropout', evalHelp: 'held-out loss every n steps' })
    .option('--gradient-checkpointing', 'recompute activations in the backward pass (less memory)')
    .addOption(numericOption('--nproc <n>', 'processes (torchrun DDP; global batch = batch size x grad accum x nproc)', integer(1, 1024), 1));
  sftCmd
    .addHelpText(
      'after',
      `
Examples:
  apieval train sft --data-dir ../apibench --split holdout:0.9 --init random:tiny --max-steps 200 --out runs/sft-tiny
  apieval train sft --model ./gpt2-large --split train --epochs 2 --batch-size 4 --grad-accum 8 --device cuda --out runs/sft-large`,
    )
    .action(async (opts) => {
      const { runSftCommand } = await import('../../../trainers/sft.js');
      await runSftCommand(opts);
    });

  const rewardCmd = train
    .command('reward')
    .description('Reward model (GPT-2 + scalar head; pointwise BCE, or pairwise Bradley–Terry) from apieval feedback labels or preference pairs; exports reward.onnx; the same command resumes')
    .requiredOption('--sft <dir>', 'checkpoint the backbone starts from (RUN/final of apieval train sft)')
    .requiredOption('--labels <file>', 'apieval feedback output ({prompt, completion, label 0|1, score, answers, p_yes_mean} JSONL), or preference pairs ({prompt, chosen, rejected}, as TRL\'s RewardTrainer takes)')
    .addOption(choiceOption('--objective <o>', 'pointwise (BCE on the labels) or pairwise (-logsigmoid(r_chosen - r_rejected); from pairs, or from every accepted × rejected answer to the same question); default: pairwise for a pairs file, else pointwise', ['pointwise', 'pairwise']))
    .requiredOption('--out <dir>', 'run folder (RUN/final is the reward model, with reward.onnx)')
    .option('--tokenizer <dir>', 'tokenizer folder (default: the --sft checkpoint\'s)')
    .addOption(numericOption('--val-fraction <f>', 'share of the questions held out for accuracy / AUC / calibration', decimal(0, 0.9), 0.1))
    .addOption(choiceOption('--target <t>', 'what the head learns: label (0/1), score (rubric yes-fraction) or p_yes (mean P(yes))', ['label', 'score', 'p_yes']).default('label'))
    .option('--no-class-balance', 'do not weigh the classes to equal total weight');
  addTrainingOptions(rewardCmd, { lr: '1e-5', maxLength: '512', seedHelp: 'seed of the split, the head\'s init and the data order', evalHelp: 'held-out metrics every n steps' });
  rewardCmd
    .addHelpText('after', `
Example:
  apieval train reward --sft runs/sft-tiny/final --labels rm/train.jsonl --epochs 3 --lr 1e-4 --out runs/rm-tiny`)
    .action(async (opts) => {
      const { runRewardCommand } = await import('../../../trainers/reward.js');
      await runRewardCommand(opts);
    });

  const ppoCmd = train
    .command('ppo')
    .description("PPO (TRL's algorithm) of an SFT checkpoint against a reward model, a Python function or an HTTP reward endpoint; the same command resumes")
    .requiredOption('--sft <dir>', 'policy to start from and frozen reference (RUN/final of apieval train sft)')
    .requiredOption('--reward <spec>', 'rm:DIR (apieval train reward), module:MODULE:FUNCTION (called as f(prompts=, completions=, question_ids=) -> floats) or http://127.0.0.1:PORT/score (apieval reward serve)')
    .requiredOption('--out <dir>', 'run folder (RUN/final is the PPO policy)')
    .option('--prompts <file>', "training prompts ({prompt, question_id?} JSONL; default: the SFT run's data/train.jsonl)")
    .option('--heldout-prompts <file>', "prompts for the greedy held-out score (default: the SFT run's data/heldout.jsonl)")
    .option('--value-model <dir>', 'checkpoint the value model starts from (default: the reward model for rm:, else the SFT checkpoint with a new head)')
    .option('--tokenizer <dir>', "tokenizer folder (default: the --sft checkpoint's)")
    .addOption(numericOption('--kl-coef <x>', 'KL penalty coefficient per token', decimal(0, 1e6), 0.05))
    .addOption(choiceOption('--kl-estimator <k>', 'k1 (log p - log p_ref) or k3 ((r - 1) - log r)', ['k1', 'k3']).default('k1'))
    .addOption(numericOption('--cliprange <x>', 'policy ratio clip', decimal(0, 10), 0.2))
    .addOption(numericOption('--cliprange-value <x>', 'value clip', decimal(0, 1e6), 0.2))
    .addOption(numericOption('--vf-coef <x>', 'value loss weight', decimal(0, 1e6), 0.1))
    .addOption(numericOption('--gamma <x>', 'discount', decimal(0, 1), 1))
    .addOption(numericOption('--lam <x>', 'GAE lambda', decimal(0, 1), 0.95))
    .addOption(numericOption('--temperature <t>', 'rollout sampling temperature', decimal(1e-4, 100), 0.7))
    .addOption(numericOption('--response-length <n>', 'most tokens per response (APIBench HF answers with EOS: median 340, 90th percentile 498, 99th 694 GPT-2 tokens; TorchHub median 137)', integer(1, 1 << 20), 512))
    .addOption(numericOption('--missing-eos-penalty <x>', 'subtracted from the score of a response that did not end', decimal(-1e6, 1e6)))
    .option('--whiten-rewards', 'whiten the per-token rewards')
    .addOption(numericOption('--num-ppo-epochs <n>', 'passes over each batch of rollouts', integer(1, 1000), 4))
    .addOption(numericOption('--num-mini-batches <n>', 'minibatches per pass (one optimizer step each)', integer(1, 65_536), 1))
    .addOption(numericOption('--total-episodes <n>', 'rollouts in all (default: --epochs x prompts)', integer(1, 1e12)))
    .addOption(numericOption('--max-grad-norm <x>', 'clip the gradient norm (TRL does not)', decimal(0, 1e9)))
    .addOption(numericOption('--eval-prompts <n>', 'held-out prompts scored (greedy) every --eval-every updates', integer(0, 1 << 20), 64))
    .option('--log-rollouts', 'write every rollout (prompt, completion, score) to RUN/rollouts.jsonl')
    .addOption(numericOption('--reward-timeout <s>', 'seconds an HTTP reward may take per batch', decimal(1, 86_400), 120))
    .addOption(numericOption('--nproc <n>', 'processes (torchrun DDP; rollouts per update = batch size x grad accum x mini batches x nproc)', integer(1, 1024), 1));
  addTrainingOptions(ppoCmd, { lr: '3e-6', maxLength: '512', seedHelp: 'seed of the prompt order, the rollouts and the minibatch shuffles', evalHelp: 'held-out mean score every n updates' });
  ppoCmd
    .addHelpText('after', `
--batch-size is rollouts per micro-batch, --max-steps the number of PPO updates, --max-length the prompt tokens kept.
Examples:
  apieval train ppo --sft runs/sft-tiny/final --reward rm:runs/rm-tiny/final --max-steps 50 --lr 1e-5 --out runs/ppo-tiny
  apieval train ppo --sft runs/sft-tiny/final --reward http://127.0.0.1:8808/score --out runs/ppo-ast`)
    .action(async (opts) => {
      const { runPpoCommand } = await import('../../../trainers/ppo.js');
      await runPpoCommand(opts);
    });

  program
    .command('trainers')
    .description('The training stages\' environment')
    .command('doctor')
    .description('Which python the stages run with: torch version, devices, bf16, threads, distributed backends')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { doctorCommand } = await import('../../../trainers/doctor.js');
      doctorCommand(opts);
    });
}
