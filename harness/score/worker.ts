/** Worker thread of `apieval score`: scores each chunk it is sent (see parallel.ts) and posts the results. */
import { parentPort, workerData } from 'node:worker_threads';
import { computeItems, type ComputeItem, type ComputeOptions } from './compute.js';

const { opts } = workerData as { opts: ComputeOptions };
parentPort!.on('message', (items: ComputeItem[]) => parentPort!.postMessage(computeItems(items, opts)));
