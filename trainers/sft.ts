/**
 * `apieval train sft`: builds the training set (harness/datasets/training-data.ts), writes the stage's config
 * into the run folder, runs the stage (the built-in `python -m apieval_trainers sft`, through torchrun for
 * several processes, or the user's --trainer-command) and records what happened in RUN/manifest.json.
 *
 * RUN/
 *   config.json      the stage config (the contract: README "Training stages")
 *   split.json       which eval questions were trained on and which are held out (read by holdout-of:RUN)
 *   data/train.jsonl, data/heldout.jsonl   {id, prompt, completion}
 *   tokenizer/       GPT-2's vocabulary, for a random model (--init)
 *   metrics.jsonl    the stage's step and held-out loss records
 *   checkpoints/step-N/   resumable training state
 *   final/           the trained checkpoint (Hugging Face layout)
 *   manifest.json    options, data checksums, environment, sessions and result
 * The same command resumes; other training settings on an existing RUN are refused.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { parseHub, type Hub } from '../harness/datasets/apibench.js';
import { resolveDataDir, sha256Hex } from '../harness/datasets/source.js';
import { buildTrainingSet, parseSplit, type Example } from '../harness/datasets/training-data.js';
import { toJsonl, writeFileAtomic } from '../core/jsonl.js';
import { checkStageConfig, stageEnvironment } from './stage-runner.js';
import { checkSameSettings, manifestBase, readStageManifest, runStageSession, type StageManifest, type TrainingSettings } from './stage-session.js';
import { ensureGpt2TokenizerDir } from './tokenizer-files.js';
import { parseTrainingFlags, type TrainingFlags } from './training-flags.js';

export interface SftCliOptions extends TrainingFlags {
  dataDir?: string;
  hub: string;
  split: string;
  valFraction: number;
  model?: string;
  init?: string;
  tokenizer?: string;
  out: string;
  nproc: number;
  gradientCheckpointing?: boolean;
}

/** Keys of the stage config that change the weights: a resumed run must repeat them. */
const TRAINING_KEYS = ['model', 'data_sha256', 'epochs', 'max_steps', 'lr', 'warmup_steps', 'batch_size', 'grad_accum', 'max_length', 'seed', 'dropout', 'world_size', 'bf16'] as const;

export interface SftStageConfig extends TrainingSettings {
  stage: 'sft';
  schema_version: 1;
  model: { path: string } | { init: string; seed: number };
  gradient_checkpointing: boolean;
  world_size: number;
}

export interface SftManifest extends StageManifest<SftStageConfig> {
  split: { kind: string; hub: Hub; fraction?: number; seed?: number; eval_file: string; eval_sha256: string; train_questions: number; eval_questions: number; file: string };
  data: { train: { file: string; sha256: string; examples: number }; heldout: { file: string; sha256: string; examples: number }; skipped_no_output: string[] };
}

function examplesJsonl(examples: Example[]): string {
  return toJsonl(examples.map((e) => ({ id: e.id, ...(e.question_id !== undefined ? { question_id: e.question_id } : {}), prompt: e.prompt, completion: e.completion })));
}

export async function runSftCommand(o: SftCliOptions): Promise<void> {
  const hub = parseHub(o.hub);
  const split = parseSplit(o.split);
  if ((o.model === undefined) === (o.init === undefined)) throw new UserError('give the model to fine-tune: --model DIR (a Hugging Face GPT-2 folder) or --init random:tiny|small|medium|large|xl');
  if (o.init !== undefined && !/^random:(tiny|small|medium|large|xl)$/.test(o.init)) throw new UserError(`--init '${o.init}': expected random:tiny, random:small, random:medium, random:large or random:xl`);
  const flags = parseTrainingFlags(o);
  const nproc = o.nproc!;
  const seed = flags.seed;
  const valFraction = o.valFraction!;
  const out = resolve(o.out);
  const manifestFile = join(out, 'manifest.json');
  const previous = readStageManifest<SftManifest>(manifestFile, 'sft');
  if (!previous && existsSync(out) && existsSync(join(out, 'config.json'))) throw new UserError(`${out}: holds a config.json but no manifest.json; not a run folder made by 'apieval train sft' (use a new --out)`);

  // The environment first: a missing torch or too many processes is reported before any data work.
  const { doctor, device } = stageEnvironment(o, nproc);

  const dataDir = await resolveDataDir({ dataDir: o.dataDir, hubs: [hub] });
  const set = await buildTrainingSet({ dataDir, hub, split, validationFraction: valFraction, seed });
  mkdirSync(join(out, 'data'), { recursive: true });
  const trainText = examplesJsonl(set.train);
  const heldText = examplesJsonl(set.validation);
  const trainFile = join(out, 'data', 'train.jsonl');
  const heldFile = join(out, 'data', 'heldout.jsonl');
  const dataSha = { train: sha256Hex(Buffer.from(trainText)), heldout: sha256Hex(Buffer.from(heldText)) };

  const tokenizer = o.tokenizer ? resolve(o.tokenizer) : o.model ? resolve(o.model) : ensureGpt2TokenizerDir(join(out, 'tokenizer'));
  const config: SftStageConfig = {
    stage: 'sft',
    schema_version: 1,
    out,
    model: o.model ? { path: resolve(o.model) } : { init: o.init!, seed },
    tokenizer,
    data: { train: trainFile, heldout: heldFile },
    data_sha256: dataSha,
    ...flags,
    device,
    gradient_checkpointing: !!o.gradientCheckpointing,
    world_size: nproc,
  };
  if (previous) {
    checkSameSettings(out, previous.config, config, TRAINING_KEYS, (k) =>
      k === 'data_sha256' ? 'the training data (split, hub, --val-fraction or --seed)' : k === 'world_size' ? '--nproc' : k === 'model' ? 'the model (--model / --init)' : `--${k.replace(/_/g, '-')}`);
  }
  writeFileAtomic(trainFile, trainText);
  writeFileAtomic(heldFile, heldText);
  const splitFile = join(out, 'split.json');
  writeFileAtomic(splitFile, JSON.stringify(set.split, null, 2) + '\n');
  const configFile = join(out, 'config.json');
  writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
  if (!o.trainerCommand) checkStageConfig(configFile);

  const manifest: SftManifest = {
    ...manifestBase('sft', config, previous, o.trainerCommand, doctor),
    split: {
      kind: set.split.kind, hub, fraction: set.split.fraction, seed: set.split.seed, eval_file: set.split.eval_file, eval_sha256: set.split.eval_sha256,
      train_questions: set.split.train_question_ids.length, eval_questions: set.split.eval_question_ids.length, file: splitFile,
    },
    data: {
      train: { file: trainFile, sha256: dataSha.train, examples: set.train.length },
      heldout: { file: heldFile, sha256: dataSha.heldout, examples: set.validation.length },
      skipped_no_output: set.skipped,
    },
  };
  if (set.skipped.length > 0 && !o.quiet) process.stderr.write(`sft: ${set.skipped.length} training record(s) have no ###Output: part and are not trained on (listed in manifest.json)\n`);
  await runStageSession(manifest, { stage: 'sft', out, configFile, nproc, trainerCommand: o.trainerCommand, doctor, quiet: o.quiet, json: o.json });
}
