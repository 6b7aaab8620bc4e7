/** The options every `apieval train …` command shares (parsed by trainers/training-flags.ts); commander only, so
 *  `apieval --help` stays light. */
import { Option, type Command } from 'commander';

export interface TrainingFlags {
  epochs: string;
  maxSteps?: string;
  lr: string;
  warmupSteps?: string;
  batchSize: string;
  gradAccum: string;
  maxLength: string;
  device: string;
  bf16: string;
  seed: string;
  saveEvery: string;
  evalEvery: string;
  dropout?: string;
  trainerCommand?: string;
  quiet?: boolean;
  json?: boolean;
}

export function addTrainingOptions(cmd: Command, d: { lr: string; maxLength: string; seedHelp: string; evalHelp: string }): Command {
  return cmd
    .option('--epochs <n>', 'passes over the training examples', '1')
    .option('--max-steps <n>', 'optimizer steps (overrides --epochs, as in transformers\' Trainer)')
    .option('--lr <x>', 'peak learning rate (AdamW, linear warmup, cosine decay)', d.lr)
    .option('--warmup-steps <n>', 'warmup steps (default: 3% of the steps)')
    .option('--batch-size <n>', 'examples per process per micro-batch', '8')
    .option('--grad-accum <n>', 'micro-batches per optimizer step', '1')
    .option('--max-length <n>', 'tokens per example (prompt + completion)', d.maxLength)
    .addOption(new Option('--device <d>', 'cpu, cuda or auto').default('auto'))
    .addOption(new Option('--bf16 <mode>', 'bf16 autocast: auto (on where the GPU has it), on, off').default('auto'))
    .option('--seed <n>', d.seedHelp, '0')
    .option('--save-every <n>', 'checkpoint every n steps (resume point)', '100')
    .option('--eval-every <n>', d.evalHelp, '50')
    .option('--dropout <p>', 'dropout (default: the model config\'s, 0.1 for GPT-2)')
    .option('--trainer-command <cmd>', 'run this instead of the built-in trainer ({config} = the stage config path); see README "Stage contract"')
    .option('--quiet', 'no progress output')
    .option('--json', 'print the manifest as JSON');
}

