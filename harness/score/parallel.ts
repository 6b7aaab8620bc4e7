/**
 * Splits scoring across worker threads (the goal machine has 2 cores). Items are dealt to threads by
 * their reference text, so every pair that shares a reference lands in the same thread and that
 * reference is parsed once (each thread has its own parse cache). Small inputs stay on the main thread,
 * where starting workers would cost more than it saves.
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
  // APIEVAL_SCORE_THREADS overrides (benchmarks, constrained machines); default: the cores, at most 4.
  const env = Number(process.env.APIEVAL_SCORE_THREADS);
  const want = threads ?? (Number.isInteger(env) && env > 0 ? env : Math.min(availableParallelism(), 4));
  const n = Math.max(1, Math.min(want, Math.floor(items.length / MIN_ITEMS_PER_WORKER)));
  if (n <= 1) return computeItems(items, opts);
  const slices: ComputeItem[][] = Array.from({ length: n }, () => []);
  const where: number[][] = Array.from({ length: n }, () => []);
  items.forEach((it, k) => {
    const w = bucket(it.references.join('\u0000'), n);
    slices[w].push(it);
    where[w].push(k);
  });
  // The main thread takes the last slice itself instead of idling.
  const mine = slices.pop()!;
  const jobs = slices.map(
    (slice) =>
      new Promise<ComputedItem[]>((resolve, reject) => {
        // A modest young generation keeps the two heaps together under ~300 MB at little GC cost.
        const w = new Worker(workerUrl(), { workerData: { items: slice, opts }, resourceLimits: { maxYoungGenerationSizeMb: 24 } });
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
  const done = [...(await Promise.all(jobs)), local];
  const out: ComputedItem[] = new Array(items.length);
  done.forEach((res, w) => res.forEach((r, j) => (out[where[w][j]] = r)));
  return out;
}

/** FNV-1a of the text, modulo n: a stable, even spread of distinct references over threads. */
function bucket(text: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}
