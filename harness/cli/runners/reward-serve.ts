/**
 * `apieval reward serve`: the harness's scorers as an HTTP reward on 127.0.0.1 (never another address), in the
 * protocol `apieval train ppo --reward http://…` speaks:
 *
 *   POST /score  {"samples": [{"prompt", "completion", "question_id"}, …]}
 *             → {"scores": [float, …], "terms": {"rm:DIR": […], "ast:gorilla": […]}}   (same order)
 *   GET  /health → {"ok": true, "reward": ["0.5*rm:DIR", "0.5*ast:gorilla"], "requests": n, "samples": n}
 *
 * A malformed request is a 400 with {"error": "…"} (one line) and the server goes on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../../core/errors.js';
import { parseHub } from '../../datasets/apibench.js';
import { BadSample, parseRewardTerm, RewardSum, ScorerUnavailable, type RewardSample } from '../../reward/reward-sum.js';

export interface RewardServeOptions {
  reward: string[];
  port: number;
  hub: string;
  dataDir?: string;
  threads?: number;
  batchSize: number;
  maxBodyMb: number;
  profile?: string;
  image?: string;
  timeoutS?: number;
  memoryMb?: number;
  concurrency?: number;
}

class BadRequest extends Error {}

function parseSamples(body: string): RewardSample[] {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    throw new BadRequest(`the body is not JSON (${(e as Error).message})`);
  }
  const samples = (v as { samples?: unknown } | null)?.samples;
  if (!Array.isArray(samples)) throw new BadRequest('expected {"samples": [{"prompt", "completion", "question_id"}, ...]}');
  return samples.map((s: unknown, i) => {
    const o = s as Record<string, unknown> | null;
    if (!o || typeof o !== 'object') throw new BadRequest(`sample ${i}: expected an object`);
    if (typeof o.prompt !== 'string' || typeof o.completion !== 'string') throw new BadRequest(`sample ${i}: 'prompt' and 'completion' must be strings`);
    const q = o.question_id ?? null;
    if (q !== null && !(typeof q === 'number' && Number.isInteger(q))) throw new BadRequest(`sample ${i}: 'question_id' must be an integer or null`);
    return { prompt: o.prompt, completion: o.completion, question_id: q as number | null };
  });
}

function parseProfile(p: string | undefined): 'base' | 'ml' | 'hub' | undefined {
  if (p === undefined || p === 'base' || p === 'ml' || p === 'hub') return p;
  throw new UserError(`--profile must be base, ml or hub, got '${p}'`);
}

export async function runRewardServe(o: RewardServeOptions): Promise<void> {
  const port = o.port!;
  const maxBody = o.maxBodyMb! * 1024 * 1024;
  const reward = await RewardSum.load(o.reward.map(parseRewardTerm), {
    dataDir: o.dataDir,
    hub: parseHub(o.hub),
    threads: o.threads,
    batchSize: o.batchSize!,
    exec: {
      profile: parseProfile(o.profile),
      image: o.image,
      timeoutS: o.timeoutS,
      memoryMb: o.memoryMb,
      concurrency: o.concurrency,
    },
  });
  let requests = 0;
  let scored = 0;
  // One batch at a time: onnxruntime uses every core already, and the order of answers stays the order of requests.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { ok: true, reward: reward.description, signatures: reward.signatures, requests, samples: scored });
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/score') return send(res, 404, { error: 'POST /score or GET /health' });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) {
        send(res, 413, { error: `the body is over --max-body-mb (${maxBody / 1024 / 1024} MiB)` });
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (size > maxBody) return;
      queue = queue.then(async () => {
        try {
          const samples = parseSamples(Buffer.concat(chunks).toString('utf8'));
          const r = await reward.score(samples);
          requests++;
          scored += samples.length;
          send(res, 200, r);
        } catch (e) {
          if (e instanceof BadRequest || e instanceof BadSample) send(res, 400, { error: e.message });
          else if (e instanceof ScorerUnavailable) send(res, 503, { error: e.message });
          else send(res, 500, { error: `internal error: ${(e as Error).message.split('\n')[0]}` });
        }
      });
    });
  };
  const server = createServer(handle);
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => fail(new UserError(`--port ${port}: cannot listen on 127.0.0.1 (${e.code ?? e.message})`)));
    server.listen(port, '127.0.0.1', ok);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
  process.stdout.write(`reward serve: ${reward.description.join(' + ')} on ${url}\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      server.close(() => done());
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
