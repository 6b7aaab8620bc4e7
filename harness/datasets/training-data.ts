/**
 * What a training stage learns from, and what it must never see.
 *
 * - `train`: Gorilla's real training split `data/apibench/huggingface_train.json` at the pinned commit. Its
 *   sha256 is not published; the download is verified by its git blob id (sha1 of `blob <size>\0<bytes>`),
 *   which is what the Gorilla repository itself records for that path.
 * - `holdout:F[:SEED]`: offline, a seeded split of the hub's eval records: a fraction F to train on, the rest
 *   to evaluate on (the paper trained on 90% and evaluated on 10%). The permutation is numpy's
 *   `np.random.RandomState(SEED).permutation(n)` (metrics/random/mt19937.ts), so the split can be rebuilt in
 *   Python; the first floor(F·n) indices train. `split.json` in the run directory names both sides, and
 *   `generate` / `eval` read it (`holdout-of:RUN`).
 * Examples are `{prompt, completion}`: the eval record's `code` cut after its first `###Output:` (the
 * instruction part with the marker, then the Gorilla output that the model learns to write).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError, inputError } from '../../core/errors.js';
import { MT19937 } from '../../metrics/random/mt19937.js';
import { readJsonl } from '../../core/jsonl.js';
import { fileSha256 } from '../../core/hash.js';
import { evalPath, loadEvalFile, type EvalRecord, type Hub } from './apibench.js';
import { baseUrl, cacheDir, HOW_TO_PROVIDE } from './source.js';

export const TRAIN_FILE = {
  local: 'huggingface_train.json',
  upstream: 'data/apibench/huggingface_train.json',
  gitBlob: '1416879c69acbd5db06cdf7f59240ae0c06e0bf5',
} as const;

export const OUTPUT_MARKER = '###Output:';

export type SplitSpec = { kind: 'train' } | { kind: 'holdout'; fraction: number; seed: number };

export function parseSplit(v: string): SplitSpec {
  if (v === 'train') return { kind: 'train' };
  const m = /^holdout:(0?\.\d+|1(?:\.0*)?|0)(?::(\d+))?$/.exec(v.trim());
  if (!m) throw new UserError(`--split '${v}': expected 'train' or 'holdout:FRACTION[:SEED]' (e.g. holdout:0.9 or holdout:0.9:1)`);
  const fraction = Number(m[1]);
  if (!(fraction > 0 && fraction < 1)) throw new UserError(`--split '${v}': the fraction must be between 0 and 1 (exclusive)`);
  const seed = m[2] === undefined ? 0 : Number(m[2]);
  if (seed > 0xffffffff) throw new UserError(`--split '${v}': the seed must be below 2^32`);
  return { kind: 'holdout', fraction, seed };
}

export function gitBlobSha1(buf: Uint8Array): string {
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/** The training split: in the data folder if it is there, else in the cache (downloaded once, verified). */
export async function resolveTrainFile(dataDir: string, opts: { env?: NodeJS.ProcessEnv; fetchImpl?: typeof fetch; gitBlob?: string } = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const want = opts.gitBlob ?? TRAIN_FILE.gitBlob;
  const local = join(dataDir, TRAIN_FILE.local);
  const cached = join(cacheDir(env), TRAIN_FILE.local);
  for (const p of [local, cached]) {
    if (!existsSync(p)) continue;
    const got = gitBlobSha1(readFileSync(p));
    if (got !== want) throw new UserError(`${p}: not Gorilla's pinned training split (git blob ${got}, expected ${want})`);
    return p;
  }
  const url = `${baseUrl(env)}/${TRAIN_FILE.upstream}`;
  let body: Uint8Array;
  try {
    const res = await (opts.fetchImpl ?? fetch)(url);
    if (!res.ok) throw new UserError(`cannot download ${url}: HTTP ${res.status}`);
    body = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    const why = e instanceof UserError ? e.message : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
    throw new UserError(`the APIBench training split is not available (${why}); put ${TRAIN_FILE.local} in the data folder, ${HOW_TO_PROVIDE}, or train offline on a split of the eval records with --split holdout:0.9`);
  }
  const got = gitBlobSha1(body);
  if (got !== want) throw new UserError(`${url}: git blob ${got}, expected ${want}; not saved`);
  mkdirSync(dirname(cached), { recursive: true });
  writeFileSync(cached + '.part', body);
  renameSync(cached + '.part', cached);
  return cached;
}

export interface Example {
  id: string;
  question_id?: number;
  prompt: string;
  completion: string;
}

/**
 * The instruction part (through the first `###Output:`; a few records write `### Output:`) and the output
 * part of a Gorilla record's `code`; undefined when it has no output marker (5 huggingface and 1
 * tensorflowhub eval records are an instruction alone).
 */
export function splitAtOutput(code: string): { prompt: string; completion: string } | undefined {
  const m = /###\s?Output:/.exec(code);
  if (!m) return undefined;
  const cut = m.index + m[0].length;
  return { prompt: code.slice(0, cut), completion: code.slice(cut) };
}

/** A training example, or undefined for a record with nothing to learn (no output part). */
export function toExample(code: string, id: string, questionId?: number): Example | undefined {
  const parts = splitAtOutput(code);
  if (!parts) return undefined;
  return { id, ...(questionId !== undefined ? { question_id: questionId } : {}), ...parts };
}

/** The prompt a trained model is given for an eval question: the same cut as in training (an instruction
 *  without an output part gets the marker appended, on its own line as in the other records). */
export function promptFor(rec: EvalRecord): string {
  return splitAtOutput(rec.code)?.prompt ?? `${rec.code.replace(/\s+$/, '')}\n${OUTPUT_MARKER}`;
}

export interface SplitRecord {
  schema_version: 1;
  kind: 'holdout' | 'train';
  hub: Hub;
  fraction?: number;
  seed?: number;
  eval_file: string;
  eval_sha256: string;
  /** 1-based eval question ids trained on (holdout only). */
  train_question_ids: number[];
  /** 1-based eval question ids kept for evaluation. */
  eval_question_ids: number[];
  train_file?: string;
  train_git_blob?: string;
  validation_ids: string[];
}

export interface TrainingSet {
  split: SplitRecord;
  /** Training records skipped because their `code` has no output part (file:line each). */
  skipped: string[];
  train: Example[];
  validation: Example[];
}

/** Seeded validation slice of the training examples (never trained on; the held-out loss is computed on it). */
function carveValidation(examples: Example[], fraction: number, seed: number): { train: Example[]; validation: Example[] } {
  if (fraction <= 0 || examples.length < 2) return { train: examples, validation: [] };
  const nVal = Math.max(1, Math.floor(fraction * examples.length));
  const perm = new MT19937(seed).permutation(examples.length);
  const val = new Set(perm.slice(0, nVal));
  return { train: examples.filter((_, i) => !val.has(i)), validation: examples.filter((_, i) => val.has(i)) };
}

export async function buildTrainingSet(opts: { dataDir: string; hub: Hub; split: SplitSpec; validationFraction: number; seed: number }): Promise<TrainingSet> {
  const evalFile = evalPath(opts.dataDir, opts.hub);
  if (!existsSync(evalFile)) throw new UserError(`${evalFile}: no such file (is ${opts.dataDir} an APIBench data folder?)`);
  const evalRecords = loadEvalFile(evalFile);
  const evalSha = fileSha256(evalFile);
  let examples: Example[];
  let split: SplitRecord;
  const skipped: string[] = [];
  if (opts.split.kind === 'holdout') {
    const n = evalRecords.length;
    const perm = new MT19937(opts.split.seed).permutation(n);
    const nTrain = Math.floor(opts.split.fraction * n);
    const trainIdx = perm.slice(0, nTrain).sort((a, b) => a - b);
    const evalIdx = perm.slice(nTrain).sort((a, b) => a - b);
    examples = [];
    for (const i of trainIdx) {
      const ex = toExample(evalRecords[i].code, `eval-${i + 1}`, i + 1);
      if (ex) examples.push(ex);
      else skipped.push(`${evalFile}:${i + 1}`);
    }
    split = {
      schema_version: 1, kind: 'holdout', hub: opts.hub, fraction: opts.split.fraction, seed: opts.split.seed,
      eval_file: resolve(evalFile), eval_sha256: evalSha,
      train_question_ids: trainIdx.map((i) => i + 1), eval_question_ids: evalIdx.map((i) => i + 1), validation_ids: [],
    };
  } else {
    if (opts.hub !== 'huggingface') throw new UserError(`--split train: Gorilla publishes a training split for huggingface only; use --split holdout:0.9 for ${opts.hub}`);
    const trainFile = await resolveTrainFile(opts.dataDir);
    examples = [];
    for (const { value, line } of readJsonl(trainFile)) {
      if (typeof value.code !== 'string') throw inputError(trainFile, line, `field 'code' must be a string`);
      const ex = toExample(value.code, `train-${line}`);
      if (ex) examples.push(ex);
      else skipped.push(`${trainFile}:${line}`);
    }
    split = {
      schema_version: 1, kind: 'train', hub: opts.hub, eval_file: resolve(evalFile), eval_sha256: evalSha, train_question_ids: [],
      eval_question_ids: evalRecords.map((r) => r.questionId), train_file: trainFile, train_git_blob: TRAIN_FILE.gitBlob, validation_ids: [],
    };
  }
  const { train, validation } = carveValidation(examples, opts.validationFraction, opts.seed + 1);
  split.validation_ids = validation.map((e) => e.id);
  return { split, skipped, train, validation };
}

/** `holdout-of:RUN`: the eval question ids a training run kept out, checked against the eval file in use. */
export function readHoldout(spec: string, evalFile: string): { ids: number[]; split: SplitRecord; label: string; file: string } {
  const run = spec.slice('holdout-of:'.length);
  const file = existsSync(join(run, 'split.json')) ? join(run, 'split.json') : join(run, '..', 'split.json');
  if (!existsSync(file)) throw new UserError(`${spec}: ${join(run, 'split.json')}: no such file (is ${run} a directory made by 'apieval train'?)`);
  let split: SplitRecord;
  try {
    split = JSON.parse(readFileSync(file, 'utf8')) as SplitRecord;
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(split.eval_question_ids) || !split.eval_question_ids.every((x) => Number.isInteger(x) && x >= 1)) {
    throw new UserError(`${file}: 'eval_question_ids' must be a list of positive integers`);
  }
  const sha = fileSha256(evalFile);
  if (split.eval_sha256 !== sha) throw new UserError(`${file}: the split was made from another eval file (sha256 ${String(split.eval_sha256).slice(0, 12)}…, this one is ${sha.slice(0, 12)}…)`);
  const label = split.kind === 'holdout'
    ? `the ${split.eval_question_ids.length}-question holdout (${Math.round((1 - split.fraction!) * 1000) / 10}%, seed ${split.seed}) of ${run}, not trained on`
    : `all ${split.eval_question_ids.length} eval questions (${run} trained on Gorilla's training split)`;
  return { ids: split.eval_question_ids, split, label, file };
}
