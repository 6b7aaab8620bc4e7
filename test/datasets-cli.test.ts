import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIBENCH } from './helpers/shared.js';
import { runCli, runCliAsync as runCliAsyncIn } from './helpers/cli.js';

// The CLI runs in a child process, asynchronously, so this process's HTTP server can answer.
const runCliAsync = (args: string[], env: NodeJS.ProcessEnv) => runCliAsyncIn(args, { env });

import { DATA_FILES, GORILLA_COMMIT } from '../harness/datasets/source.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apieval-data-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('apieval data', () => {
  it('verify: every pinned file of ../shared/apibench is intact', () => {
    const r = runCli(['data', 'verify', '--data-dir', APIBENCH, '--responses']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('ok '))).toHaveLength(33);
    expect(JSON.parse(lines[lines.length - 1])).toEqual({ dir: APIBENCH, files: 33, ok: 33, bad: 0 });
  });

  it('verify: a changed or missing file exits 1 and says which', () => {
    const d = mkdtempSync(join(dir, 'v-'));
    copyFileSync(join(APIBENCH, 'torchhub_eval.json'), join(d, 'torchhub_eval.json'));
    writeFileSync(join(d, 'torchhub_api.jsonl'), readFileSync(join(APIBENCH, 'torchhub_api.jsonl'), 'utf8').replace('slow_r50', 'slow_r51'));
    const r = runCli(['data', 'verify', '--data-dir', d, '--hub', 'torchhub']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^ok {7}torchhub_eval\.json$/m);
    expect(r.stdout).toMatch(/^mismatch torchhub_api\.jsonl \(sha256 [0-9a-f]{64}, expected 30c762a4/m);
    expect(r.stdout).toMatch(/^missing {2}questions\/questions_torchhub_0_shot\.jsonl$/m);
  });

  it('path: --data-dir, then APIEVAL_DATA_DIR, then the cache', () => {
    expect(runCli(['data', 'path', '--data-dir', APIBENCH], { env: { APIEVAL_DATA_DIR: '/elsewhere' } }).stdout.trim()).toBe(APIBENCH);
    expect(runCli(['data', 'path'], { env: { APIEVAL_DATA_DIR: '/elsewhere' } }).stdout.trim()).toBe('/elsewhere');
    expect(runCli(['data', 'path'], { env: { APIEVAL_DATA_DIR: '', XDG_CACHE_HOME: '/c' } }).stdout.trim()).toBe(`/c/apieval/apibench/${GORILLA_COMMIT}`);
  });

  describe('fetch from a 127.0.0.1 mirror', () => {
    let server: Server;
    let base = '';
    beforeAll(async () => {
      const byUpstream = new Map(DATA_FILES.map((f) => [`/${f.upstream}`, join(APIBENCH, f.local)]));
      server = createServer((req, res) => {
        const local = byUpstream.get(req.url ?? '');
        if (!local) return void res.writeHead(404).end();
        res.writeHead(200).end(readFileSync(local));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads into the cache once, then ast-match runs from the cache without --data-dir', async () => {
      const env = { XDG_CACHE_HOME: join(dir, 'cache'), APIEVAL_DATA_URL: base, APIEVAL_DATA_DIR: '' };
      const r = await runCliAsync(['data', 'fetch', '--hub', 'huggingface', '--responses'], env);
      expect(r.status).toBe(0);
      const cache = join(dir, 'cache/apieval/apibench', GORILLA_COMMIT);
      expect(JSON.parse(r.stdout.trim())).toEqual({ dir: cache, downloaded: 11, present: 0 });
      const again = await runCliAsync(['data', 'fetch', '--hub', 'huggingface'], env);
      expect(JSON.parse(again.stdout.trim())).toEqual({ dir: cache, downloaded: 0, present: 3 });
      const v = runCli(['data', 'verify', '--hub', 'hf', '--responses'], { env });
      expect(v.status).toBe(0);
      const m = await runCliAsync(['ast-match', '--responses', join(cache, 'responses/huggingface/response_huggingface_Gorilla_RT_0_shot.jsonl'), '--output', join(dir, 'rt.jsonl')], env);
      expect(m.status).toBe(0);
      expect(JSON.parse(m.stdout.trim().split('\n').pop()!)).toMatchObject({ n: 904, accuracy: 809 / 904, hallucination: 58 / 904 });
    });

    it('offline with no local copy: one line saying how to provide the data, exit 2', async () => {
      // a port that was just free and is now closed: connections are refused, as on a machine offline
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as { port: number }).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const env = { XDG_CACHE_HOME: join(dir, 'cache-offline'), APIEVAL_DATA_URL: `http://127.0.0.1:${port}`, APIEVAL_DATA_DIR: '' };
      const r = await runCliAsync(['ast-match', '--responses', join(APIBENCH, 'responses/huggingface/response_huggingface_Gorilla_FT_0_shot.jsonl'), '--output', join(dir, 'x.jsonl')], env);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^apieval: APIBench data is not available offline \(downloading http:\/\/127\.0\.0\.1:\d+\/data\/apibench\/huggingface_eval\.json failed: ECONNREFUSED\); provide a local copy .* --data-dir DIR or APIEVAL_DATA_DIR=DIR, or run 'apieval data fetch' once while online\n$/);
    });
  });
});
