/**
 * The pure scoring step of `apieval score`, shared by the main thread and the worker threads: per item,
 * CodeBLEU sufficient statistics and ROUGE scores. Everything returned is structured-clone safe.
 */
import { codeBleuStats, type CodeBleuOptions, type CodeBleuStats } from '../../metrics/codebleu/index.js';
import { RougeScorer, type RougeScores } from '../../metrics/rouge/index.js';
import type { MetricFailure } from '../../metrics/types.js';

export interface ComputeOptions {
  codebleu: CodeBleuOptions | null;
  rouge: { useStemmer: boolean } | null;
}

export interface ComputeItem {
  references: string[];
  multi: boolean;
  prediction: string;
}

export interface ComputedItem {
  codebleu?: CodeBleuStats | MetricFailure;
  rouge?: RougeScores | MetricFailure;
}

let scorer: { key: string; s: RougeScorer } | null = null;

function rougeScorer(useStemmer: boolean): RougeScorer {
  const key = String(useStemmer);
  if (!scorer || scorer.key !== key) scorer = { key, s: new RougeScorer({ useStemmer }) };
  return scorer.s;
}

function asFailure(e: unknown): MetricFailure {
  const err = e as Error;
  return { error: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

export function computeItems(items: readonly ComputeItem[], opts: ComputeOptions): ComputedItem[] {
  const out: ComputedItem[] = [];
  for (const it of items) {
    const r: ComputedItem = {};
    if (opts.codebleu) r.codebleu = codeBleuStats(it.references, it.prediction, opts.codebleu);
    if (opts.rouge) {
      try {
        const s = rougeScorer(opts.rouge.useStemmer);
        r.rouge = it.multi ? s.scoreMulti(it.references, it.prediction) : s.score(it.references[0], it.prediction);
      } catch (e) {
        if (e instanceof RangeError && /call stack/i.test(e.message)) throw e;
        r.rouge = asFailure(e);
      }
    }
    out.push(r);
  }
  return out;
}

/** ROUGE alone for each item (a batch whose CodeBLEU is computed elsewhere). */
export function rougeOfItems(items: readonly ComputeItem[], rouge: NonNullable<ComputeOptions['rouge']>): ComputedItem['rouge'][] {
  return computeItems(items, { codebleu: null, rouge }).map((c) => c.rouge);
}
