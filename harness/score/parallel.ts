/**
 * Spreads scoring over threads (the goal machine has 2 cores).
 *
 * - Identical items (same references, list-ness and prediction) are scored once: every metric is a pure
 *   function of them (on the Gorilla pairs, 16% of the items repeat an earlier one).
 * - Items are dealt to chunks by their reference text, so every pair that shares a reference lands in
 *   the same chunk and that reference is parsed once (identical predictions almost always share the
 *   reference too: the same question answered alike by several models).
 * - The main thread and the worker threads pull chunks, largest first, from one queue until it is empty,
 *   so a thread that drew cheap items simply takes more chunks. Each worker always has its next chunk
 *   already queued: the main thread only hands out chunks between its own, and a worker must not sit
 *   idle until then.
 * - Workers start first (loading modules while the main thread deals the chunks) and receive the
 *   tree-sitter module compiled once by the main thread.
 * Small inputs stay on the main thread, where starting workers would cost more than it saves.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { computeItems, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';

const MIN_ITEMS_PER_WORKER = 1500;
/** Small chunks keep the threads' finishing times close; reference affinity does not depend on the count. */
const CHUNKS_PER_THREAD = 24;
/** Chunks a worker holds at once: the one it works on and the next. */
const WORKER_DEPTH = 2;

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

/** An unambiguous key of everything an item's scores depend on (lengths delimit the texts). */
function itemKey(it: ComputeItem): string {
  let k = (it.multi ? 'm' : 's') + it.references.length + ':';
  for (const r of it.references) k += r.length + ':' + r;
  return k + it.prediction;
}

/** The distinct items, and for each input item the index of its distinct twin. */
export function dedupeItems(items: readonly ComputeItem[]): { unique: ComputeItem[]; slot: Int32Array } {
  const seen = new Map<string, number>();
  const unique: ComputeItem[] = [];
  const slot = new Int32Array(items.length);
  items.forEach((it, i) => {
    const key = itemKey(it);
    let u = seen.get(key);
    if (u === undefined) {
      u = unique.length;
      seen.set(key, u);
      unique.push({ references: it.references, multi: it.multi, prediction: it.prediction });
    }
    slot[i] = u;
  });
  return { unique, slot };
}

interface Chunk {
  items: ComputeItem[];
  where: number[];
  cost: number;
}

export async function computeParallel(items: readonly ComputeItem[], opts: ComputeOptions, threads?: number): Promise<ComputedItem[]> {
  // APIEVAL_SCORE_THREADS overrides (benchmarks, constrained machines); default: the cores, at most 4.
  const env = Number(process.env.APIEVAL_SCORE_THREADS);
  const want = threads ?? (Number.isInteger(env) && env > 0 ? env : Math.min(availableParallelism(), 4));
  const n = Math.max(1, Math.min(want, Math.floor(items.length / MIN_ITEMS_PER_WORKER)));
  const workers = n > 1 ? await startWorkers(n - 1, opts) : [];
  const { unique, slot } = dedupeItems(items);
  const results = workers.length ? await runChunks(unique, opts, workers) : computeItems(unique, opts);
  return Array.from(slot, (u) => results[u]);
}

async function startWorkers(count: number, opts: ComputeOptions): Promise<Worker[]> {
  // Compiled once here and shared (only needed, and only loaded, when CodeBLEU parses).
  const wasm = opts.codebleu ? (await import('../../metrics/tree-sitter/parser.js')).compiledModule() : null;
  // A modest young generation keeps the heaps together under ~300 MB at little GC cost.
  return Array.from({ length: count }, () => new Worker(workerUrl(), { workerData: { opts, wasm }, resourceLimits: { maxYoungGenerationSizeMb: 24 } }));
}

async function runChunks(items: readonly ComputeItem[], opts: ComputeOptions, workers: Worker[]): Promise<ComputedItem[]> {
  const k = (workers.length + 1) * CHUNKS_PER_THREAD;
  const chunks: Chunk[] = Array.from({ length: k }, () => ({ items: [], where: [], cost: 0 }));
  items.forEach((it, idx) => {
    const c = chunks[bucket(it.references.length === 1 ? it.references[0] : it.references.join('\u0000'), k)];
    c.items.push(it);
    c.where.push(idx);
    c.cost += it.prediction.length;
    for (const r of it.references) c.cost += r.length;
  });
  // Largest first: what is left at the end is small, so the threads finish together.
  const queue = chunks.filter((c) => c.items.length > 0).sort((a, b) => b.cost - a.cost);
  const out: ComputedItem[] = new Array(items.length);
  const place = (c: Chunk, res: ComputedItem[]): void => res.forEach((r, j) => (out[c.where[j]] = r));

  const done = workers.map(
    (w) =>
      new Promise<void>((resolve, reject) => {
        // Chunks sent and not yet answered, in order (a worker answers its messages in order).
        const inFlight: Chunk[] = [];
        const fill = (): void => {
          while (inFlight.length < WORKER_DEPTH && queue.length > 0) {
            const c = queue.shift()!;
            inFlight.push(c);
            w.postMessage(c.items);
          }
          if (inFlight.length === 0) void w.terminate().then(() => resolve());
        };
        w.on('message', (res: ComputedItem[]) => {
          place(inFlight.shift()!, res);
          fill();
        });
        w.once('error', reject);
        w.once('exit', (code) => {
          // After terminate() no chunk is outstanding; an exit while one is, is a crash.
          if (inFlight.length > 0) reject(new Error(`score worker exited with code ${code} while scoring`));
        });
        fill();
      }),
  );
  // The main thread works the same queue, yielding between chunks so workers get their next chunk.
  for (let c = queue.shift(); c; c = queue.shift()) {
    place(c, computeItems(c.items, opts));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(done);
  return out;
}
