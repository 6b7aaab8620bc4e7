/**
 * From sample records to corpus estimates: per-run corpus scores with bootstrap intervals (summary.json),
 * and the statistics that leaderboard cells and paired tests resample.
 */
import { bootstrapInterval, meanSd, type Statistic } from '../../metrics/stats/index.js';
import type { Estimate, SampleRecord } from './types.js';
import { corpusNumber, type Item, type View } from '../../metrics/metric.js';

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
    const cols = items.map((run) => Float64Array.from(run, (x) => (x === null ? NaN : (x as number))));
    // A column with no missing item (the usual case) needs no per-index test: same additions, same order.
    const complete = cols.map((col) => !col.some((v) => Number.isNaN(v)));
    return (idx) => {
      let total = 0;
      for (let r = 0; r < cols.length; r++) {
        const col = cols[r];
        let s = 0;
        let n = 0;
        if (complete[r]) {
          for (let i = 0; i < idx.length; i++) s += col[idx[i]];
          n = idx.length;
        } else {
          for (let i = 0; i < idx.length; i++) {
            const v = col[idx[i]];
            if (!Number.isNaN(v)) {
              s += v;
              n++;
            }
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
  // Every question id, not a fingerprint: two question sets with the same size and ends must not share an interval.
  return JSON.stringify([checkpoint, runs, view.key, view.metric, qids, opts.seed, opts.nResamples, opts.level]);
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
  // Leaf-major columns per run (column k holds leaf k of every question; a question without an item
  // holds +0) and a presence mask. A resample then sums each column in index order, which adds exactly the
  // same numbers in the same order as a per-item walk (adding +0 for a missing item leaves a sum unchanged,
  // and a sum that starts at +0 never becomes -0), so every replicate is bit-for-bit the same; the tight
  // per-column gather is just faster. Identical columns (hyp_len is stored twice) and all-zero ones are
  // summed once or not at all.
  const runs: { cols: Float64Array[]; present: Uint8Array; all: boolean; source: Int32Array; summed: Int32Array }[] = [];
  for (const run of items) {
    const cols = Array.from({ length: L }, () => new Float64Array(Q));
    const present = new Uint8Array(Q);
    let all = true;
    for (let q = 0; q < Q; q++) {
      const it = run[q];
      if (it === null) {
        all = false;
        continue;
      }
      const f = flatten(it, shape);
      if (!f) return null;
      for (let k = 0; k < L; k++) cols[k][q] = f[k];
      present[q] = 1;
    }
    // source[k]: -1 = every value is +0 (sum is +0); j < k = same values as column j; k = summed itself.
    const source = new Int32Array(L);
    for (let k = 0; k < L; k++) {
      const c = cols[k];
      if (c.every((v) => Object.is(v, 0))) {
        source[k] = -1;
        continue;
      }
      source[k] = k;
      for (let j = 0; j < k; j++) {
        if (source[j] !== j) continue;
        const d = cols[j];
        let same = true;
        for (let q = 0; q < Q && same; q++) same = Object.is(c[q], d[q]);
        if (same) {
          source[k] = j;
          break;
        }
      }
    }
    runs.push({ cols, present, all, source, summed: Int32Array.from(source.filter((src, k) => src === k)) });
  }
  const rebuild = rebuilder(first, shape);
  const acc = new Float64Array(L);
  const stat: Statistic = (idx) => {
    let total = 0;
    for (const { cols, present, all, source, summed } of runs) {
      let n = idx.length;
      if (!all) {
        n = 0;
        for (let i = 0; i < idx.length; i++) n += present[idx[i]];
      }
      if (n === 0) return NaN;
      // Four columns per pass: four independent addition chains instead of one (the order within each
      // column is unchanged), so the CPU overlaps them.
      let g = 0;
      for (; g + 4 <= summed.length; g += 4) {
        const c0 = cols[summed[g]], c1 = cols[summed[g + 1]], c2 = cols[summed[g + 2]], c3 = cols[summed[g + 3]];
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let i = 0; i < idx.length; i++) {
          const q = idx[i];
          s0 += c0[q];
          s1 += c1[q];
          s2 += c2[q];
          s3 += c3[q];
        }
        acc[summed[g]] = s0;
        acc[summed[g + 1]] = s1;
        acc[summed[g + 2]] = s2;
        acc[summed[g + 3]] = s3;
      }
      for (; g < summed.length; g++) {
        const c = cols[summed[g]];
        let s = 0;
        for (let i = 0; i < idx.length; i++) s += c[idx[i]];
        acc[summed[g]] = s;
      }
      for (let k = 0; k < L; k++) {
        const src = source[k];
        if (src !== k) acc[k] = src < 0 ? 0 : acc[src];
      }
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
