/**
 * The plan stage of `apieval eval`: everything decided before anything is written — the dataset and its
 * checksums, every candidate file validated against the eval file, the question subset, this shard's
 * samples (shard.ts), and whether the run directory may take this run.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { UserError, inputError } from '../../core/errors.js';
import { fileSha256 } from '../../core/hash.js';
import { apiDbPath, checkResponsesAgainstEval, evalPath, loadApiDbFile, loadEvalFile, loadResponses, type ApiRecord, type EvalRecord, type Response } from '../datasets/apibench.js';
import { RunDir } from './run-dir.js';
import { assignShards, shardRecord, type ShardRecord } from './shard.js';
import type { EvalRunOptions, Manifest, QuestionSubset } from './types.js';

export interface Task {
  checkpoint: string;
  run: number;
  response: Response;
  file: string;
  evalRecord: EvalRecord;
}

function loadCandidateFile(file: string, evalRecords: EvalRecord[]): Response[] {
  const responses = loadResponses(file);
  checkResponsesAgainstEval(file, responses, evalRecords);
  const seen = new Map<number, number>();
  for (const r of responses) {
    const prev = seen.get(r.question_id);
    if (prev !== undefined) throw inputError(file, r.line, `question_id ${r.question_id} answered twice (first on line ${prev})`);
    seen.set(r.question_id, r.line);
  }
  return [...responses].sort((a, b) => a.question_id - b.question_id);
}

export interface RunPlan {
  evalRecords: EvalRecord[];
  apiDb: ApiRecord[];
  datasetFiles: Record<string, string>;
  /** The dataset's part of every cache key. */
  datasetKey: string;
  /** This run's samples (this shard's, when sharded), in candidate, run, question order. */
  tasks: Task[];
  manifestCandidates: Manifest['candidates'];
  subset: QuestionSubset | undefined;
  shard: ShardRecord | undefined;
  runDir: RunDir;
}

export function planRun(opts: EvalRunOptions): RunPlan {
  const { config, outDir } = opts;
  const hub = config.hub;
  // --- Dataset and candidates (all validated before anything is written).
  const evalFile = evalPath(opts.dataDir, hub);
  const apiFile = apiDbPath(opts.dataDir, hub);
  for (const f of [evalFile, apiFile]) if (!existsSync(f)) throw new UserError(`${f}: no such file (is ${opts.dataDir} an APIBench data folder?)`);
  const evalRecords = loadEvalFile(evalFile);
  const apiDb = loadApiDbFile(apiFile);
  const datasetFiles: Record<string, string> = { [`${hub}_eval`]: fileSha256(evalFile), [`${hub}_api`]: fileSha256(apiFile) };
  const datasetKey = Object.values(datasetFiles).join(',');

  const tasks: Task[] = [];
  const keep = opts.questions ? new Set(opts.questions.ids) : null;
  const subset: QuestionSubset | undefined = opts.questions && {
    spec: opts.questions.spec,
    label: opts.questions.label,
    n: keep!.size,
    ids_sha256: createHash('sha256').update([...keep!].sort((a, b) => a - b).join(',')).digest('hex'),
  };
  const manifestCandidates: Manifest['candidates'] = [];
  for (const c of opts.candidates) {
    const runs: Manifest['candidates'][number]['runs'] = [];
    c.files.forEach((file, i) => {
      const all = loadCandidateFile(file, evalRecords);
      const responses = keep ? all.filter((r) => keep.has(r.question_id)) : all;
      if (keep && responses.length === 0) throw new UserError(`${file}: answers none of the ${keep.size} questions of ${opts.questions!.spec}`);
      runs.push({ run: i + 1, file, sha256: fileSha256(file), responses: responses.length, ...(keep ? { left_out: all.length - responses.length } : {}) });
      for (const response of responses) {
        tasks.push({ checkpoint: c.name, run: i + 1, response, file, evalRecord: evalRecords[response.question_id - 1] });
      }
    });
    manifestCandidates.push({ name: c.name, runs });
  }

  // --- Sharding (shard.ts): only this shard's questions, all their checkpoints and runs.
  let shard: ShardRecord | undefined;
  if (opts.shard) {
    const cost = new Map<number, number>();
    for (const t of tasks) cost.set(t.response.question_id, (cost.get(t.response.question_id) ?? 0) + t.response.text.length + 1);
    const shardOf = assignShards(cost, opts.shard.n);
    const mine = new Set([...cost.keys()].filter((q) => shardOf.get(q) === opts.shard!.k));
    shard = shardRecord(opts.shard, [...mine]);
    const kept = tasks.filter((t) => mine.has(t.response.question_id));
    tasks.length = 0;
    tasks.push(...kept);
  }

  // --- The run directory: refuse to mix datasets or schema versions in one folder.
  const runDir = new RunDir(outDir);
  const previous = runDir.readManifest('use another --out folder');
  if (previous) {
    if (JSON.stringify(previous.shard ?? null) !== JSON.stringify(shard ?? null)) {
      const what = (r?: ShardRecord) => (r ? `shard ${r.k}/${r.n}` : 'an unsharded run');
      throw new UserError(`${outDir} holds ${what(previous.shard)}, not ${what(shard)}; use another --out folder`);
    }
    if (previous.dataset?.hub !== hub || JSON.stringify(previous.dataset?.files) !== JSON.stringify(datasetFiles)) {
      throw new UserError(`${outDir} holds a run on another dataset (${previous.dataset?.hub}); use another --out folder`);
    }
    if ((previous.dataset.questions?.ids_sha256 ?? null) !== (subset?.ids_sha256 ?? null)) {
      throw new UserError(`${outDir} holds a run on ${previous.dataset.questions?.label ?? 'all eval questions'}, not ${subset?.label ?? 'all eval questions'}; use another --out folder`);
    }
  }

  return { evalRecords, apiDb, datasetFiles, datasetKey, tasks, manifestCandidates, subset, shard, runDir };
}
