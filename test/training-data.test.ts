// What the trainers learn from: the seeded holdout split (checked against numpy's RandomState permutation,
// which the split documents), the prompt/completion cut, and the training split's download, verified by git
// blob id (checked against `git hash-object`) from a real HTTP server on 127.0.0.1.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvalFile } from '../harness/datasets/apibench.js';
import { buildTrainingSet, gitBlobSha1, parseSplit, promptFor, resolveTrainFile, splitAtOutput } from '../harness/datasets/training-data.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';

describe('training data', () => {
  it('parses --split', () => {
    expect(parseSplit('train')).toEqual({ kind: 'train' });
    expect(parseSplit('holdout:0.9')).toEqual({ kind: 'holdout', fraction: 0.9, seed: 0 });
    expect(parseSplit('holdout:.8:7')).toEqual({ kind: 'holdout', fraction: 0.8, seed: 7 });
    for (const bad of ['holdout', 'holdout:1', 'holdout:0', 'holdout:1.5', 'holdout:0.9:x', 'test']) expect(() => parseSplit(bad), bad).toThrow(/--split/);
  });

  it('holdout:0.9 is numpy RandomState(0).permutation: first 90% train, the rest evaluate', async () => {
    sharedPath('apibench');
    const set = await buildTrainingSet({ dataDir: APIBENCH, hub: 'huggingface', split: parseSplit('holdout:0.9:3'), validationFraction: 0.05, seed: 0 });
    const r = spawnSync('/usr/bin/python3', ['-c', 'import numpy, json; p = numpy.random.RandomState(3).permutation(911); print(json.dumps([sorted(int(i) + 1 for i in p[:819]), sorted(int(i) + 1 for i in p[819:])]))'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [train, held] = JSON.parse(r.stdout) as [number[], number[]];
    expect(set.split.train_question_ids).toEqual(train);
    expect(set.split.eval_question_ids).toEqual(held);
    // Every example comes from a training question; the validation slice is disjoint from the training one.
    const trainIds = new Set(train);
    expect([...set.train, ...set.validation].every((e) => trainIds.has(e.question_id!))).toBe(true);
    const val = new Set(set.validation.map((e) => e.id));
    expect(set.train.some((e) => val.has(e.id))).toBe(false);
    expect(set.train.length + set.validation.length + set.skipped.length).toBe(819);
  });

  it('cuts a record after its ###Output: (or ### Output:) marker; an instruction alone gets the marker for its prompt', () => {
    expect(splitAtOutput('###Instruction: x\n###Output: <<<domain>>>: y')).toEqual({ prompt: '###Instruction: x\n###Output:', completion: ' <<<domain>>>: y' });
    expect(splitAtOutput('### Instruction: x\n### Output: z')).toEqual({ prompt: '### Instruction: x\n### Output:', completion: ' z' });
    expect(splitAtOutput('###Instruction: only')).toBeUndefined();
    const records = loadEvalFile(sharedPath('apibench', 'huggingface_eval.json'));
    const alone = records.filter((r) => splitAtOutput(r.code) === undefined);
    expect(alone.map((r) => r.questionId)).toEqual([339, 414, 425, 800]);
    expect(promptFor(alone[0])).toMatch(/^###Instruction: .*\n###Output:$/s);
    for (const r of records.slice(0, 50)) expect(r.code.startsWith(promptFor(r))).toBe(true);
  });

  it('git blob ids equal `git hash-object`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apieval-blob-'));
    for (const [name, body] of [['empty', ''], ['text', '{"code": "###Instruction: x"}\n'], ['bin', '\u0000\u00ff\n\r']] as const) {
      const f = join(dir, name);
      writeFileSync(f, body, 'latin1');
      expect(gitBlobSha1(readFileSync(f)), name).toBe(execFileSync('git', ['hash-object', f], { encoding: 'utf8' }).trim());
    }
  });

  describe('the training split download', () => {
    let server: Server;
    let base: string;
    let hits = 0;
    const body = Buffer.from('{"code": "###Instruction: a\\n###Output: b"}\n');
    beforeAll(async () => {
      server = createServer((req, res) => {
        hits++;
        if (req.url?.endsWith('/data/apibench/huggingface_train.json')) res.end(body);
        else res.writeHead(404).end();
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}/repo`;
    });
    afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

    it('is saved to the cache only when its git blob matches, then read from there', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'apieval-cache-'));
      const data = mkdtempSync(join(tmpdir(), 'apieval-data-'));
      const env = { XDG_CACHE_HOME: cache, APIEVAL_DATA_URL: base };
      await expect(resolveTrainFile(data, { env })).rejects.toThrow(/git blob [0-9a-f]{40}, expected 1416879c69acbd5db06cdf7f59240ae0c06e0bf5; not saved/);
      const blob = gitBlobSha1(body);
      const p = await resolveTrainFile(data, { env, gitBlob: blob });
      expect(readFileSync(p)).toEqual(body);
      const before = hits;
      expect(await resolveTrainFile(data, { env, gitBlob: blob })).toBe(p);
      expect(hits).toBe(before);
      // A wrong file in the data folder is refused, named.
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'huggingface_train.json'), 'x');
      await expect(resolveTrainFile(data, { env, gitBlob: blob })).rejects.toThrow(/huggingface_train\.json: not Gorilla's pinned training split/);
    });

    it('offline: says how to provide it or to train on a holdout', async () => {
      const env = { XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'apieval-cache-')), APIEVAL_DATA_URL: 'http://127.0.0.1:9/none' };
      await expect(resolveTrainFile(mkdtempSync(join(tmpdir(), 'apieval-data-')), { env })).rejects.toThrow(/training split is not available .*--split holdout:0\.9/);
      expect(existsSync(join(env.XDG_CACHE_HOME, 'apieval'))).toBe(false);
    });
  });
});
