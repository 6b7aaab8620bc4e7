/**
 * Speed of `apieval score` on the issue-2 workload: the 14,312 Gorilla HuggingFace pairs (7,232 `hf_api`
 * api_call pairs + 7,080 `hf_code` code pairs, built from ../shared/apibench as golden README §3 says),
 * CodeBLEU (k4black) + ROUGE (no stemmer), sentence level.
 *
 *   node --import tsx bench/score.bench.ts                 # tinybench: in-process steps + whole CLI runs
 *   node --import tsx bench/score.bench.ts --write FILE    # only write the input, for /usr/bin/time -v
 *
 * The Python references take 38 s (CodeBLEU) + 21 s (ROUGE) on one core for this workload; the goal is
 * ≤ 3 s wall for the whole CLI on 2 cores, < 300 MB.
 */
import { Bench } from 'tinybench';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GORILLA_MODELS, loadEval, loadResponses, responsesPath } from '../harness/datasets/apibench.js';
import { extractResponse } from '../harness/datasets/extract.js';
import { readScoreInput } from '../harness/score/input.js';
import { computeItems } from '../harness/score/compute.js';

const PAIR_CTX = { codebleu: { variant: 'k4black' as const, weights: [0.25, 0.25, 0.25, 0.25] as [number, number, number, number] }, rougeStemmer: false };

const REPO = resolve(import.meta.dirname, '..');
const APIBENCH = resolve(process.env.APIEVAL_SHARED ?? resolve(REPO, '../shared'), 'apibench');

/** The 14,312 `{id, reference, prediction}` records of golden README §3 (`gorilla_pairs_input.jsonl`). */
export function buildGorillaPairs(): { id: string; reference: string; prediction: string }[] {
  const evals = loadEval(APIBENCH, 'huggingface');
  const out: { id: string; reference: string; prediction: string }[] = [];
  for (const model of GORILLA_MODELS) {
    for (const r of loadResponses(responsesPath(APIBENCH, 'huggingface', model))) {
      const ev = evals[r.question_id - 1];
      const x = extractResponse(r.text, 'huggingface');
      out.push({ id: `hf_api/${model}/${r.question_id}`, reference: ev.api_call, prediction: x.astApiCall });
      if (ev.referenceCode !== undefined) out.push({ id: `hf_code/${model}/${r.question_id}`, reference: ev.referenceCode, prediction: x.predictionCode });
    }
  }
  return out;
}

function writeInput(file: string): number {
  const pairs = buildGorillaPairs();
  writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  return pairs.length;
}

const w = process.argv.indexOf('--write');
if (w >= 0) {
  const file = process.argv[w + 1];
  process.stdout.write(`wrote ${writeInput(file)} pairs to ${file}\n`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'apieval-bench-'));
  const input = join(dir, 'gorilla_pairs.jsonl');
  const n = writeInput(input);
  const items = readScoreInput(input);
  const cli = (threads: string): void => {
    const r = spawnSync(process.execPath, [resolve(REPO, 'bin/apieval.js'), 'score', '--input', input, '--output', join(dir, 'out.jsonl')], {
      env: { ...process.env, APIEVAL_SCORE_THREADS: threads },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  const bench = new Bench({ iterations: 3, warmupIterations: 0 });
  bench
    .add(`CLI score, ${n} pairs, codebleu+rouge, main thread + parsing worker`, () => cli('2'))
    .add(`CLI score, ${n} pairs, codebleu+rouge, main thread only`, () => cli('1'))
    .add(`in-process CodeBLEU stats, ${n} pairs, 1 thread (fresh caches only on 1st run)`, () => {
      computeItems(items, { metrics: ['codebleu'], ctx: PAIR_CTX });
    })
    .add(`in-process ROUGE, ${n} pairs, 1 thread`, () => {
      computeItems(items, { metrics: ['rouge'], ctx: PAIR_CTX });
    });
  await bench.run();
  console.table(bench.table());
}
