/**
 * The few CPython `str` behaviours CodeBLEU depends on, written for speed (these run on every token).
 *
 * - `str.split()` / `str.strip()` with no argument split on `str.isspace()` characters. That set differs
 *   from JavaScript's `\s`: it includes \x1c–\x1f and \x85, and excludes U+FEFF (BOM). All of them are BMP
 *   code points, so a UTF-16 code unit test is exact.
 * - `bytes(s, 'utf8')` raises UnicodeEncodeError on a lone surrogate; {@link utf8EncodeError} builds the
 *   exact `str(exc)` CPython 3.11 prints, with positions counted in code points.
 * - Python indexes strings by code point, JavaScript by UTF-16 unit: {@link codePointArray} bridges that.
 */

/** `str.isspace()` for one UTF-16 unit (CPython 3.11, Unicode 14.0.0; every such code point is in the BMP). */
export function isPySpace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x1680) return c === 0x85 || c === 0xa0;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** Python `s.split()` (no argument): runs of whitespace separate tokens; no empty tokens. */
export function pySplit(s: string): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    while (i < n && isPySpace(s.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isPySpace(s.charCodeAt(i))) i++;
    out.push(s.slice(start, i));
  }
  return out;
}

/** Python `s.strip()` (no argument). */
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isPySpace(s.charCodeAt(a))) a++;
  while (b > a && isPySpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when the string holds a UTF-16 surrogate that is not half of a pair (Python: a lone surrogate). */
export function hasLoneSurrogate(s: string): boolean {
  return LONE_SURROGATE.test(s);
}

function isLone(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    return !(d >= 0xdc00 && d <= 0xdfff);
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const p = i > 0 ? s.charCodeAt(i - 1) : 0;
    return !(p >= 0xd800 && p <= 0xdbff);
  }
  return false;
}

/**
 * `str(e)` for the UnicodeEncodeError that `bytes(s, 'utf8')` raises, or null when `s` encodes. CPython's
 * UTF-8 encoder reports the first run of consecutive surrogates: one character as
 * `'utf-8' codec can't encode character '\udc80' in position 6: surrogates not allowed`, several as
 * `... can't encode characters in position 6-7: ...` (end inclusive). Positions count code points.
 */
export function utf8EncodeError(s: string): string | null {
  if (!hasLoneSurrogate(s)) return null;
  let cp = 0; // code-point index of unit i
  let i = 0;
  while (i < s.length) {
    if (isLone(s, i)) break;
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    cp++;
  }
  const start = cp;
  const first = s.charCodeAt(i);
  let end = start;
  // Python str has no pairs: two adjacent lone surrogates are both surrogates; a high+low pair in JS is
  // one astral character in Python and cannot appear here (we only reach lone ones), so count units.
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (!(c >= 0xd800 && c <= 0xdfff) || !isLone(s, i)) break;
    i++;
    end++;
  }
  if (end - start === 1) {
    return `'utf-8' codec can't encode character '\\u${first.toString(16).padStart(4, '0')}' in position ${start}: surrogates not allowed`;
  }
  return `'utf-8' codec can't encode characters in position ${start}-${end - 1}: surrogates not allowed`;
}

/** True when every unit is ASCII (then code-point, UTF-16 and UTF-8 indexes all coincide). */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The string as Python sees it: one element per code point (a lone surrogate is one element too). */
export function codePointArray(s: string): string[] {
  return Array.from(s);
}
