/**
 * The model ids the hub image accepts (harness/datasets/hub-model-ids.ts): the ids APIBench's HF API database
 * and eval references name, in each way they name them, plus a user's file, whose bad lines are one-line
 * `file:line:` errors.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubModelIds, modelIdsIn, readModelIdFile } from '../harness/datasets/hub-model-ids.js';
import { loadApiDb, loadEval } from '../harness/datasets/apibench.js';
import { APIBENCH } from './helpers/shared.js';
import { runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'apieval-ids-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('hub model ids', () => {
  it('finds ids in each form code names them', () => {
    const found = modelIdsIn("AutoModel.from_pretrained('org/a')\npipeline('ner', model=\"org/b\")\npipeline('fill-mask', 'c-base')\ncheckpoint = 'org/d'\nx = 'path/to/file.txt'");
    expect(new Set(found)).toEqual(new Set(['org/a', 'org/b', 'c-base', 'org/d'])); // not the path
  });
  it("APIBench's API database names and eval references, and a user's file", () => {
    const file = join(tmp, 'ids.txt');
    writeFileSync(file, '# mine\nme/my-model\n\nother-model  # trailing comment\n');
    const ids = hubModelIds(loadApiDb(APIBENCH, 'huggingface'), loadEval(APIBENCH, 'huggingface'), readModelIdFile(file));
    // api_name of the first API record, and the model the first eval reference loads.
    expect(ids).toContain('YituTech/conv-bert-base');
    expect(ids).toContain('princeton-nlp/unsup-simcse-roberta-base');
    expect(ids).toContain('me/my-model');
    expect(ids).toContain('other-model');
    expect(ids).toEqual([...new Set(ids)].sort());
  });
  it('a bad line of --model-ids is a one-line file:line error', () => {
    const file = join(tmp, 'bad.txt');
    writeFileSync(file, 'ok/model\nnot a model id\n');
    expect(() => readModelIdFile(file)).toThrow(`${file}:2: not a model id: "not a model id" (expected name or org/name)`);
    const r = runCli(['sandbox', 'build', '--profile', 'hub', '--data-dir', APIBENCH, '--model-ids', file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`apieval: ${file}:2: not a model id: "not a model id" (expected name or org/name)`);
  });
});
