/**
 * APIBench (Gorilla) data: typed loaders for the eval split, the API database, the 0-shot questions and
 * model responses of the three hubs, and where the files come from (see ./source.ts for the pinned
 * download). Every malformed record is a `file:line: message` UserError, never a crash or a silent skip.
 *
 * The on-disk layout is the one of `../shared/apibench` (and of the download cache):
 *   <dir>/huggingface_eval.json, torchhub_eval.json, tensorflow_eval.json      (JSON Lines despite the name)
 *   <dir>/huggingface_api.jsonl, torchhub_api.jsonl, tensorflowhub_api.jsonl
 *   <dir>/questions/questions_<hub>_0_shot.jsonl
 *   <dir>/responses/<hub>/response_<hub>_Gorilla_<FT|RT>_<retriever>.jsonl
 */
import { join } from 'node:path';
import { readJsonl, type Located } from '../../core/jsonl.js';
import { inputError, UserError } from '../../core/errors.js';
import type { AstQuestion } from '../../metrics/ast-match/index.js';

export type Hub = 'huggingface' | 'torchhub' | 'tensorflowhub';
export const HUBS: readonly Hub[] = ['huggingface', 'torchhub', 'tensorflowhub'];

export interface ApiRecord {
  domain: string;
  framework?: string;
  functionality?: string;
  api_name: string;
  api_call: string;
  api_arguments?: unknown;
  python_environment_requirements?: unknown;
  example_code?: string;
  performance?: unknown;
  description?: string;
  [k: string]: unknown;
}

export interface EvalRecord {
  /** 0-based position in the eval file. */
  index: number;
  /** 1-based id that questions and responses use (`question_id - 1` indexes the eval file). */
  questionId: number;
  /** The whole target text (`###Instruction: … ###Output: …`). */
  code: string;
  /** The reference API call, one line. */
  api_call: string;
  provider: string;
  api_data: ApiRecord;
  /** `api_data.domain`: what Gorilla's AST metric compares the matched API's domain with. */
  domain: string;
  /** Text after `<<<code>>>` with its leading `:` removed (golden README §3); undefined when absent. */
  referenceCode?: string;
}

/** What Gorilla's AST match needs of an eval record (ast-match, eval's suite and reward serve ask the same). */
export function astQuestionOf(r: EvalRecord): AstQuestion {
  return { domain: r.domain, referenceApiCall: r.api_data.api_call, questionIndex: r.index };
}

export interface Question {
  question_id: number;
  text: string;
}

export interface Response {
  question_id: number;
  text: string;
  answer_id?: string;
  model_id?: string;
  metadata?: unknown;
  /** 1-based line in the responses file, for error messages. */
  line: number;
}

export function parseHub(value: string): Hub {
  const v = value.toLowerCase();
  if (v === 'huggingface' || v === 'hf') return 'huggingface';
  if (v === 'torchhub' || v === 'th' || v === 'pytorch') return 'torchhub';
  if (v === 'tensorflowhub' || v === 'tensorflow' || v === 'tf' || v === 'tfhub') return 'tensorflowhub';
  throw new UserError(`unknown hub '${value}' (expected huggingface, torchhub or tensorflowhub)`);
}

/** File names inside a data directory. The TF eval file is `tensorflow_eval.json`, not `tensorflowhub_…`. */
const EVAL_FILE: Record<Hub, string> = {
  huggingface: 'huggingface_eval.json',
  torchhub: 'torchhub_eval.json',
  tensorflowhub: 'tensorflow_eval.json',
};

export function evalPath(dir: string, hub: Hub): string {
  return join(dir, EVAL_FILE[hub]);
}
export function apiDbPath(dir: string, hub: Hub): string {
  return join(dir, `${hub}_api.jsonl`);
}
export function questionsPath(dir: string, hub: Hub): string {
  return join(dir, 'questions', `questions_${hub}_0_shot.jsonl`);
}
/** `model` is e.g. `Gorilla_FT_0_shot`. */
export function responsesPath(dir: string, hub: Hub, model: string): string {
  return join(dir, 'responses', hub, `response_${hub}_${model}.jsonl`);
}

/** The 8 Gorilla response files shipped for each hub. */
export const GORILLA_MODELS: readonly string[] = ['FT', 'RT'].flatMap((t) =>
  ['0_shot', 'bm25', 'gpt_index', 'oracle'].map((r) => `Gorilla_${t}_${r}`),
);

// ---------------------------------------------------------------------------------------------------------
// Field validation: each helper names the file and line of the offending record.

function str(file: string, line: number, rec: Record<string, unknown>, key: string, where = ''): string {
  const v = rec[key];
  if (typeof v !== 'string') {
    throw inputError(file, line, `field '${where}${key}' must be a string (got ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 60)})`);
  }
  return v;
}

function positiveInt(file: string, line: number, rec: Record<string, unknown>, key: string): number {
  const v = rec[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw inputError(file, line, `field '${key}' must be a positive integer (got ${v === undefined ? 'nothing' : JSON.stringify(v)?.slice(0, 60)})`);
  }
  return v;
}

function asApiRecord(file: string, line: number, rec: Record<string, unknown>, where = ''): ApiRecord {
  str(file, line, rec, 'domain', where);
  str(file, line, rec, 'api_call', where);
  str(file, line, rec, 'api_name', where);
  return rec as ApiRecord;
}

/** Text after the first `<<<code>>>` with one leading `:` removed, as the golden references were built. */
export function codeAfterMarker(code: string): string | undefined {
  const at = code.indexOf('<<<code>>>');
  if (at === -1) return undefined;
  const rest = code.slice(at + '<<<code>>>'.length);
  return rest.startsWith(':') ? rest.slice(1) : rest;
}

// ---------------------------------------------------------------------------------------------------------
// Loaders by file (the CLI takes explicit paths) and by data directory + hub.

export function loadApiDbFile(file: string): ApiRecord[] {
  return readJsonl(file).map(({ value, line }) => asApiRecord(file, line, value));
}

export function loadEvalFile(file: string): EvalRecord[] {
  return readJsonl(file).map(({ value, line }, index): EvalRecord => {
    const code = str(file, line, value, 'code');
    const api_call = str(file, line, value, 'api_call');
    const provider = str(file, line, value, 'provider');
    const data = value.api_data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw inputError(file, line, `field 'api_data' must be an object`);
    }
    const api_data = asApiRecord(file, line, data as Record<string, unknown>, 'api_data.');
    return { index, questionId: index + 1, code, api_call, provider, api_data, domain: api_data.domain, referenceCode: codeAfterMarker(code) };
  });
}

export function loadQuestionsFile(file: string): Question[] {
  return readJsonl(file).map(({ value, line }) => ({
    ...value,
    question_id: positiveInt(file, line, value, 'question_id'),
    text: str(file, line, value, 'text'),
  }));
}

/** The question ids of a JSONL of `{question_id, …}` (a questions file, or only its ids). */
export function loadQuestionIds(file: string): number[] {
  return readJsonl(file).map(({ value, line }) => positiveInt(file, line, value, 'question_id'));
}

export function loadResponses(file: string): Response[] {
  return readJsonl(file).map(({ value, line }: Located<Record<string, unknown>>): Response => {
    const question_id = positiveInt(file, line, value, 'question_id');
    const text = str(file, line, value, 'text');
    const out: Response = { question_id, text, line };
    if (typeof value.answer_id === 'string') out.answer_id = value.answer_id;
    if (typeof value.model_id === 'string') out.model_id = value.model_id;
    if ('metadata' in value) out.metadata = value.metadata;
    return out;
  });
}

export function loadApiDb(dir: string, hub: Hub): ApiRecord[] {
  return loadApiDbFile(apiDbPath(dir, hub));
}
export function loadEval(dir: string, hub: Hub): EvalRecord[] {
  return loadEvalFile(evalPath(dir, hub));
}
export function loadQuestions(dir: string, hub: Hub): Question[] {
  return loadQuestionsFile(questionsPath(dir, hub));
}

/**
 * Checks that every response names a question of the eval file (1 ≤ question_id ≤ eval length). The Gorilla
 * scripts index `qa_pairs[question_id - 1]` unchecked, so 0 would silently read the LAST question and a
 * too-large id would crash; we refuse both with the offending line instead.
 */
export function checkResponsesAgainstEval(file: string, responses: Response[], evalRecords: EvalRecord[]): void {
  for (const r of responses) {
    if (r.question_id > evalRecords.length) {
      throw inputError(file, r.line, `question_id ${r.question_id} is beyond the eval file (${evalRecords.length} questions)`);
    }
  }
}

