/**
 * What the main thread of `apieval score` and its parsing thread (parse-worker.ts) exchange; see
 * parallel.ts for how the work is shared.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ParsedColumns } from '../../metrics/tree-sitter/parser.js';
import type { ComputeItem, ComputedItem, ComputeOptions } from './compute.js';

/** Shared control words (Int32Array over a SharedArrayBuffer). */
export const CTL_POSTED = 0; // requests the main thread has posted so far
export const CTL_CLOSING = 1; // 1: stop
export const CTL_WORDS = 2;

/** Claims of a batch's other metrics (those that parse nothing: ROUGE), one word per batch. */
export const UNCLAIMED = 0;
export const CLAIMED_BY_MAIN = 1;
export const CLAIMED_BY_WORKER = 2;

export interface WorkerData {
  wasm: WebAssembly.Module;
  /** Requests come in here (replies go to the parent port). */
  requests: MessagePort;
  /** {@link CTL_WORDS} Int32 words. */
  control: SharedArrayBuffer;
}

export type WorkerRequest =
  /** Once per run, before its batches: the claim words, and the other metrics with their options (null: none). */
  | { kind: 'run'; claims: SharedArrayBuffer; others: ComputeOptions | null }
  /** Parse these texts; `items` are batch `batch`'s items, for its other metrics if the worker gets to them. */
  | { kind: 'batch'; batch: number; texts: string[]; items: ComputeItem[] };

export type WorkerReply =
  | { kind: 'parsed'; batch: number; parsed: ParsedColumns[] }
  | { kind: 'others'; batch: number; computed: ComputedItem[] };
