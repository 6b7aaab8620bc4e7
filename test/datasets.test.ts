import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { REPO } from './helpers/cli.js';
import {
  checkResponsesAgainstEval,
  GORILLA_MODELS,
  HUBS,
  loadApiDb,
  loadApiDbFile,
  loadEval,
  loadEvalFile,
  loadQuestions,
  loadResponses,
  parseHub,
  responsesPath,
} from '../harness/datasets/apibench.js';
import { cacheDir, DATA_FILES, fetchData, GORILLA_COMMIT, resolveDataDir, selectFiles, sha256Hex, verifyDataDir } from '../harness/datasets/source.js';
import { UserError } from '../core/errors.js';

const MINI = resolve(REPO, 'fixtures/apibench-mini');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'apieval-ds-'));
}
function errorOf(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('APIBench loaders on the real files', () => {
  it('loads the three hubs with the documented sizes and shapes', () => {
    sharedPath('apibench');
    const sizes: Record<string, [number, number, number]> = {
      huggingface: [936, 911, 904],
      torchhub: [94, 186, 186],
      tensorflowhub: [696, 688, 685],
    };
    for (const hub of HUBS) {
      const db = loadApiDb(APIBENCH, hub);
      const ev = loadEval(APIBENCH, hub);
      const qs = loadQuestions(APIBENCH, hub);
      expect([db.length, ev.length, qs.length]).toEqual(sizes[hub]);
      for (const r of db) expect(typeof r.api_call).toBe('string');
      ev.forEach((e, i) => {
        expect(e.index).toBe(i);
        expect(e.questionId).toBe(i + 1);
        expect(e.domain).toBe(e.api_data.domain);
        expect(e.api_call).toBe(e.api_data.api_call);
      });
      // question_id is a 1-based index into the eval file
      for (const q of qs) expect(q.question_id).toBeLessThanOrEqual(ev.length);
    }
    // torchhub_eval.json has no final newline: the last record must not be lost
    expect(loadEval(APIBENCH, 'torchhub')).toHaveLength(186);
  });

  it('HF has 40 domains and referenceCode is the text after <<<code>>> without its colon', () => {
    const db = loadApiDb(APIBENCH, 'huggingface');
    expect(new Set(db.map((r) => r.domain)).size).toBe(40);
    const ev = loadEval(APIBENCH, 'huggingface');
    expect(ev.filter((e) => e.referenceCode === undefined)).toHaveLength(23);
    expect(ev[0].referenceCode).toBe(
      " from transformers import AutoTokenizer, AutoModel\ntokenizer = AutoTokenizer.from_pretrained('princeton-nlp/unsup-simcse-roberta-base')\nmodel = AutoModel.from_pretrained('princeton-nlp/unsup-simcse-roberta-base')\n",
    );
  });

  it('loads every Gorilla response file with line numbers', () => {
    for (const hub of HUBS) {
      for (const model of GORILLA_MODELS) {
        const rs = loadResponses(responsesPath(APIBENCH, hub, model));
        expect(rs.length).toBe(hub === 'huggingface' ? 904 : hub === 'torchhub' ? 186 : 685);
        expect(rs[0].line).toBe(1);
        expect(rs[rs.length - 1].line).toBe(rs.length);
        expect(typeof rs[0].answer_id).toBe('string');
      }
    }
  });

  it('parses hub names and aliases, and rejects unknown ones', () => {
    expect(parseHub('HF')).toBe('huggingface');
    expect(parseHub('tensorflow')).toBe('tensorflowhub');
    expect(parseHub('th')).toBe('torchhub');
    expect(() => parseHub('pypi')).toThrow(/unknown hub 'pypi'/);
  });
});

describe('malformed inputs are file:line errors', () => {
  const dir = tmp();
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the line of invalid JSON', () => {
    const p = write('bad.jsonl', '{"question_id": 1, "text": "a"}\n{"question_id": 2, "text": \n');
    expect(errorOf(() => loadResponses(p)).message).toMatch(new RegExp(`^${p}:2: not valid JSON`));
  });
  it('rejects missing or mistyped fields', () => {
    const p1 = write('r1.jsonl', '{"question_id": 1}\n');
    expect(errorOf(() => loadResponses(p1)).message).toBe(`${p1}:1: field 'text' must be a string (got nothing)`);
    const p2 = write('r2.jsonl', '\n{"question_id": 0, "text": "x"}\n');
    expect(errorOf(() => loadResponses(p2)).message).toBe(`${p2}:2: field 'question_id' must be a positive integer (got 0)`);
    const p3 = write('r3.jsonl', '{"question_id": "3", "text": "x"}\n');
    expect(errorOf(() => loadResponses(p3)).message).toMatch(/:1: field 'question_id' must be a positive integer \(got "3"\)/);
    const p4 = write('db.jsonl', '{"domain": "d", "api_name": "n", "api_call": "f(1)"}\n{"domain": "d", "api_name": "n", "api_call": 5}\n');
    expect(errorOf(() => loadApiDbFile(p4)).message).toBe(`${p4}:2: field 'api_call' must be a string (got 5)`);
    const p5 = write('ev.json', '{"code": "c", "api_call": "f()", "provider": "p", "api_data": []}\n');
    expect(errorOf(() => loadEvalFile(p5)).message).toBe(`${p5}:1: field 'api_data' must be an object`);
    const p6 = write('ev2.json', '{"code": "c", "api_call": "f()", "provider": "p", "api_data": {"api_name": "n", "api_call": "f()"}}\n');
    expect(errorOf(() => loadEvalFile(p6)).message).toBe(`${p6}:1: field 'api_data.domain' must be a string (got nothing)`);
  });
  it('rejects a JSON array line, an empty file and a missing file', () => {
    const p = write('arr.jsonl', '[1,2]\n');
    expect(errorOf(() => loadResponses(p)).message).toBe(`${p}:1: expected a JSON object`);
    const e = write('empty.jsonl', '\n\n');
    expect(errorOf(() => loadResponses(e)).message).toMatch(/is empty/);
    expect(errorOf(() => loadResponses(join(dir, 'nope.jsonl'))).message).toMatch(/no such file/);
  });
  it('refuses a question_id beyond the eval file (the script would crash or read the wrong row)', () => {
    const ev = loadEval(MINI, 'huggingface');
    const p = write('r.jsonl', '{"question_id": 1, "text": "a"}\n{"question_id": 4, "text": "b"}\n');
    expect(errorOf(() => checkResponsesAgainstEval(p, loadResponses(p), ev)).message).toBe(`${p}:2: question_id 4 is beyond the eval file (3 questions)`);
  });
});

describe('pinned source: checksums, data dir resolution, download', () => {
  it('pins every file of ../shared/apibench by sha256, at one commit', () => {
    expect(GORILLA_COMMIT).toBe('6ea57973c7a6097fd7c5915698c54c17c5b1b6c8');
    expect(DATA_FILES).toHaveLength(33);
    const results = verifyDataDir(APIBENCH, { responses: true });
    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(selectFiles()).toHaveLength(9);
    expect(selectFiles({ hubs: ['torchhub'], responses: true })).toHaveLength(11);
  });

  it('verify reports missing and altered files', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'torchhub_api.jsonl'), 'not the real file\n');
    const res = verifyDataDir(dir, { hubs: ['torchhub'] });
    expect(res.map((r) => [r.file.local, r.status])).toEqual([
      ['torchhub_eval.json', 'missing'],
      ['torchhub_api.jsonl', 'mismatch'],
      ['questions/questions_torchhub_0_shot.jsonl', 'missing'],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves --data-dir before APIEVAL_DATA_DIR before the cache', async () => {
    const env = { APIEVAL_DATA_DIR: MINI, XDG_CACHE_HOME: '/nonexistent-cache' };
    expect(await resolveDataDir({ dataDir: APIBENCH, env })).toBe(APIBENCH);
    expect(await resolveDataDir({ env })).toBe(MINI);
    await expect(resolveDataDir({ dataDir: '/no/such/dir', env })).rejects.toThrow('--data-dir /no/such/dir: no such directory');
    await expect(resolveDataDir({ env: { APIEVAL_DATA_DIR: '/no/such/dir' } })).rejects.toThrow('APIEVAL_DATA_DIR /no/such/dir: no such directory');
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe(`/x/cache/apieval/apibench/${GORILLA_COMMIT}`);
  });

  describe('against a real HTTP server on 127.0.0.1', () => {
    let server: Server;
    let base = '';
    const requests: string[] = [];
    const corrupt = new Set<string>();
    beforeAll(async () => {
      // Serves ../shared/apibench under the upstream repository paths, as raw.githubusercontent.com would.
      const byUpstream = new Map(DATA_FILES.map((f) => [`/${f.upstream}`, join(APIBENCH, f.local)]));
      server = createServer((req, res) => {
        const path = decodeURIComponent(req.url ?? '');
        requests.push(path);
        const local = byUpstream.get(path);
        if (!local) {
          res.writeHead(404).end('not found');
          return;
        }
        const body = readFileSync(local);
        if (corrupt.has(path)) body[0] ^= 1;
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address();
      if (addr === null || typeof addr === 'string') throw new Error('no address');
      base = `http://127.0.0.1:${addr.port}/`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('downloads missing files once into the cache, checksum-verified', async () => {
      const cache = tmp();
      const env = { XDG_CACHE_HOME: cache, APIEVAL_DATA_URL: base };
      requests.length = 0;
      const dir = await resolveDataDir({ env, hubs: ['torchhub'] });
      expect(dir).toBe(join(cache, 'apieval/apibench', GORILLA_COMMIT));
      expect(requests.sort()).toEqual(['/data/api/torchhub_api.jsonl', '/data/apibench/torchhub_eval.json', '/gorilla/eval/eval-data/questions/torchhub/questions_torchhub_0_shot.jsonl']);
      expect(verifyDataDir(dir, { hubs: ['torchhub'] }).every((r) => r.status === 'ok')).toBe(true);
      expect(loadEval(dir, 'torchhub')).toHaveLength(186);
      // second call: nothing fetched again
      requests.length = 0;
      await resolveDataDir({ env, hubs: ['torchhub'] });
      expect(requests).toEqual([]);
      // no temporary files left behind
      expect(readdirSync(dir).filter((n) => n.includes('.part'))).toEqual([]);
      rmSync(cache, { recursive: true, force: true });
    });

    it('refuses a file whose sha256 differs and keeps nothing of it', async () => {
      const cache = tmp();
      corrupt.add('/data/api/tensorflowhub_api.jsonl');
      try {
        const p = resolveDataDir({ env: { XDG_CACHE_HOME: cache, APIEVAL_DATA_URL: base }, hubs: ['tensorflowhub'] });
        await expect(p).rejects.toThrow(/^checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/data\/api\/tensorflowhub_api\.jsonl: expected sha256 bed9819b/);
        const dir = join(cache, 'apieval/apibench', GORILLA_COMMIT);
        expect(existsSync(join(dir, 'tensorflowhub_api.jsonl'))).toBe(false);
        const left = existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
        expect(left.filter((n) => n.includes('.part'))).toEqual([]);
      } finally {
        corrupt.clear();
        rmSync(cache, { recursive: true, force: true });
      }
    });

    it('an HTTP error names the URL and how to provide the data', async () => {
      const cache = tmp();
      const p = fetchData({ hubs: ['huggingface'] }, { dir: cache, base: `${base}wrong-prefix` });
      await expect(p).rejects.toThrow(/cannot download http:\/\/127\.0\.0\.1:\d+\/wrong-prefix\/data\/apibench\/huggingface_eval\.json: HTTP 404 .*--data-dir DIR or APIEVAL_DATA_DIR=DIR, or run 'apieval data fetch'/);
      rmSync(cache, { recursive: true, force: true });
    });
  });

  it('offline (connection refused): one message saying how to provide the data', async () => {
    // A port that was just free and is now closed: the fetch fails like an offline machine's.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const cache = tmp();
    const err = await resolveDataDir({ env: { XDG_CACHE_HOME: cache, APIEVAL_DATA_URL: `http://127.0.0.1:${port}` } }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/^APIBench data is not available offline \(downloading http:\/\/127\.0\.0\.1:\d+\/data\/apibench\/huggingface_eval\.json failed: ECONNREFUSED\); provide a local copy of the Gorilla APIBench files with --data-dir DIR or APIEVAL_DATA_DIR=DIR, or run 'apieval data fetch' once while online$/);
    expect(err.message.split('\n')).toHaveLength(1);
    rmSync(cache, { recursive: true, force: true });
  });

  it('sha256Hex is the standard digest', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('fetchData into an explicit directory creates sub-folders', async () => {
    const dir = tmp();
    const sub = join(dir, 'nested');
    mkdirSync(sub);
    // everything already present: nothing to download, no network needed
    for (const f of selectFiles({ hubs: ['torchhub'] })) {
      mkdirSync(join(sub, f.local, '..'), { recursive: true });
      writeFileSync(join(sub, f.local), readFileSync(join(APIBENCH, f.local)));
    }
    const seen: string[] = [];
    await fetchData({ hubs: ['torchhub'] }, { dir: sub, base: 'http://127.0.0.1:1', onFile: (f, s) => seen.push(`${s}:${f.local}`) });
    expect(seen.every((s) => s.startsWith('present:'))).toBe(true);
    rmSync(dir, { recursive: true, force: true });
  });
});
