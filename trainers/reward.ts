/**
 * `apieval train reward`: the reward model of the RLAIF recipe, from `apieval feedback` labels. Splits the
 * labelled samples into training and held-out parts by question (every answer to a question on one side),
 * writes the stage config and runs `python -m apieval_trainers reward` (or --trainer-command), recording the
 * session in RUN/manifest.json as `train sft` does. RUN/final is a GPT2ForSequenceClassification checkpoint
 * with reward.onnx and reward_config.json beside it (what `apieval reward score` reads).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inputError, UserError } from '../core/errors.js';
import { readJsonl, toJsonl, writeFileAtomic } from '../core/jsonl.js';
import { sha256Hex } from '../harness/datasets/source.js';
import { fileSha256 } from '../core/hash.js';
import { MT19937 } from '../metrics/random/mt19937.js';
import { checkStageConfig, stageEnvironment } from './stage-runner.js';
import { parseTrainingFlags, type TrainingFlags } from './training-flags.js';
import { checkSameSettings, manifestBase, readStageManifest, runStageSession, type StageManifest, type TrainingSettings } from './stage-session.js';

export interface RewardCliOptions extends TrainingFlags {
  sft: string;
  labels: string;
  out: string;
  tokenizer?: string;
  valFraction: number;
  target: string;
  classBalance: boolean;
  objective?: 'pointwise' | 'pairwise';
}

/** A preference pair: two answers to one prompt, `chosen` preferred (TRL's RewardTrainer format). */
export interface PairExample {
  id: string;
  question_id?: number;
  prompt: string;
  chosen: string;
  rejected: string;
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

/** True when the file's first record is a preference pair ({prompt, chosen, rejected}). */
export function isPairsFile(file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`--labels ${file}: no such file`);
  const first = readJsonl(file)[0]?.value;
  return first !== undefined && 'chosen' in first && 'rejected' in first;
}

/** Reads preference pairs {id?, question_id?, prompt|instruction, chosen, rejected}; file:line errors. */
export function readPairs(file: string): PairExample[] {
  const seen = new Set<string>();
  const out = readJsonl(file).map(({ value: v, line }) => {
    const prompt = v.prompt ?? v.instruction;
    if (typeof prompt !== 'string') throw inputError(file, line, "expected a string 'prompt' (or 'instruction')");
    for (const k of ['chosen', 'rejected']) if (typeof v[k] !== 'string') throw inputError(file, line, `expected a string '${k}' (a pairs file has {prompt, chosen, rejected} on every line)`);
    const qid = v.question_id;
    if (qid !== undefined && !(typeof qid === 'number' && Number.isInteger(qid) && qid > 0)) throw inputError(file, line, "'question_id' must be a positive integer");
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : String(line);
    if (seen.has(id)) throw inputError(file, line, `id '${id}' appears twice`);
    seen.add(id);
    return { id, ...(qid !== undefined ? { question_id: qid as number } : {}), prompt, chosen: v.chosen as string, rejected: v.rejected as string };
  });
  if (out.length === 0) throw new UserError(`${file}: no pairs`);
  return out;
}

/**
 * Pairs from pointwise labels: for every question (question_id, else the prompt text), every accepted answer
 * against every rejected one, in file order. Questions with answers of one class only give no pair.
 */
export function pairsFromLabels(file: string, labels: LabelledExample[]): PairExample[] {
  const groups = new Map<string, LabelledExample[]>();
  for (const e of labels) {
    const k = e.question_id !== undefined ? `q${e.question_id}` : `p${e.prompt}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(e);
  }
  const out: PairExample[] = [];
  for (const xs of groups.values()) {
    for (const c of xs.filter((e) => e.label === 1)) {
      for (const r of xs.filter((e) => e.label === 0)) {
        out.push({ id: `${c.id}>${r.id}`, ...(c.question_id !== undefined ? { question_id: c.question_id } : {}), prompt: c.prompt, chosen: c.completion, rejected: r.completion });
      }
    }
  }
  if (out.length === 0) throw new UserError(`${file}: no question has both an accepted and a rejected answer, so there is no pair for --objective pairwise (label several answers per question)`);
  return out;
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
export function splitLabels<E extends { id: string; question_id?: number }>(examples: E[], fraction: number, seed: number): { train: E[]; heldout: E[] } {
  const groups = [...new Set(examples.map((e) => (e.question_id !== undefined ? `q${e.question_id}` : `i${e.id}`)))].sort();
  if (fraction <= 0 || groups.length < 2) return { train: examples, heldout: [] };
  const n = Math.max(1, Math.floor(fraction * groups.length));
  const perm = new MT19937(seed).permutation(groups.length);
  const held = new Set(perm.slice(0, n).map((i) => groups[i]));
  const key = (e: E) => (e.question_id !== undefined ? `q${e.question_id}` : `i${e.id}`);
  return { train: examples.filter((e) => !held.has(key(e))), heldout: examples.filter((e) => held.has(key(e))) };
}

export interface RewardStageConfig extends TrainingSettings {
  stage: 'reward';
  schema_version: 1;
  sft: string;
  target: 'label' | 'score' | 'p_yes';
  class_balance: boolean;
  objective: 'pointwise' | 'pairwise';
}

const TRAINING_KEYS = ['sft', 'data_sha256', 'objective', 'target', 'class_balance', 'epochs', 'max_steps', 'lr', 'warmup_steps', 'batch_size', 'grad_accum', 'max_length', 'seed', 'dropout', 'bf16'] as const;

export interface RewardManifest extends StageManifest<RewardStageConfig> {
  /** `accepted`: labels of 1 (pointwise labels), or null for a pairs file. `pairs`: with --objective pairwise. */
  labels: { file: string; sha256: string; examples: number; accepted: number | null; pairs?: number };
  data: { train: { examples: number; accepted: number | null }; heldout: { examples: number; accepted: number | null } };
}

const sha256 = (t: string) => sha256Hex(Buffer.from(t));

export async function runRewardCommand(o: RewardCliOptions): Promise<void> {
  if (!['label', 'score', 'p_yes'].includes(o.target)) throw new UserError(`--target '${o.target}': expected label, score or p_yes`);
  const flags = parseTrainingFlags(o);
  const sft = resolve(o.sft);
  if (!existsSync(sft)) throw new UserError(`--sft ${o.sft}: no such checkpoint folder`);
  const seed = flags.seed;
  const valFraction = o.valFraction!;
  const out = resolve(o.out);
  const previous = readStageManifest<RewardManifest>(join(out, 'manifest.json'), 'reward');
  const { doctor, device } = stageEnvironment(o);
  const labelsFile = resolve(o.labels);
  const pairsFile = isPairsFile(labelsFile);
  const objective = o.objective ?? (pairsFile ? 'pairwise' : 'pointwise');
  if (pairsFile && objective === 'pointwise') throw new UserError(`${labelsFile}: preference pairs ({prompt, chosen, rejected}) train --objective pairwise only; pointwise needs 0/1 labels`);
  if (objective === 'pairwise' && o.target !== 'label') throw new UserError(`--target ${o.target}: a pairwise reward model learns preferences, not targets (drop --target)`);
  const examples = pairsFile ? null : readLabels(labelsFile);
  const pairs = objective === 'pairwise' ? (pairsFile ? readPairs(labelsFile) : pairsFromLabels(labelsFile, examples!)) : null;
  const { train, heldout } = pairs ? splitLabels(pairs, valFraction, seed) : splitLabels(examples!, valFraction, seed);
  const trainText = toJsonl(train);
  const heldText = toJsonl(heldout);
  mkdirSync(join(out, 'data'), { recursive: true });
  const config: RewardStageConfig = {
    stage: 'reward', schema_version: 1, out, sft, tokenizer: o.tokenizer ? resolve(o.tokenizer) : sft,
    data: { train: join(out, 'data', 'train.jsonl'), heldout: join(out, 'data', 'heldout.jsonl') },
    data_sha256: { train: sha256(trainText), heldout: sha256(heldText) },
    objective,
    target: o.target as RewardStageConfig['target'],
    class_balance: objective === 'pointwise' && o.classBalance !== false,
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
  const accepted = (xs: (LabelledExample | PairExample)[]) => (objective === 'pairwise' ? null : (xs as LabelledExample[]).filter((e) => e.label === 1).length);
  const manifest: RewardManifest = {
    ...manifestBase('reward', config, previous, o.trainerCommand, doctor),
    labels: { file: labelsFile, sha256: fileSha256(labelsFile), examples: examples?.length ?? pairs!.length, accepted: examples ? examples.filter((e) => e.label === 1).length : null, ...(pairs ? { pairs: pairs.length } : {}) },
    data: { train: { examples: train.length, accepted: accepted(train) }, heldout: { examples: heldout.length, accepted: accepted(heldout) } },
  };
  if (objective === 'pointwise' && !o.quiet && heldout.length > 0 && (accepted(heldout) === 0 || accepted(heldout) === heldout.length)) {
    process.stderr.write(`reward: note: the ${heldout.length} held-out samples are all of one class; accuracy is reported, AUC is not\n`);
  }
  await runStageSession(manifest, { stage: 'reward', out, configFile, trainerCommand: o.trainerCommand, doctor, quiet: o.quiet, json: o.json });
}
