/**
 * The judge `apieval rlaif` starts for itself when its config says `"judge": "bundled"`: an OpenAI-compatible
 * server on 127.0.0.1 (chat and completions) that answers every rubric question Yes or No, deterministically, by
 * a hash of the prompt (two thirds Yes). It stands in for a real judge so the whole loop runs on a machine with no
 * model and no network; its labels carry NO information about code quality, so a reward model trained on them
 * learns nothing real. For results, point `feedback.judge` at a real endpoint.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

function decide(prompt: string): boolean {
  return createHash('sha256').update(prompt).digest()[0] % 3 !== 0;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export class BundledJudge {
  requests = 0;
  private constructor(private readonly server: Server, readonly url: string) {}

  static async start(): Promise<BundledJudge> {
    let judge: BundledJudge | undefined;
    const server = createServer((req, res) => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      void readBody(req).then((text) => {
        const path = (req.url ?? '').replace(/\?.*$/, '');
        if (req.method === 'GET' && path === '/v1/models') return reply(200, { object: 'list', data: [{ id: 'bundled-judge', object: 'model' }] });
        if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/v1/completions')) return reply(404, { error: { message: `no route ${req.method} ${path}` } });
        let body: { messages?: { content?: string }[]; prompt?: string; model?: string };
        try {
          body = JSON.parse(text);
        } catch {
          return reply(400, { error: { message: 'body is not JSON' } });
        }
        judge!.requests++;
        const chat = path === '/v1/chat/completions';
        const prompt = chat ? (body.messages ?? []).map((m) => m.content ?? '').join('\n') : String(body.prompt ?? '');
        const answer = decide(prompt) ? 'Yes' : 'No';
        const usage = { prompt_tokens: Math.ceil(prompt.length / 4), completion_tokens: 1, total_tokens: Math.ceil(prompt.length / 4) + 1 };
        const base = { id: `judge-${judge!.requests}`, created: 0, model: body.model ?? 'bundled-judge', usage };
        if (chat) return reply(200, { ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop', logprobs: null }] });
        return reply(200, { ...base, object: 'text_completion', choices: [{ index: 0, text: ` ${answer}`, finish_reason: 'stop', logprobs: null }] });
      }, () => reply(400, { error: { message: 'unreadable body' } }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    judge = new BundledJudge(server, `http://127.0.0.1:${port}/v1`);
    return judge;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
