// The reward-model stage as a user runs it (the built CLI, real PyTorch, a tiny SFT checkpoint) on labels it
// can learn (1 when the Gorilla answer calls `pipeline(`: a property of the text, as a rubric's verdict is),
// its ONNX export scored in TypeScript by onnxruntime-node with tokenizers.js (ids and logits against PyTorch
// and the Python tokenizer), and the one-class labels error.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEvalFile, loadQuestionsFile, questionsPath, responsesPath } from '../harness/datasets/apibench.js';
import { splitAtOutput } from '../harness/datasets/training-data.js';
import { OnnxRewardModel } from '../harness/reward/onnx-reward-model.js';
import { runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { expectOneLine, gpt2TokenizerDir, killWhen, metricsSansTiming, py, pyJson, python, removeTempDirs, SKIP_TRAINERS, tempDir } from './trainers-env.js';

describe.skipIf(SKIP_TRAINERS)('apieval train reward and reward score', () => {
  let root: string;
  let run: string;
  let heldout: { prompt: string; completion: string; label: number }[];
  const trainArgs = (out: string) => ['train', 'reward', '--sft', join(root, 'sft'), '--labels', join(root, 'labels.jsonl'), '--out', out, '--lr', '1e-3', '--batch-size', '16', '--max-length', '128',
    '--max-steps', '60', '--eval-every', '30', '--save-every', '25', '--dropout', '0', '--device', 'cpu'];
  beforeAll(() => {
    sharedPath('apibench');
    python();
    root = tempDir('rm');
    const sft = join(root, 'sft');
    const init = py(['-m', 'apieval_trainers', 'init', '--init', 'random:tiny', '--seed', '1', '--tokenizer', gpt2TokenizerDir(), '--out', sft]);
    if (init.status !== 0) throw new Error(init.stderr);
    const records = loadEvalFile(join(APIBENCH, 'huggingface_eval.json'));
    const labelled = records.flatMap((r) => {
      const parts = splitAtOutput(r.code);
      if (!parts) return [];
      const completion = parts.completion.slice(0, 300);
      return [{ id: `q${r.questionId}`, question_id: r.questionId, prompt: parts.prompt.slice(-200), completion, label: completion.includes('pipeline(') ? 1 : 0 }];
    });
    writeFileSync(join(root, 'labels.jsonl'), labelled.map((x) => JSON.stringify(x)).join('\n') + '\n');
    run = join(root, 'rm');
    const r = runCli([...trainArgs(run), '--quiet']);
    if (r.status !== 0) throw new Error(r.stderr);
    heldout = readFileSync(join(run, 'data', 'heldout.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  }, 300_000);

  it('learns labels it can learn: held-out accuracy >= 0.9, with AUC and calibration logged', () => {
    const m = JSON.parse(readFileSync(join(run, 'manifest.json'), 'utf8'));
    expect(heldout.length).toBeGreaterThan(50);
    expect(new Set(heldout.map((h) => h.label))).toEqual(new Set([0, 1]));
    expect(m.result.last_eval.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(m.result.last_eval.auc).toBeGreaterThan(0.9);
    expect(m.result.last_eval.ece).toBeGreaterThanOrEqual(0);
    const cfg = JSON.parse(readFileSync(join(run, 'final', 'config.json'), 'utf8'));
    expect(cfg.architectures).toEqual(['GPT2ForSequenceClassification']);
    expect(cfg.num_labels).toBe(1);
    // The split is by question: no question on both sides.
    const train = readFileSync(join(run, 'data', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).question_id as number);
    const held = new Set(heldout.map((h) => (h as unknown as { question_id: number }).question_id));
    expect(train.some((q) => held.has(q))).toBe(false);
  });

  it('onnxruntime-node in TypeScript gives PyTorch\'s logits (<= 1e-4) from the same token ids', async () => {
    const rm = await OnnxRewardModel.load(join(run, 'final'), { threads: 2 });
    const pairs = heldout.slice(0, 40);
    const tsIds = pairs.map((p) => rm.encode(p.prompt, p.completion));
    const ts = await rm.score(pairs, 7);
    const r = py(['-c', `
import json, sys, torch
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.reward import load_reward_model, encode, collate
d = sys.argv[1]
m = load_reward_model(d).eval()
tok = ckpt.load_tokenizer(d, m.config)
pairs = json.load(sys.stdin)
rows = [encode(tok, p["prompt"], p["completion"], 128) for p in pairs]
with torch.no_grad():
    logits = [float(m(*collate([r], 50256))[0]) for r in rows]
print(json.dumps({"ids": rows, "logits": logits}))`, join(run, 'final')], { input: JSON.stringify(pairs) });
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout.trim().split('\n').pop()!) as { ids: number[][]; logits: number[] };
    expect(tsIds).toEqual(want.ids);
    const diff = Math.max(...ts.map((s, i) => Math.abs(s.logit - want.logits[i])));
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Batched and alone agree too.
    const alone = await rm.score(pairs.slice(3, 4), 1);
    expect(Math.abs(alone[0].logit - ts[3].logit)).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it('reward score writes a line per pair; a finished run rerun is a no-op; other settings are refused', () => {
    const pairsFile = join(root, 'pairs.jsonl');
    writeFileSync(pairsFile, heldout.slice(0, 25).map((h, i) => JSON.stringify({ id: `p${i}`, prompt: h.prompt, completion: h.completion })).join('\n') + '\n');
    const r = runCli(['reward', 'score', '--model', join(run, 'final'), '--pairs', pairsFile, '--out', join(root, 'scores.jsonl'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rows = readFileSync(join(root, 'scores.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.id)).toEqual(Array.from({ length: 25 }, (_, i) => `p${i}`));
    for (const x of rows) expect(x.p).toBeCloseTo(1 / (1 + Math.exp(-x.logit)), 12);
    const again = runCli(trainArgs(run));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already complete/);
    const other = runCli(['train', 'reward', '--sft', join(root, 'sft'), '--labels', join(root, 'labels.jsonl'), '--out', run, '--lr', '2e-3', '--batch-size', '16', '--max-length', '128',
      '--max-steps', '60', '--device', 'cpu']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/other settings \(--lr/);
  }, 120_000);

  it('kill -9 after a checkpoint, the same command again: the same reward model byte for byte', async () => {
    const killed = join(root, 'killed');
    await killWhen(trainArgs(killed), /checkpoint at step 25/);
    const again = runCli(trainArgs(killed));
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming from .*step-00000(25|50)/);
    expect(Buffer.compare(readFileSync(join(killed, 'final/model.safetensors')), readFileSync(join(run, 'final/model.safetensors')))).toBe(0);
    expect(metricsSansTiming(killed)).toEqual(metricsSansTiming(run));
  }, 300_000);

  it('rerank keeps, per question, the answer reward score rates highest, as a response file eval reads', () => {
    const records = loadEvalFile(join(APIBENCH, 'huggingface_eval.json')).slice(0, 30);
    const files = [0, 1, 2].map((k) => {
      const f = join(root, `resp${k}.jsonl`);
      const lines = records.filter((r) => k !== 2 || r.questionId % 3 !== 0).map((r) => {
        const out = splitAtOutput(r.code)?.completion ?? ' none';
        const text = k === 0 ? out : k === 1 ? out.replace(/pipeline\(/g, 'Model(') : ' from transformers import pipeline; p = pipeline("x")';
        return JSON.stringify({ question_id: r.questionId, text });
      });
      writeFileSync(f, lines.join('\n') + '\n');
      return f;
    });
    const out = join(root, 'best.jsonl');
    const r = runCli(['rerank', '--reward-model', join(run, 'final'), '--data-dir', APIBENCH, '--responses', files.join(','), '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).questions_missing_a_sample).toBe(10);
    const scored = files.map((f, k) => {
      const s = runCli(['reward', 'score', '--model', join(run, 'final'), '--data-dir', APIBENCH, '--responses', f, '--out', join(root, `s${k}.jsonl`)]);
      expect(s.status, s.stderr).toBe(0);
      return new Map(readFileSync(join(root, `s${k}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((x) => [x.question_id as number, x.logit as number]));
    });
    const best = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(best.map((b) => b.question_id)).toEqual(records.map((x) => x.questionId));
    for (const b of best) {
      const logits = scored.map((m) => m.get(b.question_id) ?? -Infinity);
      const k = logits.indexOf(Math.max(...logits));
      expect(b.metadata.rerank.file_index, `question ${b.question_id}`).toBe(k);
      expect(b.text).toBe(readFileSync(files[k], 'utf8').trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.question_id === b.question_id).text);
      expect(Math.abs(b.metadata.rerank.logit - logits[k])).toBeLessThanOrEqual(1e-5);
    }
    const e = runCli(['eval', '--data-dir', APIBENCH, '--candidate', `best-of-3=${out}`, '--no-exec', '--no-report', '--out', join(root, 'eval'), '--quiet']);
    expect(e.status, e.stderr).toBe(0);
    expectOneLine(runCli(['rerank', '--reward-model', join(run, 'final'), '--responses', files[0], '--out', out]), /best-of-n needs at least 2/);
  }, 120_000);

  it('eval --reward-model: an RM column in samples, summary and leaderboard (interval, paired test) equal to PyTorch\'s, cached and added to a run like any metric', () => {
    const qfile = join(root, 'q150.jsonl');
    writeFileSync(qfile, Array.from({ length: 150 }, (_, i) => JSON.stringify({ question_id: i + 1 })).join('\n') + '\n');
    const ft = responsesPath(APIBENCH, 'huggingface', 'Gorilla_FT_0_shot');
    const rt = responsesPath(APIBENCH, 'huggingface', 'Gorilla_RT_0_shot');
    const evalArgs = (out: string, withRm: boolean) => ['eval', '--data-dir', APIBENCH, '--questions', qfile, '--candidate', `ft=${ft}`, '--candidate', `rt=${rt}`, '--baseline', 'ft', '--no-exec',
      ...(withRm ? ['--reward-model', join(run, 'final')] : []), '--bootstrap', '200', '--formats', 'json,md', '--out', out, '--quiet'];
    const a = join(root, 'eval-rm');
    const r = runCli(evalArgs(a, true));
    expect(r.status, r.stderr).toBe(0);
    const samples = readFileSync(join(a, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    // The logits PyTorch gives for (question text, response text), tokenised by the Python tokenizer.
    const questions = new Map(loadQuestionsFile(questionsPath(APIBENCH, 'huggingface')).map((q) => [q.question_id, q.text]));
    const texts = new Map(['ft', 'rt'].map((c, k) => [c, new Map(readFileSync([ft, rt][k], 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.question_id <= 150).map((x) => [x.question_id as number, x.text as string]))]));
    expect(samples).toHaveLength(texts.get('ft')!.size + texts.get('rt')!.size);
    expect(samples.length).toBeGreaterThan(280);
    const pick = samples.filter((_, i) => i % 10 === 0);
    const torchLogits = pyJson<number[]>(`
import json, sys, torch
from apieval_trainers import checkpoint as ckpt
from apieval_trainers.reward import load_reward_model, encode, collate
m = load_reward_model(sys.argv[1]).eval()
tok = ckpt.load_tokenizer(sys.argv[1], m.config)
with torch.no_grad():
    print(json.dumps([float(m(*collate([encode(tok, p, c, 128)], 50256))[0]) for p, c in json.load(sys.stdin)]))`,
      JSON.stringify(pick.map((s) => [questions.get(s.question_id), texts.get(s.checkpoint)!.get(s.question_id)])), [join(run, 'final')]);
    pick.forEach((s, i) => {
      expect(Object.keys(s.metrics.rm)).toEqual(['logit', 'p', 'tokens']);
      expect(Math.abs(s.metrics.rm.logit - torchLogits[i]), `${s.checkpoint} ${s.question_id}`).toBeLessThanOrEqual(1e-4);
      expect(s.metrics.rm.p).toBeCloseTo(1 / (1 + Math.exp(-torchLogits[i])), 5);
    });
    // Summary: the corpus value is the mean over the samples, inside its interval; the logit mean beside it.
    const summary = JSON.parse(readFileSync(join(a, 'summary.json'), 'utf8'));
    const mean = (c: string, f: 'p' | 'logit') => { const xs = samples.filter((s) => s.checkpoint === c).map((s) => s.metrics.rm[f] as number); return xs.reduce((x, y) => x + y, 0) / xs.length; };
    for (const [k, c] of ['ft', 'rt'].entries()) {
      const m = summary.checkpoints[k].runs[0].metrics;
      expect(m.rm_p.value).toBeCloseTo(mean(c, 'p'), 12);
      expect(m.rm_logit.value).toBeCloseTo(mean(c, 'logit'), 12);
      expect(m.rm_p.low).toBeLessThan(m.rm_p.value);
      expect(m.rm_p.high).toBeGreaterThan(m.rm_p.value);
      expect(m.rm_p.n).toBe(texts.get(c)!.size);
    }
    expect(summary.signatures.rm).toMatch(/^rm\|onnx:[0-9a-f]{16}\|tok:[0-9a-f]{16}\|max_len:128\|eos:no\|trunc:left\|ort:\d+\.\d+\.\d+\|impl:1\|completion:text$/);
    // Leaderboard: the column with its signature, and the paired test's delta = the difference of the means.
    const lb = JSON.parse(readFileSync(join(a, 'report', 'leaderboard.json'), 'utf8'));
    const col = lb.metrics.find((m: { key: string }) => m.key === 'rm_p');
    expect(col.signature).toBe(summary.signatures.rm);
    const cell = lb.rows.find((x: { checkpoint: string }) => x.checkpoint === 'rt').cells.rm_p;
    expect(cell.vs_baseline.test).toBe('paired_bootstrap');
    expect(cell.vs_baseline.delta).toBeCloseTo(mean('rt', 'p') - mean('ft', 'p'), 12);
    expect(readFileSync(join(a, 'report', 'leaderboard.md'), 'utf8')).toMatch(/RM P\(acc\.\)/);
    // The same command again reuses every value.
    const before = readFileSync(join(a, 'samples.jsonl'));
    expect(runCli(evalArgs(a, true)).status).toBe(0);
    expect(JSON.parse(readFileSync(join(a, 'manifest.json'), 'utf8')).timings.computed_samples).toBe(0);
    expect(Buffer.compare(readFileSync(join(a, 'samples.jsonl')), before)).toBe(0);
    // A run scored without the RM, then with it: the other metrics are reused, and the bytes are the fresh run's.
    const b = join(root, 'eval-later');
    expect(runCli(evalArgs(b, false)).status).toBe(0);
    expect(readFileSync(join(b, 'samples.jsonl'), 'utf8')).not.toMatch(/"rm"/);
    expect(runCli(evalArgs(b, true)).status).toBe(0);
    expect(Buffer.compare(readFileSync(join(b, 'samples.jsonl')), before)).toBe(0);
    expect(readFileSync(join(b, 'summary.json'), 'utf8')).toBe(readFileSync(join(a, 'summary.json'), 'utf8'));
    // Not a reward model: one line before anything is scored.
    expectOneLine(runCli([...evalArgs(join(root, 'eval-bad'), false), '--reward-model', join(root, 'sft')]), /reward_config\.json: no such file \(not a reward model made by 'apieval train reward'\)/);
    expectOneLine(runCli([...evalArgs(join(root, 'eval-bad'), false), '--reward-model', join(run, 'final'), '--reward-completion', 'json']), /--reward-completion 'json': expected one of text, code/);
  }, 240_000);

  it('pairwise (Bradley–Terry): learns a preference it can learn; its logged held-out loss and accuracy are what onnxruntime\'s logits give', async () => {
    // Minimal pairs: the same answer with and without `pipeline(` (a property of the text, as a judge's preference is).
    const pairs = loadEvalFile(join(APIBENCH, 'huggingface_eval.json')).flatMap((r) => {
      const parts = splitAtOutput(r.code);
      const chosen = parts?.completion.slice(0, 200);
      if (!parts || !chosen || !chosen.includes('pipeline(')) return [];
      return [{ id: `q${r.questionId}`, question_id: r.questionId, prompt: parts.prompt.slice(-100), chosen, rejected: chosen.replace(/pipeline\(/g, 'Model(') }];
    });
    expect(pairs.length).toBeGreaterThan(100);
    writeFileSync(join(root, 'pairs-pref.jsonl'), pairs.map((x) => JSON.stringify(x)).join('\n') + '\n');
    const out = join(root, 'rm-pairwise');
    const r = runCli(['train', 'reward', '--sft', join(root, 'sft'), '--labels', join(root, 'pairs-pref.jsonl'), '--out', out, '--lr', '1e-3', '--batch-size', '16', '--max-length', '128',
      '--max-steps', '60', '--eval-every', '20', '--dropout', '0', '--device', 'cpu', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.config.objective).toBe('pairwise');
    expect(m.labels.pairs).toBe(pairs.length);
    const evals = metricsSansTiming(out).filter((x) => x.kind === 'eval') as { step: number; heldout_loss: number; accuracy: number; mean_margin: number; n: number }[];
    const last = evals[evals.length - 1];
    expect(last.step).toBe(60);
    // From no preference (loss ln 2 at a fresh head) to a clear one (measured by hand: 0.692 -> 0.141, margin 2.5).
    expect(evals[0].heldout_loss).toBeGreaterThan(0.6);
    expect(last.heldout_loss).toBeLessThan(0.3);
    expect(last.mean_margin).toBeGreaterThan(1);
    expect(last.accuracy).toBeGreaterThanOrEqual(0.9);
    // The same numbers from the exported model, computed here: mean -logsigmoid(z_c - z_r), share with z_c > z_r.
    const held = readFileSync(join(out, 'data', 'heldout.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string; chosen: string; rejected: string });
    expect(held.length).toBe(last.n);
    const rm = await OnnxRewardModel.load(join(out, 'final'), { threads: 2 });
    const zc = await rm.score(held.map((h) => ({ prompt: h.prompt, completion: h.chosen })));
    const zr = await rm.score(held.map((h) => ({ prompt: h.prompt, completion: h.rejected })));
    const d = zc.map((c, i) => c.logit - zr[i].logit);
    const loss = d.reduce((s, x) => s + (x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x))), 0) / d.length;
    expect(Math.abs(loss - last.heldout_loss)).toBeLessThanOrEqual(1e-4);
    expect(d.filter((x) => x > 0).length / d.length).toBeCloseTo(last.accuracy, 10);
  }, 300_000);

  it('--objective pairwise on pointwise labels pairs every accepted with every rejected answer to the same question; pair errors are one line', () => {
    const f = join(root, 'few.jsonl');
    const rows = [[1, 1], [1, 1], [1, 0], [2, 1], [3, 1], [3, 0], [3, 1], [3, 0], [4, 0]] as const;
    writeFileSync(f, rows.map(([q, y], i) => JSON.stringify({ id: `a${i}`, question_id: q, prompt: `question ${q}`, completion: `answer ${i}`, label: y })).join('\n') + '\n');
    // Independently: per question, accepted × rejected.
    const want = [1, 2, 3, 4].reduce((s, q) => s + rows.filter(([x, y]) => x === q && y === 1).length * rows.filter(([x, y]) => x === q && y === 0).length, 0);
    const out = join(root, 'rm-from-labels');
    const r = runCli(['train', 'reward', '--sft', join(root, 'sft'), '--labels', f, '--objective', 'pairwise', '--val-fraction', '0', '--out', out, '--batch-size', '2', '--max-steps', '1', '--max-length', '32', '--device', 'cpu', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const pairsOut = readFileSync(join(out, 'data', 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(pairsOut).toHaveLength(want);
    for (const p of pairsOut) {
      const c = rows[Number(/^a(\d+)>/.exec(p.id)![1])];
      const x = rows[Number(/>a(\d+)$/.exec(p.id)![1])];
      expect([c[0], c[1], x[0], x[1]]).toEqual([p.question_id, 1, p.question_id, 0]);
    }
    const pairsFile = join(root, 'pairs-bad.jsonl');
    writeFileSync(pairsFile, JSON.stringify({ prompt: 'p', chosen: 'a', rejected: 'b' }) + '\n' + JSON.stringify({ prompt: 'p', chosen: 'a' }) + '\n');
    const base = ['train', 'reward', '--sft', join(root, 'sft'), '--out', join(root, 'rm-bad'), '--device', 'cpu'];
    expectOneLine(runCli([...base, '--labels', pairsFile]), /pairs-bad\.jsonl:2: expected a string 'rejected'/);
    expectOneLine(runCli([...base, '--labels', pairsFile, '--objective', 'pointwise']), /preference pairs .* train --objective pairwise only/);
    expectOneLine(runCli([...base, '--labels', f, '--objective', 'pairwise', '--target', 'score']), /--target score: a pairwise reward model learns preferences/);
    const one = join(root, 'onesided.jsonl');
    writeFileSync(one, [[1, 1], [2, 0]].map(([q, y]) => JSON.stringify({ question_id: q, prompt: 'p', completion: `c${q}`, label: y })).join('\n') + '\n');
    expectOneLine(runCli([...base, '--labels', one, '--objective', 'pairwise']), /onesided\.jsonl: no question has both an accepted and a rejected answer/);
  }, 120_000);

  it('labels of one class only, a bad label, a folder that is not a reward model: one line, exit 2', () => {
    const one = join(root, 'one.jsonl');
    writeFileSync(one, [1, 2, 3].map((i) => JSON.stringify({ prompt: 'p', completion: `c${i}`, label: 1 })).join('\n') + '\n');
    const r = runCli(['train', 'reward', '--sft', join(root, 'sft'), '--labels', one, '--out', join(root, 'x')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/one\.jsonl: all 3 labels are 1; a reward model needs accepted \(1\) and rejected \(0\)/);
    const bad = join(root, 'bad.jsonl');
    writeFileSync(bad, JSON.stringify({ prompt: 'p', completion: 'c', label: 1 }) + '\n' + JSON.stringify({ prompt: 'p', completion: 'c', label: 'yes' }) + '\n');
    const b = runCli(['train', 'reward', '--sft', join(root, 'sft'), '--labels', bad, '--out', join(root, 'y')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/bad\.jsonl:2: 'label' must be 0 or 1/);
    const s = runCli(['reward', 'score', '--model', join(root, 'sft'), '--pairs', bad, '--out', join(root, 'z.jsonl')]);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/reward_config\.json: no such file \(not a reward model made by 'apieval train reward'\)/);
  });
});

afterAll(removeTempDirs);
