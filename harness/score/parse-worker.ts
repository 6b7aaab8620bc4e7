/**
 * The second thread of `apieval score` (see parallel.ts). It parses each batch's texts with tree-sitter
 * as soon as the batch arrives and posts the columns back (their buffers transferred, not copied); when it
 * has nothing left to parse, it takes the other metrics (ROUGE) of the oldest batch nobody has claimed yet.
 *
 * It runs one synchronous loop: requests are read with receiveMessageOnPort, and when there is neither a
 * request nor a batch to take it blocks on Atomics.wait until the main thread posts again (or closes).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { parseToColumns, useCompiledModule } from '../../metrics/tree-sitter/parser.js';
import { computeItems, type ComputeItem, type ComputeOptions } from './compute.js';
import { CLAIMED_BY_WORKER, CTL_CLOSING, CTL_POSTED, UNCLAIMED, type WorkerData, type WorkerReply, type WorkerRequest } from './worker-protocol.js';

const data = workerData as WorkerData;
// The main thread's compiled module: no second compilation, and optimised code is shared.
useCompiledModule(data.wasm);
const control = new Int32Array(data.control);

let claims: Int32Array | null = null;
let others: ComputeOptions | null = null;
/** Batches whose other metrics may still be unclaimed, oldest first. */
let queue: { batch: number; items: ComputeItem[] }[] = [];
let handled = 0;

function handle(req: WorkerRequest): void {
  if (req.kind === 'run') {
    claims = new Int32Array(req.claims);
    others = req.others;
    queue = [];
    return;
  }
  const parsed = req.texts.map(parseToColumns);
  const reply: WorkerReply = { kind: 'parsed', batch: req.batch, parsed };
  parentPort!.postMessage(reply, parsed.map((p) => p.columns.buffer as ArrayBuffer));
  if (others) queue.push({ batch: req.batch, items: req.items });
}

/** Scores the other metrics of the oldest batch still unclaimed; false when there is none. */
function takeOthers(): boolean {
  while (queue.length > 0) {
    const { batch, items } = queue.shift()!;
    if (Atomics.compareExchange(claims!, batch, UNCLAIMED, CLAIMED_BY_WORKER) !== UNCLAIMED) continue;
    const reply: WorkerReply = { kind: 'others', batch, computed: computeItems(items, others!) };
    parentPort!.postMessage(reply);
    return true;
  }
  return false;
}

for (;;) {
  const m = receiveMessageOnPort(data.requests);
  if (m) {
    handled++;
    handle(m.message as WorkerRequest);
    continue;
  }
  if (Atomics.load(control, CTL_CLOSING) === 1) break;
  if (takeOthers()) continue;
  // Nothing to do: sleep until the main thread posts another request (or closes).
  Atomics.wait(control, CTL_POSTED, handled);
}
data.requests.close();
