/**
 * Port of NLTK 3.8 `nltk/stem/porter.py` `PorterStemmer()` in its default mode, NLTK_EXTENSIONS — the
 * stemmer `rouge_score` 0.1.2 uses with `use_stemmer=True`.
 *
 * The structure follows the Python file step by step on purpose (rule tables in the same order, the same
 * "first matching suffix decides, even if its condition fails" rule-list semantics, the same NLTK-only
 * extensions) so that a reader can diff the two. Differences from the published Porter algorithm that
 * NLTK's default mode has, and that are therefore kept here:
 *   - an irregular-forms pool (sky/skies, dying, lying, tying, news, innings, outings, cannings, howe,
 *     proceed, exceed, succeed);
 *   - words of length <= 2 are returned unchanged;
 *   - step 1a: a 4-letter word ending in "ies" → "ie" ("dies" → "die");
 *   - step 1b: "ied" → "ie" for 4-letter words, else "i";
 *   - step 1c: y → i only after a consonant that is not the first letter;
 *   - step 2: "alli" → "al" first (then step 2 again), "bli" → "ble" (not "abli"), plus "fulli" and the
 *     "logi" rule whose condition looks at the word minus "ogi";
 *   - `_ends_cvc` also accepts a two-letter vowel+consonant word.
 *
 * Input domain: rouge_score only stems lowercase [a-z0-9] tokens. Other text is handled as NLTK would for
 * ASCII; for non-ASCII text JavaScript's `toLowerCase` and UTF-16 indexing stand in for Python's.
 */

const IRREGULAR_FORMS: Record<string, string[]> = {
  sky: ['sky', 'skies'],
  die: ['dying'],
  lie: ['lying'],
  tie: ['tying'],
  news: ['news'],
  inning: ['innings', 'inning'],
  outing: ['outings', 'outing'],
  canning: ['cannings', 'canning'],
  howe: ['howe'],
  proceed: ['proceed'],
  exceed: ['exceed'],
  succeed: ['succeed'],
};

const POOL = new Map<string, string>();
for (const [key, forms] of Object.entries(IRREGULAR_FORMS)) for (const f of forms) POOL.set(f, key);

type Condition = ((stem: string) => boolean) | null;
type Rule = readonly [suffix: string, replacement: string, condition: Condition];

function isVowelLetter(c: string): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u';
}

/** A consonant is a letter other than a, e, i, o, u, and other than y preceded by a consonant. */
function isConsonant(word: string, i: number): boolean {
  const c = word[i];
  if (isVowelLetter(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** m in [C](VC){m}[V]: the number of vowel→consonant transitions. */
function measure(stem: string): number {
  let m = 0;
  let prevVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const cons = isConsonant(stem, i);
    if (cons && prevVowel) m++;
    prevVowel = !cons;
  }
  return m;
}

function hasPositiveMeasure(stem: string): boolean {
  return measure(stem) > 0;
}

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

/** *d: ends with a double consonant. */
function endsDoubleConsonant(word: string): boolean {
  const n = word.length;
  return n >= 2 && word[n - 1] === word[n - 2] && isConsonant(word, n - 1);
}

/** *o: ends consonant-vowel-consonant, last not w, x or y; NLTK also accepts a 2-letter vowel+consonant. */
function endsCvc(word: string): boolean {
  const n = word.length;
  return (
    (n >= 3 &&
      isConsonant(word, n - 3) &&
      !isConsonant(word, n - 2) &&
      isConsonant(word, n - 1) &&
      word[n - 1] !== 'w' &&
      word[n - 1] !== 'x' &&
      word[n - 1] !== 'y') ||
    (n === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
  );
}

function replaceSuffix(word: string, suffix: string, replacement: string): string {
  return suffix === '' ? word + replacement : word.slice(0, word.length - suffix.length) + replacement;
}

/**
 * `_apply_rule_list`: the FIRST rule whose suffix matches decides; if its condition fails the word is
 * returned unchanged (later rules are not tried). The pseudo-suffix "*d" matches a double consonant.
 */
function applyRuleList(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d' && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = replaceSuffix(word, suffix, '');
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

const STEP1A_RULES: readonly Rule[] = [
  ['sses', 'ss', null],
  ['ies', 'i', null],
  ['ss', 'ss', null],
  ['s', '', null],
];

function step1a(word: string): string {
  if (word.endsWith('ies') && word.length === 4) return replaceSuffix(word, 'ies', 'ie');
  return applyRuleList(word, STEP1A_RULES);
}

function step1b(word: string): string {
  if (word.endsWith('ied')) {
    return word.length === 4 ? replaceSuffix(word, 'ied', 'ie') : replaceSuffix(word, 'ied', 'i');
  }
  if (word.endsWith('eed')) {
    const stem = replaceSuffix(word, 'eed', '');
    return measure(stem) > 0 ? stem + 'ee' : word;
  }
  let intermediate: string | null = null;
  for (const suffix of ['ed', 'ing']) {
    if (word.endsWith(suffix)) {
      const s = replaceSuffix(word, suffix, '');
      if (containsVowel(s)) {
        intermediate = s;
        break;
      }
    }
  }
  if (intermediate === null) return word;
  const last = intermediate[intermediate.length - 1];
  return applyRuleList(intermediate, [
    ['at', 'ate', null],
    ['bl', 'ble', null],
    ['iz', 'ize', null],
    ['*d', last, () => last !== 'l' && last !== 's' && last !== 'z'],
    ['', 'e', (stem) => measure(stem) === 1 && endsCvc(stem)],
  ]);
}

const STEP1C_RULES: readonly Rule[] = [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]];

function step1c(word: string): string {
  return applyRuleList(word, STEP1C_RULES);
}

const STEP2_BASE: readonly Rule[] = [
  ['ational', 'ate', hasPositiveMeasure],
  ['tional', 'tion', hasPositiveMeasure],
  ['enci', 'ence', hasPositiveMeasure],
  ['anci', 'ance', hasPositiveMeasure],
  ['izer', 'ize', hasPositiveMeasure],
  ['bli', 'ble', hasPositiveMeasure],
  ['alli', 'al', hasPositiveMeasure],
  ['entli', 'ent', hasPositiveMeasure],
  ['eli', 'e', hasPositiveMeasure],
  ['ousli', 'ous', hasPositiveMeasure],
  ['ization', 'ize', hasPositiveMeasure],
  ['ation', 'ate', hasPositiveMeasure],
  ['ator', 'ate', hasPositiveMeasure],
  ['alism', 'al', hasPositiveMeasure],
  ['iveness', 'ive', hasPositiveMeasure],
  ['fulness', 'ful', hasPositiveMeasure],
  ['ousness', 'ous', hasPositiveMeasure],
  ['aliti', 'al', hasPositiveMeasure],
  ['iviti', 'ive', hasPositiveMeasure],
  ['biliti', 'ble', hasPositiveMeasure],
  ['fulli', 'ful', hasPositiveMeasure],
];

function step2(word: string): string {
  if (word.endsWith('alli') && hasPositiveMeasure(replaceSuffix(word, 'alli', ''))) {
    return step2(replaceSuffix(word, 'alli', 'al'));
  }
  // The 'l' of "logi" → "log" stays with the stem: the condition looks at the word minus "ogi".
  return applyRuleList(word, [...STEP2_BASE, ['logi', 'log', () => hasPositiveMeasure(word.slice(0, -3))]]);
}

const STEP3_RULES: readonly Rule[] = [
  ['icate', 'ic', hasPositiveMeasure],
  ['ative', '', hasPositiveMeasure],
  ['alize', 'al', hasPositiveMeasure],
  ['iciti', 'ic', hasPositiveMeasure],
  ['ical', 'ic', hasPositiveMeasure],
  ['ful', '', hasPositiveMeasure],
  ['ness', '', hasPositiveMeasure],
];

function step3(word: string): string {
  return applyRuleList(word, STEP3_RULES);
}

const measureGt1 = (stem: string): boolean => measure(stem) > 1;

const STEP4_RULES: readonly Rule[] = [
  ['al', '', measureGt1],
  ['ance', '', measureGt1],
  ['ence', '', measureGt1],
  ['er', '', measureGt1],
  ['ic', '', measureGt1],
  ['able', '', measureGt1],
  ['ible', '', measureGt1],
  ['ant', '', measureGt1],
  ['ement', '', measureGt1],
  ['ment', '', measureGt1],
  ['ent', '', measureGt1],
  ['ion', '', (stem) => measure(stem) > 1 && (stem[stem.length - 1] === 's' || stem[stem.length - 1] === 't')],
  ['ou', '', measureGt1],
  ['ism', '', measureGt1],
  ['ate', '', measureGt1],
  ['iti', '', measureGt1],
  ['ous', '', measureGt1],
  ['ive', '', measureGt1],
  ['ize', '', measureGt1],
];

function step4(word: string): string {
  return applyRuleList(word, STEP4_RULES);
}

/** Step 5a tries BOTH conditions for the single suffix "e" (so it cannot use applyRuleList). */
function step5a(word: string): string {
  if (word.endsWith('e')) {
    const stem = replaceSuffix(word, 'e', '');
    if (measure(stem) > 1) return stem;
    if (measure(stem) === 1 && !endsCvc(stem)) return stem;
  }
  return word;
}

function step5b(word: string): string {
  // The condition measures the word minus ONE letter (NLTK's reading of "m > 1 and *d and *L").
  return applyRuleList(word, [['ll', 'l', () => measure(word.slice(0, -1)) > 1]]);
}

/** `PorterStemmer().stem(word)` (to_lowercase=True). */
export function porterStem(word: string): string {
  const lower = word.toLowerCase();
  // NLTK looks the ORIGINAL word up in the pool (so "Skies" is not pooled); pool keys are lowercase.
  const pooled = POOL.get(word);
  if (pooled !== undefined) return pooled;
  if (word.length <= 2) return lower;
  let s = step1a(lower);
  s = step1b(s);
  s = step1c(s);
  s = step2(s);
  s = step3(s);
  s = step4(s);
  s = step5a(s);
  s = step5b(s);
  return s;
}

/**
 * A memoised stemmer: rouge stems the same few thousand tokens over and over, and the step functions
 * allocate. The cache is per instance so long-running processes can drop it with the scorer.
 */
export class MemoStemmer {
  private readonly cache = new Map<string, string>();
  stem(word: string): string {
    let s = this.cache.get(word);
    if (s === undefined) {
      s = porterStem(word);
      this.cache.set(word, s);
    }
    return s;
  }
  get size(): number {
    return this.cache.size;
  }
}
