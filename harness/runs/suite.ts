/**
 * The per-sample metric suite of `apieval eval`: what is computed for one response of one checkpoint.
 * Pure computation on in-memory inputs (execution is separate, in run.ts, because it is asynchronous
 * and batched through the sandbox).
 *
 * Inputs, per sample, follow the golden pairs exactly (../shared/golden/README.md §3):
 *  - AST (gorilla, strict): the raw response through the hub script's own api_call extraction.
 *  - codebleu_api: reference = eval `api_call`; prediction = the exact substring ast_eval_hf.py parses.
 *  - codebleu_code, rouge_code: reference = eval `code` after `<<<code>>>`; prediction = predictionCode
 *    (trailing quote dropped, literal escapes decoded). Not applicable (null) when the eval record has no
 *    `<<<code>>>` section (23 of the 911 HF records).
 */
import { astQuestionOf, type ApiRecord, type EvalRecord, type Hub } from '../datasets/apibench.js';
import { extractResponse, type ExtractedResponse } from '../datasets/extract.js';
import { AstMatcher } from '../../metrics/ast-match/index.js';
import { codeBleuSignature, codeBleuStats, codeBleuFromStats, type CodeBleuOptions } from '../../metrics/codebleu/index.js';
import { RougeScorer } from '../../metrics/rouge/index.js';
import { DEFAULT_MAX_TEXT_BYTES, isFailure, textTooLong } from '../../metrics/types.js';
import type { MetricValue } from './types.js';

export interface SampleInput {
  evalRecord: EvalRecord;
  /** Raw response text, exactly as in the candidate file. */
  text: string;
}

export interface SuiteMetric {
  name: string;
  signature: string;
  /**
   * apieval's version of this metric's implementation (see IMPLEMENTATION below): part of every cache key,
   * so a rerun after a fix that changes values recomputes them.
   */
  implementation: number;
  compute(input: SampleInput, extracted: ExtractedResponse): MetricValue;
}

/**
 * The implementation version of each metric of the suite. **Bump a metric's number in the commit that
 * changes any value it produces** (a fix in the CodeBLEU or ROUGE port, the AST matcher, the response
 * extraction it reads): run directories then recompute that metric, and only it, on their next run.
 */
export const IMPLEMENTATION: Readonly<Record<string, number>> = {
  ast_gorilla: 1,
  ast_strict: 1,
  codebleu_api: 1,
  codebleu_code: 1,
  rouge_code: 1,
};

export interface SuiteOptions {
  hub: Hub;
  codebleuVariant: 'k4black' | 'codexglue';
  rougeStemmer: boolean;
}

function errorText(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
}

/**
 * Both AST variants from ONE parse and match: `strict` is by definition `gorilla`-correct AND the matched
 * database entry's api_call equal to the question's reference call (metrics/ast-match/index.ts), so it is
 * derived from the gorilla verdict of the same response instead of parsing the text a second time. The
 * last verdict is memoised per (response text, question) so the two metrics share it.
 */
function astMetrics(hub: Hub, apiDb: ApiRecord[]): SuiteMetric[] {
  const matcher = new AstMatcher(hub, apiDb, 'gorilla');
  const strictSignature = new AstMatcher(hub, [], 'strict').signature();
  let lastKey: { text: string; index: number } | null = null;
  let lastVerdict: ReturnType<AstMatcher['matchResponse']> | { error: string } | null = null;
  const verdict = (evalRecord: EvalRecord, text: string) => {
    if (lastKey && lastKey.text === text && lastKey.index === evalRecord.index) return lastVerdict!;
    try {
      lastVerdict = matcher.matchResponse(text, astQuestionOf(evalRecord));
    } catch (e) {
      lastVerdict = { error: errorText(e) };
    }
    lastKey = { text, index: evalRecord.index };
    return lastVerdict;
  };
  return [
    {
      name: 'ast_gorilla',
      signature: matcher.signature(),
      implementation: IMPLEMENTATION.ast_gorilla,
      compute({ evalRecord, text }) {
        const v = verdict(evalRecord, text);
        if ('error' in v) return { error: v.error };
        return { correct: v.correct, hallucination: v.hallucination, database_index: v.database_index };
      },
    },
    {
      name: 'ast_strict',
      signature: strictSignature,
      implementation: IMPLEMENTATION.ast_strict,
      compute({ evalRecord, text }) {
        const v = verdict(evalRecord, text);
        if ('error' in v) return { error: v.error };
        const correct = v.correct && v.matched_api_call === evalRecord.api_data.api_call;
        return { correct, hallucination: v.hallucination, database_index: v.database_index };
      },
    },
  ];
}

function codeBleuMetric(name: string, opts: CodeBleuOptions, pick: (i: SampleInput, x: ExtractedResponse) => [string, string] | null): SuiteMetric {
  return {
    name,
    signature: codeBleuSignature(opts),
    implementation: IMPLEMENTATION[name],
    compute(input, extracted) {
      const pair = pick(input, extracted);
      if (pair === null) return null;
      const [reference, prediction] = pair;
      const tooLong = textTooLong([prediction, reference], DEFAULT_MAX_TEXT_BYTES, ['the prediction', 'the reference']);
      if (tooLong) return { error: tooLong.error };
      try {
        const stats = codeBleuStats([reference], prediction, opts);
        if (isFailure(stats)) return { error: stats.error };
        const scores = codeBleuFromStats([stats], opts);
        if (isFailure(scores)) return { error: scores.error };
        return { ...scores, stats: stats as unknown };
      } catch (e) {
        return { error: errorText(e) };
      }
    },
  };
}

export function buildSuite(apiDb: ApiRecord[], opts: SuiteOptions): SuiteMetric[] {
  const cb: CodeBleuOptions = { variant: opts.codebleuVariant };
  const rouge = new RougeScorer({ useStemmer: opts.rougeStemmer });
  const metrics: SuiteMetric[] = [
    ...astMetrics(opts.hub, apiDb),
    codeBleuMetric('codebleu_api', cb, (i, x) => [i.evalRecord.api_call, x.astApiCall]),
    codeBleuMetric('codebleu_code', cb, (i, x) => (i.evalRecord.referenceCode === undefined ? null : [i.evalRecord.referenceCode, x.predictionCode])),
    {
      name: 'rouge_code',
      signature: rouge.signature(),
      implementation: IMPLEMENTATION.rouge_code,
      compute({ evalRecord }, x) {
        if (evalRecord.referenceCode === undefined) return null;
        const tooLong = textTooLong([x.predictionCode, evalRecord.referenceCode], DEFAULT_MAX_TEXT_BYTES, ['the prediction', 'the reference']);
        if (tooLong) return { error: tooLong.error };
        try {
          return rouge.score(evalRecord.referenceCode, x.predictionCode) as unknown as Record<string, unknown>;
        } catch (e) {
          return { error: errorText(e) };
        }
      },
    },
  ];
  return metrics;
}

export { extractResponse };

/**
 * The program that is executed for a code text: leading whitespace removed. Gorilla's `<<<code>>>: ` puts
 * a separator space before the first line (and CodeBLEU strips it too); run as is, every program would
 * be an IndentationError. Nothing else is changed.
 */
export function executableProgram(code: string): string {
  return code.replace(/^\s+/, '');
}
