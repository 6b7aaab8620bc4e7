/**
 * Executability throughput over one engine vs two (issue 14): `apieval exec` on the same programs with
 * the local engine alone (concurrency 2) and with the local engine plus a second dockerd in a network
 * namespace (concurrency 1 each, so both runs keep 2 programs in flight on this machine's 2 cores). Whole
 * processes, alternated. Needs root, the engine and the base image.
 *
 * Run: node --import tsx bench/engines.bench.ts [programs=200] [rounds=3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSecondEngine } from '../test/helpers/second-engine.js';

const n = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'apieval-engines-bench-'));
const input = join(dir, 'programs.jsonl');
// Half trivial, half with a little work: what APIBench programs that fail early or run briefly cost.
writeFileSync(input, Array.from({ length: n }, (_, i) => JSON.stringify({ id: `p${i}`, code: i % 2 ? 'print(sum(range(100)))\n' : 'import json, re\nprint(len(json.dumps([re.escape(str(i)) for i in range(20000)])))\n' })).join('\n') + '\n');
const LOCAL = 'unix:///var/run/docker.sock';

const second = await startSecondEngine();
try {
  const run = (label: string, engines: string[]) => {
    const out = join(dir, `${label}.jsonl`);
    rmSync(out, { force: true });
    const t = process.hrtime.bigint();
    const r = spawnSync('node', ['bin/apieval.js', 'exec', '--input', input, '--output', out, ...engines.flatMap((e) => ['--engine', e])], { encoding: 'utf8' });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (r.status !== 0) throw new Error(`${label}: ${r.stderr}`);
    return s;
  };
  // Warm-up (loads the image onto the second engine).
  run('warm', [LOCAL, `${second.url},concurrency=1`]);
  for (let i = 0; i < rounds; i++) {
    const one = run('one', [`${LOCAL},concurrency=2`]);
    const two = run('two', [`${LOCAL},concurrency=1`, `${second.url},concurrency=1`]);
    console.log(`round ${i + 1}: ${n} programs, 1 engine ${one.toFixed(2)} s (${(n / one).toFixed(1)}/s), 2 engines ${two.toFixed(2)} s (${(n / two).toFixed(1)}/s)`);
  }
} finally {
  second.stop();
  rmSync(dir, { recursive: true, force: true });
}
