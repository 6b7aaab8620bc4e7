/**
 * CodeBLEU for Python: per-sample sufficient statistics, corpus aggregation and signatures.
 *
 * Port of k4black/codebleu 0.7.1 `codebleu/codebleu.py::calc_codebleu` (variant `k4black`) and of
 * Microsoft CodeXGLUE `Code-Code/code-to-code-trans/evaluator/CodeBLEU/calc_code_bleu.py` semantics
 * (variant `codexglue`), both on tree-sitter-python 0.23.6. The variants differ in exactly three places:
 *
 * | | k4black | codexglue |
 * |---|---|---|
 * | keywords (weighted n-gram) | CodeXGLUE's 35 + `match`, `case`, `type` | 35 |
 * | comment stripping before syntax/dataflow | `remove_comments_and_docstrings(code, 'python')` (tokenize) | `(code, 'java')` regex, even for Python |
 * | final sum | `θ · (dataflow or 1)` | `θ · dataflow` |
 *
 * Against the golden files, `k4black` matches oracle key `k4black`, and `codexglue` matches `cxg_modern`
 * (CodeXGLUE's algorithm on the modern grammar). CodeXGLUE's shipped 2020 grammar cannot be loaded by any
 * current tree-sitter runtime, so its syntax/dataflow numbers (`codexglue` oracle key) are not reproducible.
 *
 * Corpus level is micro-averaged exactly as the Python corpus functions: n-gram counts, subtree counts
 * and dataflow counts are summed over samples before dividing. A sentence score is the corpus of one.
 */
import type { MetricFailure } from '../types.js';
import { isFailure } from '../types.js';
import { pySplit, pyStrip, utf8EncodeError } from './pystr.js';
import { bothNgramStats, ngramScore, weightedNgramScore, type NgramStats, type WeightedNgramStats } from './bleu.js';
import { PYTHON_KEYWORDS_CODEXGLUE, PYTHON_KEYWORDS_K4BLACK } from './keywords.js';
import { analyzeCode, countDataflowMatches, countSubtreeMatches, stripComments, type StripKind } from './analysis.js';

export type CodeBleuVariant = 'k4black' | 'codexglue';
export const CODEBLEU_VARIANTS: readonly CodeBleuVariant[] = ['k4black', 'codexglue'];

export interface CodeBleuOptions {
  /** Default `k4black`. */
  variant?: CodeBleuVariant;
  /** alpha, beta, gamma, theta for n-gram, weighted n-gram, syntax, dataflow. Default 0.25 each. */
  weights?: [number, number, number, number];
}

export interface CodeBleuScores {
  ngram_match: number;
  weighted_ngram_match: number;
  syntax_match: number;
  dataflow_match: number;
  codebleu: number;
}

/** Matched/total counts of one sample (syntax: reference subtrees; dataflow: reference DFG items). */
export interface MatchCounts {
  matched: number;
  total: number;
}

/** Per-sample sufficient statistics; JSON-serialisable so that bootstrap code can resample them. */
export interface CodeBleuStats {
  ngram: NgramStats;
  weighted_ngram: WeightedNgramStats;
  /** A failure when the Python reference raises inside `syntax_match` (a lone surrogate). */
  syntax: MatchCounts | MetricFailure;
  dataflow: MatchCounts;
}

/** Each component separately, as the golden files record them. */
export interface CodeBleuComponents {
  ngram_match: number;
  weighted_ngram_match: number;
  syntax_match: number | MetricFailure;
  dataflow_match: number;
  /** The reference's "no reference data-flows extracted" warning: no sample had a reference DFG. */
  dataflow_degenerate: boolean;
  codebleu: number | MetricFailure;
}

export const CODEBLEU_DEFAULT_WEIGHTS: [number, number, number, number] = [0.25, 0.25, 0.25, 0.25];
const GRAMMAR = 'tree-sitter-python-0.23.6';
const VERSION_TAG: Record<CodeBleuVariant, string> = { k4black: 'k4black-0.7.1', codexglue: 'codexglue-ac74a62' };

interface VariantRules {
  keywords: ReadonlySet<string>;
  strip: StripKind;
  dataflowOrOne: boolean;
}
const RULES: Record<CodeBleuVariant, VariantRules> = {
  k4black: { keywords: PYTHON_KEYWORDS_K4BLACK, strip: 'python', dataflowOrOne: true },
  codexglue: { keywords: PYTHON_KEYWORDS_CODEXGLUE, strip: 'java', dataflowOrOne: false },
};

function resolve(opts?: CodeBleuOptions): { variant: CodeBleuVariant; weights: [number, number, number, number] } {
  const variant = opts?.variant ?? 'k4black';
  if (!CODEBLEU_VARIANTS.includes(variant)) throw new Error(`unknown CodeBLEU variant '${variant}' (k4black or codexglue)`);
  const weights = opts?.weights ?? CODEBLEU_DEFAULT_WEIGHTS;
  if (weights.length !== 4 || weights.some((w) => !Number.isFinite(w))) throw new Error('CodeBLEU weights must be 4 finite numbers');
  return { variant, weights };
}

/** Python `repr(float)` for the signature: shortest round-trip text, always with a decimal point. */
function pyFloatRepr(x: number): string {
  const s = String(x);
  return /[.eE]|Infinity|NaN/.test(s) ? s : s + '.0';
}

/**
 * E.g. `codebleu|v:k4black-0.7.1|grammar:tree-sitter-python-0.23.6|w:0.25,0.25,0.25,0.25`. With a
 * `level`, `|level:sentence` or `|level:corpus` is appended (the two give different numbers).
 */
export function codeBleuSignature(opts?: CodeBleuOptions, level?: 'sentence' | 'corpus'): string {
  const { variant, weights } = resolve(opts);
  const sig = `codebleu|v:${VERSION_TAG[variant]}|grammar:${GRAMMAR}|w:${weights.map(pyFloatRepr).join(',')}`;
  return level ? `${sig}|level:${level}` : sig;
}

function failure(type: string, message: string): MetricFailure {
  return { error: `${type}: ${message}` };
}

/**
 * `reference.split()`, one array per distinct reference text: the n-gram code keeps a reference's counts
 * with its token array (bleu.ts), and the same reference is scored against every model's answer.
 */
const referenceTokenCache = new Map<string, string[]>();
const REFERENCE_TOKEN_CACHE_MAX = 50_000;

function referenceTokens(reference: string): string[] {
  let tokens = referenceTokenCache.get(reference);
  if (tokens === undefined) {
    if (referenceTokenCache.size >= REFERENCE_TOKEN_CACHE_MAX) referenceTokenCache.delete(referenceTokenCache.keys().next().value!);
    tokens = pySplit(reference);
    referenceTokenCache.set(reference, tokens);
  }
  return tokens;
}

/**
 * Statistics of one prediction against its references (`calc_codebleu` inputs after `.strip()`).
 * Returns a failure only when the whole sample cannot be scored (no reference at all).
 */
export function codeBleuStats(references: string[], prediction: string, opts?: CodeBleuOptions): CodeBleuStats | MetricFailure {
  const { variant } = resolve(opts);
  const rules = RULES[variant];
  if (references.length === 0) return failure('ValueError', 'min() arg is an empty sequence');
  const refs = references.map(pyStrip);
  const hyp = pyStrip(prediction);
  const refTokens = refs.map(referenceTokens);
  const hypTokens = pySplit(hyp);
  const { ngram, weighted } = bothNgramStats(refTokens, hypTokens, rules.keywords);

  let syntax: MatchCounts | MetricFailure = { matched: 0, total: 0 };
  const dataflow: MatchCounts = { matched: 0, total: 0 };
  for (const [candidate, reference] of strippedPairs(refs, hyp, rules.strip)) {
    const ref = analyzeCode(reference, true, 'reference');
    // The candidate's graph is only read when the reference has one.
    const cand = analyzeCode(candidate, ref.dataflow!.length > 0, 'prediction');
    if (!isFailure(syntax)) {
      // parse(bytes(candidate)) comes first, then parse(bytes(reference)); the first raise ends the step.
      if (cand.encodeError !== null) syntax = failure('UnicodeEncodeError', cand.encodeError);
      else if (ref.encodeError !== null) syntax = failure('UnicodeEncodeError', ref.encodeError);
      else {
        syntax.matched += countSubtreeMatches(cand.subtrees!, ref.subtrees!);
        syntax.total += ref.subtrees!.length;
      }
    }
    if (ref.dataflow!.length > 0) {
      dataflow.total += ref.dataflow!.length;
      dataflow.matched += countDataflowMatches(cand.dataflow!, ref.dataflow!);
    }
  }
  return { ngram, weighted_ngram: weighted, syntax, dataflow };
}

/**
 * The (candidate, reference) texts the syntax and dataflow steps parse, reference by reference.
 * syntax_match.py and dataflow_match.py re-strip the *already stripped* candidate once per reference
 * (golden README §5.11); both loops see the same sequence of texts.
 */
function strippedPairs(refs: readonly string[], hyp: string, strip: StripKind): [string, string][] {
  const out: [string, string][] = [];
  let candidate = hyp;
  for (const refRaw of refs) {
    candidate = stripComments(candidate, strip, 'prediction');
    out.push([candidate, stripComments(refRaw, strip, 'reference')]);
  }
  return out;
}

/**
 * The texts {@link codeBleuStats} will give tree-sitter for this sample (those that can be encoded), so
 * that a caller can have them parsed ahead, in another thread (metrics/tree-sitter `parseToColumns`).
 * Stripping here fills the same caches codeBleuStats reads, so it is not done twice.
 */
export function codeBleuParseTexts(references: string[], prediction: string, opts?: CodeBleuOptions): string[] {
  const { variant } = resolve(opts);
  const out: string[] = [];
  for (const pair of strippedPairs(references.map(pyStrip), pyStrip(prediction), RULES[variant].strip)) {
    for (const text of pair) if (utf8EncodeError(text) === null) out.push(text);
  }
  return out;
}

/** Every component over a corpus of samples (one sample = sentence level), failures kept per component. */
export function codeBleuComponents(stats: readonly CodeBleuStats[], opts?: CodeBleuOptions): CodeBleuComponents {
  const { variant, weights } = resolve(opts);
  const ngram = ngramScore(stats.map((s) => s.ngram));
  const weighted = weightedNgramScore(stats.map((s) => s.weighted_ngram));
  let syntax: number | MetricFailure;
  let sm = 0;
  let st = 0;
  let syntaxFailure: MetricFailure | null = null;
  for (const s of stats) {
    if (isFailure(s.syntax)) {
      syntaxFailure = s.syntax;
      break;
    }
    sm += s.syntax.matched;
    st += s.syntax.total;
  }
  if (syntaxFailure) syntax = syntaxFailure;
  else if (st === 0) syntax = failure('ZeroDivisionError', 'division by zero');
  else syntax = sm / st;
  let dm = 0;
  let dt = 0;
  for (const s of stats) {
    dm += s.dataflow.matched;
    dt += s.dataflow.total;
  }
  const degenerate = dt === 0;
  const dataflow = degenerate ? 0 : dm / dt;
  let codebleu: number | MetricFailure;
  if (isFailure(syntax)) codebleu = syntax;
  else {
    const [a, b, g, t] = weights;
    const df = RULES[variant].dataflowOrOne ? dataflow || 1 : dataflow;
    codebleu = a * ngram + b * weighted + g * syntax + t * df;
  }
  return { ngram_match: ngram, weighted_ngram_match: weighted, syntax_match: syntax, dataflow_match: dataflow, dataflow_degenerate: degenerate, codebleu };
}

/** Corpus-level (micro-averaged) CodeBLEU; a single stats item gives the sentence score. */
export function codeBleuFromStats(stats: readonly CodeBleuStats[], opts?: CodeBleuOptions): CodeBleuScores | MetricFailure {
  const c = codeBleuComponents(stats, opts);
  if (isFailure(c.syntax_match)) return c.syntax_match;
  if (isFailure(c.codebleu)) return c.codebleu;
  return {
    ngram_match: c.ngram_match,
    weighted_ngram_match: c.weighted_ngram_match,
    syntax_match: c.syntax_match,
    dataflow_match: c.dataflow_match,
    codebleu: c.codebleu,
  };
}

/** Sentence-level CodeBLEU of one prediction. */
export function codeBleuSentence(references: string[], prediction: string, opts?: CodeBleuOptions): CodeBleuScores | MetricFailure {
  const s = codeBleuStats(references, prediction, opts);
  if (isFailure(s)) return s;
  return codeBleuFromStats([s], opts);
}
