/**
 * The golden-file records of `../shared/golden/` (pair and corpus files) and the comparison of recomputed
 * values with them: what every metric's golden formats (metrics/<metric>/golden.ts) share. `apieval verify`
 * and the golden tests both use them, so both check exactly the same thing. Pure: reading the files is the
 * harness's (harness/score/golden-files.ts).
 */
import { isFailure, type MetricFailure } from './types.js';

export const TOLERANCE = 1e-9;

export interface GoldenPair {
  id: string;
  reference: string | string[];
  prediction: string;
  [k: string]: unknown;
}

export interface GoldenCorpusRecord {
  subset: string;
  n: number;
  ids: string[];
  weights?: number[];
  /** Optional explicit items (id, reference, prediction); otherwise items come from the pairs file. */
  items?: GoldenPair[];
  [k: string]: unknown;
}

export type Value = number | MetricFailure | boolean | undefined;

/** One disagreement between a recomputed value and the golden one. */
export interface Disagreement {
  id: string;
  field: string;
  expected: unknown;
  actual: unknown;
}

/** Numeric values agree within {@link TOLERANCE}; errors agree when both are errors with the same text. */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (isFailure(expected) || isFailure(actual)) {
    return isFailure(expected) && isFailure(actual) && expected.error === actual.error;
  }
  if (typeof expected === 'boolean' || typeof actual === 'boolean') return expected === actual;
  if (typeof expected !== 'number' || typeof actual !== 'number') return false;
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  return Math.abs(actual - expected) <= TOLERANCE;
}

/**
 * The items of a corpus subset. Subsets are lists of pair ids; `edge/empty_predictions` is built by the
 * oracle scripts from those pairs with an empty prediction (its name says so, and its golden values are
 * those of empty predictions). A record may also carry its own `items`. When some ids are not in the pairs
 * file (the golden folder keeps some pairs back), the subset cannot be recomputed: `{ missing }`.
 */
export function corpusItems(rec: GoldenCorpusRecord, pairs: ReadonlyMap<string, GoldenPair>): GoldenPair[] | { missing: string[] } {
  if (Array.isArray(rec.items)) return rec.items;
  const missing = rec.ids.filter((id) => !pairs.has(id));
  if (missing.length) return { missing };
  return rec.ids.map((id) => {
    const p = pairs.get(id)!;
    return rec.subset === 'edge/empty_predictions' ? { ...p, prediction: '' } : p;
  });
}

/** What one check of a golden file found. */
export interface GoldenCheckResult {
  checked: number;
  disagreements: Disagreement[];
  /** Corpus subsets that could not be recomputed (ids the pairs file lacks). */
  skipped?: { subset: string; missing: number }[];
}

/** One check `apieval verify` runs and reports on a line of its own (`OK  codebleu/k4black: …`). */
export interface GoldenCheck {
  name: string;
  unit: 'pairs' | 'subsets';
  run(): GoldenCheckResult;
}

/** A golden-file format one metric verifies (its folder's golden.ts; listed by the metric in the registry). */
export interface GoldenFormat {
  /** e.g. `codebleu-pairs`. */
  kind: string;
  /** Recognises the format from the file's first record. */
  detect(first: Record<string, unknown>): boolean;
  /** A corpus format takes its items from a pairs file: the file's usual name beside it. */
  pairsFile?: string;
  /**
   * The checks of `records` (`pairs`: the pairs file by id, for a corpus format; `variants`: `verify
   * --variant`, for metrics that have variants). None: the file holds nothing this format can verify.
   */
  checks(records: Record<string, unknown>[], pairs: ReadonlyMap<string, GoldenPair> | null, opts: { variants?: readonly string[] }): GoldenCheck[];
}

/** Whether a golden record is a corpus record (a subset with its ids) rather than a pair. */
export function isCorpusRecord(first: Record<string, unknown>): boolean {
  return typeof first.subset === 'string' && Array.isArray(first.ids);
}
