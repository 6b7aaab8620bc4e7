/**
 * `apieval train reward`: the reward model of the RLAIF recipe, from `apieval feedback` labels. Splits the
 * labelled samples into training and held-out parts by question (every answer to a question on one side),
 * writes the stage config and runs `python -m apieval_trainers reward` (or --trainer-command), recording the
 * session in RUN/manifest.json as `train sft` does. RUN/final is a GPT2ForSequenceClassification checkpoint
 * with reward.onnx and reward_config.json beside it (what `apieval reward score` reads).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inputError, UserError } from '../harness/errors.js';
import { readJsonl, toJsonl, writeFileAtomic } from '../harness/io/jsonl.js';
import { intOpt, numOpt } from '../harness/producers/cli-options.js';
import { sha256Hex } from '../harness/datasets/source.js';
import { fileSha256 } from '../harness/runs/hash.js';
import { MT19937 } from '../metrics/random/mt19937.js';
import { checkStageConfig, devicesFor, findPython } from './stage-runner.js';
import { parseTrainingFlags, type TrainingFlags } from './training-flags.js';
import { checkSameSettings, manifestBase, readStageManifest, runStageSession, type StageManifest, type TrainingSettings } from './stage-session.js';

export interface RewardCliOptions extends TrainingFlags {
  sft: string;
  labels: string;
  out: string;
  tokenizer?: string;
  valFraction: string;
  target: string;
  classBalance: boolean;
}

export interface LabelledExample {
  id: string;
  question_id?: number;
  prompt: string;
  completion: string;
  label: 0 | 1;
  score?: number;
  rubric_size?: number;
  p_yes_mean?: number | null;
}

/** Reads `apieval feedback` output (or any JSONL of {prompt|instruction, completion, label}); file:line errors. */
export function readLabels(file: string): LabelledExample[] {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--labels ${file}: no such file`);
  const seen = new Set<string>();
  const out = readJsonl(file).map(({ value: v, line }) => {
    const prompt = v.prompt ?? v.instruction;
    if (typeof prompt !== 'string') throw inputError(file, line, "expected a string 'prompt' (or 'instruction')");
    if (typeof v.completion !== 'string') throw inputError(file, line, "expected a string 'completion'");
    if (v.label !== 0 && v.label !== 1) throw inputError(file, line, `'label' must be 0 or 1, got ${JSON.stringify(v.label)}`);
    const qid = v.question_id;
    if (qid !== undefined && !(typeof qid === 'number' && Number.isInteger(qid) && qid > 0)) throw inputError(file, line, "'question_id' must be a positive integer");
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : String(line);
    if (seen.has(id)) throw inputError(file, line, `id '${id}' appears twice`);
    seen.add(id);
    const answers = v.answers && typeof v.answers === 'object' ? Object.keys(v.answers as object).length : undefined;
    return {
      id, ...(qid !== undefined ? { question_id: qid as number } : {}), prompt, completion: v.completion, label: v.label,
      ...(typeof v.score === 'number' ? { score: v.score } : {}), ...(answers ? { rubric_size: answers } : {}),
      ...(typeof v.p_yes_mean === 'number' || v.p_yes_mean === null ? { p_yes_mean: v.p_yes_mean as number | null } : {}),
    } satisfies LabelledExample;
  });
  if (out.length === 0) throw new UserError(`${file}: no labelled samples`);
  const pos = out.filter((e) => e.label === 1).length;
  if (pos === 0 || pos === out.length) {
    throw new UserError(`${file}: all ${out.length} labels are ${out[0].label}; a reward model needs accepted (1) and rejected (0) samples (change feedback's --threshold, or label more answers)`);
  }
  return out;
}

/** Held-out by question: a seeded permutation (numpy's MT19937) of the distinct question ids (or ids). */
export function splitLabels(examples: LabelledExample[], fraction: number, seed: number): { train: LabelledExample[]; heldout: LabelledExample[] } {
  const groups = [...new Set(examples.map((e) => (e.question_id !== undefined ? `q${e.question_id}` : `i${e.id}`)))].sort();
  if (fraction <= 0 || groups.length < 2) return { train: examples, heldout: [] };
  const n = Math.max(1, Math.floor(fraction * groups.length));
  const perm = new MT19937(seed).permutation(groups.length);
  const held = new Set(perm.slice(0, n).map((i) => groups[i]));
  const key = (e: LabelledExample) => (e.question_id !== undefined ? `q${e.question_id}` : `i${e.id}`);
  return { train: examples.filter((e) => !held.has(key(e))), heldout: examples.filter((e) => held.has(key(e))) };
}

export interface RewardStageConfig extends TrainingSettings {
  stage: 'reward';
  schema_version: 1;
  sft: string;
  target: 'label' | 'score' | 'p_yes';
  class_balance: boolean;
}

const TRAINING_KEYS = ['sft', 'data_sha256', 'target', 'class_balance', 'epochs', 'max_steps', 'lr', 'warmup_steps', 'batch_size', 'grad_accum', 'max_length', 'seed', 'dropout', 'bf16'] as const;

export interface RewardManifest extends StageManifest<RewardStageConfig> {
  labels: { file: string; sha256: string; examples: number; accepted: number };
  data: { train: { examples: number; accepted: number }; heldout: { examples: number; accepted: number } };
}

const sha256 = (t: string) => sha256Hex(Buffer.from(t));

export async function runRewardCommand(o: RewardCliOptions): Promise<void> {
  if (!['label', 'score', 'p_yes'].includes(o.target)) throw new UserError(`--target '${o.target}': expected label, score or p_yes`);
  const flags = parseTrainingFlags(o);
  const sft = resolve(o.sft);
  if (!existsSync(sft)) throw new UserError(`--sft ${o.sft}: no such checkpoint folder`);
  const seed = flags.seed;
  const valFraction = numOpt('--val-fraction', o.valFraction, 0, 0.9)!;
  const out = resolve(o.out);
  const previous = readStageManifest<RewardManifest>(join(out, 'manifest.json'), 'reward');
  let doctor = null;
  let device = o.device;
  if (!o.trainerCommand) {
    doctor = findPython().doctor;
    device = devicesFor(o.device, doctor).device;
  }
  const labelsFile = resolve(o.labels);
  const examples = readLabels(labelsFile);
  const { train, heldout } = splitLabels(examples, valFraction, seed);
  const trainText = toJsonl(train);
  const heldText = toJsonl(heldout);
  mkdirSync(join(out, 'data'), { recursive: true });
  const config: RewardStageConfig = {
    stage: 'reward', schema_version: 1, out, sft, tokenizer: o.tokenizer ? resolve(o.tokenizer) : sft,
    data: { train: join(out, 'data', 'train.jsonl'), heldout: join(out, 'data', 'heldout.jsonl') },
    data_sha256: { train: sha256(trainText), heldout: sha256(heldText) },
    target: o.target as RewardStageConfig['target'],
    class_balance: o.classBalance !== false,
    ...flags,
    device,
  };
  if (previous) {
    checkSameSettings(out, previous.config, config, TRAINING_KEYS, (k) =>
      k === 'data_sha256' ? 'the labels (--labels, --val-fraction or --seed)' : k === 'sft' ? '--sft' : k === 'class_balance' ? '--no-class-balance' : `--${k.replace(/_/g, '-')}`);
  }
  writeFileAtomic(config.data.train, trainText);
  writeFileAtomic(config.data.heldout, heldText);
  const configFile = join(out, 'config.json');
  writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
  if (!o.trainerCommand) checkStageConfig(configFile);
  const accepted = (xs: LabelledExample[]) => xs.filter((e) => e.label === 1).length;
  const manifest: RewardManifest = {
    ...manifestBase('reward', config, previous, o.trainerCommand, doctor),
    labels: { file: labelsFile, sha256: fileSha256(labelsFile), examples: examples.length, accepted: accepted(examples) },
    data: { train: { examples: train.length, accepted: accepted(train) }, heldout: { examples: heldout.length, accepted: accepted(heldout) } },
  };
  if (!o.quiet && heldout.length > 0 && (accepted(heldout) === 0 || accepted(heldout) === heldout.length)) {
    process.stderr.write(`reward: note: the ${heldout.length} held-out samples are all of one class; accuracy is reported, AUC is not\n`);
  }
  await runStageSession(manifest, { stage: 'reward', out, configFile, trainerCommand: o.trainerCommand, doctor, quiet: o.quiet, json: o.json });
}
