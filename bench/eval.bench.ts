/**
 * `apieval eval` end to end on the 8 Gorilla HF response files (7,232 samples, --no-exec): the whole CLI as
 * a user runs it (built dist/, worker processes, run directory, summary with bootstrap intervals,
 * leaderboard in every format), from a fresh run directory each iteration; then the same command on the
 * finished directory (everything cached), the leaderboard alone, and the summary statistics in-process.
 * Prints tinybench's table and the peak RSS of one cold run.
 *
 * Run: npx tsc -p tsconfig.build.json && node --import tsx bench/eval.bench.ts     (reads ../shared/apibench)
 */
import { Bench } from 'tinybench';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSummary } from '../harness/runs/run.js';
import { clearIntervalMemo } from '../harness/runs/aggregate.js';
import type { Manifest, SampleRecord } from '../harness/runs/types.js';

const REPO = resolve(import.meta.dirname, '..');
const DATA = resolve(process.env.APIEVAL_SHARED ?? resolve(REPO, '../shared'), 'apibench');
const tmp = mkdtempSync(join(tmpdir(), 'apieval-bench-'));

function cli(args: string[]): void {
  const r = spawnSync(process.execPath, [resolve(REPO, 'bin/apieval.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`apieval ${args.join(' ')} failed: ${r.stderr}`);
}

const evalArgs = (out: string) => ['eval', '--data-dir', DATA, '--gorilla-responses', '--no-exec', '--out', out, '--quiet'];
let k = 0;
const warm = join(tmp, 'warm');
cli(evalArgs(warm));
const records = readFileSync(join(warm, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
const manifest = JSON.parse(readFileSync(join(warm, 'manifest.json'), 'utf8')) as Manifest;

const bench = new Bench({ iterations: 3, warmupIterations: 0, time: 0 });
bench.add('eval 8 HF files, 7,232 samples, --no-exec, cold run dir (CLI)', () => {
  const out = join(tmp, `cold-${k++}`);
  cli(evalArgs(out));
  rmSync(out, { recursive: true, force: true });
});
bench.add('eval again on the finished run dir (all cached)', () => void cli(evalArgs(warm)));
bench.add('leaderboard (8 checkpoints, paired tests, 5 formats)', () => void cli(['leaderboard', warm, '--baseline', 'Gorilla_FT_0_shot', '--out', join(tmp, 'lb'), '--quiet']));
bench.add('summary statistics in-process (9 views × 8 checkpoints × 1000 resamples)', () => {
  clearIntervalMemo();
  buildSummary(records, manifest.candidates, manifest.config, manifest.signatures);
});

await bench.run();
console.table(bench.table());

// Peak memory of one cold run (the parent; each metric worker is a separate process of similar size).
const probe = spawnSync('bash', ['-c', `command -v /usr/bin/time >/dev/null && /usr/bin/time -v ${process.execPath} ${resolve(REPO, 'bin/apieval.js')} ${evalArgs(join(tmp, 'mem')).join(' ')} 2>&1 >/dev/null | grep -i 'maximum resident' || echo 'peak RSS: /usr/bin/time not installed'`], { encoding: 'utf8' });
console.log(probe.stdout.trim());
rmSync(tmp, { recursive: true, force: true });
