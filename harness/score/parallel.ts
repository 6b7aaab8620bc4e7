/**
 * Spreads `apieval score` over two threads: one worker thread parses with tree-sitter (WebAssembly) and
 * scores the metrics that parse nothing (ROUGE), for the next batches of items, while the main thread
 * computes the rest of the parsing metrics (CodeBLEU) for the current batch. Which metric is which comes
 * from the registry: a pair metric with `parseTexts` is a parsing metric; any other is one of the "others".
 * No metric is named here.
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
 * - The others go where there is room, batch by batch: whichever thread claims a batch's others first (an
 *   atomic compare-and-swap on a shared word per batch) scores it. The main thread claims the batch it
 *   is about to need before waiting for its parse; the worker claims the oldest unclaimed batch whenever
 *   it has parsed everything sent to it. So neither thread waits while the other has work it could do,
 *   however their speeds vary with the text and the machine (a fixed split left one thread idle for
 *   hundreds of milliseconds).
 * - Anything not parsed ahead (a text evicted from CodeBLEU's caches and needed again) is parsed on the
 *   main thread as usual: the worker only saves time, it never changes a result.
 * Small inputs, and runs without a parsing metric, stay on the main thread.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { computeItems, pairMetricsNamed, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';
import { compiledModule, forgetProvided, provideParsed, type ParsedColumns } from '../../metrics/tree-sitter/parser.js';
import { CLAIMED_BY_MAIN, CTL_CLOSING, CTL_POSTED, CTL_WORDS, UNCLAIMED, type WorkerData, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

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

/** The metrics asked for that parse (with the texts they parse) and the others. */
function splitMetrics(opts: ComputeOptions): { parsing: string[]; others: string[]; parseTexts: (it: ComputeItem) => string[] } {
  const metrics = pairMetricsNamed(opts.metrics);
  const parsers = metrics.filter((m) => m.parseTexts);
  return {
    parsing: parsers.map((m) => m.name),
    others: metrics.filter((m) => !m.parseTexts).map((m) => m.name),
    parseTexts: (it) => parsers.flatMap((m) => m.parseTexts!(it, opts.ctx)),
  };
}

/** Whether a worker can help at all: a parsing metric asked for, and more than one thread allowed. */
function workerWanted(opts: ComputeOptions, threads?: number): boolean {
  // APIEVAL_SCORE_THREADS=1 keeps everything on the main thread (benchmarks, constrained machines).
  const env = Number(process.env.APIEVAL_SCORE_THREADS);
  const want = threads ?? (Number.isInteger(env) && env > 0 ? env : availableParallelism());
  return splitMetrics(opts).parsing.length > 0 && want > 1;
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

/** A promise with its settle functions, for a reply that may arrive before or after it is asked for. */
interface Pending<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

function pending<T>(): Pending<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // awaited by the batch loop; this only keeps an early failure from going unhandled
  return { promise, resolve, reject };
}

/** The worker thread (parse-worker.ts): requests go through a channel it polls, replies come back by batch. */
export class Helper {
  private worker: Worker;
  private requests: MessagePort;
  private control = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
  private replies: Record<WorkerReply['kind'], Map<number, Pending<unknown>>> = { parsed: new Map(), others: new Map() };
  private failure: Error | null = null;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.requests = port1;
    const workerData: WorkerData = { wasm: compiledModule(), requests: port2, control: this.control.buffer as SharedArrayBuffer };
    // A small young generation for the worker (its JavaScript is the other metrics and message data): about 8 MB less
    // peak memory on the Gorilla workload, same speed, which keeps the process under 300 MB.
    this.worker = new Worker(parseWorkerUrl(), { workerData, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    this.worker.on('message', (reply: WorkerReply) => {
      this.meet(reply.kind, reply.batch).resolve(reply.kind === 'parsed' ? reply.parsed : reply.computed);
    });
    const fail = (e: Error): void => {
      this.failure ??= e;
      for (const m of Object.values(this.replies)) for (const p of m.values()) p.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`score parsing thread exited with code ${code}`)));
  }

  /**
   * The one Pending shared by a reply and the request for it, whichever comes first: the first creates
   * it, the second takes it out of the table (so a used reply's data is not kept).
   */
  private meet(kind: WorkerReply['kind'], batch: number): Pending<unknown> {
    const table = this.replies[kind];
    let p = table.get(batch);
    if (p) {
      table.delete(batch);
      return p;
    }
    p = pending<unknown>();
    if (this.failure) p.reject(this.failure);
    table.set(batch, p);
    return p;
  }

  post(req: WorkerRequest): void {
    this.requests.postMessage(req);
    // Wakes the worker if it sleeps (it waits on this word while it equals the requests it has handled).
    Atomics.add(this.control, CTL_POSTED, 1);
    Atomics.notify(this.control, CTL_POSTED);
  }

  /** The columns of batch `batch`'s texts, in the order they were sent. */
  parsed(batch: number): Promise<ParsedColumns[]> {
    return this.meet('parsed', batch).promise as Promise<ParsedColumns[]>;
  }

  /** The other metrics of batch `batch`'s items, once the worker has claimed it. */
  others(batch: number): Promise<ComputedItem[]> {
    return this.meet('others', batch).promise as Promise<ComputedItem[]>;
  }

  async close(): Promise<void> {
    Atomics.store(this.control, CTL_CLOSING, 1);
    Atomics.add(this.control, CTL_POSTED, 1); // a worker about to sleep sees a changed word and stops
    Atomics.notify(this.control, CTL_POSTED);
    this.worker.removeAllListeners('exit');
    this.requests.close();
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
    // Who scores each batch's other metrics: whichever thread claims it first (see the module comment).
    const { parsing, others, parseTexts } = splitMetrics(opts);
    const hasOthers = others.length > 0;
    const claims = new Int32Array(new SharedArrayBuffer(batches.length * 4));
    helper.post({ kind: 'run', claims: claims.buffer as SharedArrayBuffer, others: hasOthers ? { metrics: others, ctx: opts.ctx } : null });
    const sent = new Set<string>();
    const texts: string[][] = [];
    const request = (k: number): void => {
      const batchTexts: string[] = [];
      for (const it of batches[k]) {
        for (const t of parseTexts(it)) {
          if (!sent.has(t)) {
            sent.add(t);
            batchTexts.push(t);
          }
        }
      }
      texts[k] = batchTexts;
      helper.post({ kind: 'batch', batch: k, texts: batchTexts, items: hasOthers ? batches[k] : [] });
    };
    let requested = 0;
    while (requested < Math.min(BATCHES_AHEAD, batches.length)) request(requested++);

    for (let k = 0; k < batches.length; k++) {
      const batch = batches[k];
      // The worker takes the others only when it has parsed everything sent; if it has not taken this
      // batch's, score them here, before waiting for the parse (that is when the worker is the slower one).
      let rest: ComputedItem[] | null = null;
      if (hasOthers && Atomics.compareExchange(claims, k, UNCLAIMED, CLAIMED_BY_MAIN) === UNCLAIMED) {
        rest = computeItems(batch, opts, others);
      }
      const parsed = await helper.parsed(k);
      texts[k].forEach((t, j) => provideParsed(t, parsed[j]));
      delete texts[k];
      const scored = computeItems(batch, opts, parsing);
      forgetProvided();
      if (hasOthers && rest === null) rest = await helper.others(k);
      const done: ComputedItem[] = [];
      for (let j = 0; j < batch.length; j++) done.push(rest ? Object.assign(scored[j], rest[j]) : scored[j]);
      onBatch(done);
      if (requested < batches.length) request(requested++);
    }
  } finally {
    forgetProvided();
    await helper.close();
  }
}
