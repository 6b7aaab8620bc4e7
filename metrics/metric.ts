/**
 * The metric interface of `apieval eval`, sacrebleu-shaped: a metric has a name and a signature, per-sample
 * statistics, a corpus score computed from the statistics (so that intervals resample statistics, not
 * averages), and the columns it shows. Everything that reports metrics — the eval's suite and its worker
 * processes, summary.json, the leaderboard with its comparability checks and domain table, the report
 * writers — iterates over `METRICS` (metrics/registry.ts); none names a metric. So do `apieval score` (a
 * metric's `pairs` facet) and `apieval verify` (its `golden` formats).
 *
 * Two kinds:
 * - `sample`: computed per response, synchronously, from the texts alone (`scorers`); cached per sample
 *   under a key made of its signature, its implementation version and its inputs;
 * - `batch`: computed asynchronously in batches by the eval itself (the sandbox's executability, the reward
 *   model's score), which owns their signatures and cache keys; the registry gives their columns.
 *
 * Pure: no I/O, nothing outside metrics/.
 */
import type { AstApiRecord, AstQuestion, Hub } from './ast-match/index.js';
import type { CodeBleuStats, CodeBleuVariant } from './codebleu/index.js';
import type { GoldenFormat } from './golden.js';
import { isFailure } from './types.js';

/** A stored per-sample value (samples.jsonl `metrics[name]`): fields, `{error}`, or null = not applicable. */
export type MetricValue = Record<string, unknown> | null;

/** What a sample metric sees of one response to one eval question. */
export interface EvalSample {
  /** The raw response text, exactly as in the candidate file. */
  response: string;
  /** The question as the AST matcher needs it (its reference api_call is the eval record's `api_data.api_call`). */
  question: AstQuestion;
  reference: {
    /** The eval record's `api_call`. */
    apiCall: string;
    /** The eval record's code after `<<<code>>>`; undefined when it has none. */
    code?: string;
  };
  prediction: {
    /** The exact substring Gorilla's ast_eval_*.py parses as the API call. */
    apiCall: string;
    /** The response's code (golden README §3 prediction_code rule). */
    code: string;
  };
}

/** Everything a sample metric may be configured by (one eval run's options and dataset). */
export interface SuiteContext {
  hub: Hub;
  apiDb: readonly AstApiRecord[];
  codebleuVariant: CodeBleuVariant;
  rougeStemmer: boolean;
}

/** One samples.jsonl value computed per response. */
export interface SampleScorer {
  name: string;
  signature: string;
  /** apieval's version of this value's implementation: part of its cache key (see EvalMetric.implementation). */
  implementation: number;
  compute(sample: EvalSample): MetricValue;
}

/** A value of one sample as a view sees it. */
export type Item = number | CodeBleuStats | { error: string };

/** Corpus-level column: what summary.json and the leaderboard report. */
export interface View {
  key: string;
  label: string;
  /** The samples.jsonl `metrics` key this view reads. */
  metric: string;
  kind: 'binary' | 'continuous';
  higherIsBetter: boolean;
  /** Shown as a leaderboard column (all views go to summary.json). */
  leaderboard: boolean;
  /** Appended to the metric's signature in the leaderboard (a corpus-level statistic says so). */
  signatureSuffix?: string;
  /** The view of the leaderboard's per-domain table (one in the registry). */
  domainTable?: boolean;
  /** `questionId` lets a view restrict itself to a subset of questions (executability over supported tasks). */
  item(v: MetricValue, questionId: number): Item | null;
  /** Corpus score of the items, or the error that prevents it. */
  corpus(items: Item[]): number | { error: string };
  /**
   * The corpus score depends on the items only through their field-wise SUM (true for micro-averaged
   * CodeBLEU: clipped counts, lengths, matched/total subtrees and dataflow edges). Resampling can then
   * add flat numeric vectors instead of re-walking objects — checked against the plain path before use.
   */
  additive?: boolean;
}

/** The corpus score as a number, NaN on failure (what the statistics functions expect). */
export function corpusNumber(view: View, items: Item[]): number {
  const r = view.corpus(items);
  return typeof r === 'number' ? r : NaN;
}

/** What decides a run's columns. */
export interface ViewContext {
  codebleuVariant: CodeBleuVariant;
  exec: boolean;
  rm?: boolean;
  /** Questions whose reference program runs in the sandbox (the gold gate), when it ran. */
  supported?: ReadonlySet<number>;
}

/** One line of `apieval score`'s input: a prediction against one or more references. */
export interface TextPair {
  references: string[];
  /** The input gave a list (ROUGE then uses score_multi, as HF evaluate does). */
  multi: boolean;
  prediction: string;
}

/** What `apieval score` configures pair metrics with (each reads its own options). */
export interface PairContext {
  codebleu: { variant: CodeBleuVariant; weights: [number, number, number, number] };
  rougeStemmer: boolean;
}

/**
 * `apieval score`'s side of a metric: text pairs scored at the sentence or the corpus level (sacrebleu's
 * sentence_score / corpus_score), the corpus value computed from per-pair statistics.
 */
export interface PairMetric {
  /** The `score --metrics` name, and the key of its values in score's output. */
  name: string;
  /**
   * One pair's statistics (structured-clone safe: any thread may compute them) or a `{error}` failure; a
   * throw is that pair's failure too (a JavaScript stack overflow excepted, which stops the run).
   */
  stats(pair: TextPair, ctx: PairContext): unknown;
  /** The sentence-level value of one pair's statistics (which are not a failure); may be a failure. */
  sentence(stats: unknown, ctx: PairContext): unknown;
  /** The corpus value from every pair's statistics (none a failure); `warn` says what a user should know. */
  corpus(stats: unknown[], ctx: PairContext, warn: (message: string) => void): unknown;
  signature(ctx: PairContext, level: 'sentence' | 'corpus'): string;
  /** The texts `stats` parses with tree-sitter: `score` has them parsed ahead on a second thread. */
  parseTexts?(pair: TextPair, ctx: PairContext): string[];
}

export interface EvalMetric {
  /** The metric's name (its folder under metrics/). */
  id: string;
  kind: 'sample' | 'batch';
  /**
   * The samples.jsonl values this metric writes, each with apieval's implementation version. **Bump a
   * value's number in the commit that changes anything it produces** (a fix in the port, in the extraction
   * it reads): run directories then recompute that value, and only it, on their next run. A batch metric's
   * versions are owned by its executor (sandbox/classify.ts for exec) and are not listed here.
   */
  implementation: Readonly<Record<string, number>>;
  /** Sample metrics: the per-response computations (in `implementation`'s order). */
  scorers?(ctx: SuiteContext): SampleScorer[];
  /** The corpus columns, in the order they are reported. */
  views(ctx: ViewContext): View[];
  /** `apieval score`: the metric over text pairs (absent: not offered by score). */
  pairs?: PairMetric;
  /** `apieval verify`: the golden-file formats it recomputes. */
  golden?: readonly GoldenFormat[];
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks for views.

export function failureOf(v: MetricValue): { error: string } | null {
  return v !== null && isFailure(v) ? { error: v.error } : null;
}

export function meanOfItems(items: Item[]): number | { error: string } {
  let s = 0;
  for (const it of items) {
    if (typeof it !== 'number') return it as { error: string };
    s += it;
  }
  return items.length === 0 ? { error: 'no samples' } : s / items.length;
}

/** A 0/1 view of a stored value (null from `pick`: not applicable to this sample). */
export function binaryView(key: string, label: string, metric: string, higherIsBetter: boolean, pick: (v: Record<string, unknown>) => boolean | null): View {
  return {
    key,
    label,
    metric,
    kind: 'binary',
    higherIsBetter,
    leaderboard: true,
    item(v) {
      if (v === null || v === undefined) return null;
      const e = failureOf(v);
      if (e) return e;
      const b = pick(v);
      return b === null ? null : b ? 1 : 0;
    },
    corpus: meanOfItems,
  };
}

/** A view of one numeric field of a stored value, averaged over samples. */
export function meanFieldView(key: string, label: string, metric: string, leaderboard: boolean, pick: (v: Record<string, unknown>) => number): View {
  return {
    key,
    label,
    metric,
    kind: 'continuous',
    higherIsBetter: true,
    leaderboard,
    item(v) {
      if (v === null || v === undefined) return null;
      return failureOf(v) ?? pick(v);
    },
    corpus: meanOfItems,
  };
}

/** "Type: message" of a thrown value, the golden files' shape for a failure. */
export function errorText(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
}
