// The whole loop as a user runs it: `train sft` → `generate --checkpoint` (holdout questions, 2 seeds) →
// `eval --questions holdout-of:RUN` → a leaderboard row that says which questions it scored; generation
// resumes to the same bytes; the stage contract with a user's --trainer-command; bad input is one line, exit 2.
import { existsSync, mkdirSync, readFileSync, writeFileSync, cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLiteralEscapes, dropTrailingQuote } from '../harness/datasets/extract.js';
import { runCli } from './helpers/cli.js';
import { APIBENCH, sharedPath } from './helpers/shared.js';
import { gpt2TokenizerDir, py, pyJson, python, SKIP_TRAINERS, tempDir, removeTempDirs } from './trainers-env.js';

function oneLineError(r: { status: number; stderr: string }, re: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^apieval: /);
  expect(lines[0]).toMatch(re);
  expect(r.stderr).not.toMatch(/Traceback|at .*\.js:\d+/);
}

describe.skipIf(SKIP_TRAINERS)('train → generate → eval, end to end', () => {
  let root: string;
  let run: string;
  const gen = (extra: string[] = []) =>
    runCli(['generate', '--checkpoint', join(run, 'final'), '--data-dir', APIBENCH, '--questions', `holdout-of:${run}`, '--limit', '20', '--seed', '0,1',
      '--temperature', '0.8', '--top-p', '0.95', '--top-k', '100', '--max-new-tokens', '24', '--batch-size', '8', '--device', 'cpu', '--out-dir', join(root, 'gen'), ...extra]);

  beforeAll(() => {
    sharedPath('apibench');
    python();
    root = tempDir('e2e');
    run = join(root, 'sft');
    const r = runCli(['train', 'sft', '--data-dir', APIBENCH, '--init', 'random:tiny', '--device', 'cpu', '--max-length', '128', '--lr', '1e-3', '--batch-size', '4', '--max-steps', '6', '--eval-every', '6', '--out', run, '--quiet']);
    if (r.status !== 0) throw new Error(r.stderr);
  }, 300_000);

  it('generates Gorilla-style files for the held-out questions only, which decode back to the completions', () => {
    const r = gen();
    expect(r.status, r.stderr).toBe(0);
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { eval_question_ids: number[] };
    for (const seed of [0, 1]) {
      const file = join(root, 'gen', `huggingface_sft.seed${seed}.jsonl`);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { question_id: number; text: string; metadata: { completion: string; seed: number } });
      expect(lines.map((l) => l.question_id)).toEqual(split.eval_question_ids.slice(0, 20));
      for (const l of lines) {
        expect(l.text.endsWith('"')).toBe(true);
        expect(decodeLiteralEscapes(dropTrailingQuote(l.text))).toBe(l.metadata.completion);
        expect(l.metadata.seed).toBe(seed);
      }
    }
    const a = readFileSync(join(root, 'gen', 'huggingface_sft.seed0.jsonl'), 'utf8');
    const b = readFileSync(join(root, 'gen', 'huggingface_sft.seed1.jsonl'), 'utf8');
    expect(a).not.toBe(b); // sampling: seeds differ
    const manifest = JSON.parse(readFileSync(join(root, 'gen', 'huggingface_sft.run.json'), 'utf8'));
    expect(manifest.questions).toMatchObject({ spec: `holdout-of:${run}`, n: 20 });
    expect(manifest.questions.label).toMatch(/92-question holdout \(10%, seed 0\)/);
  }, 300_000);

  it('Gorilla\'s escaping decodes back exactly through the extraction eval uses', () => {
    const samples = ['a"b', 'back\\slash \\n literal', 'tab\there\r\nnext', 'ctrl\u0001\u001f', 'ends with quote"', 'ünï 你好 🙂', ''];
    const escaped = pyJson<string[]>(`
import json, sys
from apieval_trainers.generate import gorilla_escape
print(json.dumps([gorilla_escape(s) for s in json.load(sys.stdin)]))`, JSON.stringify(samples));
    expect(escaped.map((t) => decodeLiteralEscapes(dropTrailingQuote(t)))).toEqual(samples);
  });

  it('a generation killed part way resumes to the same bytes; other sampling parameters are refused', () => {
    const file = join(root, 'gen', 'huggingface_sft.seed1.jsonl');
    const whole = readFileSync(file, 'utf8');
    const lines = whole.split('\n');
    writeFileSync(file + '.partial', lines.slice(0, 7).join('\n') + '\n' + lines[7].slice(0, 15)); // a torn last line
    rmSync(file);
    const again = gen();
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/seed 1: 7 done, 13 to generate/);
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(existsSync(file + '.partial')).toBe(false);
    oneLineError(gen(['--temperature', '0.5']), /made with different temperature/);
  }, 300_000);

  it('eval --questions holdout-of:RUN scores them and says so in the leaderboard', () => {
    const files = [0, 1].map((s) => join(root, 'gen', `huggingface_sft.seed${s}.jsonl`)).join(',');
    const out = join(root, 'eval');
    const r = runCli(['eval', '--data-dir', APIBENCH, '--questions', `holdout-of:${run}`, '--candidate', `sft=${files}`, '--gorilla-responses', '--no-exec', '--out', out, '--formats', 'json,md,latex', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const lb = JSON.parse(readFileSync(join(out, 'report', 'leaderboard.json'), 'utf8'));
    const sft = lb.rows.find((x: { checkpoint: string }) => x.checkpoint === 'sft');
    expect(sft).toBeDefined();
    expect(sft.cells.ast_gorilla.value).toBeGreaterThanOrEqual(0);
    expect(lb.dataset.questions).toMatch(/92-question holdout .* not trained on/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.dataset.questions.n).toBe(92);
    // Gorilla's published files answer every question: only the held-out ones were scored.
    const ft = manifest.candidates.find((c: { name: string }) => c.name === 'Gorilla_FT_0_shot');
    expect(ft.runs[0].responses).toBeLessThanOrEqual(92);
    expect(ft.runs[0].left_out).toBeGreaterThan(800);
    expect(readFileSync(join(out, 'report', 'leaderboard.md'), 'utf8')).toMatch(/Questions: the 92-question holdout/);
    expect(readFileSync(join(out, 'report', 'leaderboard.tex'), 'utf8')).toMatch(/\\caption\{APIBench huggingface: Questions: the 92-\{\}question holdout \(10\\%, seed 0\)/);
    // Another question set in the same folder is refused.
    oneLineError(runCli(['eval', '--data-dir', APIBENCH, '--candidate', `sft=${files}`, '--no-exec', '--out', out, '--quiet']), /holds a run on the 92-question holdout/);
  }, 300_000);

  it('a user trainer in place of the built-in one (the stage contract), and one that breaks it', () => {
    const script = join(root, 'my_trainer.py');
    writeFileSync(script, `
import json, os, sys
from apieval_trainers import checkpoint as ckpt
cfg = json.load(open(sys.argv[1]))
assert cfg["stage"] == "sft" and os.path.isfile(cfg["data"]["train"])
n = sum(1 for _ in open(cfg["data"]["train"]))
print(json.dumps({"event": "start", "examples": n, "heldout": 0, "steps": 1, "global_batch": n, "params": 0, "device": "cpu", "world_size": 1}), flush=True)
model = ckpt.random_model(cfg["model"]["init"], cfg["seed"])
ckpt.save_checkpoint(model, os.path.join(cfg["out"], "final"), cfg["tokenizer"])
with open(os.path.join(cfg["out"], "metrics.jsonl"), "a") as f:
    f.write(json.dumps({"kind": "step", "step": 1, "loss": 1.0, "tokens_per_s": 1.0}) + "\\n")
print(json.dumps({"event": "done", "step": 1, "final": os.path.join(cfg["out"], "final")}), flush=True)
`);
    const out = join(root, 'custom');
    const r = runCli(['train', 'sft', '--data-dir', APIBENCH, '--init', 'random:tiny', '--out', out, '--trainer-command', `${python()} ${script} {config}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/complete: 1 steps/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.trainer).toContain('my_trainer.py');
    expect(existsSync(join(out, 'final', 'model.safetensors'))).toBe(true);
    const broken = runCli(['train', 'sft', '--data-dir', APIBENCH, '--init', 'random:tiny', '--out', join(root, 'broken'), '--trainer-command', 'true']);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/exited 0 but .*final is not a checkpoint/);
  }, 300_000);

  it('trainers doctor reports the python, torch and devices', () => {
    const r = runCli(['trainers', 'doctor', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.torch).toMatch(/^\d+\.\d+/);
    expect(typeof d.threads).toBe('number');
    expect(typeof d.bf16).toBe('boolean');
    expect(d.regex).toBe(true);
    expect(runCli(['trainers', 'doctor']).stdout).toMatch(/^python .*\ntorch +\d/);
  });
});

describe.skipIf(SKIP_TRAINERS)('bad input: one clear line, exit 2', () => {
  let root: string;
  let good: string;
  const sft = (extra: string[]) => runCli(['train', 'sft', '--data-dir', APIBENCH, '--device', 'cpu', '--max-steps', '1', '--out', join(root, `out-${Math.random().toString(36).slice(2)}`), ...extra]);
  beforeAll(() => {
    sharedPath('apibench');
    root = tempDir('bad');
    good = join(root, 'good');
    const r = py(['-m', 'apieval_trainers', 'init', '--init', 'random:tiny', '--tokenizer', gpt2TokenizerDir(), '--out', good]);
    if (r.status !== 0) throw new Error(r.stderr);
  });

  it('a checkpoint folder without config.json', () => {
    const dir = join(root, 'noconfig');
    cpSync(good, dir, { recursive: true });
    rmSync(join(dir, 'config.json'));
    oneLineError(sft(['--model', dir]), /not a checkpoint folder \(no config\.json\)/);
    oneLineError(runCli(['generate', '--checkpoint', dir, '--data-dir', APIBENCH]), /no config\.json/);
  });

  it('a config of another architecture', () => {
    const dir = join(root, 'llama');
    cpSync(good, dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', architectures: ['LlamaForCausalLM'], hidden_size: 64 }));
    oneLineError(sft(['--model', dir]), /config\.json: a config of another architecture \(model_type 'llama'\)/);
  });

  it('a tokenizer that does not match the embedding size', () => {
    const dir = join(root, 'smallvocab');
    cpSync(good, dir, { recursive: true });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg, vocab_size: 50000 }));
    oneLineError(sft(['--model', dir]), /the tokenizer has 50257 tokens but the model's embedding has 50000 rows/);
  });

  it('--nproc larger than the devices', () => {
    oneLineError(sft(['--init', 'random:tiny', '--nproc', '64']), /--nproc 64: only \d+ CPU cores? here/);
  });

  it('no torch for the python the stages would use', () => {
    const shadow = join(root, 'notorch');
    mkdirSync(join(shadow, 'torch'), { recursive: true });
    writeFileSync(join(shadow, 'torch', '__init__.py'), 'raise ImportError("No module named \'torch\'")\n');
    const r = runCli(['train', 'sft', '--data-dir', APIBENCH, '--init', 'random:tiny', '--out', join(root, 'nt')], { env: { APIEVAL_PYTHON: python(), PYTHONPATH: shadow } });
    oneLineError(r, /cannot run the trainers .*no torch|torch is not importable/);
    expect(r.stderr).toMatch(/python3-torch/);
    oneLineError(runCli(['trainers', 'doctor'], { env: { APIEVAL_PYTHON: '/nonexistent/python' } }), /APIEVAL_PYTHON=\/nonexistent\/python cannot run the trainers \(\/nonexistent\/python: not found\)/);
  });

  it('options that make no sense are refused before any work', () => {
    oneLineError(sft([]), /give the model to fine-tune/);
    oneLineError(sft(['--init', 'random:huge']), /--init 'random:huge'/);
    oneLineError(sft(['--init', 'random:tiny', '--split', 'holdout:1.5']), /--split 'holdout:1\.5'/);
    oneLineError(runCli(['generate', '--checkpoint', good, '--base-url', 'http://127.0.0.1:1/v1']), /--base-url is for endpoints/);
    oneLineError(runCli(['generate', '--top-k', '5', '--model', 'x']), /--top-k needs --checkpoint/);
  });
});

afterAll(removeTempDirs);
