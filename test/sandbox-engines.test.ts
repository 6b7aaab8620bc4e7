/**
 * The sandbox over several Docker engines (issue 14): the local engine and a second dockerd that the test
 * starts in its own network namespace (test/helpers/second-engine.ts). Programs spread over both; the second
 * engine, which starts without the image, gets it by save | load; `sandbox doctor --engine` checks each; an
 * engine killed mid-run loses nothing — every program gets exactly one result, from the engine left.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCli, runCliAsync } from './helpers/cli.js';
import { startSecondEngine, type SecondEngine } from './helpers/second-engine.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const LOCAL = 'unix:///var/run/docker.sock';
const tmp = mkdtempSync(join(tmpdir(), 'apieval-engines-'));

/** n programs: ok, name_error and runtime_error in turn, each taking `sleep` seconds. */
function programs(n: number, sleep: number): { file: string; want: Map<string, string> } {
  const want = new Map<string, string>();
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const body = kind === 0 ? 'print(1)' : kind === 1 ? 'undefined_name' : 'raise ValueError(1)';
    lines.push(JSON.stringify({ id: `p${i}`, code: `import time\ntime.sleep(${sleep})\n${body}\n` }));
    want.set(`p${i}`, ['ok', 'name_error', 'runtime_error'][kind]);
  }
  const file = join(tmp, `programs-${n}-${randomBytes(2).toString('hex')}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, want };
}

const results = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; status: string });

describe.skipIf(SKIP_DOCKER)('several Docker engines', () => {
  let second: SecondEngine;
  let image: string;
  beforeAll(async () => {
    image = await requireSandbox('base');
    second = await startSecondEngine();
  }, 180_000);
  afterAll(() => {
    second?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('spreads programs over both engines, loading the image onto the one without it', async () => {
    await expect(second.client.getImage(image).inspect()).rejects.toThrow();
    const { file, want } = programs(30, 0.2);
    const out = join(tmp, 'two.jsonl');
    const r = runCli(['exec', '--input', file, '--output', out, '--engine', `${LOCAL},concurrency=1`, '--engine', `${second.url},concurrency=1`]);
    expect(r.status, r.stderr).toBe(0);
    const got = results(out);
    expect(got.map((x) => x.id)).toEqual([...want.keys()]);
    for (const x of got) expect(x.status, x.id).toBe(want.get(x.id));
    const counts = [...r.stdout.matchAll(/^engine (\S+): (\d+) programs/gm)].map((m) => [m[1], Number(m[2])] as const);
    expect(counts.map((c) => c[0])).toEqual([LOCAL, second.url]);
    for (const [, n] of counts) expect(n).toBeGreaterThan(0);
    expect(counts.reduce((s, [, n]) => s + n, 0)).toBe(30);
    const local = (await import('../sandbox/engine.js')).docker();
    expect((await second.client.getImage(image).inspect()).Id).toBe((await local.getImage(image).inspect()).Id);
  }, 300_000);

  it('sandbox doctor --engine checks each engine', () => {
    const r = runCli(['sandbox', 'doctor', '--engine', LOCAL, '--engine', second.url]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`engine ${LOCAL}\n`);
    expect(r.stdout).toContain(`engine ${second.url}\n`);
    expect(r.stdout).not.toMatch(/^FAIL/m);
    expect(r.stdout.match(/^PASS {2}containers removed afterwards/gm)).toHaveLength(2);
  }, 300_000);

  it('an engine killed mid-run loses nothing: every program once, from the engine left', async () => {
    const { file, want } = programs(60, 0.3);
    const out = join(tmp, 'killed.jsonl');
    const runId = `kill-${randomBytes(3).toString('hex')}`;
    const job = runCliAsync(['exec', '--input', file, '--output', out, '--run-id', runId, '--engine', `${LOCAL},concurrency=1`, '--engine', `${second.url},concurrency=2`]);
    // Wait until the second engine is running programs, then kill it as a crash would.
    for (let i = 0; i < 600; i++) {
      const running = await second.client.listContainers({ filters: { label: [`apieval.run=${runId}`] } }).catch(() => []);
      if (running.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 2000));
    second.kill();
    const r = await job;
    expect(r.status, r.stderr).toBe(0);
    const got = results(out);
    expect(got.map((x) => x.id)).toEqual([...want.keys()]);
    for (const x of got) expect(x.status, x.id).toBe(want.get(x.id));
    expect(r.stderr).toMatch(new RegExp(`engine ${second.url.replace(/[.]/g, '\\.')} is lost`));
    expect(r.stdout).toMatch(new RegExp(`^engine ${second.url.replace(/[.]/g, '\\.')}: \\d+ programs .*lost during the run$`, 'm'));
    const counts = [...r.stdout.matchAll(/^engine (\S+): (\d+) programs/gm)].map((m) => Number(m[2]));
    expect(counts.reduce((s, n) => s + n, 0)).toBe(60);
  }, 300_000);
});
