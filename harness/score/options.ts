/** Parsing and checking of the metric options shared by `score` and `verify`. */
import { UserError } from '../../core/errors.js';
import { CODEBLEU_VARIANTS, type CodeBleuVariant } from '../../metrics/codebleu/index.js';
import { METRICS, type MetricName } from './run.js';

export function parseMetrics(s: string): MetricName[] {
  const names = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError('--metrics: give at least one of codebleu, rouge');
  for (const n of names) if (!METRICS.includes(n as MetricName)) throw new UserError(`--metrics: unknown metric '${n}' (expected codebleu, rouge)`);
  return [...new Set(names)] as MetricName[];
}

export function parseVariant(s: string, flag = '--codebleu-variant'): CodeBleuVariant {
  if (!CODEBLEU_VARIANTS.includes(s as CodeBleuVariant)) throw new UserError(`${flag}: unknown variant '${s}' (expected k4black or codexglue)`);
  return s as CodeBleuVariant;
}

export function parseWeights(s: string): [number, number, number, number] {
  const parts = s.split(',');
  const ws = parts.map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (ws.length !== 4 || ws.some((w) => !Number.isFinite(w))) {
    throw new UserError(`--codebleu-weights: expected four comma-separated numbers (alpha,beta,gamma,theta), got '${s}'`);
  }
  return ws as [number, number, number, number];
}

export function parseLevel(s: string): 'sentence' | 'corpus' {
  if (s !== 'sentence' && s !== 'corpus') throw new UserError(`--level: expected sentence or corpus, got '${s}'`);
  return s;
}
