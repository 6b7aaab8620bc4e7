/**
 * ROUGE speed: sentence-level rouge-score 0.1.2 on the Gorilla pairs of the golden folder (`hf_api/…` and
 * `hf_code/…`; 10,734 of the 14,312 are public, the two *_oracle models are kept back, so the public ones
 * are cycled to make a 14,312-pair workload), with and without the stemmer, plus the HF evaluate bootstrap
 * over the largest subset size. The Python reference needs about 21 s for the 14,312 pairs (no stemmer).
 *
 * Run: node --import tsx bench/rouge.bench.ts
 */
import { Bench } from 'tinybench';
import { readJsonlAll } from '../harness/io/jsonl.js';
import { RougeScorer, rougeBootstrap, type RougeScores } from '../metrics/rouge/index.js';
import { sharedPath } from '../test/helpers/shared.js';

interface Pair {
  id: string;
  reference: string;
  prediction: string;
}

const all = await readJsonlAll<Pair>(sharedPath('golden/rouge_pairs.jsonl.gz'));
const gorilla = all.filter((p) => p.id.startsWith('hf_api/') || p.id.startsWith('hf_code/'));
const workload: Pair[] = Array.from({ length: 14_312 }, (_, i) => gorilla[i % gorilla.length]);

function scoreAll(scorer: RougeScorer): RougeScores[] {
  return workload.map((p) => scorer.score(p.reference, p.prediction));
}

// One cold run first (fresh scorer, empty stem cache): this is what a CLI invocation pays.
for (const useStemmer of [false, true]) {
  const t0 = performance.now();
  scoreAll(new RougeScorer({ useStemmer }));
  console.log(`cold: 14,312 pairs, stemmer ${useStemmer ? 'on ' : 'off'}: ${(performance.now() - t0).toFixed(0)} ms`);
}
const scores = scoreAll(new RougeScorer());
const subset = scores.slice(0, 7_232);
const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
console.log(`public Gorilla pairs: ${gorilla.length}; heap after scoring: ${heapMb.toFixed(0)} MiB`);

const bench = new Bench({ time: 3_000, iterations: 5 });
bench
  .add('rouge 4 types, 14,312 pairs, no stemmer', () => {
    scoreAll(new RougeScorer());
  })
  .add('rouge 4 types, 14,312 pairs, NLTK Porter stemmer (fresh memo)', () => {
    scoreAll(new RougeScorer({ useStemmer: true }));
  })
  .add('HF evaluate bootstrap (1000 resamples × 4 types), n = 7,232', () => {
    rougeBootstrap(subset, { seed: 42 });
  });
await bench.run();
console.table(bench.table());
