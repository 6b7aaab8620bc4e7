/**
 * `apieval score`: validated input → per-item statistics (in parallel) → sentence lines or one corpus
 * object, written atomically (a failure leaves no partial output file).
 */
import { writeFileAtomic } from '../io/jsonl.js';
import { UserError } from '../errors.js';
import { codeBleuFromStats, codeBleuComponents, codeBleuSignature, type CodeBleuOptions, type CodeBleuStats, type CodeBleuVariant } from '../../metrics/codebleu/index.js';
import { RougeScorer, rougeMean, rougeAggregateSignature, type RougeScores } from '../../metrics/rouge/index.js';
import { isFailure, type MetricFailure } from '../../metrics/types.js';
import { readScoreInput, type ScoreItem } from './input.js';
import { computeParallel, startWorkerEarly } from './parallel.js';
import type { ComputeOptions } from './compute.js';

export type MetricName = 'codebleu' | 'rouge';
export const METRICS: readonly MetricName[] = ['codebleu', 'rouge'];

export interface ScoreOptions {
  input: string;
  output: string;
  metrics: MetricName[];
  variant: CodeBleuVariant;
  weights: [number, number, number, number];
  rougeStemmer: boolean;
  level: 'sentence' | 'corpus';
  threads?: number;
}

export interface ScoreSummary {
  n: number;
  signatures: Record<string, string>;
  failures: Record<string, number>;
}

export function codeBleuSig(opts: CodeBleuOptions, level?: 'sentence' | 'corpus'): string {
  return codeBleuSignature(opts, level);
}

export async function runScore(o: ScoreOptions): Promise<ScoreSummary> {
  const cbOpts: CodeBleuOptions = { variant: o.variant, weights: o.weights };
  const wantCb = o.metrics.includes('codebleu');
  const wantRouge = o.metrics.includes('rouge');
  const computeOpts: ComputeOptions = { codebleu: wantCb ? cbOpts : null, rouge: wantRouge ? { useStemmer: o.rougeStemmer } : null };
  const early = startWorkerEarly(computeOpts, o.threads);
  let items: ScoreItem[];
  try {
    items = readScoreInput(o.input);
  } catch (e) {
    await early?.close();
    throw e;
  }
  const computed = await computeParallel(items, computeOpts, o.threads, early);

  const signatures: Record<string, string> = {};
  if (wantCb) signatures.codebleu = codeBleuSig(cbOpts, o.level);
  if (wantRouge) {
    const base = new RougeScorer({ useStemmer: o.rougeStemmer }).signature();
    signatures.rouge = o.level === 'corpus' ? rougeAggregateSignature(base, { kind: 'mean' }) : base;
  }
  const failures: Record<string, number> = {};
  const countFailure = (m: string): void => {
    failures[m] = (failures[m] ?? 0) + 1;
  };

  let text: string;
  if (o.level === 'sentence') {
    const lines: string[] = [];
    items.forEach((it, k) => {
      const c = computed[k];
      const rec: Record<string, unknown> = { id: it.id };
      if (wantCb) {
        const st = c.codebleu!;
        const v = isFailure(st) ? st : codeBleuFromStats([st], cbOpts);
        if (isFailure(v)) countFailure('codebleu');
        rec.codebleu = v;
      }
      if (wantRouge) {
        if (isFailure(c.rouge)) countFailure('rouge');
        rec.rouge = c.rouge;
      }
      lines.push(JSON.stringify(rec));
    });
    text = lines.join('\n') + '\n';
  } else {
    const out: Record<string, unknown> = { level: 'corpus', n: items.length };
    if (wantCb) {
      const stats: CodeBleuStats[] = [];
      let fail: MetricFailure | null = null;
      for (const c of computed) {
        if (isFailure(c.codebleu)) {
          fail ??= c.codebleu;
          countFailure('codebleu');
        } else stats.push(c.codebleu!);
      }
      if (fail) out.codebleu = fail;
      else {
        const comp = codeBleuComponents(stats, cbOpts);
        out.codebleu = codeBleuFromStats(stats, cbOpts);
        if (comp.dataflow_degenerate) {
          process.stderr.write('apieval: warning: no reference data-flows were extracted from the whole corpus; dataflow_match degenerates to 0 (consider ignoring it)\n');
        }
      }
    }
    if (wantRouge) {
      const scores: RougeScores[] = [];
      let fail: MetricFailure | null = null;
      for (const c of computed) {
        if (isFailure(c.rouge)) {
          fail ??= c.rouge;
          countFailure('rouge');
        } else scores.push(c.rouge!);
      }
      out.rouge = fail ?? rougeMean(scores);
    }
    out.signatures = signatures;
    text = JSON.stringify(out) + '\n';
  }
  try {
    writeFileAtomic(o.output, text);
  } catch (e) {
    throw new UserError(`${o.output}: cannot write (${(e as Error).message})`);
  }
  return { n: items.length, signatures, failures };
}
