/**
 * Every metric, in the order of samples.jsonl's values and of the reported columns (`apieval eval`), of
 * `apieval score`'s output fields, and in which `apieval verify` tries golden formats.
 * Adding a metric: its folder under metrics/ (code, CARD.md, tests) exporting an EvalMetric
 * (metrics/metric.ts), and one line here.
 */
import { astMetric } from './ast-match/eval-metric.js';
import { codeBleuMetric } from './codebleu/eval-metric.js';
import { execMetric } from './exec/index.js';
import type { GoldenFormat } from './golden.js';
import type { EvalMetric, PairMetric, SampleScorer, SuiteContext, View, ViewContext } from './metric.js';
import { rewardModelMetric } from './reward-model/index.js';
import { rougeMetric } from './rouge/eval-metric.js';

export const METRICS: readonly EvalMetric[] = [
  astMetric,
  codeBleuMetric,
  rougeMetric,
  rewardModelMetric,
  execMetric,
];

/** The per-response computations of every sample metric, in registry order. */
export function sampleScorers(ctx: SuiteContext, metrics: readonly EvalMetric[] = METRICS): SampleScorer[] {
  return metrics.filter((m) => m.kind === 'sample').flatMap((m) => m.scorers!(ctx));
}

/** The samples.jsonl values of the sample metrics with their implementation versions, in registry order. */
export function sampleImplementations(metrics: readonly EvalMetric[] = METRICS): Readonly<Record<string, number>> {
  return Object.assign({}, ...metrics.filter((m) => m.kind === 'sample').map((m) => m.implementation));
}

/** Every column a run with `ctx` reports, in registry order. */
export function metricViews(ctx: ViewContext, metrics: readonly EvalMetric[] = METRICS): View[] {
  return metrics.flatMap((m) => m.views(ctx));
}

/** The metrics `apieval score` offers, in registry order. */
export function pairMetrics(metrics: readonly EvalMetric[] = METRICS): PairMetric[] {
  return metrics.flatMap((m) => (m.pairs ? [m.pairs] : []));
}

/** The pair metric of that `score --metrics` name. */
export function pairMetric(name: string, metrics: readonly EvalMetric[] = METRICS): PairMetric | undefined {
  return pairMetrics(metrics).find((m) => m.name === name);
}

/** Every golden-file format `apieval verify` recognises, in registry order. */
export function goldenFormats(metrics: readonly EvalMetric[] = METRICS): GoldenFormat[] {
  return metrics.flatMap((m) => m.golden ?? []);
}
