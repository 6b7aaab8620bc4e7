// `apieval reward serve --reward exec` against the real sandbox: the exec term is 1 exactly when `apieval exec`
// says `ok` for the program `eval` would execute (the code after <<<code>>>, leading whitespace removed), weighted
// terms add up, /health names the sandbox's signature, and an engine problem at start is one line.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractResponse } from '../harness/datasets/extract.js';
import { executableProgram } from '../harness/runs/suite.js';
import { REPO, runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const COMPLETIONS = [
  '<<<domain>>>: x, <<<api_call>>>: print(1), <<<code>>>: print(sum(range(10)))',
  "<<<code>>>: raise ValueError('no')",
  '<<<code>>>: def f(:\n  pass',
  '<<<code>>>: import sys\nsys.exit(3)',
  '<<<code>>>: x = undefined_name + 1',
  '<<<code>>>: import json\nprint(json.dumps({"a": [1, 2]}))',
  'no code here at all',
];

describe.skipIf(SKIP_DOCKER)('reward serve: the exec term', () => {
  beforeAll(async () => {
    sharedPath('apibench');
    await requireSandbox('base');
  }, 120_000);

  it("scores 1 exactly where apieval exec says ok, adds weighted terms, and names the sandbox's signature", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apieval-exec-reward-'));
    // What apieval exec says of the same programs.
    const input = join(dir, 'programs.jsonl');
    writeFileSync(input, COMPLETIONS.map((c, i) => JSON.stringify({ id: `p${i}`, code: executableProgram(extractResponse(c, 'huggingface').predictionCode) })).join('\n') + '\n');
    const ex = runCli(['exec', '--input', input, '--output', join(dir, 'exec.jsonl')]);
    expect(ex.status, ex.stderr).toBe(0);
    const statuses = readFileSync(join(dir, 'exec.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).status as string);
    // Known by construction: the first and the sixth run to completion, the others do not.
    expect(statuses.map((s) => s === 'ok')).toEqual([true, false, false, false, false, true, false]);

    const child = spawn(process.execPath, [resolve(REPO, 'bin/apieval.js'), 'reward', 'serve', '--port', '0', '--data-dir', APIBENCH, '--reward', '2*exec', '--reward', '0.5*ast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /(http:\/\/127\.0\.0\.1:\d+\/score)/.exec(out);
          if (m) ok(m[1]);
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('close', (code) => fail(new Error(`reward serve exited ${code}: ${err}`)));
      });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ samples: COMPLETIONS.map((c) => ({ prompt: 'p', completion: c, question_id: 1 })) }) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { scores: number[]; terms: Record<string, number[]> };
      expect(body.terms.exec).toEqual(statuses.map((s) => (s === 'ok' ? 1 : 0)));
      body.scores.forEach((s, i) => expect(s).toBeCloseTo(2 * body.terms.exec[i] + 0.5 * body.terms['ast:gorilla'][i], 12));
      const health = (await (await fetch(url.replace(/score$/, 'health'))).json()) as { reward: string[]; signatures: Record<string, string> };
      expect(health.reward).toEqual(['2*exec', '0.5*ast:gorilla']);
      expect(health.signatures.exec).toMatch(/^exec\|/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);

  it('a sandbox that cannot start is one line at start-up, before listening', () => {
    const r = runCli(['reward', 'serve', '--port', '0', '--reward', 'exec', '--image', 'apieval-no-such-image:0']);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toMatch(/127\.0\.0\.1/);
  });
});
