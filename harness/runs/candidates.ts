/**
 * Candidate sources of `apieval eval`: named checkpoints, each with one file per repeated run. A file is
 * a Gorilla response file or a plain predictions JSONL — both are `{"question_id", "text"}` per line
 * (extra fields ignored), `text` being the raw model output in Gorilla's format.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Hub } from '../datasets/apibench.js';
import type { CandidateSpec } from './types.js';

/** Parses `NAME=FILE[,FILE...]`. */
export function parseCandidate(spec: string): CandidateSpec {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UserError(`--candidate '${spec}': expected NAME=FILE[,FILE...]`);
  const name = spec.slice(0, eq).trim();
  const files = spec
    .slice(eq + 1)
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  if (name === '') throw new UserError(`--candidate '${spec}': empty checkpoint name`);
  if (files.length === 0) throw new UserError(`--candidate '${spec}': no file given for ${name}`);
  for (const f of files) {
    if (!existsSync(f)) throw new UserError(`--candidate ${name}: ${f}: no such file`);
    if (!statSync(f).isFile()) throw new UserError(`--candidate ${name}: ${f}: not a file`);
  }
  return { name, files: files.map((f) => resolve(f)) };
}

/**
 * Every Gorilla response file of a hub in DIR as one checkpoint each: `response_<hub>_<NAME>.jsonl` becomes
 * checkpoint NAME (e.g. Gorilla_FT_0_shot), sorted by name.
 */
export function gorillaResponseCandidates(dir: string, hub: Hub): CandidateSpec[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--gorilla-responses ${dir}: no such directory`);
  const prefix = `response_${hub}_`;
  const files = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jsonl'))
    .sort();
  if (files.length === 0) throw new UserError(`--gorilla-responses ${dir}: no ${prefix}*.jsonl file there`);
  return files.map((f) => ({ name: basename(f, '.jsonl').slice(prefix.length), files: [resolve(join(dir, f))] }));
}

export function checkUniqueNames(cands: CandidateSpec[]): void {
  const seen = new Set<string>();
  for (const c of cands) {
    if (seen.has(c.name)) throw new UserError(`checkpoint name '${c.name}' is given twice (several files of one checkpoint go in one --candidate NAME=A,B,C)`);
    seen.add(c.name);
  }
}
