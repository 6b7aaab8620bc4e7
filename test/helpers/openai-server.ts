/**
 * The demo OpenAI-compatible endpoint (harness/demo/openai-endpoint.ts) for tests: in this process, or in
 * its own process through the CLI (`apieval demo-endpoint`), for tests that run the CLI with spawnSync.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { resolve } from 'node:path';
import { once } from 'node:events';
import type { FakeOptions } from '../../harness/demo/openai-endpoint.js';

export * from '../../harness/demo/openai-endpoint.js';

/** The same server in its own process, for tests that run the CLI with spawnSync (which blocks this one). */
export class FakeOpenAIProcess {
  private constructor(readonly child: ChildProcess, readonly url: string) {}

  static async start(opts: FakeOptions = {}): Promise<FakeOpenAIProcess> {
    const repo = resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, [resolve(repo, 'bin/apieval.js'), 'demo-endpoint', '--port', '0', '--options', JSON.stringify(opts)], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    const url = await new Promise<string>((res, rej) => {
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString('utf8');
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) res(m[1]);
      });
      child.on('exit', (code) => rej(new Error(`fake server exited (${code}): ${out}`)));
    });
    return new FakeOpenAIProcess(child, url);
  }

  private origin(): string {
    return this.url.replace(/\/v1$/, '');
  }

  /** Control requests use a fresh connection each (agent: false): a pooled keep-alive socket can be closed by the server between calls. */
  private control(method: 'GET' | 'POST', path: string, body?: string): Promise<string> {
    return new Promise((res, rej) => {
      const req = httpRequest(`${this.origin()}${path}`, { method, agent: false }, (r) => {
        let t = '';
        r.on('data', (c: Buffer) => (t += c.toString('utf8')));
        r.on('end', () => res(t));
      });
      req.on('error', rej);
      req.end(body);
    });
  }

  async stats(): Promise<{ requests: number; byPath: Record<string, number> }> {
    return JSON.parse(await this.control('GET', '/__stats')) as { requests: number; byPath: Record<string, number> };
  }

  async setOptions(opts: FakeOptions): Promise<void> {
    await this.control('POST', '/__faults', JSON.stringify(opts));
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}
