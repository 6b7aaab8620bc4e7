/**
 * PPO step time, whole processes as a user runs them (a script, not tinybench: each figure is a process that
 * loads torch and two models). A random GPT-2 of each shape (APIEVAL_BENCH_SHAPES, default tiny) gets SFT
 * steps on the APIBench HF holdout:0.9 training examples (`apieval train sft`, eight steps; the peer is the median of the steps after the second), then `apieval train ppo` with a
 * rule reward (`module:`, 1 when the response contains `from_pretrained(`) on those prompts: batch 8, 4 PPO
 * epochs, one minibatch, for each response length in APIEVAL_BENCH_RESPONSE_LENGTHS (default 32,128). Reported:
 * the median seconds per update after the first (which pays for warm-up), response tokens per second of the whole update, episodes per
 * second and the process's peak RSS (/usr/bin/time). The peer in the same run: the SFT step of the same model
 * and batch size (forward + backward + AdamW on the training examples), i.e. what one PPO update costs over a
 * plain training step.
 *
 * Run: node --import tsx bench/ppo.bench.ts     (reads ../shared/apibench; APIEVAL_BENCH_DEVICE=cpu|cuda|auto)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MarkdownTable, median, stepMetrics } from './bench-table.js';

const DATA = resolve(process.env.APIEVAL_SHARED ?? resolve(import.meta.dirname, '../../shared'), 'apibench');
const SHAPES = (process.env.APIEVAL_BENCH_SHAPES ?? 'tiny').split(',');
const LENGTHS = (process.env.APIEVAL_BENCH_RESPONSE_LENGTHS ?? '32,128').split(',').map(Number);
const DEVICE = process.env.APIEVAL_BENCH_DEVICE ?? 'auto';
const UPDATES = 6;
const BATCH = 8;
const CLI = resolve(import.meta.dirname, '../harness/cli/main.ts');
const work = mkdtempSync(join(tmpdir(), 'apieval-bench-ppo-'));
writeFileSync(join(work, 'bench_rewards.py'), 'def score(prompts, completions, question_ids):\n    return [1.0 if "from_pretrained(" in c else 0.0 for c in completions]\n');

/** Runs an apieval command under /usr/bin/time -v; returns its peak RSS in MB. */
function apieval(args: string[]): number {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', CLI, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, PYTHONPATH: [work, process.env.PYTHONPATH].filter(Boolean).join(':') },
  });
  if (r.status !== 0) throw new Error(`apieval ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  return kb ? Number(kb[1]) / 1024 : NaN;
}

const table = new MarkdownTable(
  ['shape', 'response length', 'batch', 's / update', 'response tokens/s (whole update)', 'mean response tokens', 'episodes/s', 'SFT s / step (peer)', 'peak RSS MB'],
  ['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:'],
);
for (const shape of SHAPES) {
  const sft = join(work, `sft-${shape}`);
  apieval(['train', 'sft', '--data-dir', DATA, '--split', 'holdout:0.9', '--init', `random:${shape}`, '--max-steps', '8',
    '--batch-size', String(BATCH), '--device', DEVICE, '--quiet', '--out', sft]);
  const sftStep = median(stepMetrics(sft).slice(2).map((s) => s.interval_s));
  for (const len of LENGTHS) {
    const out = join(work, `ppo-${shape}-${len}`);
    const rss = apieval(['train', 'ppo', '--sft', join(sft, 'final'), '--reward', 'module:bench_rewards:score', '--max-steps', String(UPDATES),
      '--batch-size', String(BATCH), '--response-length', String(len), '--eval-prompts', '0', '--device', DEVICE, '--quiet', '--out', out]);
    const s = stepMetrics(out).slice(1);
    const perUpdate = median(s.map((x) => x.interval_s));
    table.add([shape, len, BATCH, perUpdate.toFixed(2), median(s.map((x) => x.tokens_per_s)).toFixed(0), median(s.map((x) => x.response_length)).toFixed(0),
      (BATCH / perUpdate).toFixed(2), sftStep.toFixed(2), rss.toFixed(0)]);
  }
}
table.print();
rmSync(work, { recursive: true, force: true });
