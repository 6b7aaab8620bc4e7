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

/** ROUGE claims, one word per batch. */
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
  /** Once per run, before its batches: the ROUGE claim words, and ROUGE's options (null: no ROUGE). */
  | { kind: 'run'; claims: SharedArrayBuffer; rouge: NonNullable<ComputeOptions['rouge']> | null }
  /** Parse these texts; `items` are batch `batch`'s items, for its ROUGE if the worker gets to it. */
  | { kind: 'batch'; batch: number; texts: string[]; items: ComputeItem[] };

export type WorkerReply =
  | { kind: 'parsed'; batch: number; parsed: ParsedColumns[] }
  | { kind: 'rouge'; batch: number; rouge: ComputedItem['rouge'][] };
