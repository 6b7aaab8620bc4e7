import { Option, type Command } from 'commander';

export function register(program: Command): void {
  const train = program.command('train').description('Train checkpoints (the RLAIF recipe\'s stages; see README "Training stages")');
  train
    .command('sft')
    .description('Supervised fine-tuning of GPT-2 on APIBench (loss on the ###Output: part); the same command resumes')
    .requiredOption('--out <dir>', 'run folder (created; RUN/final is the trained checkpoint)')
    .option('--hub <hub>', 'huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'APIBench data folder (default: $APIEVAL_DATA_DIR, else the download cache)')
    .option('--split <split>', "train (Gorilla's huggingface_train.json, downloaded and verified) or holdout:FRACTION[:SEED] (a seeded split of the eval records: train on FRACTION, evaluate on the rest)", 'holdout:0.9')
    .option('--val-fraction <f>', 'share of the training examples kept for the held-out loss', '0.05')
    .option('--model <dir>', 'Hugging Face GPT-2 checkpoint folder to start from (config.json, model.safetensors or pytorch_model.bin, vocab.json, merges.txt)')
    .option('--init <shape>', 'start from a random GPT-2 instead: random:tiny|small|medium|large|xl')
    .option('--tokenizer <dir>', 'tokenizer folder (vocab.json + merges.txt); default: the model folder, or GPT-2\'s for --init')
    .option('--epochs <n>', 'passes over the training examples', '1')
    .option('--max-steps <n>', 'optimizer steps (overrides --epochs, as in transformers\' Trainer)')
    .option('--lr <x>', 'peak learning rate (AdamW, linear warmup, cosine decay)', '5e-5')
    .option('--warmup-steps <n>', 'warmup steps (default: 3% of the steps)')
    .option('--batch-size <n>', 'examples per process per micro-batch', '8')
    .option('--grad-accum <n>', 'micro-batches per optimizer step', '1')
    .option('--max-length <n>', 'tokens per example (prompt + completion), cut at the end', '512')
    .addOption(new Option('--device <d>', 'cpu, cuda or auto').default('auto'))
    .addOption(new Option('--bf16 <mode>', 'bf16 autocast: auto (on where the GPU has it), on, off').default('auto'))
    .option('--gradient-checkpointing', 'recompute activations in the backward pass (less memory)')
    .option('--nproc <n>', 'processes (torchrun DDP; global batch = batch size x grad accum x nproc)', '1')
    .option('--seed <n>', 'seed of the data order, the random init and dropout', '0')
    .option('--save-every <n>', 'checkpoint every n steps (resume point)', '100')
    .option('--eval-every <n>', 'held-out loss every n steps', '50')
    .option('--dropout <p>', 'dropout (default: the model config\'s, 0.1 for GPT-2)')
    .option('--trainer-command <cmd>', 'run this instead of the built-in trainer ({config} = the stage config path); see README "Stage contract"')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the manifest as JSON')
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

  train
    .command('reward')
    .description('Reward model (GPT-2 + scalar head, pointwise BCE) from apieval feedback labels; exports reward.onnx; the same command resumes')
    .requiredOption('--sft <dir>', 'checkpoint the backbone starts from (RUN/final of apieval train sft)')
    .requiredOption('--labels <file>', 'apieval feedback output ({prompt, completion, label 0|1, score, answers, p_yes_mean} JSONL)')
    .requiredOption('--out <dir>', 'run folder (RUN/final is the reward model, with reward.onnx)')
    .option('--tokenizer <dir>', 'tokenizer folder (default: the --sft checkpoint\'s)')
    .option('--val-fraction <f>', 'share of the questions held out for accuracy / AUC / calibration', '0.1')
    .addOption(new Option('--target <t>', 'what the head learns: label (0/1), score (rubric yes-fraction) or p_yes (mean P(yes))').choices(['label', 'score', 'p_yes']).default('label'))
    .option('--no-class-balance', 'do not weigh the classes to equal total weight')
    .option('--epochs <n>', 'passes over the training samples', '1')
    .option('--max-steps <n>', 'optimizer steps (overrides --epochs)')
    .option('--lr <x>', 'peak learning rate (AdamW, warmup, cosine)', '1e-5')
    .option('--warmup-steps <n>', 'warmup steps (default: 3% of the steps)')
    .option('--batch-size <n>', 'samples per micro-batch', '8')
    .option('--grad-accum <n>', 'micro-batches per optimizer step', '1')
    .option('--max-length <n>', 'tokens per sample (prompt + completion; a longer one keeps its end)', '512')
    .addOption(new Option('--device <d>', 'cpu, cuda or auto').default('auto'))
    .addOption(new Option('--bf16 <mode>', 'bf16 autocast: auto, on, off').default('auto'))
    .option('--seed <n>', 'seed of the split, the head\'s init and the data order', '0')
    .option('--save-every <n>', 'checkpoint every n steps (resume point)', '100')
    .option('--eval-every <n>', 'held-out metrics every n steps', '50')
    .option('--dropout <p>', 'dropout (default: the checkpoint config\'s)')
    .option('--trainer-command <cmd>', 'run this instead of the built-in trainer ({config} = the stage config path)')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the manifest as JSON')
    .addHelpText('after', `
Example:
  apieval train reward --sft runs/sft-tiny/final --labels rm/train.jsonl --epochs 3 --lr 1e-4 --out runs/rm-tiny`)
    .action(async (opts) => {
      const { runRewardCommand } = await import('../../../trainers/reward.js');
      await runRewardCommand(opts);
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
