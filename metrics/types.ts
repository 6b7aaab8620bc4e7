/**
 * Shared result types for every metric.
 *
 * A metric that cannot score an input (for example CodeBLEU's syntax match on text with a lone surrogate,
 * where the Python reference raises UnicodeEncodeError) returns a MetricFailure instead of a number, so
 * that one bad pair fails only that metric for that pair, never silently scores 0.
 */
export interface MetricFailure {
  /** "Type: message", the same shape the golden files use, e.g. "UnicodeEncodeError: 'utf-8' codec ...". */
  error: string;
}

export function isFailure(x: unknown): x is MetricFailure {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as { error?: unknown }).error === 'string';
}
