// `apieval train ppo` as a user runs it (the built CLI, real PyTorch, a tiny GPT-2 that SFT has taught to
// answer "pets N" with six words, each " cat" (35%) or " dog"). The reward is the share of "cat": PPO must
// move the greedy answer from dog to cat. Each kind of reward is exercised for real: a Python function
// (module:), an HTTP endpoint served by this process on 127.0.0.1, a reward model of `apieval train reward`
// (whose scores must be the logits `apieval reward score` reports for the same rollouts). kill -9 and the same
// command again ends with the same policy byte for byte. The advantage, whitening and KL formulas are checked
// against independent formulas (numpy-free Python and plain loops).
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { cpSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, runCliAsync } from './helpers/cli.js';
import { APIBENCH } from './helpers/shared.js';
import { rng } from './helpers/rng.js';
import { expectOneLine, gpt2TokenizerDir, killWhen, metricsSansTiming, py, pyJson, python, removeTempDirs, SKIP_TRAINERS, tempDir } from './trainers-env.js';

type Rec = Record<string, unknown>;
const jsonl = (f: string): Rec[] => readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

const REWARDS = `
def cats(prompts, completions, **kw):
    return [sum(w == "cat" for w in c.split()) / max(1, len(c.split())) for c in completions]

def too_few(prompts, completions, **kw):
    return [0.0] * (len(completions) - 1)

def not_finite(prompts, completions, **kw):
    return [float("nan")] * len(completions)

def boom(prompts, completions, **kw):
    raise ValueError("the judge is down")
`;

describe.skipIf(SKIP_TRAINERS)('apieval train ppo', () => {
  let root: string;
  let sft: string;
  let straight: string;
  const ppo = (out: string, extra: string[] = []) => ['train', 'ppo', '--sft', sft, '--reward', 'module:pets_rewards:cats', '--out', out, '--lr', '1e-3', '--batch-size', '16',
    '--response-length', '12', '--max-steps', '10', '--save-every', '4', '--eval-every', '5', '--eval-prompts', '16', '--device', 'cpu', '--seed', '2', ...extra];

  let rmRun: string | undefined;
  /** A reward model of `apieval train reward` on labels "mostly cat" of pets answers (trained once). */
  function petsRewardModel(): string {
    if (rmRun) return rmRun;
    const labels = join(root, 'labels.jsonl');
    const draw = rng(5);
    writeFileSync(labels, Array.from({ length: 400 }, (_, i) => {
      const words = Array.from({ length: 6 }, () => (draw() < 0.5 ? 'cat' : 'dog'));
      return JSON.stringify({ question_id: i + 1, prompt: `###Instruction: pets ${i % 7}\n###Output:`, completion: ' ' + words.join(' '), label: words.filter((w) => w === 'cat').length > 3 ? 1 : 0 });
    }).join('\n') + '\n');
    const t = runCli(['train', 'reward', '--sft', sft, '--labels', labels, '--out', join(root, 'rm'), '--lr', '1e-3', '--batch-size', '16', '--max-length', '64', '--max-steps', '30', '--dropout', '0', '--device', 'cpu', '--quiet']);
    if (t.status !== 0) throw new Error(t.stderr);
    rmRun = join(root, 'rm');
    return rmRun;
  }

  beforeAll(() => {
    python();
    root = tempDir('ppo');
    writeFileSync(join(root, 'pets_rewards.py'), REWARDS);
    // An SFT run folder as `apieval train sft` leaves it: RUN/data/{train,heldout}.jsonl beside RUN/final.
    sft = join(root, 'sft', 'final');
    mkdirSync(join(root, 'sft', 'data'), { recursive: true });
    const draw = rng(11);
    const example = (i: number) => ({ question_id: i + 1, prompt: `###Instruction: pets ${i % 7}\n###Output:`, completion: Array.from({ length: 6 }, () => (draw() < 0.35 ? ' cat' : ' dog')).join('') });
    writeFileSync(join(root, 'sft', 'data', 'train.jsonl'), Array.from({ length: 256 }, (_, i) => JSON.stringify(example(i))).join('\n') + '\n');
    writeFileSync(join(root, 'sft', 'data', 'heldout.jsonl'), Array.from({ length: 16 }, (_, i) => JSON.stringify(example(300 + i))).join('\n') + '\n');
    const cfg = { model: { init: 'random:tiny', seed: 1 }, tokenizer: gpt2TokenizerDir(), data: { train: join(root, 'sft', 'data', 'train.jsonl'), heldout: join(root, 'sft', 'data', 'heldout.jsonl') },
      out: join(root, 'sft'), lr: 3e-3, batch_size: 16, max_steps: 40, max_length: 64, device: 'cpu', dropout: 0, save_every: 1000, eval_every: 1000 };
    writeFileSync(join(root, 'sft.json'), JSON.stringify(cfg));
    const s = py(['-m', 'apieval_trainers', 'sft', '--config', join(root, 'sft.json')]);
    if (s.status !== 0) throw new Error(s.stderr);
    straight = join(root, 'straight');
    const r = runCli([...ppo(straight), '--quiet'], { cwd: root });
    if (r.status !== 0) throw new Error(r.stderr);
  }, 300_000);

  it("raises the reward: the greedy held-out answer goes from dog to cat; TRL's metric names are logged", () => {
    const m = jsonl(join(straight, 'metrics.jsonl'));
    const evals = m.filter((x) => x.kind === 'eval');
    expect(evals.map((e) => e.step)).toEqual([0, 5, 10]);
    expect(evals[0]['eval/scores']).toBeLessThanOrEqual(0.2);
    expect(evals[2]['eval/scores']).toBeGreaterThanOrEqual(0.8);
    const steps = m.filter((x) => x.kind === 'step');
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const k of ['objective/kl', 'objective/entropy', 'objective/non_score_reward', 'objective/rlhf_reward', 'objective/scores', 'policy/approxkl_avg', 'policy/clipfrac_avg',
      'loss/policy_avg', 'loss/value_avg', 'val/clipfrac_avg', 'val/num_eos_tokens', 'lr', 'episode']) {
      for (const s of steps) expect(Number.isFinite(s[k]), `${k} at ${s.step}`).toBe(true);
    }
    expect(steps.map((s) => s.episode)).toEqual(steps.map((s) => (s.step as number) * 16));
    const score = (i: number) => steps[i]['objective/scores'] as number;
    expect((score(8) + score(9)) / 2).toBeGreaterThan(score(0) + 0.2);
    // The KL to the reference starts at 0 (policy = reference) and grows as the policy moves.
    expect(Math.abs(steps[0]['objective/kl'] as number)).toBeLessThan(1e-4);
    expect(steps[9]['objective/kl'] as number).toBeGreaterThan(0.01);
    // rlhf_reward = score + non-score reward; linear decay from 1e-3 over 10 updates.
    for (const s of steps) expect(s['objective/rlhf_reward'] as number).toBeCloseTo((s['objective/scores'] as number) + (s['objective/non_score_reward'] as number), 6);
    expect(steps.map((s) => s.lr as number)).toEqual(steps.map((_, i) => expect.closeTo(1e-3 * (10 - i) / 10, 12)));
    const man = JSON.parse(readFileSync(join(straight, 'manifest.json'), 'utf8'));
    expect(man.kind).toBe('ppo');
    expect(man.config.reward).toEqual({ kind: 'module', spec: 'pets_rewards:cats' });
    expect(man.prompts.train.prompts).toBe(256);
    expect(JSON.parse(readFileSync(join(straight, 'final', 'trainer_state.json'), 'utf8'))).toMatchObject({ step: 10, stage: 'ppo', episodes: 160 });
    // The policy is a GPT-2 checkpoint that generate reads.
    expect(JSON.parse(readFileSync(join(straight, 'final', 'config.json'), 'utf8')).architectures).toEqual(['GPT2LMHeadModel']);
  });

  it('kill -9 after a checkpoint, the same command again: the same policy byte for byte, the same metrics', async () => {
    const killed = join(root, 'killed');
    await killWhen(ppo(killed), /checkpoint at step 4/, { cwd: root });
    expect(existsSync(join(killed, 'checkpoints', 'step-0000004', 'value', 'model.safetensors'))).toBe(true);
    const again = runCli(ppo(killed), { cwd: root });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming from .*step-00000(04|08)/);
    expect(Buffer.compare(readFileSync(join(killed, 'final/model.safetensors')), readFileSync(join(straight, 'final/model.safetensors')))).toBe(0);
    expect(metricsSansTiming(killed)).toEqual(metricsSansTiming(straight));
    const rerun = runCli(ppo(killed), { cwd: root });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/already complete/);
    expectOneLine(runCli(ppo(killed, ['--kl-coef', '0.1']), { cwd: root }), /other settings \(--kl-coef/);
  }, 300_000);

  it('an HTTP reward on 127.0.0.1 gets every rollout and its scores are the ones PPO optimises', async () => {
    const batches: { prompt: string; completion: string; question_id: unknown }[][] = [];
    const answers: number[][] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
        const samples = (JSON.parse(body) as { samples: { prompt: string; completion: string; question_id: unknown }[] }).samples;
        batches.push(samples);
        const scores = samples.map((s) => (s.completion.split(' ').filter((w) => w === 'dog').length + 0.5) / 7);
        answers.push(scores);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ scores }));
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`;
    try {
      const out = join(root, 'http');
      const r = await runCliAsync(['train', 'ppo', '--sft', sft, '--reward', url, '--out', out, '--batch-size', '8', '--response-length', '8', '--max-steps', '2', '--eval-prompts', '0',
        '--log-rollouts', '--device', 'cpu', '--quiet'], { cwd: root });
      expect(r.status, r.stderr).toBe(0);
      expect(batches).toHaveLength(2);
      for (const b of batches) {
        expect(b).toHaveLength(8);
        for (const s of b) {
          expect(s.prompt).toMatch(/^###Instruction: pets \d\n###Output:$/);
          expect(typeof s.completion).toBe('string');
          expect(Number.isInteger(s.question_id)).toBe(true);
        }
      }
      const rolls = jsonl(join(out, 'rollouts.jsonl'));
      expect(rolls.map((x) => x.completion)).toEqual(batches.flat().map((s) => s.completion));
      expect(rolls.map((x) => x.step)).toEqual([...Array(8).fill(1), ...Array(8).fill(2)]);
      rolls.forEach((x, i) => expect(Math.abs((x.score as number) - answers.flat()[i])).toBeLessThan(1e-6));
      const steps = jsonl(join(out, 'metrics.jsonl')).filter((x) => x.kind === 'step');
      steps.forEach((s, u) => expect(Math.abs((s['objective/scores'] as number) - answers[u].reduce((a, b) => a + b, 0) / 8)).toBeLessThan(1e-6));
    } finally {
      server.close();
    }
    // A server that never answers: one line naming the URL and the timeout.
    const silent = createServer(() => undefined);
    await new Promise<void>((ok) => silent.listen(0, '127.0.0.1', ok));
    try {
      const hang = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/score`;
      const r = await runCliAsync(['train', 'ppo', '--sft', sft, '--reward', hang, '--reward-timeout', '2', '--out', join(root, 'hang'), '--batch-size', '8', '--response-length', '4', '--max-steps', '1',
        '--eval-prompts', '0', '--device', 'cpu', '--quiet'], { cwd: root });
      expectOneLine(r, /reward http:\/\/127\.0\.0\.1:\d+\/score: no answer within 2 s \(--reward-timeout\) for 8 samples/);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
    // A server that is not there: one line naming the URL.
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const gone = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/score`;
    await new Promise<void>((ok) => closed.close(() => ok()));
    expectOneLine(runCli(['train', 'ppo', '--sft', sft, '--reward', gone, '--out', join(root, 'gone'), '--batch-size', '8', '--response-length', '4', '--max-steps', '1', '--device', 'cpu', '--quiet'], { cwd: root }),
      new RegExp(`reward ${gone.replace(/[./]/g, '\\$&')}: cannot reach it`));
  }, 300_000);

  it("rm:DIR: PPO's scores are the logits apieval reward score reports for the same rollouts", () => {
    const rm = petsRewardModel();
    const out = join(root, 'with-rm');
    const r = runCli(['train', 'ppo', '--sft', sft, '--reward', `rm:${join(rm, 'final')}`, '--out', out, '--batch-size', '8', '--response-length', '8', '--max-steps', '2', '--eval-prompts', '4',
      '--save-every', '1', '--log-rollouts', '--device', 'cpu', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const rolls = jsonl(join(out, 'rollouts.jsonl'));
    expect(rolls).toHaveLength(16);
    const pairs = join(root, 'rollout-pairs.jsonl');
    writeFileSync(pairs, rolls.map((x, i) => JSON.stringify({ id: `r${i}`, prompt: x.prompt, completion: x.completion })).join('\n') + '\n');
    const s = runCli(['reward', 'score', '--model', join(rm, 'final'), '--pairs', pairs, '--out', join(root, 'rollout-scores.jsonl')]);
    expect(s.status, s.stderr).toBe(0);
    const logits = jsonl(join(root, 'rollout-scores.jsonl')).map((x) => x.logit as number);
    rolls.forEach((x, i) => expect(Math.abs((x.score as number) - logits[i]), `rollout ${i}`).toBeLessThanOrEqual(1e-4));
    // The value model starts from the reward model (TRL's choice when the reward is a model): after one update
    // at lr 3e-6 its head is within Adam's few steps of the RM's (a fresh head, normal(0, 0.02), would be ~0.02 off).
    const v = pyJson<{ head: number; backbone: number }>(`
import json, sys
from apieval_trainers import checkpoint as ckpt
a, _ = ckpt.load_weights(sys.argv[1])
b, _ = ckpt.load_weights(sys.argv[2])
d = lambda k: float((a[k].float() - b[k].float()).abs().max())
print(json.dumps({"head": d("score.weight"), "backbone": max(d(k) for k in a if k != "score.weight")}))`, undefined, [join(rm, 'final'), join(out, 'checkpoints', 'step-0000001', 'value')]);
    expect(v.head).toBeGreaterThan(0);
    expect(v.head).toBeLessThan(1e-4);
    expect(v.backbone).toBeLessThan(1e-4);
    // A reward model whose tokenizer is not the policy's (same size, two ids swapped): it still scores text with its
    // own tokenizer, but the value model copied from it would read the policy's ids as other tokens: one line.
    const other = join(root, 'rm-other-vocab');
    cpSync(join(rm, 'final'), other, { recursive: true });
    const vocab = JSON.parse(readFileSync(join(other, 'vocab.json'), 'utf8')) as Record<string, number>;
    [vocab.cat, vocab.dog] = [vocab.dog, vocab.cat];
    writeFileSync(join(other, 'vocab.json'), JSON.stringify(vocab));
    const ppoArgs = (o: string) => ['train', 'ppo', '--sft', sft, '--reward', `rm:${other}`, '--out', join(root, o), '--batch-size', '8', '--response-length', '4', '--max-steps', '1', '--eval-prompts', '0', '--device', 'cpu', '--quiet'];
    expectOneLine(runCli(ppoArgs('other-vocab')), /value model .*rm-other-vocab: its tokenizer differs from the policy's .*give --value-model /);
    const ok = runCli([...ppoArgs('other-vocab-sft-value'), '--value-model', sft]);
    expect(ok.status, ok.stderr).toBe(0);
  }, 300_000);

  it("reward serve: rm and AST terms equal reward score's logits and ast-match's verdicts, summed with their weights; PPO trains against it", async () => {
    const rm = join(petsRewardModel(), 'final');
    const child = spawn(process.execPath, [join(REPO, 'bin/apieval.js'), 'reward', 'serve', '--port', '0', '--data-dir', APIBENCH, '--reward', `0.5*rm:${rm}`, '--reward', '2*ast'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((ok, fail) => {
        let out = '';
        let err = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const m = /on (http:\/\/127\.0\.0\.1:\d+\/score)/.exec(out);
          if (m) ok(m[1]);
        });
        child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
        child.on('close', (c) => fail(new Error(`reward serve exited ${c}: ${err}`)));
      });
      const responses = readFileSync(join(APIBENCH, 'responses/huggingface/response_huggingface_Gorilla_FT_0_shot.jsonl'), 'utf8').trim().split('\n').slice(0, 60);
      const respFile = join(root, 'ft60.jsonl');
      writeFileSync(respFile, responses.join('\n') + '\n');
      const samples = responses.map((l) => JSON.parse(l) as { question_id: number; text: string }).map((r) => ({ prompt: `question ${r.question_id}`, completion: r.text, question_id: r.question_id }));
      const post = async (body: string) => {
        const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
        return { status: r.status, body: (await r.json()) as { scores: number[]; terms: Record<string, number[]>; error?: string } };
      };
      const got = await post(JSON.stringify({ samples }));
      expect(got.status).toBe(200);
      // Independently: apieval ast-match on the same answers, apieval reward score on the same pairs.
      const a = runCli(['ast-match', '--responses', respFile, '--data-dir', APIBENCH, '--output', join(root, 'ft60.ast.jsonl')]);
      expect(a.status, a.stderr).toBe(0);
      const ast = jsonl(join(root, 'ft60.ast.jsonl')).map((x) => (x.correct ? 1 : 0));
      expect(ast.some((x) => x === 1) && ast.some((x) => x === 0)).toBe(true);
      expect(got.body.terms['ast:gorilla']).toEqual(ast);
      const pairs = join(root, 'ft60.pairs.jsonl');
      writeFileSync(pairs, samples.map((s, i) => JSON.stringify({ id: `s${i}`, prompt: s.prompt, completion: s.completion })).join('\n') + '\n');
      const sc = runCli(['reward', 'score', '--model', rm, '--pairs', pairs, '--out', join(root, 'ft60.rm.jsonl')]);
      expect(sc.status, sc.stderr).toBe(0);
      const logits = jsonl(join(root, 'ft60.rm.jsonl')).map((x) => x.logit as number);
      got.body.terms[`rm:${rm}`].forEach((v, i) => expect(Math.abs(v - logits[i])).toBeLessThanOrEqual(1e-5));
      got.body.scores.forEach((v, i) => expect(Math.abs(v - (0.5 * logits[i] + 2 * ast[i]))).toBeLessThanOrEqual(1e-5));
      // A bad request is a 400 with one line; the server goes on.
      const bad = await post(JSON.stringify({ samples: [{ prompt: 'p', completion: 'c', question_id: 99_999 }] }));
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatch(/sample 0: the ast reward needs a question_id of the huggingface eval questions \(1\.\.911\)/);
      expect((await post('{"samples": 3}')).status).toBe(400);
      // PPO against it, over HTTP (the pets prompts carry question ids 1..256).
      const r = await runCliAsync(['train', 'ppo', '--sft', sft, '--reward', url, '--out', join(root, 'served'), '--batch-size', '8', '--response-length', '8', '--max-steps', '1',
        '--eval-prompts', '0', '--log-rollouts', '--device', 'cpu', '--quiet']);
      expect(r.status, r.stderr).toBe(0);
      const health = (await (await fetch(url.replace(/score$/, 'health'))).json()) as { requests: number; samples: number };
      expect(health).toMatchObject({ requests: 2, samples: 68 });
      // The rewards PPO trained on: its rollouts' AST term is ast-match's verdict on them, and the score is the sum.
      const rolls = jsonl(join(root, 'served', 'rollouts.jsonl'));
      expect(rolls).toHaveLength(8);
      const rollFile = join(root, 'served-rollouts.responses.jsonl');
      writeFileSync(rollFile, rolls.map((x) => JSON.stringify({ question_id: x.question_id, text: x.completion })).join('\n') + '\n');
      const ra = runCli(['ast-match', '--responses', rollFile, '--data-dir', APIBENCH, '--output', join(root, 'served-rollouts.ast.jsonl')]);
      expect(ra.status, ra.stderr).toBe(0);
      const again = await post(JSON.stringify({ samples: rolls.map((x) => ({ prompt: x.prompt, completion: x.completion, question_id: x.question_id })) }));
      expect(again.body.terms['ast:gorilla']).toEqual(jsonl(join(root, 'served-rollouts.ast.jsonl')).map((x) => (x.correct ? 1 : 0)));
      rolls.forEach((x, i) => expect(Math.abs((x.score as number) - again.body.scores[i])).toBeLessThanOrEqual(1e-5));
    } finally {
      child.kill('SIGTERM');
    }
    expectOneLine(runCli(['reward', 'serve', '--port', '0', '--reward', 'bleu']), /--reward 'bleu': expected \[WEIGHT\*\]rm:DIR/);
  }, 300_000);

  it('a reward that answers the wrong count, a non-finite score or raises, a module that is not there, --dropout: one line, exit 2', () => {
    const base = (reward: string, out: string) => ['train', 'ppo', '--sft', sft, '--reward', reward, '--out', join(root, out), '--batch-size', '8', '--response-length', '4', '--max-steps', '1',
      '--eval-prompts', '0', '--device', 'cpu', '--quiet'];
    expectOneLine(runCli(base('module:pets_rewards:too_few', 'a'), { cwd: root }), /reward module:pets_rewards:too_few: expected a list of 8 scores, got 7 scores/);
    expectOneLine(runCli(base('module:pets_rewards:not_finite', 'b'), { cwd: root }), /reward module:pets_rewards:not_finite: score 0 is nan, expected a finite number/);
    expectOneLine(runCli(base('module:pets_rewards:boom', 'c'), { cwd: root }), /reward module:pets_rewards:boom raised ValueError: the judge is down/);
    expectOneLine(runCli(base('module:no_such_module:f', 'd'), { cwd: root }), /--reward module:no_such_module:f: cannot import no_such_module \(ModuleNotFoundError/);
    expectOneLine(runCli(base('module:pets_rewards:missing', 'e'), { cwd: root }), /pets_rewards has no function missing/);
    expectOneLine(runCli(base('judge', 'f'), { cwd: root }), /--reward 'judge': expected rm:DIR/);
    expectOneLine(runCli(base(`rm:${sft}`, 'g'), { cwd: root }), /is not a reward model folder \(no reward_config\.json/);
    expectOneLine(runCli([...base('module:pets_rewards:cats', 'h'), '--dropout', '0.1'], { cwd: root }), /--dropout: PPO turns dropout off/);
    expectOneLine(runCli(['train', 'ppo', '--sft', join(root, 'labels.jsonl'), '--reward', 'module:pets_rewards:cats', '--out', join(root, 'i')], { cwd: root }), /not a checkpoint folder/);
  }, 300_000);
});

describe.skipIf(SKIP_TRAINERS)('PPO arithmetic against independent formulas', () => {
  it('GAE, returns, masked whitening and the k1/k3 KL estimators', () => {
    const r = pyJson<{ gae: number[][]; want: number[][]; ret: number[][]; wantRet: number[][]; gae1: number[][]; togo: number[][]; white: number[]; wantWhite: number[]; k1: number[]; k3: number[]; wantK1: number[]; wantK3: number[] }>(`
import json, math, torch
from apieval_trainers.ppo import gae, masked_whiten, kl_estimate
g = torch.Generator().manual_seed(3)
rew = torch.randn(3, 6, generator=g, dtype=torch.float64)
val = torch.randn(3, 6, generator=g, dtype=torch.float64)
gamma, lam = 0.9, 0.8
adv, ret = gae(rew, val, gamma, lam)
# A_t = sum_l (gamma lam)^l delta_{t+l}, delta_t = r_t + gamma V_{t+1} - V_t, V_T = 0
R, V = rew.tolist(), val.tolist()
want = []
for r, v in zip(R, V):
    d = [r[t] + gamma * (v[t + 1] if t + 1 < 6 else 0.0) - v[t] for t in range(6)]
    want.append([sum((gamma * lam) ** l * d[t + l] for l in range(6 - t)) for t in range(6)])
adv1, _ = gae(rew, val, 1.0, 1.0)
togo = [[sum(r[t:]) - v[t] for t in range(6)] for r, v in zip(R, V)]
x = torch.randn(4, 5, generator=g, dtype=torch.float64)
mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0], [1, 1, 0, 0, 0]], dtype=torch.float64)
w = masked_whiten(x, mask)
vals = [x[i, j].item() for i in range(4) for j in range(5) if mask[i, j] == 1]
mu = sum(vals) / len(vals)
sd = math.sqrt(sum((v - mu) ** 2 for v in vals) / (len(vals) - 1) + 1e-8)
lp = torch.log(torch.tensor([0.2, 0.5, 0.9], dtype=torch.float64))
lref = torch.log(torch.tensor([0.4, 0.5, 0.3], dtype=torch.float64))
p, q = [0.2, 0.5, 0.9], [0.4, 0.5, 0.3]
print(json.dumps({"gae": adv.tolist(), "want": want, "ret": ret.tolist(), "wantRet": [[a + b for a, b in zip(ar, vr)] for ar, vr in zip(want, V)],
  "gae1": adv1.tolist(), "togo": togo,
  "white": [w[i, j].item() for i in range(4) for j in range(5) if mask[i, j] == 1], "wantWhite": [(v - mu) / sd for v in vals],
  "k1": kl_estimate(lp, lref, "k1").tolist(), "k3": kl_estimate(lp, lref, "k3").tolist(),
  "wantK1": [math.log(a / b) for a, b in zip(p, q)], "wantK3": [b / a - 1 - math.log(b / a) for a, b in zip(p, q)]}))`);
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(Math.abs(v - b[i]), `${i}`).toBeLessThan(1e-9));
    r.gae.forEach((row, i) => close(row, r.want[i]));
    r.ret.forEach((row, i) => close(row, r.wantRet[i]));
    r.gae1.forEach((row, i) => close(row, r.togo[i]));
    close(r.white, r.wantWhite);
    close(r.k1, r.wantK1);
    close(r.k3, r.wantK3);
  });
});

afterAll(removeTempDirs);
