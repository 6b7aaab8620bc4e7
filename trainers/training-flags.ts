/**
 * The flags every `apieval train …` command shares (declared in harness/cli/commands/training-options.ts),
 * parsed once into the stage config's common part (`TrainingSettings` minus paths).
 */
import { UserError } from '../harness/errors.js';
import { intOpt, numOpt } from '../harness/producers/cli-options.js';
import type { TrainingSettings } from './stage-session.js';
import type { TrainingFlags } from '../harness/cli/commands/training-options.js';

export type { TrainingFlags };

export type ParsedTrainingFlags = Omit<TrainingSettings, 'out' | 'tokenizer' | 'data' | 'data_sha256' | 'device'> & { device: 'cpu' | 'cuda' | 'auto' };

export function parseTrainingFlags(o: TrainingFlags): ParsedTrainingFlags {
  if (!['cpu', 'cuda', 'auto'].includes(o.device)) throw new UserError(`--device '${o.device}': expected cpu, cuda or auto`);
  if (!['auto', 'on', 'off'].includes(o.bf16)) throw new UserError(`--bf16 '${o.bf16}': expected auto, on or off`);
  return {
    epochs: intOpt('--epochs', o.epochs, 1, 10_000)!,
    max_steps: intOpt('--max-steps', o.maxSteps, 1) ?? null,
    lr: numOpt('--lr', o.lr, 0, 10)!,
    warmup_steps: intOpt('--warmup-steps', o.warmupSteps, 0) ?? null,
    batch_size: intOpt('--batch-size', o.batchSize, 1, 65_536)!,
    grad_accum: intOpt('--grad-accum', o.gradAccum, 1, 65_536)!,
    max_length: intOpt('--max-length', o.maxLength, 2, 1 << 20)!,
    seed: intOpt('--seed', o.seed, 0, 2 ** 31 - 1)!,
    dropout: numOpt('--dropout', o.dropout, 0, 1) ?? null,
    device: o.device as 'cpu' | 'cuda' | 'auto',
    bf16: o.bf16 === 'auto' ? 'auto' : o.bf16 === 'on',
    save_every: intOpt('--save-every', o.saveEvery, 1)!,
    eval_every: intOpt('--eval-every', o.evalEvery, 1)!,
  };
}
