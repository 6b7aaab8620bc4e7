/** The options every `apieval train …` command shares (parsed by trainers/training-flags.ts); commander only, so
 *  `apieval --help` stays light. */
import { Option, type Command } from 'commander';
import { decimal, integer, numericOption, SEED } from './numeric-options.js';

export interface TrainingFlags {
  epochs: number;
  maxSteps?: number;
  lr: number;
  warmupSteps?: number;
  batchSize: number;
  gradAccum: number;
  maxLength: number;
  device: string;
  bf16: string;
  seed: number;
  saveEvery: number;
  evalEvery: number;
  dropout?: number;
  trainerCommand?: string;
  quiet?: boolean;
  json?: boolean;
}

export function addTrainingOptions(cmd: Command, d: { lr: string; maxLength: string; seedHelp: string; evalHelp: string }): Command {
  return cmd
    .addOption(numericOption('--epochs <n>', 'passes over the training examples', integer(1, 10_000), 1))
    .addOption(numericOption('--max-steps <n>', 'optimizer steps (overrides --epochs, as in transformers\' Trainer)', integer(1, 1e9)))
    .addOption(numericOption('--lr <x>', 'peak learning rate (AdamW, linear warmup, cosine decay)', decimal(0, 10), Number(d.lr)))
    .addOption(numericOption('--warmup-steps <n>', 'warmup steps (default: 3% of the steps)', integer(0, 1e9)))
    .addOption(numericOption('--batch-size <n>', 'examples per process per micro-batch', integer(1, 65_536), 8))
    .addOption(numericOption('--grad-accum <n>', 'micro-batches per optimizer step', integer(1, 65_536), 1))
    .addOption(numericOption('--max-length <n>', 'tokens per example (prompt + completion)', integer(2, 1 << 20), Number(d.maxLength)))
    .addOption(new Option('--device <d>', 'cpu, cuda or auto').default('auto'))
    .addOption(new Option('--bf16 <mode>', 'bf16 autocast: auto (on where the GPU has it), on, off').default('auto'))
    .addOption(numericOption('--seed <n>', d.seedHelp, SEED, 0))
    .addOption(numericOption('--save-every <n>', 'checkpoint every n steps (resume point)', integer(1, 1e9), 100))
    .addOption(numericOption('--eval-every <n>', d.evalHelp, integer(1, 1e9), 50))
    .addOption(numericOption('--dropout <p>', 'dropout (default: the model config\'s, 0.1 for GPT-2)', decimal(0, 1)))
    .option('--trainer-command <cmd>', 'run this instead of the built-in trainer ({config} = the stage config path); see README "Stage contract"')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the manifest as JSON');
}

