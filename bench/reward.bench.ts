/**
 * Reward-model scoring throughput on CPU, the same model and inputs both ways in one run: onnxruntime-node
 * in this process (harness/reward/onnx-reward-model.ts, tokenizers.js included) vs PyTorch in
 * `apieval_trainers` (its own tokenizer included). The model is a random GPT-2 reward model of each shape
 * (APIEVAL_BENCH_SHAPES, default tiny,small) exported as `apieval train reward` exports it; the inputs are
 * 256 APIBench HF eval records' (instruction, output) pairs, ≤ 512 tokens, batch 16.
 *
 * Run: node --import tsx bench/reward.bench.ts     (reads ../shared/apibench)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MarkdownTable } from './bench-table.js';
import { loadEvalFile } from '../harness/datasets/apibench.js';
import { splitAtOutput } from '../harness/datasets/training-data.js';
import { OnnxRewardModel } from '../harness/reward/onnx-reward-model.js';
import { findPython, stageEnv } from '../trainers/stage-runner.js';
import { ensureGpt2TokenizerDir } from '../trainers/tokenizer-files.js';

const DIR = resolve(process.env.APIEVAL_SHARED ?? resolve(import.meta.dirname, '../../shared'), 'apibench');
const SHAPES = (process.env.APIEVAL_BENCH_SHAPES ?? 'tiny,small').split(',');
const N = 256;
const BATCH = 16;
const { python } = findPython();
const work = mkdtempSync(join(tmpdir(), 'apieval-bench-reward-'));
const tok = ensureGpt2TokenizerDir(join(work, 'tokenizer'));
const pairs = loadEvalFile(join(DIR, 'huggingface_eval.json')).flatMap((r) => {
  const p = splitAtOutput(r.code);
  return p ? [{ prompt: p.prompt, completion: p.completion }] : [];
}).slice(0, N);
writeFileSync(join(work, 'pairs.json'), JSON.stringify(pairs));

const table = new MarkdownTable(
  ['shape', 'pairs', 'onnxruntime-node pairs/s', 'PyTorch pairs/s', 'ORT speed-up', 'tokens'],
  ['---', '---:', '---:', '---:', '---:', '---:'],
);
for (const shape of SHAPES) {
  const dir = join(work, shape);
  const r = spawnSync(python, ['-c', `
import json, os, sys, time, torch
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.reward import GPT2RewardModel, export_onnx, reward_config, encode, collate
d, tokdir, shape = sys.argv[1], sys.argv[2], sys.argv[3]
torch.set_num_threads(os.cpu_count())
lm = ckpt.random_model("random:" + shape, 0)
m = GPT2RewardModel(lm.config); m.lm = lm; m.eval()
ckpt.save_checkpoint(m, d, tokdir, extra_files={"reward_config.json": reward_config(512, 50256)}, after_write=lambda t: export_onnx(m, os.path.join(t, "reward.onnx")))
tok = ckpt.load_tokenizer(d, m.config)
pairs = json.load(open(sys.argv[4]))
t = time.time()
rows = [encode(tok, p["prompt"], p["completion"], 512) for p in pairs]
order = sorted(range(len(rows)), key=lambda i: (len(rows[i]), i))
with torch.no_grad():
    for s in range(0, len(order), ${BATCH}):
        idx = order[s:s + ${BATCH}]
        m(*collate([rows[i] for i in idx], 50256))
print(json.dumps({"seconds": time.time() - t, "tokens": sum(len(r) for r in rows)}))`, dir, tok, shape, join(work, 'pairs.json')], { env: stageEnv(), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr);
  const torch = JSON.parse(r.stdout.trim().split('\n').pop()!) as { seconds: number; tokens: number };
  const rm = await OnnxRewardModel.load(dir);
  await rm.score(pairs.slice(0, BATCH), BATCH); // warm-up
  const t0 = performance.now();
  await rm.score(pairs, BATCH);
  const ort = (performance.now() - t0) / 1000;
  table.add([shape, N, (N / ort).toFixed(1), (N / torch.seconds).toFixed(1), `${(torch.seconds / ort).toFixed(2)}×`, torch.tokens]);
}
table.print();
rmSync(work, { recursive: true, force: true });
