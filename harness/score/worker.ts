/** Worker thread of `apieval score`: scores each chunk it is sent (see parallel.ts) and posts the results. */
import { parentPort, workerData } from 'node:worker_threads';
import { computeItems, type ComputeItem, type ComputeOptions } from './compute.js';
import { useCompiledModule } from '../../metrics/tree-sitter/parser.js';

const { opts, wasm } = workerData as { opts: ComputeOptions; wasm: WebAssembly.Module | null };
// The parent's compiled tree-sitter module: no second compilation, and optimised code is shared.
if (wasm) useCompiledModule(wasm);
parentPort!.on('message', (items: ComputeItem[]) => parentPort!.postMessage(computeItems(items, opts)));
