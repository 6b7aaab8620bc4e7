/**
 * Sharded evaluation: `apieval eval … --shard K/N` scores only shard K of N, for a Slurm array, a Kubernetes
 * Indexed Job or a CI matrix; `apieval merge` joins the shards into the run directory the unsharded eval
 * would have written (merge.ts).
 *
 * The unit of the split is the QUESTION: all checkpoints' and runs' samples of a question go to one shard, so
 * that the gold gate runs each reference program once overall and a question's reference is parsed once
 * (the metrics cache it). Questions are balanced by expected cost — the characters of every response to
 * them — with the longest-processing-time rule: most expensive first, each to the least-loaded shard (ties:
 * the lower question id, the lower shard). The split depends only on the inputs, so every shard of a job
 * computes the same one.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../../core/errors.js';

export interface ShardSpec {
  /** 1-based. */
  k: number;
  n: number;
}

export const MAX_SHARDS = 10_000;

/** `K/N` (1 ≤ K ≤ N ≤ 10000), or a one-line error. */
export function parseShard(s: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || n > MAX_SHARDS || k < 1 || k > n) throw new UserError(`--shard '${s}': expected K/N with 1 ≤ K ≤ N ≤ ${MAX_SHARDS} (e.g. 3/8)`);
  return { k, n };
}

/** Question id → its shard (1..n), by the longest-processing-time rule over `cost`. */
export function assignShards(cost: ReadonlyMap<number, number>, n: number): Map<number, number> {
  const questions = [...cost.keys()].sort((a, b) => cost.get(b)! - cost.get(a)! || a - b);
  const load = new Array<number>(n).fill(0);
  const out = new Map<number, number>();
  for (const q of questions) {
    let best = 0;
    for (let s = 1; s < n; s++) if (load[s] < load[best]) best = s;
    load[best] += cost.get(q)!;
    out.set(q, best + 1);
  }
  return out;
}

/** What a shard's manifest records of its split. */
export interface ShardRecord {
  k: number;
  n: number;
  /** Questions in this shard and the sha256 of their sorted ids joined by commas. */
  questions: number;
  ids_sha256: string;
}

export function shardRecord(spec: ShardSpec, questionIds: readonly number[]): ShardRecord {
  const ids = [...questionIds].sort((a, b) => a - b);
  return { k: spec.k, n: spec.n, questions: ids.length, ids_sha256: createHash('sha256').update(ids.join(',')).digest('hex') };
}
