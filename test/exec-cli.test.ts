// `apieval exec` end to end: the built CLI, the real engine, the base image.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../sandbox/engine.js';
import { RUN_LABEL } from '../sandbox/docker/warm-container.js';
import { REPO, runCli } from './helpers/cli.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const dir = mkdtempSync(join(tmpdir(), 'apieval-exec-'));
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const readOut = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const leftContainers = async (runId: string) => docker().listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });

describe('apieval exec: input errors (no engine needed)', () => {
  it('names the file and line of a bad record, exit 2, no stack trace', () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, '{"id":"a","code":"1"}\n{"id":"b","code":\n');
    const r = runCli(['exec', '--input', f, '--output', join(dir, 'bad.out.jsonl')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: not valid JSON`));
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });
  it('rejects duplicate ids and non-string code', () => {
    const f = join(dir, 'dup.jsonl');
    writeFileSync(f, jsonl([{ id: 'a', code: 'x' }, { id: 'a', code: 'y' }]));
    expect(runCli(['exec', '--input', f, '--output', join(dir, 'o.jsonl')]).stderr).toContain(':2: duplicate id "a" (first on line 1)');
    writeFileSync(f, jsonl([{ id: 'a', code: 5 }]));
    expect(runCli(['exec', '--input', f, '--output', join(dir, 'o.jsonl')]).stderr).toContain(':1: "code" must be a string (got number)');
  });
  it('rejects bad limits', () => {
    const r = runCli(['exec', '--input', 'x', '--output', 'y', '--timeout-s', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--timeout-s 0: out of range (number > 0, ≤ 86400)');
  });
});

describe.skipIf(SKIP_DOCKER)('apieval exec against the real engine', () => {
  beforeAll(async () => {
    await requireSandbox('base');
  });

  it('writes one result per input, in input order, with the documented fields, and a summary', async () => {
    const input = join(dir, 'progs.jsonl');
    const output = join(dir, 'progs.out.jsonl');
    const progs = [
      { id: 'slow', code: 'import time\ntime.sleep(0.5)\nprint("slow")\n' },
      { id: 'fast', code: 'print("fast")\n' },
      { id: 'empty', code: '' },
      { id: 'null', code: null },
      { id: 'zero', code: '1/0\n' },
      { id: 'unicode', code: 'print("héllo — 😀")\n' },
    ];
    writeFileSync(input, jsonl(progs));
    const runId = `exec-${randomBytes(4).toString('hex')}`;
    const r = runCli(['exec', '--input', input, '--output', output, '--timeout-s', '5', '--run-id', runId]);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    const out = readOut(output);
    expect(out.map((o) => o.id)).toEqual(progs.map((p) => p.id));
    for (const o of out) expect(Object.keys(o)).toEqual(['id', 'status', 'exception', 'exit_code', 'duration_ms', 'stdout', 'stderr']);
    expect(out.map((o) => o.status)).toEqual(['ok', 'ok', 'no_code', 'no_code', 'runtime_error', 'ok']);
    expect(out[0].stdout).toBe('slow\n');
    expect(out[4].exception).toBe('ZeroDivisionError: division by zero');
    expect(out[4].stderr).toMatch(/^Traceback \(most recent call last\):\n {2}File "\/work\/s\d+\/main.py", line 1, in <module>/);
    expect(out[5].stdout).toBe('héllo — 😀\n');
    expect(r.stdout).toContain('apieval exec: 6 programs');
    expect(r.stdout).toContain('ok 3, runtime_error 1, no_code 2');
    expect(r.stdout).toContain('executability over all tasks: 50.0% (3/6)');
    expect(r.stdout).toMatch(/signature: exec\|image:apieval-sandbox-base:[0-9a-f]{12}@[0-9a-f]{12}\|timeout:5s\|mem:2048M/);
    expect(await leftContainers(runId)).toEqual([]);
  });

  it('resumes: keeps finished results, drops a torn last line and sandbox_errors, ends in input order', () => {
    const input = join(dir, 'resume.jsonl');
    const output = join(dir, 'resume.out.jsonl');
    writeFileSync(input, jsonl(['a', 'b', 'c', 'd'].map((id) => ({ id, code: `print("${id}")\n` }))));
    const earlier = (id: string, status: string) => ({ id, status, exception: null, exit_code: 0, duration_ms: 1, stdout: `earlier ${id}\n`, stderr: '' });
    writeFileSync(output, jsonl([earlier('c', 'ok'), earlier('a', 'sandbox_error')]) + '{"id":"b","sta');
    const r = runCli(['exec', '--input', input, '--output', output]);
    expect(r.status).toBe(0);
    const out = readOut(output);
    expect(out.map((o) => [o.id, o.stdout])).toEqual([['a', 'a\n'], ['b', 'b\n'], ['c', 'earlier c\n'], ['d', 'd\n']]);
    expect(r.stdout).toContain('(1 from an earlier run)');
    // A complete file: the rerun executes nothing and rewrites the same lines.
    const again = runCli(['exec', '--input', input, '--output', output]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(4 from an earlier run)');
    expect(readOut(output)).toEqual(out);
  });

  it('refuses an output file that belongs to another input', () => {
    const input = join(dir, 'other.jsonl');
    const output = join(dir, 'other.out.jsonl');
    writeFileSync(input, jsonl([{ id: 'x', code: 'pass' }]));
    writeFileSync(output, jsonl([{ id: 'zzz', status: 'ok', exception: null, exit_code: 0, duration_ms: 1, stdout: '', stderr: '' }]));
    const r = runCli(['exec', '--input', input, '--output', output]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(':1: id "zzz" is not in the input');
  });

  it('--gold: says plainly that the image lacks a module and reports the rate over supported tasks', () => {
    const input = join(dir, 'gold-in.jsonl');
    const gold = join(dir, 'gold-ref.jsonl');
    const output = join(dir, 'gold.out.jsonl');
    writeFileSync(input, jsonl([
      { id: 't1', code: 'import transformers\n' },
      { id: 't2', code: 'from transformers import pipeline\n' },
      { id: 't3', code: 'print(sum(range(10)))\n' },
      { id: 't4', code: 'print(undefined_name)\n' },
    ]));
    writeFileSync(gold, jsonl([
      { id: 't4', code: 'print(1)\n' },
      { id: 't1', code: 'from transformers import AutoModel\n' },
      { id: 't2', code: 'import transformers.pipelines\n' },
      { id: 't3', code: 'print(45)\n' },
    ]));
    const r = runCli(['exec', '--input', input, '--output', output, '--gold', gold]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gold gate: 2 of 4 reference programs execute');
    expect(r.stdout).toContain('2 of 4 reference programs fail with import_error: transformers — the image lacks them; see README');
    expect(r.stdout).toContain('executability over all tasks: 25.0% (1/4)');
    expect(r.stdout).toContain('executability over supported tasks: 50.0% (1/2) (2 supported, 2 env_unsupported)');
    expect(readOut(output.replace(/\.jsonl$/, '.gold.jsonl')).map((o) => [o.id, o.status])).toEqual([['t1', 'import_error'], ['t2', 'import_error'], ['t3', 'ok'], ['t4', 'ok']]);
  });

  it('--gold must cover every input id', () => {
    const input = join(dir, 'gold2-in.jsonl');
    const gold = join(dir, 'gold2-ref.jsonl');
    writeFileSync(input, jsonl([{ id: 'a', code: 'pass' }, { id: 'b', code: 'pass' }]));
    writeFileSync(gold, jsonl([{ id: 'a', code: 'pass' }]));
    const r = runCli(['exec', '--input', input, '--output', join(dir, 'g2.jsonl'), '--gold', gold]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no reference program for 1 input id(s), e.g. "b"');
  });

  it('an image without python3 is one clear error, not N sandbox_errors, and leaves nothing behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'nopy-'));
    writeFileSync(join(root, 'hello.txt'), 'no python here\n');
    const tar = join(dir, 'nopy.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    const tag = 'apieval-test-nopython:1';
    const stream = await docker().importImage(tar, { repo: 'apieval-test-nopython', tag: '1' } as object);
    await new Promise((res, rej) => docker().modem.followProgress(stream, (e: Error | null) => (e ? rej(e) : res(null))));
    const input = join(dir, 'nopy-in.jsonl');
    writeFileSync(input, jsonl([{ id: 'a', code: 'pass' }]));
    const runId = `nopy-${randomBytes(4).toString('hex')}`;
    try {
      const r = runCli(['exec', '--input', input, '--output', join(dir, 'nopy.out.jsonl'), '--image', tag, '--run-id', runId]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^apieval: the sandbox does not start in apieval-test-nopython:1: .*python3/);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
      expect(await leftContainers(runId)).toEqual([]);
    } finally {
      await docker().getImage(tag).remove({ force: true });
    }
    const missing = runCli(['exec', '--input', input, '--output', join(dir, 'nopy.out.jsonl'), '--image', 'apieval-no-such-image:0']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('image apieval-no-such-image:0 not found in the Docker engine');
  });

  it('Ctrl-C removes the run\'s containers, exits 130, and keeps the results so far', async () => {
    const input = join(dir, 'sigint.jsonl');
    const output = join(dir, 'sigint.out.jsonl');
    writeFileSync(input, jsonl([{ id: 'quick', code: 'print(1)' }, ...['s1', 's2', 's3'].map((id) => ({ id, code: 'import time\ntime.sleep(60)\n' }))]));
    const runId = `sigint-${randomBytes(4).toString('hex')}`;
    const child = spawn(process.execPath, [resolve(REPO, 'bin/apieval.js'), 'exec', '--input', input, '--output', output, '--timeout-s', '100', '--run-id', runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Wait until both containers run sleeping samples (the quick one is done).
    for (let i = 0; i < 200 && (await leftContainers(runId)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('interrupted');
    expect(await leftContainers(runId)).toEqual([]);
    expect(readOut(output).map((o) => o.id)).toEqual(['quick']);
  }, 60_000);

  it('even a SIGKILLed harness leaves no container behind (stdin EOF ends the fork server)', async () => {
    const input = join(dir, 'sigkill.jsonl');
    writeFileSync(input, jsonl(['k1', 'k2'].map((id) => ({ id, code: 'import time\ntime.sleep(60)\n' }))));
    const runId = `sigkill-${randomBytes(4).toString('hex')}`;
    const child = spawn(process.execPath, [resolve(REPO, 'bin/apieval.js'), 'exec', '--input', input, '--output', join(dir, 'sigkill.out.jsonl'), '--timeout-s', '100', '--run-id', runId], { stdio: 'ignore' });
    const exited = new Promise((res) => child.on('exit', res));
    for (let i = 0; i < 200 && (await leftContainers(runId)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await leftContainers(runId)).length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGKILL');
    await exited;
    let left = await leftContainers(runId);
    for (let i = 0; i < 300 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await leftContainers(runId);
    }
    expect(left).toEqual([]);
  }, 60_000);

  it('the README example (fixtures/sandbox) gives the summary the README shows', () => {
    const output = join(dir, 'readme.jsonl');
    const r = runCli(['exec', '--input', 'fixtures/sandbox/programs.jsonl', '--output', output, '--timeout-s', '5', '--gold', 'fixtures/sandbox/references.jsonl']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 7)).toEqual([
      `apieval exec: 6 programs -> ${output}`,
      '  ok 1, syntax_error 1, import_error 1, runtime_error 1, timeout 1, no_code 1',
      `gold gate: 5 of 6 reference programs execute (results: ${join(dir, 'readme.gold.jsonl')})`,
      '  1 of 6 reference programs fail with import_error: transformers — the image lacks them; see README (bring your own image)',
      '  1 of 6 tasks are env_unsupported in this image',
      'executability over all tasks: 16.7% (1/6)',
      'executability over supported tasks: 20.0% (1/5) (5 supported, 1 env_unsupported)',
    ]);
    expect(readOut(output).map((o) => [o.id, o.status, o.exception])).toEqual([
      ['t1', 'ok', null],
      ['t2', 'import_error', "ModuleNotFoundError: No module named 'transformers'"],
      ['t3', 'runtime_error', 'ValueError: math domain error'],
      ['t4', 'syntax_error', 'SyntaxError: invalid syntax (main.py, line 1)'],
      ['t5', 'timeout', null],
      ['t6', 'no_code', null],
    ]);
  });
});
