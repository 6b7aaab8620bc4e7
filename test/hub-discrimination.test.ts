/**
 * The hub discrimination corpus generator (sandbox/hub/discrimination.py) on a reference written for this test:
 * each kind of mutation changes exactly what it says, only in code that runs, and carries its expected outcome;
 * and each broken program really fails in the emulation with that outcome's exception while each rewrite still
 * runs (the hub runtime under the Debian python3; the sandbox classes ImportError as import_error, NameError as
 * name_error, AttributeError as attribute_error, anything else raised as runtime_error).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO } from './helpers/cli.js';

const PYTHON = process.env.APIEVAL_PYTHON ?? '/usr/bin/python3';
const tmp = mkdtempSync(join(tmpdir(), 'apieval-disc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const REFERENCE = [
  'from transformers import AutoTokenizer, pipeline',
  'import torch',
  "tokenizer = AutoTokenizer.from_pretrained('bert-base-uncased')",
  "classifier = pipeline('sentiment-analysis', model='bert-base-uncased')",
  "text = 'I love it'",
  'ids = tokenizer.encode(text)',
  'result = classifier(text)',
  '',
  'def unused():',
  '    return undefined_inside_a_function',
  '',
].join('\n');

const EXPECTED_EXCEPTION: Record<string, string> = { import_error: 'ImportError', name_error: 'NameError', attribute_error: 'AttributeError' };

describe('hub discrimination corpus', () => {
  it('every kind, its expected outcome, and the emulation agreeing', () => {
    const refs = join(tmp, 'refs.jsonl');
    const ok = join(tmp, 'ok.txt');
    writeFileSync(refs, JSON.stringify({ qid: 7, code: REFERENCE }) + '\n' + JSON.stringify({ qid: 8, code: 'print(1)\n' }) + '\n');
    writeFileSync(ok, '7\n');
    const r = spawnSync(PYTHON, [resolve(REPO, 'sandbox/hub/discrimination.py'), refs, ok], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const corpus = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; qid: number; kind: string; expected: string; split: string; code: string });
    // Only the reference that ran ok; odd question ids are held out.
    expect(new Set(corpus.map((c) => c.qid))).toEqual(new Set([7]));
    expect(new Set(corpus.map((c) => c.split))).toEqual(new Set(['heldout']));
    const byKind = Object.fromEntries(corpus.map((c) => [c.kind, c]));
    expect(Object.keys(byKind).sort()).toEqual(['attribute', 'comments', 'import_name', 'missing_import', 'misspelled_class', 'model_id', 'reformatted', 'renamed', 'reordered', 'task', 'undefined_variable']);
    expect(Object.fromEntries(corpus.map((c) => [c.kind, c.expected]))).toEqual({
      import_name: 'import_error', misspelled_class: 'name_error', task: 'runtime_error', attribute: 'attribute_error', model_id: 'runtime_error',
      undefined_variable: 'name_error', missing_import: 'name_error', comments: 'ok', renamed: 'ok', reordered: 'ok', reformatted: 'ok',
    });
    expect(byKind.task.code).toContain("pipeline('sentiment-analysis-classifier'");
    expect(byKind.model_id.code).toMatch(/'bert-base-uncased-apieval-no-such-model'/);
    expect(byKind.reordered.code.split('\n').slice(0, 2)).toEqual(['import torch', 'from transformers import AutoTokenizer, pipeline']);
    // Mutations never land in the function body that never runs.
    for (const c of corpus.filter((x) => x.expected !== 'ok')) expect(c.code).toContain('    return undefined_inside_a_function');

    // Run every program in the emulation and compare its ending with the expected outcome.
    const probe = spawnSync(PYTHON, [resolve(REPO, 'test/helpers/hub_probe.py')], {
      input: JSON.stringify(corpus.map((c) => c.code)),
      encoding: 'utf8',
      cwd: tmp,
      env: { ...process.env, PYTHONPATH: resolve(REPO, 'sandbox/hub/runtime'), APIEVAL_HUB_MODEL_IDS: writeIds() },
    });
    expect(probe.status, probe.stderr).toBe(0);
    const outcomes = JSON.parse(probe.stdout) as { ok: boolean; type?: string }[];
    corpus.forEach((c, i) => {
      const o = outcomes[i];
      if (c.expected === 'ok') expect(o.ok, `${c.kind}: ${o.type}`).toBe(true);
      else if (EXPECTED_EXCEPTION[c.expected]) expect(o.type, c.kind).toBe(EXPECTED_EXCEPTION[c.expected]);
      else expect(o.ok === false && !Object.values(EXPECTED_EXCEPTION).includes(o.type!), `${c.kind}: ${o.type}`).toBe(true);
    });
  });
});

function writeIds(): string {
  const f = join(tmp, 'ids.txt');
  writeFileSync(f, 'bert-base-uncased\n');
  return f;
}
