/**
 * Worker process of `apieval eval`: computes the per-sample metric suite for batches of samples, so that
 * scoring uses every core (tree-sitter parsing dominates). A child process: when this was written the parser
 * was the native tree-sitter binding, which crashes when loaded by two threads (node-tree-sitter#57, #137).
 * The parser is now the WebAssembly build (metrics/tree-sitter/), which threads can share, as `apieval score`'s
 * worker thread does; processes are kept because they are measured and results do not depend on them. Each
 * worker loads the dataset and builds its suite once from its first message; later messages carry only
 * question ids and response texts.
 */
import { apiDbPath, evalPath, loadApiDbFile, loadEvalFile } from '../datasets/apibench.js';
import { extractResponse } from '../datasets/extract.js';
import { buildSuite, evalSampleOf, type SuiteOptions } from './suite.js';
import type { MetricValue } from './types.js';

export interface WorkerInit extends SuiteOptions {
  dataDir: string;
}
export interface WorkerJob {
  batch: number;
  items: { i: number; qid: number; text: string; names: string[] }[];
}
export interface WorkerReply {
  batch: number;
  results: { i: number; values: Record<string, MetricValue> }[];
}

let init: WorkerInit;
let evalRecords: ReturnType<typeof loadEvalFile>;
let suite: ReturnType<typeof buildSuite>;

process.on('message', (msg: { init: WorkerInit } | WorkerJob) => {
  if ('init' in msg) {
    init = msg.init;
    evalRecords = loadEvalFile(evalPath(init.dataDir, init.hub));
    suite = buildSuite(loadApiDbFile(apiDbPath(init.dataDir, init.hub)), init);
    return;
  }
  const job = msg;
  const results: WorkerReply['results'] = [];
  for (const it of job.items) {
    const evalRecord = evalRecords[it.qid - 1];
    const extracted = extractResponse(it.text, init.hub);
    const sample = evalSampleOf(evalRecord, it.text, extracted);
    const values: Record<string, MetricValue> = {};
    for (const m of suite) if (it.names.includes(m.name)) values[m.name] = m.compute(sample);
    results.push({ i: it.i, values });
  }
  if (!process.connected) process.exit(0);
  // With a callback, a parent that died meanwhile is a quiet exit, not an EPIPE 'error' event.
  process.send!({ batch: job.batch, results } satisfies WorkerReply, undefined, {}, (err) => {
    if (err) process.exit(0);
  });
});
// The parent going away (crash, Ctrl-C) closes the channel: leave with it.
process.on('disconnect', () => process.exit(0));
