/**
 * The flags every `apieval train …` command shares (declared in harness/cli/commands/training-options.ts),
 * parsed once into the stage config's common part (`TrainingSettings` minus paths).
 */
import { UserError } from '../core/errors.js';
import type { TrainingSettings } from './stage-session.js';
import type { TrainingFlags } from '../harness/cli/training-options.js';

export type { TrainingFlags };

export type ParsedTrainingFlags = Omit<TrainingSettings, 'out' | 'tokenizer' | 'data' | 'data_sha256' | 'device'> & { device: 'cpu' | 'cuda' | 'auto' };

export function parseTrainingFlags(o: TrainingFlags): ParsedTrainingFlags {
  if (!['cpu', 'cuda', 'auto'].includes(o.device)) throw new UserError(`--device '${o.device}': expected cpu, cuda or auto`);
  if (!['auto', 'on', 'off'].includes(o.bf16)) throw new UserError(`--bf16 '${o.bf16}': expected auto, on or off`);
  return {
    epochs: o.epochs!,
    max_steps: o.maxSteps ?? null,
    lr: o.lr!,
    warmup_steps: o.warmupSteps ?? null,
    batch_size: o.batchSize!,
    grad_accum: o.gradAccum!,
    max_length: o.maxLength!,
    seed: o.seed!,
    dropout: o.dropout ?? null,
    device: o.device as 'cpu' | 'cuda' | 'auto',
    bf16: o.bf16 === 'auto' ? 'auto' : o.bf16 === 'on',
    save_every: o.saveEvery!,
    eval_every: o.evalEvery!,
  };
}
