/**
 * Reading the golden-file formats of `../shared/golden/` (CodeBLEU and ROUGE, pair and corpus files) and
 * comparing recomputed values with them. Used by `apieval verify` and by the golden tests, so both check
 * exactly the same thing.
 */
import { readJsonlAll } from '../../core/jsonl.js';
import { isFailure, type MetricFailure } from '../../metrics/types.js';

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

export async function readGolden<T>(file: string): Promise<T[]> {
  return readJsonlAll<T>(file);
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
