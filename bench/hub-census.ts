/**
 * Census of the APIBench HF reference programs (issue 13, the `hub` sandbox profile): writes the programs the
 * gold gate runs (eval `code` after `<<<code>>>`, as harness/runs/execute.ts prepares them) as JSON Lines
 * and counts, with sandbox/hub/census.py (Python's own `ast`), what they import and call.
 *
 *   node --import tsx bench/hub-census.ts [--data-dir ../shared/apibench] [--out /tmp/hub-census.json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEval } from '../harness/datasets/apibench.js';
import { executableProgram } from '../harness/runs/suite.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const dataDir = arg('--data-dir', resolve(import.meta.dirname, '../../shared/apibench'));
const out = arg('--out', '/tmp/hub-census.json');
const python = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';

const records = loadEval(dataDir, 'huggingface');
const programs = records.filter((r) => r.referenceCode !== undefined).map((r) => ({ qid: r.questionId, code: executableProgram(r.referenceCode!) }));
const tmp = mkdtempSync(join(tmpdir(), 'hub-census-'));
try {
  const file = join(tmp, 'references.jsonl');
  writeFileSync(file, programs.map((p) => JSON.stringify(p)).join('\n') + '\n');
  const r = spawnSync(python, [resolve(import.meta.dirname, '../sandbox/hub/census.py'), file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`census.py failed: ${r.stderr}`);
  writeFileSync(out, r.stdout);
  const c = JSON.parse(r.stdout) as { programs: number; syntax_errors: unknown[]; modules: [string, number][] };
  console.log(`${records.length} HF eval records, ${c.programs} with a reference program, ${c.syntax_errors.length} of them not valid Python; wrote ${out}`);
  console.log('programs importing each top-level module:', c.modules.slice(0, 25).map(([m, n]) => `${m} ${n}`).join(', '));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
