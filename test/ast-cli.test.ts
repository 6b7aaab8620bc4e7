import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { REPO, runCli } from './helpers/cli.js';
import { readJsonlAll } from '../core/jsonl.js';
import { responsesPath } from '../harness/datasets/apibench.js';
import type { GoldenAstRecord as GoldenRecord } from './helpers/golden-ast.js';

// Run `npx tsc -p tsconfig.build.json` first (npm test does it in pretest).

const MINI = resolve(REPO, 'fixtures/apibench-mini');
const MINI_RESPONSES = join(MINI, 'responses/huggingface/response_huggingface_demo.jsonl');
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-ast-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

describe('apieval ast-match reproduces the golden data through the CLI', () => {
  let golden: GoldenRecord[] = [];
  beforeAll(async () => {
    golden = await readJsonlAll<GoldenRecord>(sharedPath('golden', 'ast_gorilla_modern_grammar_variant.jsonl.gz'));
  });

  it('every record and the totals of every golden response file', () => {
    const files = [...new Set(golden.map((g) => g.file))];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const out = join(dir, `${file}.jsonl`);
      const r = runCli(['ast-match', '--data-dir', APIBENCH, '--responses', responsesPath(APIBENCH, 'huggingface', file), '--output', out]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const want = golden.filter((g) => g.file === file && !g.type);
      expect(rows.length).toBe(want.length);
      const bad: string[] = [];
      want.forEach((g, i) => {
        const row = rows[i];
        expect(Object.keys(row)).toEqual(['question_id', 'api_call', 'database_index', 'correct', 'hallucination', 'matched_api_name', 'matched_domain', 'question_domain']);
        for (const k of ['question_id', 'api_call', 'database_index', 'correct', 'hallucination', 'matched_api_name', 'matched_domain', 'question_domain'] as const) {
          if (row[k] !== g[k]) bad.push(`${file}#${i} ${k}`);
        }
      });
      expect(bad).toEqual([]);
      const totals = golden.find((g) => g.file === file && g.type === 'totals')!;
      const t = lastJson(r.stdout);
      expect(t.n).toBe(904);
      expect(t.accuracy).toBe(totals.final_functionality_accuracy);
      expect(t.hallucination).toBe(totals.final_hallucination);
      expect(t.error).toBeCloseTo(1 - totals.final_functionality_accuracy - totals.final_hallucination, 12);
      expect(t.signature).toBe('ast|v:gorilla-ast_eval_hf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla');
    }
  });

  it('--variant strict and --by-domain', () => {
    const out = join(dir, 'strict.jsonl');
    const r = runCli(['ast-match', '--data-dir', APIBENCH, '--responses', responsesPath(APIBENCH, 'huggingface', 'Gorilla_FT_0_shot'), '--output', out, '--variant', 'strict', '--by-domain']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const totals = lines.pop();
    expect(totals).toMatchObject({ n: 904, hallucination: 99 / 904, signature: 'ast|v:gorilla-ast_eval_hf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:strict' });
    // Derived independently of the matcher: Python's verdicts (golden, on this grammar) that are correct and whose
    // matched database entry's api_call is the eval record's own api_data.api_call, character for character.
    const goldenVerdicts = gunzipSync(readFileSync(sharedPath('golden', 'ast_gorilla_modern_grammar_variant.jsonl.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    const evalLines = readFileSync(join(APIBENCH, 'huggingface_eval.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const strictCorrect = goldenVerdicts.filter((g) => g.file === 'Gorilla_FT_0_shot' && g.type !== 'totals' && g.correct === true && g.matched_api_call === evalLines[g.question_id - 1].api_data.api_call).length;
    expect(strictCorrect).toBeGreaterThan(100);
    expect(totals.accuracy).toBe(strictCorrect / 904);
    // 39 question domains: the API database has 40, 'Multimodal Document Question Answering' has no question
    expect(lines).toHaveLength(39);
    expect(lines.reduce((s, d) => s + d.n, 0)).toBe(904);
    expect(lines.reduce((s, d) => s + d.correct, 0)).toBe(strictCorrect);
    expect(lines.map((d) => d.domain)).toEqual([...lines.map((d) => d.domain)].sort());
  });
});

describe('apieval ast-match inputs and errors', () => {
  it('the fixture demo: explicit files, hub inferred from the file names', () => {
    const out = join(dir, 'mini.jsonl');
    const r = runCli(['ast-match', '--api-db', join(MINI, 'huggingface_api.jsonl'), '--eval', join(MINI, 'huggingface_eval.json'), '--responses', MINI_RESPONSES, '--output', out]);
    expect(r.status).toBe(0);
    expect(lastJson(r.stdout)).toEqual({ n: 3, accuracy: 1 / 3, hallucination: 1 / 3, error: 1 / 3, signature: 'ast|v:gorilla-ast_eval_hf-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla' });
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.question_id, x.database_index, x.correct, x.hallucination])).toEqual([
      [1, 0, true, false],
      [2, -1, false, true],
      [3, 3, false, false],
    ]);
  });

  it('APIEVAL_DATA_DIR stands in for --data-dir', () => {
    const r = runCli(['ast-match', '--responses', MINI_RESPONSES, '--output', join(dir, 'env.jsonl')], { env: { APIEVAL_DATA_DIR: MINI } });
    expect(r.status).toBe(0);
    expect(lastJson(r.stdout).n).toBe(3);
  });

  it('--hub selects the script (torchhub: no api_call is neither correct nor hallucinated)', () => {
    const th = runCli(['ast-match', '--data-dir', APIBENCH, '--hub', 'torchhub', '--responses', responsesPath(APIBENCH, 'torchhub', 'Gorilla_RT_0_shot'), '--output', join(dir, 'th.jsonl')]);
    expect(th.status).toBe(0);
    expect(lastJson(th.stdout)).toMatchObject({ n: 186, accuracy: 0, hallucination: 0, error: 1, signature: 'ast|v:gorilla-ast_eval_th-6ea5797|grammar:tree-sitter-python-0.23.6|variant:gorilla' });
    // inferred from the responses file name
    const tf = runCli(['ast-match', '--data-dir', APIBENCH, '--responses', responsesPath(APIBENCH, 'tensorflowhub', 'Gorilla_FT_0_shot'), '--output', join(dir, 'tf.jsonl')]);
    expect(tf.status).toBe(0);
    expect(lastJson(tf.stdout)).toMatchObject({ n: 685, accuracy: 575 / 685, hallucination: 36 / 685 });
  });

  it('a malformed response line is one file:line message, exit 2, no stack trace', () => {
    const p = join(dir, 'bad.jsonl');
    writeFileSync(p, '{"question_id": 1, "text": "x"}\n{"question_id": 2, "text": 7}\n');
    const r = runCli(['ast-match', '--data-dir', MINI, '--responses', p, '--output', join(dir, 'o.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`apieval: ${p}:2: field 'text' must be a string (got 7)\n`);
  });

  it('a question_id beyond the eval file, a lone surrogate, a bad variant', () => {
    const p = join(dir, 'beyond.jsonl');
    writeFileSync(p, '{"question_id": 9, "text": "x"}\n');
    const r = runCli(['ast-match', '--data-dir', MINI, '--responses', p, '--output', join(dir, 'o.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`apieval: ${p}:1: question_id 9 is beyond the eval file (3 questions)\n`);
    const s = join(dir, 'surrogate.jsonl');
    writeFileSync(s, '{"question_id": 1, "text": "ok"}\n{"question_id": 1, "text": "api_call: f(\\ud800) api_provider"}\n');
    const r2 = runCli(['ast-match', '--data-dir', MINI, '--responses', s, '--output', join(dir, 'o.jsonl')]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(new RegExp(`^apieval: ${s}:2: UnicodeEncodeError`));
    const r3 = runCli(['ast-match', '--data-dir', MINI, '--responses', MINI_RESPONSES, '--output', join(dir, 'o.jsonl'), '--variant', 'loose']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/--variant.*loose.*(gorilla|choices)/);
    const r4 = runCli(['ast-match', '--data-dir', MINI, '--responses', MINI_RESPONSES, '--output', join(dir, 'o.jsonl'), '--hub', 'pypi']);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toBe("apieval: unknown hub 'pypi' (expected huggingface, torchhub or tensorflowhub)\n");
  });

  it('an output path that cannot be written is a one-line error', () => {
    const parentIsFile = join(dir, 'a-file');
    writeFileSync(parentIsFile, '');
    const r = runCli(['ast-match', '--data-dir', MINI, '--responses', MINI_RESPONSES, '--output', join(parentIsFile, 'out.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^apieval: ${join(parentIsFile, 'out.jsonl')}: cannot write \\(`));
  });

  it('missing required options exit 2', () => {
    expect(runCli(['ast-match', '--output', join(dir, 'o.jsonl')]).status).toBe(2);
  });
});
