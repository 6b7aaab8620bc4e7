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

/**
 * The most UTF-8 bytes one text (a reference or a prediction) may have before a metric refuses to score
 * it. A model that loops writes megabytes; CodeBLEU's cost grows faster than the text (1 MB: 2.6 s,
 * 4 MB: 15 s on the 2-core machine), so an unbounded pair could stall a whole run. Past the limit the pair
 * gets `{"error": "TextTooLong: …"}` for that metric (never a truncated text and a changed value); no
 * APIBench text comes within a hundredth of it.
 */
export const DEFAULT_MAX_TEXT_BYTES = 1 << 20;

/** The failure for a pair with a text longer than `maxBytes`, or null when every text fits. */
export function textTooLong(texts: readonly string[], maxBytes: number, what: readonly string[] = []): MetricFailure | null {
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    // A UTF-8 byte is at most 3 per UTF-16 unit: short strings need no count.
    if (t.length * 3 <= maxBytes) continue;
    const n = Buffer.byteLength(t, 'utf8');
    if (n > maxBytes) return { error: `TextTooLong: ${what[i] ?? 'a text'} is ${n} bytes, more than the limit of ${maxBytes} (--max-text-bytes)` };
  }
  return null;
}
