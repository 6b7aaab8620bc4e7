/**
 * The model ids the `hub` sandbox profile's `from_pretrained` / `pipeline(model=…)` accept (issue 13): every id
 * the APIBench HF API database names (its `api_name`, and the ids in its `api_call` and `example_code`) and
 * every id an eval reference loads, plus a user's own list. Written into the image when it is built.
 */
import { readFileSync } from 'node:fs';
import { inputError } from '../../core/errors.js';
import type { ApiRecord, EvalRecord } from './apibench.js';

/** `from_pretrained('org/model')`, `model='org/model'`, `pipeline('task', 'org/model')`. */
const ID_CALLS = [
  /from_pretrained\(\s*(?:pretrained_model_name_or_path\s*=\s*)?['"]([^'"]+)['"]/g,
  /\bmodel\s*=\s*['"]([^'"]+)['"]/g,
  /pipeline\(\s*['"][^'"]+['"]\s*,\s*['"]([^'"]+)['"]/g,
];
/** An id given to a variable first (`model_name = 'org/model'` … `from_pretrained(model_name)`). */
const ASSIGNED_ID = /\b\w*(?:model|checkpoint|repo|ckpt)\w*\s*=\s*['"]([A-Za-z0-9][\w.-]*\/[\w.-]+)['"]/gi;
const LOOKS_LIKE_ID = /^[A-Za-z0-9][\w.-]*(\/[\w.-]+)?$/;

/** The model ids a text names. */
export function modelIdsIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(ASSIGNED_ID)) out.push(m[1]);
  for (const re of ID_CALLS) for (const m of text.matchAll(re)) if (LOOKS_LIKE_ID.test(m[1])) out.push(m[1]);
  return out;
}

/** One id per line (`#` starts a comment); every bad line is a `file:line:` error. */
export function readModelIdFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw inputError(file, undefined, `cannot read (${(e as Error).message})`);
  }
  const ids: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    if (!LOOKS_LIKE_ID.test(line)) throw inputError(file, i + 1, `not a model id: ${JSON.stringify(line)} (expected name or org/name)`);
    ids.push(line);
  });
  return ids;
}

export function hubModelIds(apiDb: readonly ApiRecord[], evalRecords: readonly EvalRecord[], extra: readonly string[] = []): string[] {
  const ids = new Set<string>(extra);
  for (const r of apiDb) {
    if (typeof r.api_name === 'string' && LOOKS_LIKE_ID.test(r.api_name)) ids.add(r.api_name);
    for (const id of modelIdsIn(String(r.api_call ?? ''))) ids.add(id);
    for (const id of modelIdsIn(String(r.example_code ?? ''))) ids.add(id);
  }
  for (const r of evalRecords) if (r.referenceCode) for (const id of modelIdsIn(r.referenceCode)) ids.add(id);
  return [...ids].sort();
}
