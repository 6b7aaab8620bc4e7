/**
 * The API-call substring Gorilla's ast_eval_{hf,tf}.py main() and ast_eval_th.py process_response() take
 * from a raw response (ShishirPatil/gorilla @ 6ea5797):
 *
 *   output = text.split("api_call")
 *   if len(output) == 1: api_call = text            # hf, tf; th returns (False, False) instead
 *   else:
 *       output = output[1].split("api_provider")[0]
 *       start = output.index(":") if ":" in output else 0
 *       end   = output.rindex(")") if ")" in output else -2
 *       api_call = output[start+2 : end+1]
 *
 * start+2 skips the ':' and ONE more character (usually a space); with no ':' the first two characters are
 * dropped; with no ')' the slice stops before the last character. Indices are Python code points, which
 * differ from JS UTF-16 indices past U+FFFF, so such text is sliced as code points.
 */
export function gorillaApiCallSubstring(text: string): { text: string; hasMarker: boolean } {
  const parts = text.split('api_call');
  if (parts.length === 1) return { text, hasMarker: false };
  const output = parts[1].split('api_provider')[0];
  const cps = /[\uD800-\uDFFF]/.test(output) ? Array.from(output) : output.split('');
  const colon = cps.indexOf(':');
  const close = cps.lastIndexOf(')');
  return { text: pySlice(cps, (colon === -1 ? 0 : colon) + 2, (close === -1 ? -2 : close) + 1), hasMarker: true };
}

/** Python `s[start:end]` (step 1) on a code-point array, with Python's clamping of negative/large bounds. */
export function pySlice(cps: readonly string[], start: number, end: number): string {
  const n = cps.length;
  const s = start < 0 ? Math.max(0, start + n) : Math.min(start, n);
  const e = end < 0 ? Math.max(0, end + n) : Math.min(end, n);
  return e <= s ? '' : cps.slice(s, e).join('');
}
