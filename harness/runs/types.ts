/**
 * The on-disk format of a run directory (schema_version 1):
 *
 *   RUN_DIR/manifest.json   what was run: dataset source and checksums, candidates, configuration, metric
 *                           signatures, seeds, apieval version, timings (the only non-deterministic part)
 *   RUN_DIR/samples.jsonl   one line per (checkpoint, run, question), appended as samples finish and
 *                           rewritten sorted at the end, so a finished run is byte-identical however it got
 *                           there (resumed, reordered by the sandbox's concurrency)
 *   RUN_DIR/summary.json    corpus scores with 95% bootstrap intervals per checkpoint and run
 */
import type { Hub } from '../datasets/apibench.js';
import type { MetricValue } from '../../metrics/metric.js';

export const RUN_SCHEMA_VERSION = 1;

export interface AstValue {
  correct: boolean;
  hallucination: boolean;
  database_index: number;
}

export interface ExecValue {
  status: string;
  exception: string | null;
  exit_code: number | null;
}

/** A metric's per-sample value, or its failure (`{error}`), or null when it does not apply (no reference). */
export type { MetricValue } from '../../metrics/metric.js';

export interface SampleRecord {
  checkpoint: string;
  /** 1-based repeated-run index (the n-th file of the checkpoint). */
  run: number;
  question_id: number;
  domain: string;
  /** Per-metric values, keyed by metric name (ast_gorilla, ast_strict, codebleu_api, codebleu_code, rouge_code, rm, exec). */
  metrics: Record<string, MetricValue>;
  /** Per-metric cache keys: hash of the metric signature and every input it read. */
  keys: Record<string, string>;
}

export interface CandidateSpec {
  name: string;
  files: string[];
}

export interface EvalConfig {
  hub: Hub;
  codebleuVariant: 'k4black' | 'codexglue';
  rougeStemmer: boolean;
  exec: boolean;
  image?: string;
  profile?: 'base' | 'ml' | 'hub';
  timeoutS?: number;
  memoryMb?: number;
  concurrency?: number;
  /** Run each task's reference program first and report executability over supported tasks too. */
  goldGate?: boolean;
  /**
   * A reward model made by `apieval train reward` (`--reward-model DIR`): each response scored as `apieval reward
   * score --responses` scores it (the question's text + the response text, or its code) into the `rm` metric.
   */
  rewardModel?: { dir: string; completion: 'text' | 'code' };
  seed: number;
  nResamples: number;
}

export interface Manifest {
  schema_version: number;
  apieval_version: string;
  command: string;
  /** `domains`: every domain of the hub's API database (the per-domain table lists them all). */
  dataset: { hub: Hub; source: string; files: Record<string, string>; domains: string[]; questions?: QuestionSubset };
  candidates: { name: string; runs: { run: number; file: string; sha256: string; responses: number; left_out?: number }[] }[];
  config: EvalConfig;
  signatures: Record<string, string>;
  seeds: { bootstrap: number };
  /** Only in a shard's run directory (`eval --shard K/N`); `apieval merge` joins the shards. */
  shard?: import('./shard.js').ShardRecord;
  /** With --engine: what each engine ran (programs, infrastructure failures, lost mid-run). */
  engines?: import('../../sandbox/engine-stats.js').EngineStats[];
  timings: { started_at: string; finished_at: string | null; wall_s: number | null; computed_samples: number; reused_samples: number };
}

export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
  n: number;
  error?: string;
}

export interface Summary {
  schema_version: number;
  hub: Hub;
  level: number;
  bootstrap: { seed: number; n_resamples: number; method: string };
  signatures: Record<string, string>;
  /** Gold-run gate (with execution): tasks whose reference program runs in the image. */
  gold?: { tasks: number; supported: number; notes: string[] };
  checkpoints: {
    name: string;
    runs: { run: number; n: number; metrics: Record<string, Estimate> }[];
    mean: Record<string, { mean: number | null; sd: number | null; runs: number }>;
  }[];
}

/** One line of gold.jsonl: a task's reference program run in the sandbox (the gold-run gate). */
export interface GoldRecord {
  question_id: number;
  status: string;
  exception: string | null;
  exit_code: number | null;
  key: string;
  /** The raw sandbox verdict (sandbox/verdict.ts RawVerdict); absent in records written before it was stored. */
  verdict?: import('../../sandbox/verdict.js').RawVerdict;
}

/** The eval questions a run scores when not all of them: `holdout-of:RUN` or a questions file. */
export interface QuestionSubset {
  spec: string;
  label: string;
  n: number;
  /** sha256 of the sorted ids joined by commas: what makes two subsets the same. */
  ids_sha256: string;
}

/** What `runEval` is asked to do (the CLI's `apieval eval` builds it). */
export interface EvalRunOptions {
  outDir: string;
  dataDir: string;
  /** Human description of where the data came from (a folder, or the pinned download cache). */
  dataSource: string;
  candidates: CandidateSpec[];
  config: EvalConfig;
  command: string;
  quiet?: boolean;
  /** Worker threads for the metrics (default: one per core, at most 8); results do not depend on it. */
  jobs?: number;
  stderr?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Score only these eval questions (answers to others in the candidate files are left out). */
  questions?: { spec: string; label: string; ids: number[] };
  /** The Docker engines to spread execution over (not part of the configuration: where, not what). */
  engines?: import('../../sandbox/index.js').ExecOptions['engines'];
  /** Score only shard K of N (shard.ts); `apieval merge` joins the shards. */
  shard?: import('./shard.js').ShardSpec;
  /** Implementation versions to use instead of the built-in ones (tests: a bumped version must recompute). */
  implementationVersions?: Partial<Record<string, number>>;
}
