/** Worker thread of `apieval score`: scores one slice of the input (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { computeItems, type ComputeItem, type ComputeOptions } from './compute.js';

const { items, opts } = workerData as { items: ComputeItem[]; opts: ComputeOptions };
parentPort!.postMessage(computeItems(items, opts));
