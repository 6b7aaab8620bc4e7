/**
 * Port of rouge-score 0.1.2 `rouge_score/tokenize.py` `tokenize(text, stemmer)` (via
 * `tokenizers.DefaultTokenizer`):
 *
 *   text = text.lower()
 *   text = re.sub(r"[^a-z0-9]+", " ", text)
 *   tokens = re.split(r"\s+", text)
 *   if stemmer: tokens = [stemmer.stem(x) if len(x) > 3 else x for x in tokens]
 *   tokens = [x for x in tokens if re.match(r"^[a-z0-9]+$", x)]
 *
 * i.e. the tokens are the maximal runs of [a-z0-9] after Python's `str.lower()`. Non-ASCII letters vanish
 * (`café` → `caf`). Python's `lower()` maps exactly two non-ASCII code points to text containing [a-z0-9]
 * (checked over all of Unicode with CPython 3.11): U+0130 `İ` → "i" + U+0307 (so it ends the token after
 * an "i") and U+212A KELVIN SIGN → "k". Those two are special-cased here instead of calling
 * `toLowerCase()` on the whole text, which keeps the result independent of the ICU version and lets the
 * hot loop stay on char codes.
 */

export type Stem = (word: string) => string;

const CC_0 = 48;
const CC_9 = 57;
const CC_A = 65;
const CC_Z = 90;
const CC_a = 97;
const CC_z = 122;
const DOTTED_CAPITAL_I = 0x0130;
const KELVIN = 0x212a;

export function tokenize(text: string, stem?: Stem): string[] {
  const tokens: string[] = [];
  let cur = '';
  const flush = (): void => {
    if (cur.length > 0) {
      // Stem only tokens longer than 3 characters; the valid-token filter then drops nothing for
      // [a-z0-9] input but is kept for stems that could come back empty.
      const t = stem !== undefined && cur.length > 3 ? stem(cur) : cur;
      if (t.length > 0) tokens.push(t);
      cur = '';
    }
  };
  let runStart = -1; // start of the current run of already-lowercase [a-z0-9] chars (fast slice path)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= CC_a && c <= CC_z) || (c >= CC_0 && c <= CC_9)) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0) {
      cur += text.slice(runStart, i);
      runStart = -1;
    }
    if (c >= CC_A && c <= CC_Z) {
      cur += String.fromCharCode(c + 32);
    } else if (c === KELVIN) {
      cur += 'k';
    } else if (c === DOTTED_CAPITAL_I) {
      cur += 'i';
      flush(); // the U+0307 that Python's lower() appends is a separator
    } else {
      flush();
    }
  }
  if (runStart >= 0) cur += text.slice(runStart);
  flush();
  return tokens;
}
