/**
 * Corpus-level views of the per-sample metrics: what summary.json and the leaderboard report, from the
 * registry (metrics/registry.ts). Each view turns a sample's stored value into an item (or null = not
 * applicable, excluded from the denominator) and a list of items into a corpus score. Bootstrap intervals
 * and paired tests resample QUESTIONS and recompute the corpus score from the items (metrics/stats), so
 * micro-averaged CodeBLEU gets correct intervals.
 */
import type { Item, View, ViewContext } from '../../metrics/metric.js';
import { metricViews } from '../../metrics/registry.js';

export type { Item, View } from '../../metrics/metric.js';
export { EXEC_EXCLUDED } from '../../metrics/exec/index.js';

export function buildViews(opts: ViewContext): View[] {
  return metricViews(opts);
}

/** The corpus score as a number, NaN on failure (what the statistics functions expect). */
export function corpusNumber(view: View, items: Item[]): number {
  const r = view.corpus(items);
  return typeof r === 'number' ? r : NaN;
}
