/**
 * Lossless reads of the APIBench API database and eval split, for prompt building only.
 *
 * WHY a second reader beside harness/datasets/apibench.ts: prompts must embed Python's rendering of each
 * record (`str(dict)`, `json.dumps`), which depends on key order and int/float distinctions that
 * `JSON.parse` destroys (see pyvalue.ts). The datasets loaders remain the source of truth for everything
 * else (questions, validation); this module only re-reads the same lines with the lossless parser.
 */
import { existsSync } from 'node:fs';
import { inputError, UserError } from '../../core/errors.js';
import { apiDbPath, evalPath, type Hub } from '../datasets/apibench.js';
import { parsePyJson, pyGet, pyRepr, pyJsonDumps, type PyValue } from './pyvalue.js';
import { readTextFile } from '../../core/jsonl.js';

export type { Hub };

function rawLines(file: string): { text: string; line: number }[] {
  if (!existsSync(file)) throw new UserError(`${file}: no such file`);
  const out: { text: string; line: number }[] = [];
  readTextFile(file)
    .split('\n')
    .forEach((t, i) => {
      const text = t.replace(/\r$/, '');
      if (text.trim() !== '') out.push({ text, line: i + 1 });
    });
  if (out.length === 0) throw inputError(file, undefined, 'is empty (no JSON records)');
  return out;
}

function parseLine(file: string, l: { text: string; line: number }): PyValue {
  try {
    return parsePyJson(l.text);
  } catch (e) {
    throw inputError(file, l.line, `not valid JSON (${(e as Error).message})`);
  }
}

export interface ApiDoc {
  /** 0-based position in the API file (non-blank lines), the BM25 corpus index. */
  index: number;
  value: PyValue;
  /** Python `str(record)`: the BM25 document text and the retrieved page_content. */
  docStr: string;
}

export function readApiDocs(dir: string, hub: Hub): ApiDoc[] {
  const file = apiDbPath(dir, hub);
  return rawLines(file).map((l, index) => {
    const value = parseLine(file, l);
    if (value.t !== 'dict') throw inputError(file, l.line, 'expected a JSON object');
    return { index, value, docStr: pyRepr(value) };
  });
}

export interface EvalApiData {
  /** 0-based eval index (question_id - 1). */
  index: number;
  /** json.dumps(api_data), as the oracle prompt embeds it. */
  apiDataJson: string;
  /** str(api_data), for the chat style's reference doc. */
  apiDataStr: string;
}

export function readEvalApiData(dir: string, hub: Hub): EvalApiData[] {
  const file = evalPath(dir, hub);
  return rawLines(file).map((l, index) => {
    const value = parseLine(file, l);
    const api = pyGet(value, 'api_data');
    if (!api || api.t !== 'dict') throw inputError(file, l.line, "missing object field 'api_data'");
    return { index, apiDataJson: pyJsonDumps(api), apiDataStr: pyRepr(api) };
  });
}
