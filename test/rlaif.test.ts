// `apieval rlaif` as a user runs it: fixtures/rlaif/tiny.json end to end on this machine (random tiny GPT-2, the
// bundled judge on 127.0.0.1), then what makes a pipeline trustworthy: every stage feeds the next (the labels the
// reward model trained on, the reward PPO used, best-of-n's choice = the highest RM logit among its n samples),
// an unchanged config skips every stage, a changed PPO option reruns from PPO on and nothing before it, a kill -9
// in the middle resumes to the uninterrupted result, and a bad config is one line.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { expectOneLine, killWhen, python, removeTempDirs, SKIP_TRAINERS, tempDir } from './trainers-env.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'rlaif', 'tiny.json');
const lines = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l));

describe.skipIf(SKIP_TRAINERS)('apieval rlaif', () => {
  let root: string;
  let a: string;
  let first: ReturnType<typeof runCli>;
  beforeAll(() => {
    sharedPath('apibench');
    python();
    root = tempDir('rlaif');
    a = join(root, 'a');
    first = runCli(['rlaif', '--config', TINY, '--data-dir', APIBENCH, '--out', a]);
  }, 600_000);

  it('runs the whole loop: a leaderboard with rows sft, rl and best-of-n, each stage fed by the one before', () => {
    expect(first.status, first.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(a, 'rlaif.json'), 'utf8'));
    expect(manifest.stages.map((s: { stage: string; status: string }) => `${s.stage}:${s.status}`)).toEqual(['sft', 'samples', 'feedback', 'reward', 'ppo', 'generate', 'eval'].map((s) => `${s}:ran`));
    const cfg = JSON.parse(readFileSync(TINY, 'utf8'));
    // Samples: n answers to each of the first `questions` held-in questions; feedback labels every one of them.
    const split = JSON.parse(readFileSync(join(a, 'sft', 'split.json'), 'utf8'));
    const trainQs = lines(join(a, 'samples', 'questions.jsonl')).map((q) => q.question_id);
    expect(trainQs).toEqual(split.train_question_ids.slice(0, cfg.samples.questions));
    const labels = lines(join(a, 'feedback', 'labels.jsonl'));
    expect(labels).toHaveLength(cfg.samples.questions * cfg.samples.n);
    expect(new Set(labels.map((l) => l.label))).toEqual(new Set([0, 1]));
    for (let k = 0; k < cfg.samples.n; k++) {
      const texts = new Map(lines(join(a, 'samples', `train.seed${k}.jsonl`)).map((r) => [r.question_id, r.text]));
      for (const l of labels.filter((x) => x.id.startsWith(`s${k}-`))) expect(l.completion).toBe(texts.get(l.question_id));
    }
    // The reward model trained on those labels; PPO on its logit.
    const rm = JSON.parse(readFileSync(join(a, 'reward', 'manifest.json'), 'utf8'));
    expect(rm.labels.file).toBe(join(a, 'feedback', 'labels.jsonl'));
    expect(rm.labels.sha256).toBe(createHash('sha256').update(readFileSync(join(a, 'feedback', 'labels.jsonl'))).digest('hex'));
    expect(rm.labels.accepted).toBe(labels.filter((l) => l.label === 1).length);
    expect(JSON.parse(readFileSync(join(a, 'ppo', 'config.json'), 'utf8')).reward).toEqual({ kind: 'rm', path: join(a, 'reward', 'final') });
    // Held-out questions only, 3 seeds per row, the RM column, and rl tested against best-of-n too.
    const heldQs = lines(join(a, 'generate', 'questions.jsonl')).map((q) => q.question_id);
    expect(heldQs).toEqual(split.eval_question_ids.slice(0, cfg.evaluation.questions));
    expect(heldQs.some((q: number) => split.train_question_ids.includes(q))).toBe(false);
    const lb = JSON.parse(readFileSync(join(a, 'eval', 'report', 'leaderboard.json'), 'utf8'));
    expect(lb.rows.map((r: { checkpoint: string }) => r.checkpoint)).toEqual(['sft', 'rl', 'best-of-n']);
    expect(lb.baseline).toBe('sft');
    for (const r of lb.rows) expect(r.runs).toBe(3);
    expect(lb.metrics.map((m: { key: string }) => m.key)).toContain('rm_p');
    const vs = JSON.parse(readFileSync(join(a, 'eval', 'report-vs-best-of-n', 'leaderboard.json'), 'utf8'));
    expect(vs.baseline).toBe('best-of-n');
    expect(vs.rows.find((r: { checkpoint: string }) => r.checkpoint === 'rl').cells.rm_p.vs_baseline.test).toBe('paired_bootstrap');
    expect(first.stdout).toMatch(/## rl against best-of-n/);
  });

  it("best-of-n keeps, per question and seed, the sample whose logit is highest, as eval's own RM column scores them", () => {
    const cfg = JSON.parse(readFileSync(TINY, 'utf8'));
    const n = cfg.evaluation.best_of_n;
    const samples = lines(join(a, 'eval', 'samples.jsonl'));
    for (const [run, s] of (cfg.evaluation.seeds as number[]).entries()) {
      // Each of the n sample files scored by reward score, independently of rerank and eval.
      const scored = Array.from({ length: n }, (_, k) => {
        const f = join(a, 'generate', `sft-n.seed${1000 + s * n + k}.jsonl`);
        const out = join(root, `scored-${s}-${k}.jsonl`);
        const r = runCli(['reward', 'score', '--model', join(a, 'reward', 'final'), '--questions', join(a, 'generate', 'questions.jsonl'), '--responses', f, '--out', out]);
        expect(r.status, r.stderr).toBe(0);
        return new Map(lines(out).map((x) => [x.question_id as number, x.logit as number]));
      });
      const best = samples.filter((x) => x.checkpoint === 'best-of-n' && x.run === run + 1);
      expect(best.length).toBe(cfg.evaluation.questions);
      for (const b of best) {
        const max = Math.max(...scored.map((m) => m.get(b.question_id)!));
        expect(Math.abs(b.metrics.rm.logit - max), `seed ${s} question ${b.question_id}`).toBeLessThanOrEqual(1e-5);
      }
    }
  }, 120_000);

  it('the same command again skips every stage and changes nothing', () => {
    const before = statSync(join(a, 'eval', 'samples.jsonl')).mtimeMs;
    const r = runCli(['rlaif', '--config', TINY, '--data-dir', APIBENCH, '--out', a]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/0 stage\(s\) ran, 7 skipped/);
    expect(statSync(join(a, 'eval', 'samples.jsonl')).mtimeMs).toBe(before);
  });

  it('a changed PPO option reruns PPO and what follows it only; killed mid-generation, the same command finishes it as if never killed', async () => {
    const b = join(root, 'b');
    cpSync(a, b, { recursive: true });
    const cfg = JSON.parse(readFileSync(TINY, 'utf8'));
    cfg.ppo.lr = 2e-5;
    const changed = join(root, 'changed.json');
    writeFileSync(changed, JSON.stringify(cfg, null, 2));
    const args = ['rlaif', '--config', changed, '--data-dir', APIBENCH, '--out', b];
    await killWhen(args, /rlaif: generate: running/);
    const r = runCli(args);
    expect(r.status, r.stderr).toBe(0);
    const status = JSON.parse(readFileSync(join(b, 'rlaif.json'), 'utf8')).stages.map((s: { stage: string; status: string }) => `${s.stage}:${s.status}`);
    expect(status).toEqual(['sft:skipped', 'samples:skipped', 'feedback:skipped', 'reward:skipped', 'ppo:skipped', 'generate:ran', 'eval:ran']);
    expect(r.stderr).toMatch(/generate: running \(resuming\)/);
    expect(JSON.parse(readFileSync(join(b, 'ppo', 'config.json'), 'utf8')).lr).toBe(2e-5);
    // sft and best-of-n depend on M_SFT and M_reward only, which were reused: their samples are a's, byte for byte.
    const rows = (d: string, c: string) => readFileSync(join(d, 'eval', 'samples.jsonl'), 'utf8').split('\n').filter((l) => l.startsWith(`{"checkpoint":"${c}"`));
    for (const c of ['sft', 'best-of-n']) expect(rows(b, c)).toEqual(rows(a, c));
    expect(rows(b, 'rl')).toHaveLength(rows(a, 'rl').length);
  }, 600_000);

  it('a bad config is one line naming the file, exit 2, nothing written', () => {
    const bad = (name: string, text: string) => {
      const f = join(root, name);
      writeFileSync(f, text);
      return f;
    };
    const out = join(root, 'never');
    expectOneLine(runCli(['rlaif', '--config', bad('json.json', '{\n  "sft": {\n    "max_steps": 3,\n  }\n}\n'), '--out', out]), /json\.json:4: not valid JSON/);
    expectOneLine(runCli(['rlaif', '--config', bad('key.json', '{"sft": {}, "sampels": {}}'), '--out', out]), /key\.json: unknown key 'sampels'/);
    expectOneLine(runCli(['rlaif', '--config', bad('managed.json', '{"ppo": {"out": "x"}}'), '--out', out]), /managed\.json: 'ppo\.out' is set by apieval rlaif itself/);
    expectOneLine(runCli(['rlaif', '--config', bad('split.json', '{"sft": {"split": "train"}}'), '--out', out]), /'sft\.split' train: rlaif needs a holdout:FRACTION split/);
    expectOneLine(runCli(['rlaif', '--config', join(root, 'missing.json'), '--out', out]), /missing\.json: no such file \(--config\)/);
    expect(() => statSync(out)).toThrow();
  });
});

describe('rlaif configs shipped in fixtures/rlaif', () => {
  it.each(['tiny.json', 'paper.json'])('%s: every flag it gives is an option of the command its stage runs', async (name) => {
    const { loadRlaifConfig, flagArgs } = await import('../harness/rlaif/config.js');
    const c = loadRlaifConfig(join(import.meta.dirname, '..', 'fixtures', 'rlaif', name));
    const stages: [string[], Record<string, string | number | boolean>][] = [
      [['train', 'sft'], c.sft], [['generate'], c.samples.flags], [['feedback'], c.feedback.flags], [['train', 'reward'], c.reward],
      [['train', 'ppo'], c.ppo], [['generate'], c.evaluation.generate], [['eval'], c.evaluation.eval],
    ];
    for (const [cmd, flags] of stages) {
      const help = runCli([...cmd, '--help']).stdout;
      for (const f of flagArgs(flags).filter((x) => x.startsWith('--'))) expect(help, `${name}: apieval ${cmd.join(' ')} ${f}`).toMatch(new RegExp(`(^|[ ,])${f}( |$|,|\\n)`, 'm'));
    }
  });
});

afterAll(removeTempDirs);
