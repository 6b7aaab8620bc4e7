import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, REPO } from './helpers/cli.js';
import { APIBENCH, GOLDEN, sharedPath } from './helpers/shared.js';
import { readJsonlAll } from '../core/jsonl.js';
import type { SampleRecord, Summary, Manifest } from '../harness/runs/types.js';
import { requireSandbox, SKIP_DOCKER } from './sandbox-env.js';

const HF = () => join(sharedPath('apibench'), 'responses', 'huggingface');
const resp = (model: string) => join(HF(), `response_huggingface_${model}.jsonl`);
const MODELS = ['Gorilla_FT_0_shot', 'Gorilla_FT_bm25', 'Gorilla_FT_gpt_index', 'Gorilla_FT_oracle', 'Gorilla_RT_0_shot', 'Gorilla_RT_bm25', 'Gorilla_RT_gpt_index', 'Gorilla_RT_oracle'];

function readSamples(dir: string): SampleRecord[] {
  return readFileSync(join(dir, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
}
function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'apieval-eval-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('apieval eval on the 8 Gorilla HF response files (--no-exec)', () => {
  let out: string;
  let samples: SampleRecord[];
  let summary: Summary;
  beforeAll(() => {
    out = join(tmp, 'hf8');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--gorilla-responses', '--no-exec', '--out', out, '--baseline', 'Gorilla_FT_0_shot']);
    expect(r.status, r.stderr).toBe(0);
    samples = readSamples(out);
    summary = readJson<Summary>(join(out, 'summary.json'));
  }, 300_000);

  it('scores every response of every file as its own checkpoint', () => {
    expect(samples.length).toBe(8 * 904);
    expect(summary.checkpoints.map((c) => c.name)).toEqual(MODELS);
    for (const c of summary.checkpoints) expect(c.runs.map((r) => r.n)).toEqual([904]);
  });

  it('reproduces the golden AST verdicts record for record, and the totals', async () => {
    const golden = await readJsonlAll<Record<string, unknown>>(join(GOLDEN, 'ast_gorilla_modern_grammar_variant.jsonl.gz'));
    const byKey = new Map(samples.map((s) => [`${s.checkpoint}/${s.question_id}`, s]));
    let n = 0;
    for (const g of golden) {
      if (g.type === 'totals') {
        const c = summary.checkpoints.find((x) => x.name === g.file)!;
        expect(Math.abs(c.runs[0].metrics.ast_gorilla.value! - (g.final_functionality_accuracy as number))).toBeLessThan(1e-9);
        expect(Math.abs(c.runs[0].metrics.hallucination.value! - (g.final_hallucination as number))).toBeLessThan(1e-9);
        continue;
      }
      const s = byKey.get(`${g.file}/${g.question_id}`)!;
      expect(s, `${g.file}/${g.question_id}`).toBeDefined();
      const v = s.metrics.ast_gorilla as { correct: boolean; hallucination: boolean; database_index: number };
      expect([v.correct, v.hallucination, v.database_index], `${g.file}/${g.question_id}`).toEqual([g.correct, g.hallucination, g.database_index]);
      expect(s.domain).toBe(g.question_domain);
      n++;
    }
    // The golden folder holds the 6 non-oracle files (the two *_oracle ones are kept back).
    expect(new Set(golden.filter((g) => g.type === 'totals').map((g) => g.file))).toEqual(new Set(MODELS.filter((m) => !m.endsWith('oracle'))));
    expect(n).toBe(6 * 904);
  });

  it('reproduces the golden corpus CodeBLEU (k4black) and ROUGE means per checkpoint', async () => {
    const cb = await readJsonlAll<Record<string, any>>(join(GOLDEN, 'codebleu_corpus.jsonl.gz'));
    const rouge = await readJsonlAll<Record<string, any>>(join(GOLDEN, 'rouge_corpus.jsonl.gz'));
    let checked = 0;
    for (const c of summary.checkpoints) {
      const m = c.runs[0].metrics;
      const api = cb.find((x) => x.subset === `hf_api/${c.name}`);
      const code = cb.find((x) => x.subset === `hf_code/${c.name}`);
      const rc = rouge.find((x) => x.subset === `hf_code/${c.name}`);
      if (!api) continue; // the oracle subsets are kept back
      expect(Math.abs(m.codebleu_api.value! - api.k4black.codebleu)).toBeLessThan(1e-9);
      expect(Math.abs(m.codebleu_code.value! - code!.k4black.codebleu)).toBeLessThan(1e-9);
      expect(m.codebleu_code.n).toBe(code!.n);
      for (const t of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']) {
        expect(Math.abs(m[`${t}_code`].value! - rc!.use_stemmer_false.mean_fmeasure[t])).toBeLessThan(1e-9);
      }
      checked++;
    }
    expect(checked).toBe(6);
  });

  it('gives the strict AST variant exactly what AstMatcher(strict) says', async () => {
    const { AstMatcher } = await import('../metrics/ast-match/index.js');
    const { loadApiDb, loadEval, loadResponses } = await import('../harness/datasets/apibench.js');
    const ev = loadEval(sharedPath('apibench'), 'huggingface');
    const strict = new AstMatcher('huggingface', loadApiDb(sharedPath('apibench'), 'huggingface'), 'strict');
    for (const model of ['Gorilla_FT_0_shot', 'Gorilla_RT_oracle']) {
      const mine = new Map(samples.filter((s) => s.checkpoint === model).map((s) => [s.question_id, s.metrics.ast_strict as any]));
      let correct = 0;
      for (const r of loadResponses(resp(model))) {
        const q = ev[r.question_id - 1];
        const v = strict.matchResponse(r.text, { domain: q.domain, referenceApiCall: q.api_data.api_call, questionIndex: q.index });
        expect([mine.get(r.question_id).correct, mine.get(r.question_id).hallucination, mine.get(r.question_id).database_index]).toEqual([v.correct, v.hallucination, v.database_index]);
        if (v.correct) correct++;
      }
      expect(correct).toBeGreaterThan(100);
    }
  });

  it('gives every estimate a 95% interval around it', () => {
    for (const c of summary.checkpoints) {
      for (const [k, e] of Object.entries(c.runs[0].metrics)) {
        expect(e.value, `${c.name} ${k}`).not.toBeNull();
        expect(e.low!).toBeLessThanOrEqual(e.value! + 1e-12);
        expect(e.high!).toBeGreaterThanOrEqual(e.value! - 1e-12);
        expect(e.high! - e.low!).toBeGreaterThan(0);
      }
    }
  });

  it('writes the manifest: schema, dataset checksums, signatures, seeds, timings', () => {
    const m = readJson<Manifest>(join(out, 'manifest.json'));
    expect(m.schema_version).toBe(1);
    expect(m.dataset.files.huggingface_eval).toMatch(/^[0-9a-f]{64}$/);
    expect(m.signatures.codebleu_api).toMatch(/^codebleu\|v:k4black-0\.7\.1\|/);
    expect(m.signatures.ast_gorilla).toMatch(/^ast\|/);
    expect(m.signatures.rouge_code).toMatch(/^rouge\|/);
    expect(m.seeds.bootstrap).toBe(12345);
    expect(m.timings.wall_s).toBeGreaterThan(0);
    expect(m.candidates).toHaveLength(8);
    expect(m.candidates[0].runs[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('writes the leaderboard in every format, with McNemar counts that match the samples', () => {
    for (const f of ['leaderboard.csv', 'leaderboard_domains.csv', 'leaderboard.tex', 'leaderboard.md', 'leaderboard.json', 'leaderboard.html']) {
      expect(existsSync(join(out, 'report', f)), f).toBe(true);
    }
    const lb = readJson<any>(join(out, 'report', 'leaderboard.json'));
    expect(lb.baseline).toBe('Gorilla_FT_0_shot');
    const row = lb.rows.find((r: any) => r.checkpoint === 'Gorilla_RT_0_shot');
    const t = row.cells.ast_gorilla.vs_baseline;
    // Independent count of discordant pairs from samples.jsonl.
    const base = new Map(samples.filter((s) => s.checkpoint === 'Gorilla_FT_0_shot').map((s) => [s.question_id, (s.metrics.ast_gorilla as any).correct]));
    let b = 0;
    let c = 0;
    for (const s of samples.filter((x) => x.checkpoint === 'Gorilla_RT_0_shot')) {
      const x = base.get(s.question_id);
      const y = (s.metrics.ast_gorilla as any).correct;
      if (x && !y) b++;
      if (!x && y) c++;
    }
    expect([t.test, t.b, t.c]).toEqual(['mcnemar', b, c]);
    expect(t.significant).toBe(true);
    expect(row.cells.codebleu_code.vs_baseline.test).toBe('paired_bootstrap');
    // All 40 domains of the HF API database; 'Multimodal Document Question Answering' has no answered question.
    expect(lb.domains.domains.length).toBe(40);
    const empty = lb.domains.rows[0].values['Multimodal Document Question Answering'];
    expect(empty).toEqual({ value: null, n: 0 });
    const fe = lb.domains.rows[0].values['Multimodal Feature Extraction'];
    const feSamples = samples.filter((s) => s.checkpoint === 'Gorilla_FT_0_shot' && s.domain === 'Multimodal Feature Extraction');
    expect(fe.n).toBe(feSamples.length);
    expect(fe.value).toBeCloseTo(feSamples.filter((s) => (s.metrics.ast_gorilla as any).correct).length / feSamples.length, 15);
    // Holm across the table: the largest adjusted p is at least the largest raw p.
    const tests = lb.rows.flatMap((r: any) => Object.values(r.cells).map((x: any) => x.vs_baseline).filter(Boolean));
    expect(tests.length).toBe(7 * lb.metrics.length);
    for (const x of tests) expect(x.p_holm).toBeGreaterThanOrEqual(x.p);
  });
});

describe('resume after a crash', () => {
  const candidates = ['--candidate', `ft=${resp('Gorilla_FT_0_shot')}`, '--candidate', `rt=${resp('Gorilla_RT_0_shot')},${resp('Gorilla_RT_bm25')}`, '--candidate', `bm=${resp('Gorilla_FT_bm25')}`];
  const args = (out: string) => ['eval', '--data-dir', sharedPath('apibench'), ...candidates, '--no-exec', '--no-report', '--out', out];

  it('continues a SIGKILLed run and ends byte-identical to an uninterrupted one', async () => {
    const clean = join(tmp, 'clean');
    const crashed = join(tmp, 'crashed');
    const r0 = runCli(args(clean));
    expect(r0.status, r0.stderr).toBe(0);

    // Start the same run, kill it hard once some samples are on disk (not all).
    const child = spawn(process.execPath, [resolve(REPO, 'bin/apieval.js'), ...args(crashed), '--quiet'], { stdio: 'ignore' });
    const samplesFile = join(crashed, 'samples.jsonl');
    const killedAt = await new Promise<number>((res, rej) => {
      const timer = setInterval(() => {
        if (existsSync(samplesFile) && statSync(samplesFile).size > 0) {
          const lines = readFileSync(samplesFile, 'utf8').split('\n').length - 1;
          if (lines >= 400) {
            child.kill('SIGKILL');
            clearInterval(timer);
            res(lines);
          }
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        rej(new Error('the run finished before it could be killed'));
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(killedAt).toBeGreaterThanOrEqual(400);
    expect(existsSync(join(crashed, 'summary.json'))).toBe(false);
    const partial = readFileSync(samplesFile, 'utf8').split('\n').length - 1;
    expect(partial).toBeLessThan(4 * 904);

    const r1 = runCli(args(crashed));
    expect(r1.status, r1.stderr).toBe(0);
    const m = readJson<Manifest>(join(crashed, 'manifest.json'));
    expect(m.timings.reused_samples).toBeGreaterThanOrEqual(killedAt);
    expect(m.timings.computed_samples + m.timings.reused_samples).toBe(4 * 904);
    expect(readFileSync(samplesFile, 'utf8')).toBe(readFileSync(join(clean, 'samples.jsonl'), 'utf8'));
    expect(readFileSync(join(crashed, 'summary.json'), 'utf8')).toBe(readFileSync(join(clean, 'summary.json'), 'utf8'));
    // Manifests agree apart from timings (and the output folder in the recorded command).
    const mc = readJson<Manifest>(join(clean, 'manifest.json'));
    const strip = (x: Manifest) => ({ ...x, timings: null, command: null });
    expect(strip(m)).toEqual(strip(mc));
  }, 300_000);

  it('recomputes only the metric whose signature changed', () => {
    const dir = join(tmp, 'clean');
    const file = join(dir, 'samples.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SampleRecord);
    // Tamper with a cached AST value: if AST were recomputed, the tampering would disappear.
    (lines[0].metrics.ast_gorilla as any).database_index = 424242;
    const cbBefore = (lines[0].metrics.codebleu_api as any).codebleu;
    writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = runCli([...args(dir).map((a) => a), '--codebleu-variant', 'codexglue']);
    expect(r.status, r.stderr).toBe(0);
    const after = readSamples(dir);
    expect((after[0].metrics.ast_gorilla as any).database_index).toBe(424242);
    expect(after[0].keys.ast_gorilla).toBe(lines[0].keys.ast_gorilla);
    expect(after[0].keys.codebleu_api).not.toBe(lines[0].keys.codebleu_api);
    expect(typeof (after[0].metrics.codebleu_api as any).codebleu).toBe('number');
    void cbBefore;
    const m = readJson<Manifest>(join(dir, 'manifest.json'));
    expect(m.signatures.codebleu_api).toMatch(/codexglue/);
  }, 300_000);

  it('reports repeated runs as mean ± sd', () => {
    const s = readJson<Summary>(join(tmp, 'crashed', 'summary.json'));
    const rt = s.checkpoints.find((c) => c.name === 'rt')!;
    expect(rt.runs.map((r) => r.run)).toEqual([1, 2]);
    const a = rt.runs[0].metrics.ast_gorilla.value!;
    const b = rt.runs[1].metrics.ast_gorilla.value!;
    expect(rt.mean.ast_gorilla.mean).toBeCloseTo((a + b) / 2, 15);
    expect(rt.mean.ast_gorilla.sd).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 15);
    expect(rt.mean.ast_gorilla.runs).toBe(2);

    const outDir = join(tmp, 'lb-rep');
    const r = runCli(['leaderboard', join(tmp, 'crashed'), '--baseline', 'ft', '--out', outDir, '--formats', 'json,md', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const lb = readJson<any>(join(outDir, 'leaderboard.json'));
    const cell = lb.rows.find((x: any) => x.checkpoint === 'rt').cells.ast_gorilla;
    expect(cell.runs).toBe(2);
    expect(cell.sd).toBeCloseTo(Math.abs(a - b) / Math.SQRT2, 15);
    expect(cell.vs_baseline.test).toBe('paired_bootstrap'); // outcomes per question are no longer 0/1
    expect(lb.rows.find((x: any) => x.checkpoint === 'bm').cells.ast_gorilla.vs_baseline.test).toBe('mcnemar');
    expect(readFileSync(join(outDir, 'leaderboard.md'), 'utf8')).toMatch(/ ± /);
  });
});

describe('bad input is a one-line error, exit code 2', () => {
  const data = () => ['--data-dir', sharedPath('apibench')];
  it.each([
    [['--candidate', 'noequals'], /expected NAME=FILE/],
    [['--candidate', 'x=/no/such/file.jsonl'], /no such file/],
    [[], /nothing to score/],
    [['--gorilla-responses', '--baseline', 'nope'], /--baseline nope: no such checkpoint/],
    [['--gorilla-responses', '--codebleu-variant', 'x'], /codebleu-variant/],
    [['--gorilla-responses', '--formats', 'pdf'], /unknown format 'pdf'/],
  ])('eval %j', (extra, msg) => {
    const r = runCli(['eval', ...data(), '--no-exec', '--out', join(tmp, 'bad'), ...(extra as string[])]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(msg as RegExp);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('names the file and line of a malformed or duplicated prediction', () => {
    const f = join(tmp, 'dup.jsonl');
    writeFileSync(f, '{"question_id": 1, "text": "a"}\n{"question_id": 1, "text": "b"}\n');
    let r = runCli(['eval', ...data(), '--no-exec', '--out', join(tmp, 'bad2'), '--candidate', `m=${f}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}:2: question_id 1 answered twice`);
    writeFileSync(f, '{"question_id": 1, "text": "a"}\n{"question_id": 2, "text": 5}\n');
    r = runCli(['eval', ...data(), '--no-exec', '--out', join(tmp, 'bad2'), '--candidate', `m=${f}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${f}:2:`);
    expect(existsSync(join(tmp, 'bad2', 'samples.jsonl'))).toBe(false);
  });
  it('says how to score without a sandbox when no engine is reachable', () => {
    const f = join(REPO, 'fixtures/runs/exec_example.jsonl');
    const r = runCli(['eval', ...data(), '--candidate', `ex=${f}`, '--out', join(tmp, 'noengine')], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Docker engine/);
    expect(r.stderr).toMatch(/--no-exec/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('leaderboard refuses a folder that is not a finished run', () => {
    const r = runCli(['leaderboard', join(tmp, 'nothing-here')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a run directory/);
  });
});

describe('plain predictions JSONL and progress lines', () => {
  it('scores a small predictions file and prints plain progress when not on a terminal', () => {
    const f = join(REPO, 'fixtures/runs/predictions_example.jsonl');
    const out = join(tmp, 'pred');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--no-exec', '--candidate', `example=${f}`, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/eval: \d+\/\d+ \(100%\)/);
    const s = readSamples(out);
    expect(s.map((x) => x.question_id)).toEqual([1, 2, 3, 4, 5]);
    // The reference api_call itself must be AST-correct for its own question (strict too).
    const exact = s.find((x) => x.question_id === 2)!;
    expect((exact.metrics.ast_gorilla as any).correct).toBe(true);
    expect((exact.metrics.ast_strict as any).correct).toBe(true);
    const q = runCli(['eval', '--data-dir', sharedPath('apibench'), '--no-exec', '--candidate', `example=${f}`, '--out', out, '--quiet']);
    expect(q.status).toBe(0);
    expect(q.stderr).toBe('');
    expect(q.stdout).toBe('');
  });
});

void APIBENCH;

describe.skipIf(SKIP_DOCKER)('executability through the real sandbox', () => {
  beforeAll(async () => {
    await requireSandbox('base');
  });
  it('classifies each program, gates on the reference programs and reports both rates', () => {
    const f = join(REPO, 'fixtures/runs/exec_example.jsonl');
    const out = join(tmp, 'exec');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--candidate', `ex=${f}`, '--out', out, '--timeout-s', '20']);
    expect(r.status, r.stderr).toBe(0);
    const s = readSamples(out);
    const status = Object.fromEntries(s.map((x) => [x.question_id, (x.metrics.exec as any).status]));
    expect(status).toEqual({ 1: 'ok', 2: 'syntax_error', 3: 'import_error', 4: 'runtime_error', 5: 'ok' });
    const summary = readJson<Summary>(join(out, 'summary.json'));
    const m = summary.checkpoints[0].runs[0].metrics;
    expect(m.exec.value).toBeCloseTo(2 / 5, 15);
    expect(m.exec.n).toBe(5);
    // The base image has no transformers: the HF reference programs do not run, so no task is supported
    // and the rate over supported tasks is undefined (null), never 0 %.
    expect(summary.gold!.tasks).toBe(5);
    expect(summary.gold!.supported).toBe(0);
    expect(summary.gold!.notes.join('\n')).toMatch(/transformers/);
    expect(m.exec_supported.value).toBeNull();
    const gold = readFileSync(join(out, 'gold.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(gold.map((g: any) => g.question_id)).toEqual([1, 2, 3, 4, 5]);
    expect(readJson<Manifest>(join(out, 'manifest.json')).signatures.exec).toBeTruthy();
    // Resuming a finished run executes nothing again.
    const again = runCli(['eval', '--data-dir', sharedPath('apibench'), '--candidate', `ex=${f}`, '--out', out, '--timeout-s', '20', '--quiet']);
    expect(again.status, again.stderr).toBe(0);
    const m2 = readJson<Manifest>(join(out, 'manifest.json'));
    expect([m2.timings.computed_samples, m2.timings.reused_samples]).toEqual([0, 5]);
    const lb = readJson<any>(join(out, 'report', 'leaderboard.json'));
    expect(lb.metrics.map((x: any) => x.key)).toContain('exec');
    expect(lb.notes.join('\n')).toMatch(/transformers/);
  }, 300_000);

  it('runs a program once per run however many samples share it', () => {
    const f = join(REPO, 'fixtures/runs/exec_example.jsonl');
    const out = join(tmp, 'exec-twins');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--candidate', `ex=${f}`, '--candidate', `twin=${f}`, '--out', out, '--timeout-s', '20', '--no-report', '--engine', 'unix:///var/run/docker.sock', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const byCheckpoint = (name: string) => readSamples(out).filter((x) => x.checkpoint === name).map((x) => [x.question_id, x.metrics.exec]);
    expect(byCheckpoint('twin')).toEqual(byCheckpoint('ex'));
    expect(byCheckpoint('ex').map(([, e]) => (e as any).status)).toEqual(['ok', 'syntax_error', 'import_error', 'runtime_error', 'ok']);
    const m = readJson<Manifest>(join(out, 'manifest.json'));
    expect(m.timings.computed_samples).toBe(10);
    // 5 reference programs + 5 distinct candidate programs, not 5 + 10.
    expect((m as any).engines.map((e: any) => e.programs)).toEqual([10]);
  }, 300_000);

  it('grades again from the stored verdicts alone: wrong outcomes restored, files byte-identical, no engine', () => {
    const out = join(tmp, 'exec');
    const regraded = join(tmp, 'exec-regraded');
    cpSync(out, regraded, { recursive: true });
    const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8');
    const gold = readFileSync(join(out, 'gold.jsonl'), 'utf8');
    for (const x of readSamples(out)) expect((x.metrics.exec as any).verdict, `question ${x.question_id}`).toMatchObject({ timed_out: false, signal: null });
    // Outcomes as a broken classifier would have written them; the summary gone.
    const tamper = (text: string, pick: (o: any) => any, status: string) =>
      text.trim().split('\n').map((l) => { const o = JSON.parse(l); pick(o).status = status; pick(o).exception = null; return JSON.stringify(o); }).join('\n') + '\n';
    writeFileSync(join(regraded, 'samples.jsonl'), tamper(samples, (o) => o.metrics.exec, 'timeout'));
    writeFileSync(join(regraded, 'gold.jsonl'), tamper(gold, (o) => o, 'ok'));
    rmSync(join(regraded, 'summary.json'));
    const r = runCli(['grade', regraded], { env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/grade: 5 samples; 5 sample and 5 gold outcomes changed by re-classification/);
    expect(readFileSync(join(regraded, 'samples.jsonl'), 'utf8')).toBe(samples);
    expect(readFileSync(join(regraded, 'gold.jsonl'), 'utf8')).toBe(gold);
    expect(readFileSync(join(regraded, 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 120_000);
});

describe('other hubs', () => {
  it('scores TorchHub responses and leaves out the code metrics no sample has a reference for', () => {
    const out = join(tmp, 'th');
    const file = join(sharedPath('apibench'), 'responses', 'torchhub', 'response_torchhub_Gorilla_RT_oracle.jsonl');
    const r = runCli(['eval', '--data-dir', sharedPath('apibench'), '--hub', 'torchhub', '--no-exec', '--candidate', `rt=${file}`, '--out', out, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const summary = readJson<Summary>(join(out, 'summary.json'));
    const m = summary.checkpoints[0].runs[0].metrics;
    expect(m.ast_gorilla.n).toBe(readFileSync(file, 'utf8').trim().split('\n').length);
    expect(m.codebleu_code).toMatchObject({ value: null, n: 0 });
    const lb = readJson<any>(join(out, 'report', 'leaderboard.json'));
    expect(lb.metrics.map((x: any) => x.key)).toEqual(['ast_gorilla', 'hallucination', 'ast_strict', 'codebleu_api']);
    expect(lb.notes.join(' ')).toMatch(/codebleu_code, rougeL_code/);
  }, 120_000);
});

describe('leaderboard across run directories', () => {
  it('merges checkpoints of several runs and refuses mixed signatures or duplicate names', () => {
    const f = join(REPO, 'fixtures/runs/predictions_example.jsonl');
    const d = () => ['--data-dir', sharedPath('apibench'), '--no-exec', '--no-report', '--quiet'];
    const a = join(tmp, 'multi-a');
    const b = join(tmp, 'multi-b');
    const c = join(tmp, 'multi-c');
    expect(runCli(['eval', ...d(), '--candidate', `one=${f}`, '--out', a]).status).toBe(0);
    expect(runCli(['eval', ...d(), '--candidate', `two=${f}`, '--candidate', `three=${resp('Gorilla_FT_0_shot')}`, '--out', b]).status).toBe(0);
    expect(runCli(['eval', ...d(), '--candidate', `four=${f}`, '--codebleu-variant', 'codexglue', '--out', c]).status).toBe(0);
    const out = join(tmp, 'multi-lb');
    const r = runCli(['leaderboard', a, b, '--baseline', 'one', '--out', out, '--formats', 'json', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    const lb = readJson<any>(join(out, 'leaderboard.json'));
    expect(lb.rows.map((x: any) => x.checkpoint)).toEqual(['one', 'two', 'three']);
    // Identical predictions: no difference, p = 1 for every test of 'two'.
    for (const cell of Object.values(lb.rows[1].cells) as any[]) {
      expect(cell.vs_baseline.delta).toBe(0);
      expect(cell.vs_baseline.p).toBe(1);
      expect(cell.vs_baseline.significant).toBe(false);
    }
    // 'three' answered 904 questions, 'one' 5: paired tests use the 5 common ones, and say so.
    expect(lb.rows[2].cells.ast_gorilla.vs_baseline.n_paired).toBe(5);
    expect(lb.rows[2].cells.ast_gorilla.n).toBe(904);
    expect(lb.notes.join(' ')).toMatch(/three: paired tests use the 5 questions/);
    const mixed = runCli(['leaderboard', a, c, '--out', out, '--quiet']);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/codebleu_api .*re-score one with the same options/);
    const dup = runCli(['leaderboard', a, a, '--out', out, '--quiet']);
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/checkpoint 'one' appears in more than one run directory/);
  }, 300_000);
});
