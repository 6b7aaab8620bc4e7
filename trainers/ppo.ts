/**
 * `apieval train ppo`: fine-tunes an SFT checkpoint with PPO (TRL's algorithm, trainers/python/apieval_trainers/
 * ppo.py) against a pluggable reward: a reward model of `apieval train reward` (`rm:DIR`), a Python callable
 * (`module:function`) or an HTTP endpoint such as `apieval reward serve` (`http://127.0.0.1:N/score`).
 *
 * The prompts default to the SFT run's own training and held-out prompts (RUN/data/*.jsonl beside RUN/final),
 * which is the paper's setting: PPO on the training instructions. RUN/final is the policy (a GPT-2 checkpoint
 * that `apieval generate --checkpoint` reads); RUN/metrics.jsonl has TRL's metric names.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inputError, UserError } from '../core/errors.js';
import { readJsonl, toJsonl, writeFileAtomic } from '../core/jsonl.js';
import { sha256Hex } from '../harness/datasets/source.js';
import { checkStageConfig, stageEnvironment } from './stage-runner.js';
import { checkSameSettings, manifestBase, readStageManifest, runStageSession, type StageManifest, type TrainingSettings } from './stage-session.js';
import { parseTrainingFlags, type TrainingFlags } from './training-flags.js';

export interface PpoCliOptions extends TrainingFlags {
  sft: string;
  reward: string;
  out: string;
  prompts?: string;
  heldoutPrompts?: string;
  valueModel?: string;
  tokenizer?: string;
  klCoef: number;
  klEstimator: string;
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
  gamma: number;
  lam: number;
  temperature: number;
  responseLength: number;
  missingEosPenalty?: number;
  whitenRewards?: boolean;
  numPpoEpochs: number;
  numMiniBatches: number;
  totalEpisodes?: number;
  maxGradNorm?: number;
  evalPrompts: number;
  rewardTimeout: number;
  logRollouts?: boolean;
  nproc: number;
}

export type RewardSpec = { kind: 'rm'; path: string } | { kind: 'module'; spec: string } | { kind: 'http'; url: string; timeout_s: number };

/** `rm:DIR`, `module:pkg.mod:function` or an http(s) URL. */
export function parseRewardSpec(v: string, timeoutS: number): RewardSpec {
  if (v.startsWith('rm:')) {
    const path = resolve(v.slice(3));
    if (!existsSync(join(path, 'reward_config.json'))) throw new UserError(`--reward ${v}: ${path} is not a reward model folder (no reward_config.json; train one with 'apieval train reward')`);
    return { kind: 'rm', path };
  }
  if (v.startsWith('module:')) {
    const spec = v.slice(7);
    if (!/^[A-Za-z_][\w.]*:[A-Za-z_]\w*$/.test(spec)) throw new UserError(`--reward ${v}: expected module:package.module:function (for example module:my_rewards:score)`);
    return { kind: 'module', spec };
  }
  if (/^https?:\/\/[^/\s]+/.test(v)) return { kind: 'http', url: v, timeout_s: timeoutS };
  throw new UserError(`--reward '${v}': expected rm:DIR (a reward model), module:MODULE:FUNCTION (a Python callable) or http://HOST:PORT/PATH (an endpoint such as apieval reward serve)`);
}

export interface PpoStageConfig extends TrainingSettings {
  stage: 'ppo';
  schema_version: 1;
  sft: string;
  reward: RewardSpec;
  value_model: string;
  cwd: string;
  kl_coef: number;
  kl_estimator: 'k1' | 'k3';
  cliprange: number;
  cliprange_value: number;
  vf_coef: number;
  gamma: number;
  lam: number;
  temperature: number;
  response_length: number;
  missing_eos_penalty: number | null;
  whiten_rewards: boolean;
  num_ppo_epochs: number;
  num_mini_batches: number;
  total_episodes: number | null;
  max_grad_norm: number | null;
  eval_prompts: number;
  log_rollouts: boolean;
  world_size: number;
}

const TRAINING_KEYS = ['sft', 'reward', 'value_model', 'data_sha256', 'kl_coef', 'kl_estimator', 'cliprange', 'cliprange_value', 'vf_coef', 'gamma', 'lam', 'temperature',
  'response_length', 'missing_eos_penalty', 'whiten_rewards', 'num_ppo_epochs', 'num_mini_batches', 'total_episodes', 'epochs', 'max_steps', 'lr', 'warmup_steps',
  'max_grad_norm', 'batch_size', 'grad_accum', 'max_length', 'seed', 'world_size', 'bf16'] as const;

export interface PpoManifest extends StageManifest<PpoStageConfig> {
  prompts: { train: { file: string; sha256: string; prompts: number }; heldout: { file: string | null; prompts: number } };
}

/** {question_id?, prompt} records from a JSONL of prompts (or `instruction`s, or SFT examples). */
function readPrompts(file: string, flag: string): { question_id?: number; prompt: string }[] {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UserError(`${flag} ${file}: no such file`);
  const out = readJsonl(file).map(({ value: v, line }) => {
    const prompt = v.prompt ?? v.instruction;
    if (typeof prompt !== 'string' || prompt === '') throw inputError(file, line, "expected a non-empty string 'prompt' (or 'instruction')");
    const qid = v.question_id;
    if (qid !== undefined && !(typeof qid === 'number' && Number.isInteger(qid) && qid > 0)) throw inputError(file, line, "'question_id' must be a positive integer");
    return { ...(qid !== undefined ? { question_id: qid as number } : {}), prompt };
  });
  if (out.length === 0) throw new UserError(`${file}: no prompts`);
  return out;
}

export async function runPpoCommand(o: PpoCliOptions): Promise<void> {
  const flags = parseTrainingFlags(o);
  if (o.dropout !== undefined) throw new UserError('--dropout: PPO turns dropout off in every model (as TRL does); leave it out');
  const nproc = o.nproc!;
  const sft = resolve(o.sft);
  if (!existsSync(join(sft, 'config.json'))) throw new UserError(`--sft ${o.sft}: not a checkpoint folder (no config.json)`);
  const reward = parseRewardSpec(o.reward, o.rewardTimeout!);
  if (!['k1', 'k3'].includes(o.klEstimator)) throw new UserError(`--kl-estimator '${o.klEstimator}': expected k1 or k3`);
  const out = resolve(o.out);
  const previous = readStageManifest<PpoManifest>(join(out, 'manifest.json'), 'ppo');
  const { doctor, device } = stageEnvironment(o, nproc);
  // The SFT run's own prompts when --sft is RUN/final of `apieval train sft`.
  const sftRun = dirname(sft);
  const trainSrc = o.prompts ? resolve(o.prompts) : join(sftRun, 'data', 'train.jsonl');
  if (!o.prompts && !existsSync(trainSrc)) throw new UserError(`--sft ${o.sft} is not RUN/final of an 'apieval train sft' run (no ${trainSrc}); give the training prompts with --prompts FILE`);
  const heldSrc = o.heldoutPrompts ? resolve(o.heldoutPrompts) : !o.prompts && existsSync(join(sftRun, 'data', 'heldout.jsonl')) && statSync(join(sftRun, 'data', 'heldout.jsonl')).size > 0 ? join(sftRun, 'data', 'heldout.jsonl') : undefined;
  const train = readPrompts(trainSrc, '--prompts');
  const held = heldSrc ? readPrompts(heldSrc, '--heldout-prompts') : [];
  const trainText = toJsonl(train);
  const heldText = toJsonl(held);
  const config: PpoStageConfig = {
    stage: 'ppo', schema_version: 1, out, sft, reward,
    value_model: o.valueModel ? resolve(o.valueModel) : 'auto',
    cwd: process.cwd(),
    tokenizer: o.tokenizer ? resolve(o.tokenizer) : sft,
    data: { train: join(out, 'data', 'train.jsonl'), heldout: join(out, 'data', 'heldout.jsonl') },
    data_sha256: { train: sha256Hex(Buffer.from(trainText)), heldout: sha256Hex(Buffer.from(heldText)) },
    ...flags,
    device,
    kl_coef: o.klCoef!,
    kl_estimator: o.klEstimator as 'k1' | 'k3',
    cliprange: o.cliprange!,
    cliprange_value: o.cliprangeValue!,
    vf_coef: o.vfCoef!,
    gamma: o.gamma!,
    lam: o.lam!,
    temperature: o.temperature!,
    response_length: o.responseLength!,
    missing_eos_penalty: o.missingEosPenalty ?? null,
    whiten_rewards: !!o.whitenRewards,
    num_ppo_epochs: o.numPpoEpochs!,
    num_mini_batches: o.numMiniBatches!,
    total_episodes: o.totalEpisodes ?? null,
    max_grad_norm: o.maxGradNorm ?? null,
    eval_prompts: o.evalPrompts!,
    log_rollouts: !!o.logRollouts,
    world_size: nproc,
  };
  if (config.warmup_steps === null) config.warmup_steps = 0; // TRL's PPO: no warmup, linear decay over the updates
  if (previous) {
    checkSameSettings(out, previous.config, config, TRAINING_KEYS, (k) =>
      k === 'data_sha256' ? 'the prompts (--prompts / --heldout-prompts)' : k === 'world_size' ? '--nproc' : k === 'value_model' ? '--value-model' : `--${k.replace(/_/g, '-')}`);
  }
  writeFileAtomic(config.data.train, trainText);
  writeFileAtomic(config.data.heldout, heldText);
  const configFile = join(out, 'config.json');
  writeFileAtomic(configFile, JSON.stringify(config, null, 2) + '\n');
  if (!o.trainerCommand) checkStageConfig(configFile);
  const manifest: PpoManifest = {
    ...manifestBase('ppo', config, previous, o.trainerCommand, doctor),
    prompts: { train: { file: trainSrc, sha256: config.data_sha256.train, prompts: train.length }, heldout: { file: heldSrc ?? null, prompts: held.length } },
  };
  await runStageSession(manifest, { stage: 'ppo', out, configFile, nproc, trainerCommand: o.trainerCommand, doctor, quiet: o.quiet, json: o.json });
}
