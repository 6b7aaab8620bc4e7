/**
 * `apieval rlaif --config FILE --out DIR`: the paper's whole loop, each stage an `apieval` command run as a
 * user would run it, into its own folder under DIR:
 *
 *   sft/        apieval train sft                       M_SFT, and the split (held-in / held-out questions)
 *   samples/    apieval generate --checkpoint sft       n answers of M_SFT to (some of) the held-in questions
 *   feedback/   apieval feedback (the judge)            labels.jsonl, the reward model's training set
 *   reward/     apieval train reward                    M_reward (reward.onnx)
 *   ppo/        apieval train ppo --reward rm:reward    M_RL
 *   generate/   apieval generate + apieval rerank       on the held-out questions, one file per seed: sft, rl,
 *                                                       and best-of-n(M_SFT, M_reward)
 *   eval/       apieval eval --reward-model             run directory and leaderboard: rows sft, rl, best-of-n
 *
 * Each folder holds `stage.json`: the stage's key (a hash of its part of the config, the data folder and the keys
 * of the stages before it), the commands it ran, and whether it finished. A finished stage with the same key is
 * skipped; a changed key removes the folder and reruns it (and so every stage after it, whose keys change too); an
 * unfinished one is rerun into the same folder, where each command resumes from its own checkpoints and files.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { loadQuestionsFile, questionsPath } from '../datasets/apibench.js';
import { resolveDataDir } from '../datasets/source.js';
import { readJsonl, toJsonl, writeFileAtomic } from '../../core/jsonl.js';
import { VERSION } from '../version.js';
import { BundledJudge } from './bundled-judge.js';
import { flagArgs, loadRlaifConfig } from './config.js';

export interface RlaifOptions {
  config: string;
  out: string;
  dataDir?: string;
  quiet?: boolean;
  /** Stop after this stage (e.g. to inspect the labels before training on them). */
  until?: string;
}

export const STAGES = ['sft', 'samples', 'feedback', 'reward', 'ppo', 'generate', 'eval'] as const;
export type StageName = (typeof STAGES)[number];

interface StageRecord {
  stage: StageName;
  key: string;
  done: boolean;
  commands: string[][];
  started_at: string;
  finished_at: string | null;
  wall_s: number | null;
}

export interface RlaifResult {
  out: string;
  stages: { stage: StageName; status: 'ran' | 'skipped'; wall_s: number | null }[];
  /** eval/report/leaderboard.json (baseline sft) and eval/report-vs-best-of-n/leaderboard.json. */
  leaderboard: string | null;
  versusBestOfN: string | null;
}

function hashOf(x: unknown): string {
  return createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);
}

function readStage(dir: string): StageRecord | null {
  const f = join(dir, 'stage.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as StageRecord;
  } catch {
    return null; // a damaged record: the stage reruns
  }
}

/** Runs `apieval ARGS` as a child process (this CLI, same Node), its output into the stage's log. */
function apieval(args: string[], log: string): Promise<void> {
  appendFileSync(log, `\n$ apieval ${args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let lastErr = '';
    child.stdout.on('data', (c: Buffer) => appendFileSync(log, c));
    child.stderr.on('data', (c: Buffer) => {
      appendFileSync(log, c);
      const lines = c.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
      if (lines.length > 0) lastErr = lines[lines.length - 1];
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else reject(new UserError(`apieval ${args.slice(0, 2).join(' ')} ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${lastErr.replace(/^apieval: /, '') || 'no message'} (log: ${log})`));
    });
  });
}

export async function runRlaif(o: RlaifOptions): Promise<RlaifResult> {
  const cfg = loadRlaifConfig(resolve(o.config));
  if (o.until !== undefined && !(STAGES as readonly string[]).includes(o.until)) throw new UserError(`--until ${o.until}: expected one of ${STAGES.join(', ')}`);
  const out = resolve(o.out);
  const dataDir = await resolveDataDir({ dataDir: o.dataDir, hubs: [cfg.hub], responses: cfg.evaluation.gorillaResponses });
  const say = (s: string) => {
    if (!o.quiet) process.stderr.write(`rlaif: ${s}\n`);
  };
  mkdirSync(out, { recursive: true });
  const common = ['--hub', cfg.hub, '--data-dir', dataDir];
  const dir = (s: StageName) => join(out, s);
  const result: RlaifResult = { out, stages: [], leaderboard: null, versusBestOfN: null };
  let upstream = hashOf({ hub: cfg.hub, dataDir });

  const stage = async (name: StageName, part: unknown, body: (d: string, run: (args: string[]) => Promise<void>) => Promise<void>): Promise<boolean> => {
    const d = dir(name);
    const key = hashOf({ upstream, name, part });
    upstream = key;
    const prev = readStage(d);
    if (prev && prev.key === key && prev.done) {
      say(`${name}: unchanged, skipped (${d})`);
      result.stages.push({ stage: name, status: 'skipped', wall_s: prev.wall_s });
      return o.until !== name;
    }
    if (prev && prev.key !== key) {
      say(`${name}: its inputs changed; rerunning it from scratch`);
      rmSync(d, { recursive: true, force: true });
    } else if (!prev && existsSync(d) && readdirSync(d).length > 0) {
      throw new UserError(`${d}: exists and was not made by apieval rlaif (no stage.json); use another --out folder`);
    }
    mkdirSync(d, { recursive: true });
    const t0 = Date.now();
    const record: StageRecord = { stage: name, key, done: false, commands: [], started_at: new Date(t0).toISOString(), finished_at: null, wall_s: null };
    writeFileAtomic(join(d, 'stage.json'), JSON.stringify(record, null, 2) + '\n');
    say(`${name}: running${prev ? ' (resuming)' : ''} → ${d}`);
    const log = join(d, 'log.txt');
    await body(d, async (args) => {
      record.commands.push(args);
      writeFileAtomic(join(d, 'stage.json'), JSON.stringify(record, null, 2) + '\n');
      try {
        await apieval(args, log);
      } catch (e) {
        if (e instanceof UserError) throw new UserError(`stage ${name}: ${e.message}`);
        throw e;
      }
    });
    const t1 = Date.now();
    Object.assign(record, { done: true, finished_at: new Date(t1).toISOString(), wall_s: (t1 - t0) / 1000 });
    writeFileAtomic(join(d, 'stage.json'), JSON.stringify(record, null, 2) + '\n');
    say(`${name}: done in ${record.wall_s!.toFixed(1)} s`);
    result.stages.push({ stage: name, status: 'ran', wall_s: record.wall_s });
    return o.until !== name;
  };
  const writeManifest = () =>
    writeFileAtomic(join(out, 'rlaif.json'), JSON.stringify({ apieval_version: VERSION, config: cfg.file, config_sha256: hashOf(readFileSync(cfg.file, 'utf8')), data_dir: dataDir, stages: result.stages, leaderboard: result.leaderboard, versus_best_of_n: result.versusBestOfN }, null, 2) + '\n');

  const questionText = new Map(loadQuestionsFile(questionsPath(dataDir, cfg.hub)).map((q) => [q.question_id, q.text]));
  const questionsFile = (file: string, ids: number[]) => writeFileAtomic(file, toJsonl(ids.map((id) => ({ question_id: id, text: questionText.get(id) ?? '' }))));
  const split = () => JSON.parse(readFileSync(join(dir('sft'), 'split.json'), 'utf8')) as { train_question_ids: number[]; eval_question_ids: number[] };
  const sftFinal = join(dir('sft'), 'final');
  const rmFinal = join(dir('reward'), 'final');
  const gen = cfg.samples.flags;
  const sampleSeeds = Array.from({ length: cfg.samples.n }, (_, k) => k);

  const steps: [StageName, unknown, (d: string, run: (args: string[]) => Promise<void>) => Promise<void>][] = [
    ['sft', cfg.sft, (d, run) => run(['train', 'sft', '--out', d, ...common, ...flagArgs(cfg.sft), ...(o.quiet ? ['--quiet'] : [])])],
    ['samples', cfg.samples, async (d, run) => {
      const ids = split().train_question_ids;
      questionsFile(join(d, 'questions.jsonl'), cfg.samples.questions === null ? ids : ids.slice(0, cfg.samples.questions));
      await run(['generate', '--checkpoint', sftFinal, '--questions', join(d, 'questions.jsonl'), '--seed', sampleSeeds.join(','), '--out-dir', d, '--run-name', 'train', ...common, ...flagArgs(gen), '--quiet']);
    }],
    ['feedback', cfg.feedback, async (d, run) => {
      const judge = cfg.feedback.judge === 'bundled' ? await BundledJudge.start() : null;
      const ep = judge ? { base_url: judge.url, model: 'bundled-judge', key: 'none' } : (() => {
        const j = cfg.feedback.judge as { base_url: string; model: string; api_key_env?: string };
        return { base_url: j.base_url, model: j.model, key: process.env[j.api_key_env ?? 'OPENAI_API_KEY'] ?? '' };
      })();
      try {
        for (const k of sampleSeeds) {
          await run(['feedback', '--responses', join(dir('samples'), `train.seed${k}.jsonl`), '--questions', join(dir('samples'), 'questions.jsonl'), ...common, '--base-url', ep.base_url, '--model', ep.model,
            '--api-key', ep.key, '--cache-dir', join(d, 'cache'), ...flagArgs(cfg.feedback.flags), '--out', join(d, `labels.seed${k}.jsonl`)]);
        }
      } finally {
        await judge?.close();
      }
      // One training set: every sample's labels, ids made unique across the samples.
      const all = sampleSeeds.flatMap((k) => readJsonl(join(d, `labels.seed${k}.jsonl`)).map(({ value }) => ({ ...value, id: `s${k}-${String(value.id)}` })));
      writeFileAtomic(join(d, 'labels.jsonl'), toJsonl(all));
    }],
    ['reward', cfg.reward, (d, run) => run(['train', 'reward', '--sft', sftFinal, '--labels', join(dir('feedback'), 'labels.jsonl'), '--out', d, ...flagArgs(cfg.reward), ...(o.quiet ? ['--quiet'] : [])])],
    ['ppo', cfg.ppo, (d, run) => run(['train', 'ppo', '--sft', sftFinal, '--reward', `rm:${rmFinal}`, '--out', d, ...flagArgs(cfg.ppo), ...(o.quiet ? ['--quiet'] : [])])],
    ['generate', { ...cfg.evaluation, eval: undefined, gorillaResponses: undefined }, async (d, run) => {
      const ids = split().eval_question_ids;
      const qfile = join(d, 'questions.jsonl');
      questionsFile(qfile, cfg.evaluation.questions === null ? ids : ids.slice(0, cfg.evaluation.questions));
      const g = (checkpoint: string, name: string, seeds: number[]) =>
        run(['generate', '--checkpoint', checkpoint, '--questions', qfile, '--seed', seeds.join(','), '--out-dir', d, '--run-name', name, ...common, ...flagArgs(cfg.evaluation.generate), '--quiet']);
      const seeds = cfg.evaluation.seeds;
      await g(sftFinal, 'sft', seeds);
      await g(join(dir('ppo'), 'final'), 'rl', seeds);
      // best-of-n: for evaluation seed s, n further samples of M_SFT (seeds 1000 + s·n + k), the RM keeps one.
      const n = cfg.evaluation.bestOfN;
      const nSeeds = (s: number) => Array.from({ length: n }, (_, k) => 1000 + s * n + k);
      await g(sftFinal, 'sft-n', seeds.flatMap(nSeeds));
      for (const s of seeds) {
        await run(['rerank', '--reward-model', rmFinal, '--questions', qfile, '--hub', cfg.hub, '--responses', nSeeds(s).map((x) => join(d, `sft-n.seed${x}.jsonl`)).join(','), '--out', join(d, `best-of-n.seed${s}.jsonl`)]);
      }
    }],
    ['eval', cfg.evaluation, async (d, run) => {
      const files = (name: string) => cfg.evaluation.seeds.map((s) => join(dir('generate'), `${name}.seed${s}.jsonl`)).join(',');
      await run(['eval', ...common, '--questions', join(dir('generate'), 'questions.jsonl'), '--candidate', `sft=${files('sft')}`, '--candidate', `rl=${files('rl')}`, '--candidate', `best-of-n=${files('best-of-n')}`,
        ...(cfg.evaluation.gorillaResponses ? ['--gorilla-responses'] : []), '--baseline', 'sft', '--reward-model', rmFinal, '--out', d, ...flagArgs(cfg.evaluation.eval), '--quiet']);
      // The reviewer's first question: is PPO better than best-of-n with the same reward model? The same run
      // directory, tested against best-of-n instead of sft.
      await run(['leaderboard', d, '--baseline', 'best-of-n', '--out', join(d, 'report-vs-best-of-n'), '--quiet']);
    }],
  ];
  try {
    for (const [name, part, body] of steps) {
      const go = await stage(name, part, body);
      writeManifest();
      if (!go) break;
    }
  } finally {
    writeManifest();
  }
  if (result.stages.some((s) => s.stage === 'eval')) {
    result.leaderboard = join(dir('eval'), 'report', 'leaderboard.json');
    result.versusBestOfN = join(dir('eval'), 'report-vs-best-of-n', 'leaderboard.json');
  }
  writeManifest();
  return result;
}
