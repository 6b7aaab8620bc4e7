/**
 * The second thread of `apieval score` (see parallel.ts): for each batch it is sent, parses the texts
 * with tree-sitter and scores ROUGE for the items, and posts both back (the parse columns' buffers are
 * transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseToColumns, useCompiledModule, type ParsedColumns } from '../../metrics/tree-sitter/parser.js';
import { computeItems, type ComputeItem, type ComputedItem, type ComputeOptions } from './compute.js';

export interface WorkerRequest {
  texts: string[];
  /** Items to score ROUGE for, with these options; none when ROUGE was not asked for. */
  rouge: { items: ComputeItem[]; opts: NonNullable<ComputeOptions['rouge']> } | null;
}
export interface WorkerReply {
  parsed: ParsedColumns[];
  rouge: ComputedItem['rouge'][] | null;
}

// The main thread's compiled module: no second compilation, and optimised code is shared.
useCompiledModule((workerData as { wasm: WebAssembly.Module }).wasm);

parentPort!.on('message', (req: WorkerRequest) => {
  const reply: WorkerReply = {
    parsed: req.texts.map(parseToColumns),
    rouge: req.rouge ? computeItems(req.rouge.items, { codebleu: null, rouge: req.rouge.opts }).map((c) => c.rouge) : null,
  };
  parentPort!.postMessage(reply, reply.parsed.map((p) => p.columns.buffer as ArrayBuffer));
});
