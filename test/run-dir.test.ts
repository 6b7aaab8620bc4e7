/**
 * The run directory module (harness/runs/run-dir.ts): what it reads is validated against its schema, so a
 * damaged or foreign file is one line naming the file, the line and the field (exit 2); as a cache, a line
 * that is valid JSON but not a sample record is recomputed and the finished run is byte-identical to an
 * undamaged one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEval } from '../harness/runs/run.js';
import { ftEvalOptions } from './helpers/eval-options.js';
import { runCli } from './helpers/cli.js';
import { APIBENCH } from './helpers/shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'apieval-rundir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ids = Array.from({ length: 10 }, (_, i) => i + 1);
const questions = { spec: 'first 10', label: 'questions 1–10', ids };

describe('run directory', () => {
  const clean = join(tmp, 'clean');
  it('a schema-invalid cached sample is recomputed; the run ends byte-identical', async () => {
    await runEval(ftEvalOptions(clean, { jobs: 1, questions }));
    const damaged = join(tmp, 'damaged');
    cpSync(clean, damaged, { recursive: true });
    const lines = readFileSync(join(damaged, 'samples.jsonl'), 'utf8').trim().split('\n');
    const third = JSON.parse(lines[2]);
    lines[2] = JSON.stringify({ ...third, run: 'one' }); // valid JSON, not a sample record
    lines[5] = JSON.stringify({ ...JSON.parse(lines[5]), metrics: 7 });
    writeFileSync(join(damaged, 'samples.jsonl'), lines.join('\n') + '\n');
    const r = await runEval(ftEvalOptions(damaged, { jobs: 1, questions }));
    expect(r.computed).toBe(2);
    for (const f of ['samples.jsonl', 'summary.json']) expect(readFileSync(join(damaged, f), 'utf8'), f).toBe(readFileSync(join(clean, f), 'utf8'));
  }, 120_000);

  it('the leaderboard names the file, line and field of a bad sample or manifest', () => {
    const bad = join(tmp, 'bad');
    cpSync(clean, bad, { recursive: true });
    const lines = readFileSync(join(bad, 'samples.jsonl'), 'utf8').trim().split('\n');
    lines[3] = JSON.stringify({ ...JSON.parse(lines[3]), question_id: 4.5 });
    writeFileSync(join(bad, 'samples.jsonl'), lines.join('\n') + '\n');
    let r = runCli(['leaderboard', bad, '--out', join(tmp, 'lb1')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^apieval: .*bad\/samples\.jsonl:4: not a sample record \(question_id: .*int.*\)\n$/);

    cpSync(join(clean, 'samples.jsonl'), join(bad, 'samples.jsonl'));
    const m = JSON.parse(readFileSync(join(clean, 'manifest.json'), 'utf8'));
    writeFileSync(join(bad, 'manifest.json'), JSON.stringify({ ...m, config: { ...m.config, seed: 'x' } }));
    r = runCli(['leaderboard', bad, '--out', join(tmp, 'lb2')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^apieval: .*bad\/manifest\.json: not an apieval run manifest \(config\.seed: .*number.*\); .*\n$/);

    writeFileSync(join(bad, 'manifest.json'), JSON.stringify({ ...m, schema_version: 9 }));
    r = runCli(['leaderboard', bad, '--out', join(tmp, 'lb3')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/manifest\.json: run schema_version 9, this apieval reads and writes 1/);

    // And an eval into it refuses it the same way, before writing anything.
    r = runCli(['eval', '--hub', 'huggingface', '--data-dir', APIBENCH, '--gorilla-responses', '--no-exec', '--out', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/manifest\.json: run schema_version 9, .*; use another --out folder\n$/);
  }, 120_000);
});
