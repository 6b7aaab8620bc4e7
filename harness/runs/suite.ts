/**
 * The per-sample metric suite of `apieval eval`: the sample metrics of the registry (metrics/registry.ts)
 * applied to one response of one checkpoint. Execution and the reward model are batch metrics, computed
 * asynchronously in run.ts.
 *
 * Inputs, per sample, follow the golden pairs exactly (../shared/golden/README.md §3):
 *  - AST (gorilla, strict): the raw response through the hub script's own api_call extraction.
 *  - codebleu_api: reference = eval `api_call`; prediction = the exact substring ast_eval_hf.py parses.
 *  - codebleu_code, rouge_code: reference = eval `code` after `<<<code>>>`; prediction = predictionCode
 *    (trailing quote dropped, literal escapes decoded). Not applicable (null) when the eval record has no
 *    `<<<code>>>` section (23 of the 911 HF records).
 */
import { astQuestionOf, type ApiRecord, type EvalRecord } from '../datasets/apibench.js';
import { extractResponse, type ExtractedResponse } from '../datasets/extract.js';
import type { EvalSample, SampleScorer, SuiteContext } from '../../metrics/metric.js';
import { sampleImplementations, sampleScorers } from '../../metrics/registry.js';

export type SuiteMetric = SampleScorer;

/** The implementation version of each sample value (from the registry): part of every cache key. */
export const IMPLEMENTATION: Readonly<Record<string, number>> = sampleImplementations();

/** The suite's configuration: the registry's SuiteContext without the API database (loaded from the data). */
export type SuiteOptions = Omit<SuiteContext, 'apiDb'>;

export function buildSuite(apiDb: ApiRecord[], opts: SuiteOptions): SuiteMetric[] {
  return sampleScorers({ hub: opts.hub, apiDb, codebleuVariant: opts.codebleuVariant, rougeStemmer: opts.rougeStemmer });
}

/** What the sample metrics see of one response (one object, handed to every scorer of the suite). */
export function evalSampleOf(evalRecord: EvalRecord, text: string, extracted: ExtractedResponse): EvalSample {
  return {
    response: text,
    question: astQuestionOf(evalRecord),
    reference: { apiCall: evalRecord.api_call, code: evalRecord.referenceCode },
    prediction: { apiCall: extracted.astApiCall, code: extracted.predictionCode },
  };
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
