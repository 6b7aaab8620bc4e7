/**
 * Gorilla AST match throughput on the real HF data: whole response files (904 responses each) through
 * extraction + UTF-8 tree-sitter parse + ast_check against the 936-entry API database, plus the parse alone
 * and the loaders. Prints tinybench's table and responses/s.
 *
 * Run: node --import tsx bench/ast.bench.ts        (reads ../shared/apibench)
 */
import { Bench } from 'tinybench';
import { resolve } from 'node:path';
import { loadApiDb, loadEval, loadResponses, responsesPath } from '../harness/datasets/apibench.js';
import { AstMatcher, scriptApiCall } from '../metrics/ast-match/index.js';
import { parse } from '../metrics/tree-sitter/parser.js';

const DIR = resolve(process.env.APIEVAL_SHARED ?? resolve(import.meta.dirname, '../../shared'), 'apibench');
const db = loadApiDb(DIR, 'huggingface');
const ev = loadEval(DIR, 'huggingface');
const files = ['Gorilla_FT_0_shot', 'Gorilla_FT_bm25'].map((m) => ({ m, rs: loadResponses(responsesPath(DIR, 'huggingface', m)) }));
const matcher = new AstMatcher('huggingface', db);

function scoreAll(rs: ReturnType<typeof loadResponses>): number {
  let correct = 0;
  for (const r of rs) {
    const q = ev[r.question_id - 1];
    if (matcher.matchResponse(r.text, { domain: q.domain, referenceApiCall: q.api_data.api_call }).correct) correct++;
  }
  return correct;
}

const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
for (const { m, rs } of files) {
  bench.add(`ast-match ${m} (904 responses)`, () => void scoreAll(rs));
  const calls = rs.map((r) => scriptApiCall(r.text, 'huggingface')!);
  bench.add(`parse only ${m} (904 api_call texts)`, () => {
    for (const c of calls) parse(c);
  });
}
bench.add('AstMatcher construction (936 database entries)', () => void new AstMatcher('huggingface', db));
bench.add('load HF eval + API db', () => {
  loadEval(DIR, 'huggingface');
  loadApiDb(DIR, 'huggingface');
});

await bench.run();
console.table(bench.table());
for (const t of bench.tasks) {
  const mean = t.result && 'latency' in t.result ? (t.result as { latency: { mean: number } }).latency.mean : NaN;
  if (t.name.includes('904')) console.log(`${t.name}: ${(904 / (mean / 1000)).toFixed(0)} items/s (mean ${mean.toFixed(1)} ms)`);
}
console.log(`rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
