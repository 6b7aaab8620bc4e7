/**
 * From sample records to corpus estimates: per-run corpus scores with bootstrap intervals (summary.json),
 * and the statistics that leaderboard cells and paired tests resample.
 */
import { bootstrapInterval, meanSd, type Statistic } from '../../metrics/stats/index.js';
import type { Estimate, SampleRecord } from './types.js';
import { corpusNumber, type Item, type View } from './views.js';

/** Records of one checkpoint: run number → question_id → record. */
export type CheckpointRuns = Map<number, Map<number, SampleRecord>>;

export function groupByCheckpoint(records: Iterable<SampleRecord>): Map<string, CheckpointRuns> {
  const out = new Map<string, CheckpointRuns>();
  for (const r of records) {
    let runs = out.get(r.checkpoint);
    if (!runs) out.set(r.checkpoint, (runs = new Map()));
    let qs = runs.get(r.run);
    if (!qs) runs.set(r.run, (qs = new Map()));
    qs.set(r.question_id, r);
  }
  return out;
}

/** Question ids present in every given run, ascending. */
export function commonQuestions(runs: Map<number, SampleRecord>[]): number[] {
  if (runs.length === 0) return [];
  const [first, ...rest] = runs;
  return [...first.keys()].filter((q) => rest.every((r) => r.has(q))).sort((a, b) => a - b);
}

/** items[r][k]: the view's item for run r and question qids[k] (null = not applicable). */
export function itemMatrix(view: View, runs: Map<number, SampleRecord>[], qids: number[]): (Item | null)[][] {
  return runs.map((run) => qids.map((q) => view.item(run.get(q)!.metrics[view.metric] ?? null, q)));
}

/**
 * The statistic a leaderboard cell reports, as a function of a resample of questions: the mean over runs
 * of each run's corpus score on those questions. With one run it is simply the corpus score.
 */
export function runsStatistic(view: View, items: (Item | null)[][]): Statistic {
  // Every view whose items are plain numbers is a mean (binary rates, ROUGE): a fast path that allocates
  // nothing per resample.
  const numeric = items.every((run) => run.every((x) => x === null || typeof x === 'number'));
  if (numeric) {
    const cols = items.map((run) => run.map((x) => (x === null ? NaN : (x as number))));
    return (idx) => {
      let total = 0;
      for (const col of cols) {
        let s = 0;
        let n = 0;
        for (let i = 0; i < idx.length; i++) {
          const v = col[idx[i]];
          if (!Number.isNaN(v)) {
            s += v;
            n++;
          }
        }
        if (n === 0) return NaN;
        total += s / n;
      }
      return total / cols.length;
    };
  }
  if (view.additive) {
    const fast = additiveStatistic(view, items);
    if (fast) return fast;
  }
  return slowStatistic(view, items);
}

function slowStatistic(view: View, items: (Item | null)[][]): Statistic {
  return (idx) => {
    let total = 0;
    for (const run of items) {
      const sel: Item[] = [];
      for (let i = 0; i < idx.length; i++) {
        const it = run[idx[i]];
        if (it !== null) sel.push(it);
      }
      total += corpusNumber(view, sel);
    }
    return total / items.length;
  };
}

/**
 * Intervals already computed in this process, by a key naming the data (checkpoint, runs, questions),
 * the view and the bootstrap settings: `apieval eval` computes summary.json and then the leaderboard from
 * the same samples, and a one-run leaderboard cell is exactly the run's interval — computed once.
 */
const intervalMemo = new Map<string, { low: number; high: number }>();

/** Forgets memoised intervals (benchmarks; a long-lived process scoring changing data). */
export function clearIntervalMemo(): void {
  intervalMemo.clear();
}

export function memoInterval(key: string | undefined, compute: () => { low: number; high: number }): { low: number; high: number } {
  if (key === undefined) return compute();
  let hit = intervalMemo.get(key);
  if (!hit) {
    const { low, high } = compute();
    hit = { low, high };
    intervalMemo.set(key, hit);
  }
  return hit;
}

export function intervalKey(checkpoint: string, runs: number[], view: View, qids: number[], opts: { seed: number; nResamples: number; level: number }): string {
  return JSON.stringify([checkpoint, runs, view.key, view.metric, qids.length, qids[0], qids[qids.length - 1], opts.seed, opts.nResamples, opts.level]);
}

/** Corpus estimate of one run: the score over all its samples, with a bootstrap interval over its questions. */
export function runEstimate(view: View, run: Map<number, SampleRecord>, opts: { seed: number; nResamples: number; level: number }, memo?: { checkpoint: string; run: number }): Estimate {
  const qids = [...run.keys()].sort((a, b) => a - b);
  const items = itemMatrix(view, [run], qids);
  const applicable = items[0].filter((x): x is Item => x !== null);
  const score = view.corpus(applicable);
  if (typeof score !== 'number') return { value: null, low: null, high: null, n: applicable.length, error: score.error };
  const key = memo ? intervalKey(memo.checkpoint, [memo.run], view, qids, opts) : undefined;
  const ci = memoInterval(key, () => bootstrapInterval(qids.length, runsStatistic(view, items), { seed: opts.seed, nResamples: opts.nResamples, level: opts.level }));
  return { value: score, low: finiteOrNull(ci.low), high: finiteOrNull(ci.high), n: applicable.length };
}

export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export function meanOfRuns(values: (number | null)[]): { mean: number | null; sd: number | null; runs: number } {
  if (values.some((v) => v === null)) return { mean: null, sd: null, runs: values.length };
  const m = meanSd(values as number[]);
  return { mean: m.mean, sd: m.sd, runs: m.n };
}

// ---------------------------------------------------------------------------------------------------------
// Additive fast path: every item is flattened once into a numeric vector (its leaves in a fixed order);
// a resample sums vectors and scores ONE re-assembled item. Used only when every item has the same shape,
// none is a failure, and the fast score equals the plain corpus score on the full data.

type Shape = (string | number)[][];

function leaves(x: unknown, path: (string | number)[], out: Shape): void {
  if (typeof x === 'number') out.push(path);
  else if (Array.isArray(x)) x.forEach((v, i) => leaves(v, [...path, i], out));
  else if (x !== null && typeof x === 'object') for (const k of Object.keys(x).sort()) leaves((x as Record<string, unknown>)[k], [...path, k], out);
  else throw new Error('not numeric');
}

function flatten(x: unknown, shape: Shape): Float64Array | null {
  const v = new Float64Array(shape.length);
  for (let i = 0; i < shape.length; i++) {
    let cur: unknown = x;
    for (const k of shape[i]) cur = (cur as Record<string | number, unknown>)?.[k];
    if (typeof cur !== 'number') return null;
    v[i] = cur;
  }
  return v;
}

/**
 * A function that writes a summed vector into ONE private copy of the item's shape and returns it: the
 * corpus functions only read their input, so the copy is reused across resamples instead of reallocated.
 */
function rebuilder(template: unknown, shape: Shape): (v: Float64Array) => unknown {
  const out = JSON.parse(JSON.stringify(template)) as Record<string | number, unknown>;
  const setters = shape.map((path) => {
    let parent = out;
    for (let j = 0; j < path.length - 1; j++) parent = parent[path[j]] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    return (x: number) => {
      parent[last] = x;
    };
  });
  return (v) => {
    for (let i = 0; i < setters.length; i++) setters[i](v[i]);
    return out;
  };
}

function additiveStatistic(view: View, items: (Item | null)[][]): Statistic | null {
  const first = items.flat().find((x) => x !== null);
  if (first === undefined || typeof first === 'number') return null;
  const shape: Shape = [];
  try {
    leaves(first, [], shape);
  } catch {
    return null; // a failure item or a non-numeric leaf
  }
  const L = shape.length;
  const Q = items[0].length;
  // One flat row-major matrix per run (question q's leaves at q·L … q·L + L − 1) and a presence mask:
  // the resampling loop then reads contiguous memory with no per-item object.
  const runs: { m: Float64Array; present: Uint8Array }[] = [];
  for (const run of items) {
    const m = new Float64Array(Q * L);
    const present = new Uint8Array(Q);
    for (let q = 0; q < Q; q++) {
      const it = run[q];
      if (it === null) continue;
      const f = flatten(it, shape);
      if (!f) return null;
      m.set(f, q * L);
      present[q] = 1;
    }
    runs.push({ m, present });
  }
  const rebuild = rebuilder(first, shape);
  const acc = new Float64Array(L);
  const stat: Statistic = (idx) => {
    let total = 0;
    for (const { m, present } of runs) {
      acc.fill(0);
      let n = 0;
      for (let i = 0; i < idx.length; i++) {
        const q = idx[i];
        if (present[q] === 0) continue;
        n++;
        const base = q * L;
        for (let k = 0; k < L; k++) acc[k] += m[base + k];
      }
      if (n === 0) return NaN;
      total += corpusNumber(view, [rebuild(acc) as Item]);
    }
    return total / runs.length;
  };
  // Safety check on the full data: the summed item must score exactly like the corpus (up to rounding).
  const all = new Int32Array(Q).map((_, i) => i);
  const a = stat(all);
  const b = slowStatistic(view, items)(all);
  if (!(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)))) return null;
  return stat;
}
