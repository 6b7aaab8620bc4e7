/**
 * The judge's rubric: binary yes/no questions, each asked separately so every answer (and its P(yes)) is
 * attributable to one question. Loaded from an editable JSON file (fixtures/rubric/default.json).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { sha256 } from './cache.js';
import { readTextFile } from '../../core/jsonl.js';
import { packageFile } from '../../core/package-files.js';

export interface RubricQuestion {
  id: string;
  text: string;
}

export interface Rubric {
  name: string;
  version: number | string;
  system: string;
  template: string;
  questions: RubricQuestion[];
  /** sha256 of the file's bytes, recorded with every labelled set. */
  sha256: string;
  file: string;
}

/** The default rubric ships in the package (`files` includes fixtures/). */
export function defaultRubricPath(): string {
  const p = packageFile('fixtures/rubric/default.json');
  if (p) return p;
  throw new UserError('default rubric fixtures/rubric/default.json not found; pass --rubric FILE');
}

export function loadRubric(file?: string): Rubric {
  const path = file ?? defaultRubricPath();
  if (!existsSync(path)) throw new UserError(`${path}: no such file`);
  const text = readTextFile(path);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const o = v as Record<string, unknown>;
  const bad = (m: string): never => {
    throw new UserError(`${path}: ${m}`);
  };
  if (!o || typeof o !== 'object' || Array.isArray(o)) bad('expected a JSON object');
  if (typeof o.template !== 'string') bad("'template' must be a string");
  const template = o.template as string;
  for (const ph of ['{completion}', '{question}']) if (!template.includes(ph)) bad(`'template' must contain ${ph}`);
  if (o.system !== undefined && typeof o.system !== 'string') bad("'system' must be a string");
  if (!Array.isArray(o.questions) || o.questions.length === 0) bad("'questions' must be a non-empty array");
  const ids = new Set<string>();
  const questions = (o.questions as unknown[]).map((q, i) => {
    const qq = q as Record<string, unknown>;
    if (!qq || typeof qq.id !== 'string' || qq.id === '' || typeof qq.text !== 'string' || qq.text.trim() === '') bad(`questions[${i}] must be {"id": "...", "text": "..."}`);
    if (ids.has(qq.id as string)) bad(`questions[${i}]: id '${qq.id}' is repeated`);
    ids.add(qq.id as string);
    return { id: qq.id as string, text: qq.text as string };
  });
  return {
    name: typeof o.name === 'string' ? o.name : 'custom',
    version: typeof o.version === 'number' || typeof o.version === 'string' ? o.version : 1,
    system: (o.system as string | undefined) ?? '',
    template,
    questions,
    sha256: sha256(text),
    file: path,
  };
}

export function fillTemplate(template: string, vars: { instruction: string; completion: string; question: string }): string {
  // One pass, so a completion that happens to contain "{question}" is not expanded.
  return template.replace(/\{(instruction|completion|question)\}/g, (_, k: keyof typeof vars) => vars[k]);
}
