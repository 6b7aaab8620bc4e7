/**
 * Spreads `apieval score` over two threads: one worker thread parses with tree-sitter (WebAssembly) and
 * scores ROUGE, for the next batches of items, while the main thread computes the rest of CodeBLEU
 * for the current batch.
 *
 * Why this split rather than several threads each scoring a share of the items: each JavaScript thread
 * pays V8's optimising compiler on its own (about 1.7 s of CPU for this code on the Gorilla pairs) and
 * keeps its own caches, so on the 2-core goal machine two scoring threads spent much of the second core
 * compiling and re-parsing. Parsing is about 40% of the work, needs no warm-up and scales across
 * threads; with ROUGE (about 10%, and independent of CodeBLEU) it balances the two threads.
 *
 * - Identical items (same references, list-ness and prediction) are scored once: every metric is a pure
 *   function of them (on the Gorilla pairs, 16% of the items repeat an earlier one).
 * - Each distinct text is sent to the parser once; the main thread strips comments first (that decides
 *   what is parsed, and fills the caches CodeBLEU then reads) and keeps a few batches in flight.
 * - ROUGE goes where there is room: a batch's ROUGE is sent to the worker while the worker keeps ahead
 *   of the main thread, and scored on the main thread (before it waits) once the main thread had to
 *   wait for the worker. The two threads' speeds vary with the text and the machine.
 * - Anything not parsed ahead (a text evicted from CodeBLEU's caches and needed again) is parsed on the
 *   main thread as usual: the worker only saves time, it never changes a result.
 * Small inputs, and runs without CodeBLEU, stay on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { computeItems, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';
import { codeBleuParseTexts } from '../../metrics/codebleu/index.js';
import { compiledModule, forgetProvided, provideParsed } from '../../metrics/tree-sitter/parser.js';
import type { WorkerReply, WorkerRequest } from './parse-worker.js';

const MIN_ITEMS_FOR_WORKER = 1000;
/** Items per batch: small enough that the parser starts at once, large enough that messages are few. */
const BATCH_ITEMS = 300;
const FIRST_BATCH_ITEMS = 50;
/** Batches whose texts are with the parser before the main thread needs them. */
const BATCHES_AHEAD = 6;

function parseWorkerUrl(): URL {
  // Under tsx (tests, benches) this module is .ts and so is its worker; in dist both are .js.
  return new URL(import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js', import.meta.url);
}

/** An unambiguous key of everything an item's scores depend on (lengths delimit the texts). */
function itemKey(it: ComputeItem): string {
  let k = (it.multi ? 'm' : 's') + it.references.length + ':';
  for (const r of it.references) k += r.length + ':' + r;
  return k + it.prediction;
}

/** The distinct items, and for each input item the index of its distinct twin. */
function dedupeItems(items: readonly ComputeItem[]): { unique: ComputeItem[]; slot: Int32Array } {
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

/** Whether a worker can help at all: CodeBLEU asked for, and more than one thread allowed. */
function workerWanted(opts: ComputeOptions, threads?: number): boolean {
  // APIEVAL_SCORE_THREADS=1 keeps everything on the main thread (benchmarks, constrained machines).
  const env = Number(process.env.APIEVAL_SCORE_THREADS);
  const want = threads ?? (Number.isInteger(env) && env > 0 ? env : availableParallelism());
  return opts.codebleu !== null && want > 1;
}

/**
 * Starts the worker thread before the input is read (it loads its modules meanwhile); null when it
 * could not help. Pass it to {@link computeParallel} or {@link computeDescribed}, which close it; close it
 * yourself if you never do.
 */
export function startWorkerEarly(opts: ComputeOptions, threads?: number): Helper | null {
  return workerWanted(opts, threads) ? new Helper() : null;
}

/** The results of every input item, in order. */
export async function computeParallel(items: readonly ComputeItem[], opts: ComputeOptions, threads?: number, early: Helper | null = null): Promise<ComputedItem[]> {
  return computeDescribed(items, opts, (r) => r, threads, early);
}

/**
 * `describe(result)` of every input item, in order. `describe` (the caller's output formatting) runs on
 * each distinct item as soon as it is computed, so with the worker it overlaps the worker's parsing
 * instead of running after everything else, and the results themselves need not be kept.
 */
export async function computeDescribed<D>(
  items: readonly ComputeItem[],
  opts: ComputeOptions,
  describe: (result: ComputedItem) => D,
  threads?: number,
  early: Helper | null = null,
): Promise<D[]> {
  const { unique, slot } = dedupeItems(items);
  const described: D[] = [];
  if (workerWanted(opts, threads) && unique.length >= MIN_ITEMS_FOR_WORKER) {
    await computeWithHelper(unique, opts, early ?? new Helper(), (batch) => {
      for (const r of batch) described.push(describe(r));
    });
  } else {
    await early?.close();
    for (const r of computeItems(unique, opts)) described.push(describe(r));
  }
  return Array.from(slot, (u) => described[u]);
}

/** The worker thread; it answers requests in the order they were sent. */
export class Helper {
  private worker: Worker;
  private waiting: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor() {
    // A small young generation for the worker (its JavaScript is ROUGE and message data): about 8 MB less
    // peak memory on the Gorilla workload, same speed, which keeps the process under 300 MB.
    this.worker = new Worker(parseWorkerUrl(), { workerData: { wasm: compiledModule() }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    this.worker.on('message', (reply: WorkerReply) => this.waiting.shift()!.resolve(reply));
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`score parsing thread exited with code ${code}`)));
  }

  send(req: WorkerRequest): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

async function computeWithHelper(
  items: readonly ComputeItem[],
  opts: ComputeOptions,
  helper: Helper,
  onBatch: (results: ComputedItem[]) => void,
): Promise<void> {
  try {
    // A small first batch, so that the worker has work as soon as possible.
    const batches: ComputeItem[][] = [items.slice(0, FIRST_BATCH_ITEMS)];
    for (let i = FIRST_BATCH_ITEMS; i < items.length; i += BATCH_ITEMS) batches.push(items.slice(i, i + BATCH_ITEMS));
    const sent = new Set<string>();
    // Requests in flight, oldest first; each is dropped once used, so its parsed columns can be freed.
    const requests: { reply: Promise<WorkerReply>; texts: string[]; rougeThere: boolean }[] = [];
    let requested = 0;
    let rougeToWorker = opts.rouge !== null;
    const request = (batch: ComputeItem[]): void => {
      const texts: string[] = [];
      for (const it of batch) {
        for (const t of codeBleuParseTexts(it.references, it.prediction, opts.codebleu!)) {
          if (!sent.has(t)) {
            sent.add(t);
            texts.push(t);
          }
        }
      }
      const rouge = rougeToWorker ? { items: batch, opts: opts.rouge! } : null;
      const reply = helper.send({ texts, rouge });
      reply.catch(() => {}); // awaited below, in order; this only keeps an early failure from going unhandled
      requests.push({ reply, texts, rougeThere: rouge !== null });
      requested++;
    };
    while (requested < Math.min(BATCHES_AHEAD, batches.length)) request(batches[requested]);

    for (let k = 0; k < batches.length; k++) {
      const batch = batches[k];
      const { texts, rougeThere, reply: replied } = requests.shift()!;
      const rougeHere = opts.rouge && !rougeThere ? computeItems(batch, { codebleu: null, rouge: opts.rouge }).map((c) => c.rouge) : null;
      const started = performance.now();
      const reply = await replied;
      // Waited more than a moment: the worker is the slower one, so keep the next batches' ROUGE here.
      if (opts.rouge) rougeToWorker = performance.now() - started < 1;
      const { parsed } = reply;
      const rouge = reply.rouge ?? rougeHere;
      texts.forEach((t, j) => provideParsed(t, parsed[j]));
      const codebleu = computeItems(batch, { codebleu: opts.codebleu, rouge: null });
      forgetProvided();
      const done: ComputedItem[] = [];
      for (let j = 0; j < batch.length; j++) done.push(rouge ? { codebleu: codebleu[j].codebleu, rouge: rouge[j] } : codebleu[j]);
      onBatch(done);
      if (requested < batches.length) request(batches[requested]);
    }
  } finally {
    forgetProvided();
    await helper.close();
  }
}
