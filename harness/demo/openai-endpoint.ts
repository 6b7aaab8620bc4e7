/**
 * A real OpenAI-compatible HTTP server on 127.0.0.1 (node:http, ephemeral port) for tests and the README
 * demo. It speaks POST /v1/chat/completions and /v1/completions, answers deterministically from the prompt
 * (so reruns and caches can be checked), and injects failures on chosen request numbers: 429 with
 * retry-after, 500, a hang past any client timeout, a malformed (truncated JSON) body, and 400.
 *
 * Answers:
 * - generation prompts get a Gorilla-format answer; when the prompt carries an API document (BM25/oracle)
 *   the answer calls that document's api_call, otherwise a made-up call derived from the prompt hash;
 * - judge prompts (containing "Answer Yes or No") get a yes/no answer in one of several surface forms
 *   (Yes / yes. / **No** / Answer: yes / {"answer": "no"}), chosen and decided by the prompt hash; with
 *   logprobs requested, the answer token carries a top-logprob list with both "Yes" and "No".
 *
 * Run it as `apieval demo-endpoint --port 8011` (harness/cli/commands/demo-endpoint.ts): a user can try
 * `generate` and `feedback` with no provider, and the tests use it as a real HTTP server on 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { once } from 'node:events';

export type Fault = { kind: '429'; retryAfter?: string; retryAfterMs?: string } | { kind: '500' } | { kind: 'hang' } | { kind: 'malformed' } | { kind: '400' };

export interface FakeOptions {
  /** Fault to inject on the k-th POST (1-based, counting every completion request the server receives). */
  faults?: Record<number, Fault>;
  /** Delay every answer by this many milliseconds (to interrupt a run mid-way). */
  delayMs?: number;
  /** Answer with at most this many choices whatever n says (a server that ignores n). */
  maxChoices?: number;
  /** Refuse `max_tokens` on chat requests as OpenAI does for its o1/o3 models (400, "Use 'max_completion_tokens' instead."). */
  rejectMaxTokens?: boolean;
}

export interface FakeStats {
  requests: number;
  byPath: Record<string, number>;
  bodies: unknown[];
}

function h(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

const YES_FORMS = ['Yes', 'yes.', '**Yes**', 'Answer: yes', '{"answer": "yes"}', 'Yes, it does.'];
const NO_FORMS = ['No', 'no.', '**No**', 'Answer: no', '{"answer": "no"}', 'No, it does not.'];

/** The deterministic judge decision for a prompt: answer, surface form, and P(answer). */
export function judgeAnswer(prompt: string): { yes: boolean; text: string; p: number } {
  const d = h(prompt);
  const yes = d[0] % 3 !== 0; // two thirds yes
  const forms = yes ? YES_FORMS : NO_FORMS;
  const text = forms[d[1] % forms.length];
  const p = 0.55 + (d[2] / 255) * 0.44;
  return { yes, text, p };
}

/** The api_call of the first API document in a prompt (Python-repr or JSON form), if any. */
export function docApiCall(prompt: string): string | undefined {
  const m = /\\?['"]api_call\\?['"]: (?:\\?'((?:[^'\\]|\\.)*?)\\?'|"((?:[^"\\]|\\.)*)")/.exec(prompt);
  if (!m) return undefined;
  return (m[1] ?? m[2]).replace(/\\(['"\\])/g, '$1');
}

export function generationAnswer(prompt: string, variant: string): string {
  const d = h(prompt + '\u0000' + variant).toString('hex');
  const call = docApiCall(prompt) ?? `pipeline('text-classification', model='fake/model-${d.slice(0, 6)}')`;
  return (
    `<<<domain>>>: Natural Language Processing Text Classification\n<<<api_call>>>: ${call}\n<<<api_provider>>>: Hugging Face Transformers\n` +
    `<<<explanation>>>: 1. Import the library. 2. Load the model (${d.slice(6, 12)}).\n<<<code>>>: from transformers import pipeline\nmodel = ${call}`
  );
}

function promptOf(path: string, body: Record<string, unknown>): string {
  if (path.endsWith('/chat/completions')) {
    const msgs = Array.isArray(body.messages) ? (body.messages as { role: string; content: string }[]) : [];
    return msgs.map((m) => `${m.role}: ${m.content}`).join('\n');
  }
  return typeof body.prompt === 'string' ? body.prompt : JSON.stringify(body.prompt);
}

function tokens(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function chatLogprobs(text: string, judge: { yes: boolean; p: number } | undefined, top: number): unknown {
  return {
    content: tokens(text).map((tok) => {
      const isAnswer = judge !== undefined && /^[^A-Za-z]*(yes|no)\b/i.test(tok);
      const lp = isAnswer ? Math.log(judge!.p) : -0.01;
      // Like the real APIs, the chosen token itself heads its list of alternatives.
      const alts = isAnswer
        ? [
            { token: tok, logprob: Math.log(judge!.p), bytes: null },
            { token: judge!.yes ? ' No' : ' Yes', logprob: Math.log(1 - judge!.p), bytes: null },
          ]
        : [{ token: tok, logprob: -0.01, bytes: null }];
      return { token: tok, logprob: lp, bytes: null, top_logprobs: alts.slice(0, Math.max(top, isAnswer ? 2 : 1)) };
    }),
  };
}

function completionLogprobs(text: string, judge: { yes: boolean; p: number } | undefined): unknown {
  const toks = tokens(text);
  let offset = 0;
  const text_offset: number[] = [];
  const token_logprobs: number[] = [];
  const top_logprobs: Record<string, number>[] = [];
  for (const tok of toks) {
    text_offset.push(offset);
    offset += tok.length;
    const isAnswer = judge !== undefined && /^[^A-Za-z]*(yes|no)\b/i.test(tok);
    if (isAnswer) {
      token_logprobs.push(Math.log(judge!.p));
      top_logprobs.push({ [tok]: Math.log(judge!.p), [judge!.yes ? ' No' : ' Yes']: Math.log(1 - judge!.p) });
    } else {
      token_logprobs.push(-0.01);
      top_logprobs.push({ [tok]: -0.01 });
    }
  }
  return { tokens: toks, token_logprobs, top_logprobs, text_offset };
}

export class FakeOpenAI {
  readonly stats: FakeStats = { requests: 0, byPath: {}, bodies: [] };
  private server: Server;
  private hung: ServerResponse[] = [];
  url = '';

  constructor(public opts: FakeOptions = {}) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(port = 0): Promise<string> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    const addr = this.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no address');
    this.url = `http://127.0.0.1:${addr.port}/v1`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    // Control endpoints (used when the server runs in its own process).
    if (req.method === 'GET' && path === '/__stats') return send(200, { requests: this.stats.requests, byPath: this.stats.byPath });
    if (req.method === 'POST' && path === '/__faults') {
      const b = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as FakeOptions;
      this.opts = { ...this.opts, ...b };
      return send(200, { ok: true });
    }
    if (req.method === 'GET' && path.endsWith('/models')) return send(200, { object: 'list', data: [{ id: 'fake-model', object: 'model' }] });
    if (req.method !== 'POST' || !(path.endsWith('/chat/completions') || path.endsWith('/completions'))) {
      return send(404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    }
    const k = ++this.stats.requests;
    this.stats.byPath[path] = (this.stats.byPath[path] ?? 0) + 1;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return send(400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
    }
    this.stats.bodies.push(body);
    if (this.opts.rejectMaxTokens && path.endsWith('/chat/completions') && 'max_tokens' in body) {
      // OpenAI's reply, verbatim, for an o1/o3 model asked with max_tokens.
      return send(400, { error: { message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", type: 'invalid_request_error', param: 'max_tokens', code: 'unsupported_parameter' } });
    }
    const fault = this.opts.faults?.[k];
    if (fault) {
      switch (fault.kind) {
        case '429': {
          const headers: Record<string, string> = {};
          if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
          if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = fault.retryAfterMs;
          return send(429, { error: { message: 'Rate limit reached', type: 'rate_limit_error' } }, headers);
        }
        case '500':
          return send(500, { error: { message: 'The server had an error', type: 'server_error' } });
        case '400':
          return send(400, { error: { message: 'bad request (injected)', type: 'invalid_request_error' } });
        case 'hang':
          this.hung.push(res); // never answered; the client's timeout must fire
          return;
        case 'malformed':
          return send(200, '{"id": "cmpl-x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assis');
      }
    }
    if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
    const chat = path.endsWith('/chat/completions');
    const prompt = promptOf(path, body);
    const isJudge = prompt.includes('Answer Yes or No');
    const n = Math.min(typeof body.n === 'number' ? body.n : 1, this.opts.maxChoices ?? Infinity);
    const wantLogprobs = chat ? body.logprobs === true : typeof body.logprobs === 'number';
    const top = chat ? (typeof body.top_logprobs === 'number' ? body.top_logprobs : 0) : typeof body.logprobs === 'number' ? body.logprobs : 0;
    const texts: string[] = [];
    const choices = Array.from({ length: n }, (_, i) => {
      const variant = `${body.seed ?? ''}|${body.temperature ?? ''}|${i}`;
      const judge = isJudge ? judgeAnswer(prompt) : undefined;
      const text = judge ? judge.text : generationAnswer(prompt, variant);
      texts.push(text);
      const logprobs = wantLogprobs ? (chat ? chatLogprobs(text, judge, top) : completionLogprobs(text, judge)) : null;
      return chat
        ? { index: i, message: { role: 'assistant', content: text }, logprobs, finish_reason: 'stop' }
        : { index: i, text, logprobs, finish_reason: 'stop' };
    });
    const promptTokens = prompt.split(/\s+/).filter(Boolean).length;
    const completionTokens = texts.reduce((a, t) => a + t.split(/\s+/).filter(Boolean).length, 0);
    send(200, {
      id: `cmpl-${k}`,
      object: chat ? 'chat.completion' : 'text_completion',
      created: 1700000000,
      model: typeof body.model === 'string' ? body.model : 'fake-model',
      choices,
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }
}

export async function startFakeOpenAI(opts: FakeOptions = {}): Promise<FakeOpenAI> {
  const s = new FakeOpenAI(opts);
  await s.listen();
  return s;
}

