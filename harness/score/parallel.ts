/**
 * Spreads scoring over threads (the goal machine has 2 cores): the main thread plus worker threads pull
 * chunks from one queue until it is empty, so a thread that drew cheap items (one-line API calls) simply
 * takes more chunks than one that drew long programs. Items are dealt to chunks by their reference text,
 * so every pair that shares a reference lands in the same chunk and that reference is parsed once. Small
 * inputs stay on the main thread, where starting workers would cost more than it saves.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { computeItems, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';

const MIN_ITEMS_PER_WORKER = 1500;
const CHUNKS_PER_THREAD = 8;

function workerUrl(): URL {
  // Under tsx (tests, benches) this module is .ts and so is its worker; in dist both are .js.
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

/** FNV-1a of the text, modulo n: a stable, even spread of distinct references over chunks. */
function bucket(text: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % n;
}

interface Chunk {
  items: ComputeItem[];
  where: number[];
}

export async function computeParallel(items: readonly ComputeItem[], opts: ComputeOptions, threads?: number): Promise<ComputedItem[]> {
  // APIEVAL_SCORE_THREADS overrides (benchmarks, constrained machines); default: the cores, at most 4.
  const env = Number(process.env.APIEVAL_SCORE_THREADS);
  const want = threads ?? (Number.isInteger(env) && env > 0 ? env : Math.min(availableParallelism(), 4));
  const n = Math.max(1, Math.min(want, Math.floor(items.length / MIN_ITEMS_PER_WORKER)));
  if (n <= 1) return computeItems(items, opts);

  const k = n * CHUNKS_PER_THREAD;
  const chunks: Chunk[] = Array.from({ length: k }, () => ({ items: [], where: [] }));
  items.forEach((it, idx) => {
    const c = chunks[bucket(it.references.join('\u0000'), k)];
    c.items.push(it);
    c.where.push(idx);
  });
  const queue = chunks.filter((c) => c.items.length > 0);
  const out: ComputedItem[] = new Array(items.length);
  const place = (c: Chunk, res: ComputedItem[]): void => res.forEach((r, j) => (out[c.where[j]] = r));

  const workers = Array.from({ length: n - 1 }, () => {
    // A modest young generation keeps the heaps together under ~300 MB at little GC cost.
    const w = new Worker(workerUrl(), { workerData: { opts }, resourceLimits: { maxYoungGenerationSizeMb: 24 } });
    return new Promise<void>((resolve, reject) => {
      let current: Chunk | undefined;
      const next = (): void => {
        current = queue.shift();
        if (current) w.postMessage(current.items);
        else void w.terminate().then(() => resolve());
      };
      w.on('message', (res: ComputedItem[]) => {
        place(current!, res);
        next();
      });
      w.once('error', reject);
      w.once('exit', (code) => {
        // After terminate() no chunk is outstanding; an exit while one is, is a crash.
        if (current) reject(new Error(`score worker exited with code ${code} while scoring`));
      });
      next();
    });
  });
  // The main thread works the same queue, yielding between chunks so workers get their next chunk.
  for (let c = queue.shift(); c; c = queue.shift()) {
    place(c, computeItems(c.items, opts));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(workers);
  return out;
}
