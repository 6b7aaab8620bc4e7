/**
 * Training-stage throughput, whole processes as a user runs them (a script, not tinybench: each figure is a
 * process that loads torch and a model). For each shape (default tiny and small; APIEVAL_BENCH_SHAPES=tiny,
 * small,large), on the device the stages pick (APIEVAL_BENCH_DEVICE: cpu, cuda or auto):
 *   - SFT tokens/s: `python -m apieval_trainers sft` on the APIBench holdout:0.9 training examples, median
 *     of the logged steps after the first (which pays for warm-up / compilation); MFU where the GPU is known;
 *   - the peer in the same run: forward + backward + AdamW of the same model on the same batch shape, with no
 *     data pipeline, loss masking or logging: what the loop costs over bare PyTorch;
 *   - generation tokens/s: `python -m apieval_trainers generate`, greedy and sampled (temperature 0.8,
 *     top-p 0.95), on the held-out prompts; peak CUDA memory where there is a GPU.
 *
 * Run: node --import tsx bench/trainers.bench.ts     (reads ../shared/apibench)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MarkdownTable, median, stepMetrics } from './bench-table.js';
import { buildTrainingSet, parseSplit, promptFor } from '../harness/datasets/training-data.js';
import { loadEvalFile } from '../harness/datasets/apibench.js';
import { findPython, stageEnv } from '../trainers/stage-runner.js';
import { ensureGpt2TokenizerDir } from '../trainers/tokenizer-files.js';

const DIR = resolve(process.env.APIEVAL_SHARED ?? resolve(import.meta.dirname, '../../shared'), 'apibench');
const SHAPES = (process.env.APIEVAL_BENCH_SHAPES ?? 'tiny,small').split(',');
const DEVICE = process.env.APIEVAL_BENCH_DEVICE ?? 'auto';
const { python, doctor } = findPython();
const work = mkdtempSync(join(tmpdir(), 'apieval-bench-trainers-'));
const tok = ensureGpt2TokenizerDir(join(work, 'tokenizer'));

const set = await buildTrainingSet({ dataDir: DIR, hub: 'huggingface', split: parseSplit('holdout:0.9'), validationFraction: 0, seed: 0 });
const trainFile = join(work, 'train.jsonl');
writeFileSync(trainFile, set.train.map((e) => JSON.stringify({ prompt: e.prompt, completion: e.completion })).join('\n') + '\n');
const records = loadEvalFile(join(DIR, 'huggingface_eval.json'));

const PLAN: Record<string, { steps: number; batch: number; maxLength: number; prompts: number; genBatch: number; newTokens: number }> = {
  tiny: { steps: 12, batch: 8, maxLength: 512, prompts: 48, genBatch: 16, newTokens: 64 },
  small: { steps: 4, batch: 4, maxLength: 512, prompts: 16, genBatch: 8, newTokens: 32 },
  medium: { steps: 6, batch: 8, maxLength: 512, prompts: 64, genBatch: 32, newTokens: 128 },
  large: { steps: 8, batch: 8, maxLength: 512, prompts: 64, genBatch: 32, newTokens: 128 },
};

function run(args: string[]): string {
  const r = spawnSync(python, args, { env: stageEnv(), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

const table = new MarkdownTable(
  ['shape', 'SFT batch', 'SFT tok/s', 'peer: bare fwd+bwd+AdamW tok/s', 'MFU', 'gen tok/s greedy', 'gen tok/s top-p', 'gen batch × new', 'SFT process wall'],
  ['---', '---', '---:', '---:', '---:', '---:', '---:', '---', '---:'],
);
console.log(`python ${python}: torch ${doctor.torch}, ${doctor.cuda ? doctor.devices!.join(', ') : `CPU (${doctor.pid_cpus} cores)`}`);

for (const shape of SHAPES) {
  const p = PLAN[shape];
  const out = join(work, `sft-${shape}`);
  const cfg = join(work, `sft-${shape}.json`);
  writeFileSync(cfg, JSON.stringify({ out, model: { init: `random:${shape}`, seed: 0 }, tokenizer: tok, data: { train: trainFile }, max_steps: p.steps, batch_size: p.batch, max_length: p.maxLength, device: DEVICE, eval_every: 1e9, save_every: 1e9, log_every: 1, dropout: 0.1 }));
  const t0 = Date.now();
  run(['-m', 'apieval_trainers', 'sft', '--config', cfg]);
  const wall = (Date.now() - t0) / 1000;
  const steps = stepMetrics(out);
  const tps = median(steps.slice(1).map((s) => s.tokens_per_s));
  const mfu = steps.slice(1).map((s) => s.mfu).filter((x) => typeof x === 'number');
  // The peer: bare forward/backward/AdamW on [batch, mean sequence length] random tokens.
  const seq = Math.round(steps.slice(1).reduce((a, s) => a + s.tokens_per_s * s.interval_s, 0) / Math.max(1, steps.length - 1) / p.batch);
  const peer = JSON.parse(run(['-c', `
import json, time, torch, os
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.io_utils import pick_device, bf16_ok
dev = pick_device(${JSON.stringify(DEVICE)})
if dev == "cpu": torch.set_num_threads(os.cpu_count())
m = ckpt.random_model("random:${shape}", 0).to(dev).train()
opt = torch.optim.AdamW(m.parameters(), lr=1e-5)
x = torch.randint(0, 50257, (${p.batch}, ${Math.max(2, seq)}), device=dev)
ac = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if bf16_ok(dev) else None
times = []
for i in range(${Math.max(3, Math.min(p.steps, 6))}):
    if dev.startswith("cuda"): torch.cuda.synchronize()
    t = time.time()
    if ac:
        with ac(): logits = m(x)
    else:
        logits = m(x)
    logits = logits[0] if isinstance(logits, tuple) else logits
    loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), x[:, 1:].reshape(-1))
    loss.backward(); opt.step(); opt.zero_grad(set_to_none=True)
    if dev.startswith("cuda"): torch.cuda.synchronize()
    times.append(time.time() - t)
times = sorted(times[1:])
print(json.dumps({"tps": x.numel() / times[len(times) // 2]}))`]).trim().split('\n').pop()!) as { tps: number };

  const held = set.split.eval_question_ids.slice(0, p.prompts);
  const promptsFile = join(work, 'prompts.jsonl');
  writeFileSync(promptsFile, held.map((q) => JSON.stringify({ question_id: q, prompt: promptFor(records[q - 1]) })).join('\n') + '\n');
  const gen: Record<string, { tps: number; peak?: number }> = {};
  for (const [mode, sampling] of [['greedy', { temperature: 0 }], ['sampled', { temperature: 0.8, top_p: 0.95 }]] as const) {
    const gcfg = join(work, `gen-${shape}-${mode}.json`);
    writeFileSync(gcfg, JSON.stringify({ checkpoint: join(out, 'final'), prompts: promptsFile, outputs: [{ seed: 0, path: join(work, `gen-${shape}-${mode}.jsonl`) }], max_new_tokens: p.newTokens, batch_size: p.genBatch, device: DEVICE, ...sampling }));
    const events = run(['-m', 'apieval_trainers', 'generate', '--config', gcfg]).trim().split('\n').map((l) => JSON.parse(l));
    const o = events.find((e) => e.event === 'output');
    gen[mode] = { tps: o.tokens / o.seconds };
  }
  table.add([shape, `${p.batch} × ≤${p.maxLength}`, tps.toFixed(0), peer.tps.toFixed(0), mfu.length ? (100 * median(mfu)).toFixed(1) + '%' : '–',
    gen.greedy.tps.toFixed(0), gen.sampled.tps.toFixed(0), `${p.genBatch} × ${p.newTokens}`, `${wall.toFixed(0)} s`]);
}
table.print();
rmSync(work, { recursive: true, force: true });
