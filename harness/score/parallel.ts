/**
 * Splits scoring across worker threads (the goal machine has 2 cores). Slices are contiguous so that the
 * per-thread parse cache still sees repeated references; small inputs stay on the main thread, where
 * starting workers would cost more than it saves.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { computeItems, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';

const MIN_ITEMS_PER_WORKER = 1500;

function workerUrl(): URL {
  // Under tsx (tests, benches) this module is .ts and so is its worker; in dist both are .js.
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

export async function computeParallel(items: readonly ComputeItem[], opts: ComputeOptions, threads?: number): Promise<ComputedItem[]> {
  const want = threads ?? Math.min(availableParallelism(), 2);
  const n = Math.max(1, Math.min(want, Math.floor(items.length / MIN_ITEMS_PER_WORKER)));
  if (n <= 1) return computeItems(items, opts);
  const size = Math.ceil(items.length / n);
  const slices: ComputeItem[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  // The main thread takes the last slice itself instead of idling.
  const mine = slices.pop()!;
  const jobs = slices.map(
    (slice) =>
      new Promise<ComputedItem[]>((resolve, reject) => {
        const w = new Worker(workerUrl(), { workerData: { items: slice, opts } });
        w.once('message', (m: ComputedItem[]) => {
          resolve(m);
          void w.terminate();
        });
        w.once('error', reject);
        w.once('exit', (code) => {
          if (code !== 0) reject(new Error(`score worker exited with code ${code}`));
        });
      }),
  );
  const local = computeItems(mine, opts);
  const done = await Promise.all(jobs);
  return [...done.flat(), ...local];
}
