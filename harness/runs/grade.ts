/**
 * Grading, SWE-bench's way: what a run directory's records mean, computed from the records alone. The eval
 * stores each program's raw sandbox verdict (what the fork server observed); classification into an outcome,
 * the gold-run gate and the summary with its intervals are pure functions of the stored records, so
 * `apieval grade RUN_DIR` re-derives them without containers — after a fix in the classification, or to check
 * a run directory someone sent. The eval itself ends through the same `summarise`.
 */
import { existsSync } from 'node:fs';
import { classifyVerdict } from '../../sandbox/classify.js';
import { gateFromResults, goldReport } from '../../sandbox/gold-report.js';
import type { ExecStatus } from '../../sandbox/types.js';
import type { RawVerdict } from '../../sandbox/verdict.js';
import { groupByCheckpoint, meanOfRuns, runEstimate } from './aggregate.js';
import { finishedManifest, RunDir } from './run-dir.js';
import { RUN_SCHEMA_VERSION, type EvalConfig, type GoldRecord, type Manifest, type SampleRecord, type Summary } from './types.js';
import { metricViews } from '../../metrics/registry.js';

export interface GoldOutcome {
  supported: Set<number>;
  tasks: number;
  notes: string[];
}

/** The gold gate from its records: supported questions and the report (`questionIds`: every task's). */
export function goldOutcome(gold: readonly GoldRecord[], questionIds: readonly number[]): GoldOutcome {
  const gate = gateFromResults(gold.map((r) => ({ id: String(r.question_id), status: r.status as ExecStatus, exception: r.exception })));
  const supported = new Set([...gate.supported].map(Number));
  const noRef = questionIds.length - gold.length;
  const notes = goldReport(gate, { keepModules: 5 });
  if (noRef > 0) notes.push(`${noRef} of ${questionIds.length} tasks have no reference program (no <<<code>>> in the eval record) and count as unsupported`);
  return { supported, tasks: questionIds.length, notes };
}

/** An execution value as stored (`exec` in samples.jsonl, a gold.jsonl line): the classification and its verdict. */
interface Classified {
  status: string;
  exception: string | null;
  exit_code: number | null;
  verdict?: RawVerdict;
}

/**
 * The value re-classified from its stored verdict (the same object when nothing changes; values stored
 * before verdicts were, or with no container run — `no_code`, `sandbox_error` — are kept as they are).
 */
export function reclassified<T extends Classified>(v: T): T {
  if (!v.verdict) return v;
  const c = classifyVerdict(v.verdict);
  if (c.status === v.status && c.exception === v.exception && c.exit_code === v.exit_code) return v;
  return { ...v, status: c.status, exception: c.exception, exit_code: c.exit_code };
}

/** summary.json of a run: every view of every checkpoint and run, with intervals; the gold gate's line. */
export function buildSummary(records: SampleRecord[], candidates: { name: string }[], config: EvalConfig, signatures: Record<string, string>, gold?: GoldOutcome): Summary {
  const views = metricViews({ codebleuVariant: config.codebleuVariant, exec: config.exec, rm: config.rewardModel !== undefined, supported: gold?.supported });
  const level = 0.95;
  const groups = groupByCheckpoint(records);
  return {
    schema_version: RUN_SCHEMA_VERSION,
    hub: config.hub,
    level,
    bootstrap: { seed: config.seed, n_resamples: config.nResamples, method: 'percentile bootstrap over questions, corpus score recomputed from per-sample statistics; resample b = row b of numpy RandomState(seed).randint(0, n, size=(B, n))' },
    signatures,
    ...(gold ? { gold: { tasks: gold.tasks, supported: gold.supported.size, notes: gold.notes } } : {}),
    checkpoints: candidates.map((c) => {
      const runs = groups.get(c.name) ?? new Map();
      const runList = [...runs.entries()].sort((a, b) => a[0] - b[0]);
      const runOut = runList.map(([run, qs]) => ({
        run,
        n: qs.size,
        metrics: Object.fromEntries(views.map((v) => [v.key, runEstimate(v, qs, { seed: config.seed, nResamples: config.nResamples, level }, { checkpoint: c.name, run })])),
      }));
      const mean = Object.fromEntries(views.map((v) => [v.key, meanOfRuns(runOut.map((r) => r.metrics[v.key].value))]));
      return { name: c.name, runs: runOut, mean };
    }),
  };
}

/** The summary of a run from its manifest, samples (canonical order) and gold records. */
export function summarise(manifest: Manifest, records: SampleRecord[], gold: readonly GoldRecord[] | undefined): Summary {
  const outcome = gold && goldOutcome(gold, [...new Set(records.map((r) => r.question_id))].sort((a, b) => a - b));
  return buildSummary(records, manifest.candidates, manifest.config, manifest.signatures, outcome);
}

export interface GradeResult {
  summary: Summary;
  samples: number;
  /** Sample and gold records whose outcome the current classification changed. */
  reclassifiedSamples: number;
  reclassifiedGold: number;
}

/**
 * Re-grades a finished run directory from its records: re-classifies every stored verdict, recomputes the
 * gold gate and rewrites summary.json (and the records whose outcome changed). No container, no metric is
 * recomputed; on an unchanged classification the files end byte-identical to what the eval wrote.
 */
export function grade(dir: string): GradeResult {
  const rd = new RunDir(dir);
  const manifest = finishedManifest(rd);
  let reclassifiedSamples = 0;
  const records = rd.readSamples().map((r) => {
    const exec = r.metrics.exec as Classified | null | undefined;
    if (!exec) return r;
    const next = reclassified(exec);
    if (next === exec) return r;
    reclassifiedSamples++;
    return { ...r, metrics: { ...r.metrics, exec: next as unknown as Record<string, unknown> } };
  });
  let gold: GoldRecord[] | undefined;
  let reclassifiedGold = 0;
  if (manifest.config.exec && manifest.config.goldGate && existsSync(rd.goldFile)) {
    gold = rd.readGold().map((g) => {
      const next = reclassified(g as GoldRecord & Classified);
      if (next !== g) reclassifiedGold++;
      return next;
    });
    if (reclassifiedGold > 0) rd.writeGold(gold);
  }
  if (reclassifiedSamples > 0) rd.writeSamples(records);
  const summary = summarise(manifest, records, gold);
  rd.writeSummary(summary);
  return { summary, samples: records.length, reclassifiedSamples, reclassifiedGold };
}
