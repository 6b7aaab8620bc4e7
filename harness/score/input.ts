/**
 * Reads and validates `apieval score` input: JSON Lines of `{"id", "reference": string | string[],
 * "prediction": string}`. Every problem is a one-line `file:line: message` UserError (exit 2) raised
 * before anything is computed or written.
 */
import { inputName, readJsonl } from '../../core/jsonl.js';
import { inputError } from '../../core/errors.js';

export interface ScoreItem {
  /** The id as given (string or number), echoed in the output. */
  id: string | number;
  references: string[];
  /** True when the input gave a list (ROUGE then uses score_multi, as HF evaluate does). */
  multi: boolean;
  prediction: string;
  line: number;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

export function readScoreInput(path: string): ScoreItem[] {
  const rows = readJsonl<Record<string, unknown>>(path);
  const file = inputName(path);
  const seen = new Map<string, number>();
  const items: ScoreItem[] = [];
  for (const { value, line } of rows) {
    if (!('id' in value)) throw inputError(file, line, 'missing field "id"');
    const rawId = value.id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') throw inputError(file, line, `"id" must be a string or a number, got ${describe(rawId)}`);
    const id = String(rawId);
    const first = seen.get(id);
    if (first !== undefined) throw inputError(file, line, `duplicate id ${JSON.stringify(id)} (first on line ${first})`);
    seen.set(id, line);
    if (!('reference' in value)) throw inputError(file, line, 'missing field "reference"');
    if (!('prediction' in value)) throw inputError(file, line, 'missing field "prediction"');
    const ref = value.reference;
    let references: string[];
    let multi = false;
    if (typeof ref === 'string') references = [ref];
    else if (Array.isArray(ref)) {
      if (ref.length === 0) throw inputError(file, line, '"reference" is an empty array (need at least one reference)');
      const bad = ref.findIndex((r) => typeof r !== 'string');
      if (bad >= 0) throw inputError(file, line, `"reference"[${bad}] must be a string, got ${describe(ref[bad])}`);
      references = ref as string[];
      multi = true;
    } else throw inputError(file, line, `"reference" must be a string or an array of strings, got ${describe(ref)}`);
    const pred = value.prediction;
    if (typeof pred !== 'string') throw inputError(file, line, `"prediction" must be a string, got ${describe(pred)}`);
    items.push({ id: rawId, references, multi, prediction: pred, line });
  }
  return items;
}
