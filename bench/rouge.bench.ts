/**
 * ROUGE speed: sentence-level rouge-score 0.1.2 on the Gorilla pairs of the golden folder (`hf_api/…` and
 * `hf_code/…`; 10,734 of the 14,312 are public, the two *_oracle models are kept back, so the public ones
 * are cycled to make a 14,312-pair workload), with and without the stemmer, plus the HF evaluate bootstrap
 * over the largest subset size. The Python reference needs about 21 s for the 14,312 pairs (no stemmer).
 *
 * Run: node --import tsx bench/rouge.bench.ts
 */
import { Bench } from 'tinybench';
import { readJsonlAll } from '../core/jsonl.js';
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

/**
 * Wall time on a shared machine says little, so CPU time (process.cpuUsage, user + system) is printed
 * too; the minimum over repetitions is the least disturbed estimate.
 */
function timed(fn: () => void): { wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

// Cold runs first (fresh scorer, empty stem memo, unoptimised code): what one CLI invocation pays.
for (const useStemmer of [false, true]) {
  const t = timed(() => scoreAll(new RougeScorer({ useStemmer })));
  console.log(`cold: 14,312 pairs, stemmer ${useStemmer ? 'on ' : 'off'}: wall ${t.wall.toFixed(0)} ms, cpu ${t.cpu.toFixed(0)} ms`);
}
for (const useStemmer of [false, true]) {
  const runs = Array.from({ length: 5 }, () => timed(() => scoreAll(new RougeScorer({ useStemmer }))));
  const min = (k: 'wall' | 'cpu'): string => Math.min(...runs.map((r) => r[k])).toFixed(0);
  console.log(`warm, best of 5: 14,312 pairs, stemmer ${useStemmer ? 'on ' : 'off'}: wall ${min('wall')} ms, cpu ${min('cpu')} ms`);
}
const scores = scoreAll(new RougeScorer());
const subset = scores.slice(0, 7_232);
const boot = Array.from({ length: 3 }, () => timed(() => rougeBootstrap(subset, { seed: 42 })));
console.log(`HF bootstrap n=7,232, best of 3: cpu ${Math.min(...boot.map((b) => b.cpu)).toFixed(0)} ms`);
const mem = process.memoryUsage();
console.log(`public Gorilla pairs: ${gorilla.length}; heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB (includes the loaded golden file)`);

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
