/**
 * Runs suite computations on worker processes (one per core, at most `jobs`), in batches (two in flight per
 * worker); results arrive in completion order (the run directory does not care: samples.jsonl is sorted
 * at the end). Falls back to
 * the calling thread when the compiled worker is not available (sources run through tsx) or for small
 * jobs, where starting workers costs more than it saves.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { fork, type ChildProcess } from 'node:child_process';
import type { WorkerInit, WorkerJob, WorkerReply } from './worker.js';
import type { MetricValue } from './types.js';

export interface PoolItem {
  i: number;
  qid: number;
  text: string;
  names: string[];
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Node's flags plus a larger young generation: scoring allocates many short-lived objects (token lists,
 * n-gram maps, per-node arrays), and with the default 16 MB semi-space the scavenger runs several
 * times as often; measured about 4% less worker CPU. Nothing computed depends on it.
 */
const WORKER_EXEC_ARGV = [...process.execArgv, '--max-semi-space-size=32'];

export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

export function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

export async function computeOnWorkers(
  init: WorkerInit,
  items: PoolItem[],
  jobs: number,
  onResult: (i: number, values: Record<string, MetricValue>) => void,
  batchSize = 64,
): Promise<void> {
  const batches: WorkerJob[] = [];
  for (let k = 0; k < items.length; k += batchSize) batches.push({ batch: batches.length, items: items.slice(k, k + batchSize) });
  const n = Math.max(1, Math.min(jobs, batches.length));
  let next = 0;
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: n }, () =>
        new Promise<void>((resolve, reject) => {
          const w = fork(fileURLToPath(WORKER_URL), [], { execArgv: WORKER_EXEC_ARGV, serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
          workers.push(w);
          let finished = false;
          let outstanding = 0;
          w.send({ init });
          const feed = () => {
            if (next < batches.length) {
              outstanding++;
              w.send(batches[next++]);
            } else if (outstanding === 0) {
              finished = true;
              resolve();
            }
          };
          w.on('message', (reply: WorkerReply) => {
            outstanding--;
            try {
              for (const r of reply.results) onResult(r.i, r.values);
            } catch (e) {
              reject(e);
              return;
            }
            feed();
          });
          w.on('error', reject);
          w.on('exit', (code, signal) => {
            if (!finished) reject(new Error(`metric worker exited early (${signal ?? `code ${code}`})`));
          });
          // Two batches in flight per worker: the next one is already queued when a reply goes out, so
          // the worker never idles while the parent handles a reply (writing samples) and sends more.
          feed();
          feed();
        }),
      ),
    );
  } finally {
    for (const w of workers) if (w.connected) w.disconnect();
  }
}
