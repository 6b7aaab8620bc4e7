/**
 * `apieval leaderboard RUN_DIR...`: checkpoints × metrics from one or more run directories, each cell a
 * corpus score with its 95% bootstrap interval (mean ± sd over repeated runs), paired significance
 * against a baseline, Holm-corrected across the whole table, and a per-domain breakdown.
 *
 * Tests, per metric and checkpoint, on the questions both checkpoints answered in every run:
 *  - binary metric, one run each: exact McNemar on the discordant questions;
 *  - otherwise (continuous metrics, or repeated runs where a question's outcome is no longer 0/1): paired
 *    bootstrap of the difference of the leaderboard statistic (mean over runs of the corpus score),
 *    resampling questions with the same indices for both checkpoints.
 * All p-values of the table form one Holm family at level α.
 */
import { UserError } from '../../core/errors.js';
import { VERSION } from '../version.js';
import { bootstrapInterval, holm, mcnemar, meanSd, pairedBootstrap } from '../../metrics/stats/index.js';
import { LEADERBOARD_SCHEMA_VERSION, type Cell, type DomainTable, type Leaderboard, type MetricColumn, type Row } from '../../reports/model.js';
import { commonQuestions, finiteOrNull, groupByCheckpoint, intervalKey, itemMatrix, memoInterval, runsStatistic } from './aggregate.js';
import { loadFinishedRun } from './run-dir.js';
import type { SampleRecord } from './types.js';
import { IMPLEMENTATION } from './suite.js';
import type { Item, View } from '../../metrics/metric.js';
import { metricViews } from '../../metrics/registry.js';

export interface LeaderboardOptions {
  baseline?: string;
  alpha?: number;
  /** Defaults to the first run directory's bootstrap seed and resample count. */
  seed?: number;
  nResamples?: number;
}

export function buildLeaderboard(runDirs: string[], opts: LeaderboardOptions = {}): Leaderboard {
  if (runDirs.length === 0) throw new UserError('give at least one run directory');
  const runs = runDirs.map(loadFinishedRun);
  const first = runs[0].manifest;
  for (const r of runs.slice(1)) {
    const m = r.manifest;
    if (m.dataset.hub !== first.dataset.hub || JSON.stringify(m.dataset.files) !== JSON.stringify(first.dataset.files)) {
      throw new UserError(`${r.dir} was scored on another dataset than ${runs[0].dir}; a leaderboard needs one dataset`);
    }
    if ((m.dataset.questions?.ids_sha256 ?? null) !== (first.dataset.questions?.ids_sha256 ?? null)) {
      throw new UserError(`${r.dir} scored ${m.dataset.questions?.label ?? 'all eval questions'} but ${runs[0].dir} scored ${first.dataset.questions?.label ?? 'all eval questions'}; a leaderboard needs one question set`);
    }
    for (const k of Object.keys(IMPLEMENTATION)) {
      if (m.signatures[k] !== first.signatures[k]) {
        throw new UserError(`${r.dir} used ${k} ${m.signatures[k]} but ${runs[0].dir} used ${first.signatures[k]}; re-score one with the same options`);
      }
    }
  }
  const execSigs = new Set(runs.filter((r) => r.manifest.config.exec).map((r) => r.manifest.signatures.exec));
  if (execSigs.size > 1) throw new UserError(`the run directories were executed in different sandboxes (${[...execSigs].join(' vs ')}); executability is not comparable`);
  const anyExec = execSigs.size === 1;
  // The reward model's column: one model (same export, tokenizer and input rule) across the run directories.
  const rmSigs = new Set(runs.filter((r) => r.manifest.config.rewardModel).map((r) => r.manifest.signatures.rm));
  if (rmSigs.size > 1) throw new UserError(`the run directories were scored with different reward models (${[...rmSigs].join(' vs ')}); the RM column is not comparable`);
  const anyRm = rmSigs.size === 1;

  // Checkpoints, in the order of the run directories and their manifests.
  const order: string[] = [];
  const all: SampleRecord[] = [];
  for (const r of runs) {
    for (const c of r.manifest.candidates) {
      if (order.includes(c.name)) throw new UserError(`checkpoint '${c.name}' appears in more than one run directory (${r.dir})`);
      order.push(c.name);
    }
    all.push(...r.records);
  }
  const groups = groupByCheckpoint(all);
  const baseline = opts.baseline ?? null;
  if (baseline !== null && !groups.has(baseline)) throw new UserError(`--baseline ${baseline}: no such checkpoint (have: ${order.join(', ')})`);

  const seed = opts.seed ?? first.config.seed;
  const nResamples = opts.nResamples ?? first.config.nResamples;
  const alpha = opts.alpha ?? 0.05;
  const level = 0.95;
  // Executability over supported tasks: a task counts when its reference ran in every gated run directory.
  const gated = runs.filter((r) => r.supported);
  let supported: Set<number> | undefined;
  if (anyExec && gated.length > 0) supported = new Set([...gated[0].supported!].filter((q) => gated.every((r) => r.supported!.has(q))));
  const views = metricViews({ codebleuVariant: first.config.codebleuVariant, exec: anyExec, rm: anyRm, supported }).filter((v) => v.leaderboard);
  const signatures: Record<string, string> = { ...first.signatures, ...(anyExec ? { exec: [...execSigs][0] } : {}), ...(anyRm ? { rm: [...rmSigs][0] } : {}) };
  const metrics: MetricColumn[] = views.map((v) => ({ key: v.key, label: v.label, kind: v.kind, higherIsBetter: v.higherIsBetter, signature: (signatures[v.metric] ?? '') + (v.signatureSuffix ?? '') }));
  const notes: string[] = [...new Set(runs.flatMap((r) => r.goldNotes))];
  if (anyRm) {
    const without = runs.filter((r) => !r.manifest.config.rewardModel);
    if (without.length > 0) notes.push(`Scored without --reward-model, so no RM value: ${without.flatMap((r) => r.manifest.candidates.map((c) => c.name)).join(', ')}.`);
  }

  const runMaps = (name: string) => [...(groups.get(name) ?? new Map()).entries()].sort((a, b) => a[0] - b[0]).map(([, m]) => m);

  // Cells.
  const rows: Row[] = order.map((name) => {
    const rm = runMaps(name);
    const cells: Record<string, Cell> = {};
    const runNumbers = [...(groups.get(name) ?? new Map()).keys()].sort((a, b) => a - b);
    for (const v of views) cells[v.key] = cellFor(v, rm, { seed, nResamples, level }, { checkpoint: name, runs: runNumbers });
    return { checkpoint: name, runs: rm.length, cells };
  });

  // Paired tests against the baseline, then Holm across the table.
  if (baseline !== null) {
    const base = runMaps(baseline);
    const family: { row: Row; key: string; p: number }[] = [];
    for (const row of rows) {
      if (row.checkpoint === baseline) continue;
      const other = runMaps(row.checkpoint);
      const qids = commonQuestions([...base, ...other]);
      for (const v of views) {
        const cell = row.cells[v.key];
        if (cell.value === null || rows.find((r) => r.checkpoint === baseline)!.cells[v.key].value === null) continue;
        const t = pairedTest(v, base, other, qids, { seed, nResamples });
        if (!t) continue;
        cell.vs_baseline = { ...t, p_holm: NaN, significant: false };
        family.push({ row, key: v.key, p: t.p });
      }
      const most = Math.max(...base.map((m) => m.size), ...other.map((m) => m.size));
      if (qids.length < most) notes.push(`${row.checkpoint}: paired tests use the ${qids.length} questions answered by both it and the baseline in every run.`);
    }
    const adj = holm(family.map((f) => f.p), alpha);
    // A paired-bootstrap p is at least 1/(B+1); Holm multiplies the smallest by the family size.
    const boot = family.filter((f) => f.row.cells[f.key].vs_baseline!.test === 'paired_bootstrap').length;
    if (boot > 0 && family.length / (nResamples + 1) > alpha) {
      notes.push(
        `A paired-bootstrap p is at least 1/${nResamples + 1}, and ${family.length} tests × that exceeds α = ${alpha}: after Holm such a test may miss significance however large the difference; use --bootstrap ${Math.ceil((family.length / alpha) * 2)} or more.`,
      );
    }
    family.forEach((f, i) => {
      const t = f.row.cells[f.key].vs_baseline!;
      t.p_holm = adj.adjusted[i];
      t.significant = adj.reject[i];
    });
  }

  // A metric that applies to no sample of any checkpoint (code metrics on TorchHub/TF Hub, whose eval
  // records have no <<<code>>> reference) is left out rather than shown as a column of dashes.
  const empty = new Set(views.filter((v) => rows.every((r) => r.cells[v.key].value === null && r.cells[v.key].n === 0)).map((v) => v.key));
  if (empty.size > 0 && empty.size < views.length) {
    for (const r of rows) for (const k of empty) delete r.cells[k];
    for (let i = metrics.length - 1; i >= 0; i--) if (empty.has(metrics[i].key)) metrics.splice(i, 1);
    notes.push(`Not applicable to any sample here, so not shown: ${[...empty].join(', ')}.`);
  }

  // Best per column.
  for (const v of views) {
    if (empty.has(v.key) && empty.size < views.length) continue;
    const vals = rows.map((r) => r.cells[v.key].value).filter((x): x is number => x !== null);
    if (vals.length === 0) continue;
    const best = v.higherIsBetter ? Math.max(...vals) : Math.min(...vals);
    for (const r of rows) r.cells[v.key].best = r.cells[v.key].value === best;
  }

  const domainView = views.find((v) => v.domainTable);
  const domains = domainView ? domainTable(domainView, order, runMaps, first.dataset.domains ?? []) : null;
  return {
    schema_version: LEADERBOARD_SCHEMA_VERSION,
    generator: `apieval ${VERSION}`,
    dataset: { hub: first.dataset.hub, source: first.dataset.source, sha256: first.dataset.files, ...(first.dataset.questions ? { questions: first.dataset.questions.label } : {}) },
    baseline,
    alpha,
    level,
    bootstrap: { seed, n_resamples: nResamples },
    metrics,
    rows,
    domains,
    notes,
  };
}

function cellFor(v: View, runs: Map<number, SampleRecord>[], o: { seed: number; nResamples: number; level: number }, memo: { checkpoint: string; runs: number[] }): Cell {
  const values: number[] = [];
  let n = Infinity;
  for (const run of runs) {
    const qids = [...run.keys()].sort((a, b) => a - b);
    const items = itemMatrix(v, [run], qids)[0].filter((x): x is Item => x !== null);
    const score = v.corpus(items);
    n = Math.min(n, items.length);
    if (typeof score !== 'number') return { value: null, low: null, high: null, sd: null, runs: runs.length, n: items.length, error: score.error, best: false };
    values.push(score);
  }
  const ms = meanSd(values);
  const qids = commonQuestions(runs);
  const ci = memoInterval(intervalKey(memo.checkpoint, memo.runs, v, qids, o), () =>
    bootstrapInterval(qids.length, runsStatistic(v, itemMatrix(v, runs, qids)), { seed: o.seed, nResamples: o.nResamples, level: o.level }),
  );
  return { value: ms.mean, low: finiteOrNull(ci.low), high: finiteOrNull(ci.high), sd: ms.sd, runs: runs.length, n: Number.isFinite(n) ? n : 0, best: false };
}

function pairedTest(v: View, base: Map<number, SampleRecord>[], other: Map<number, SampleRecord>[], qids: number[], o: { seed: number; nResamples: number }) {
  const a = itemMatrix(v, base, qids);
  const b = itemMatrix(v, other, qids);
  if (v.kind === 'binary' && base.length === 1 && other.length === 1) {
    const xa: number[] = [];
    const xb: number[] = [];
    for (let k = 0; k < qids.length; k++) {
      const ia = a[0][k];
      const ib = b[0][k];
      if (typeof ia === 'number' && typeof ib === 'number') {
        xa.push(ia);
        xb.push(ib);
      } else if (ia !== null && ib !== null) return null; // a failed item: no test
    }
    const r = mcnemar(xa, xb);
    const ma = xa.reduce((s, x) => s + x, 0) / (xa.length || 1);
    const mb = xb.reduce((s, x) => s + x, 0) / (xb.length || 1);
    return { test: 'mcnemar' as const, delta: mb - ma, p: r.p, n_paired: xa.length, b: r.b, c: r.c };
  }
  const r = pairedBootstrap(qids.length, runsStatistic(v, a), runsStatistic(v, b), { seed: o.seed, nResamples: o.nResamples });
  if (Number.isNaN(r.p)) return null;
  return { test: 'paired_bootstrap' as const, delta: r.delta, p: r.p, n_paired: qids.length };
}

function domainTable(v: View, order: string[], runMaps: (name: string) => Map<number, SampleRecord>[], known: string[]): DomainTable | null {
  // Every domain of the hub's API database (40 for HF), also those no question of the run asks about.
  const domains = new Set<string>(known);
  for (const name of order) for (const run of runMaps(name)) for (const r of run.values()) domains.add(r.domain);
  if (domains.size === 0) return null;
  const list = [...domains].sort();
  return {
    metric: v.key,
    label: v.label,
    domains: list,
    rows: order.map((name) => {
      const runs = runMaps(name);
      const values: DomainTable['rows'][number]['values'] = {};
      for (const d of list) {
        const perRun: number[] = [];
        let n = 0;
        for (const run of runs) {
          const items = [...run.values()].filter((r) => r.domain === d).map((r) => v.item(r.metrics[v.metric] ?? null, r.question_id)).filter((x): x is Item => x !== null);
          n = Math.max(n, items.length);
          const s = v.corpus(items);
          if (typeof s === 'number') perRun.push(s);
        }
        values[d] = { value: perRun.length === runs.length && perRun.length > 0 ? meanSd(perRun).mean : null, n };
      }
      return { checkpoint: name, values };
    }),
  };
}
