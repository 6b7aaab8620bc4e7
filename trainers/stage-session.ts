/**
 * One session of a training stage in its run folder, the part every `apieval train …` command shares: the
 * resume check against the settings the folder was started with, the manifest (rewritten atomically before,
 * and after the stage, with each session's outcome), the stage's progress on stderr, the check that it left a
 * checkpoint in RUN/final (the stage contract), and the result read from RUN/metrics.jsonl.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../core/errors.js';
import { writeFileAtomic } from '../core/jsonl.js';
import { VERSION } from '../harness/version.js';
import { TrainProgress } from './progress.js';
import { findPython, runStage, type StageEvent, type TrainerDoctor } from './stage-runner.js';

/** The optimisation settings every training stage's config carries (README "Stage contract"). */
export interface TrainingSettings {
  out: string;
  tokenizer: string;
  data: { train: string; heldout: string };
  data_sha256: { train: string; heldout: string };
  epochs: number;
  max_steps: number | null;
  lr: number;
  warmup_steps: number | null;
  batch_size: number;
  grad_accum: number;
  max_length: number;
  seed: number;
  dropout: number | null;
  device: string;
  bf16: boolean | 'auto';
  save_every: number;
  eval_every: number;
}

export interface StageSession {
  started: string;
  ended?: string;
  seconds?: number;
  resumed_from?: number;
  outcome?: string;
}

export interface StageResult {
  final: string;
  steps: number;
  heldout_loss_first?: number;
  heldout_loss_last?: number;
  /** The last held-out evaluation record as the stage logged it (loss, and accuracy/AUC/ECE for a reward model). */
  last_eval?: Record<string, unknown>;
  last_tokens_per_s?: number;
}

export interface StageManifest<C> {
  schema_version: 1;
  kind: string;
  apieval_version: string;
  command: string;
  created: string;
  updated: string;
  trainer: string;
  config: C;
  environment: TrainerDoctor | null;
  sessions: StageSession[];
  result?: StageResult;
}

export function readStageManifest<M>(file: string, kind: string): M | undefined {
  if (!existsSync(file)) return undefined;
  let m: { kind?: string };
  try {
    m = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON (${(e as Error).message}); is this a run folder made by 'apieval train ${kind}'?`);
  }
  if (m.kind !== kind) throw new UserError(`${file}: a run folder of 'apieval train ${m.kind}', not ${kind}; use a new --out`);
  return m as M;
}

/** Refuses to resume a run folder with settings that change the result; names the first that differs. */
export function checkSameSettings<C extends object>(out: string, previous: C, now: C, keys: readonly (keyof C & string)[], describe: (k: string) => string): void {
  for (const k of keys) {
    const was = JSON.stringify(previous[k]);
    const is = JSON.stringify(now[k]);
    if (was !== is) throw new UserError(`${out}: was started with other settings (${describe(k)}: ${was} then, ${is} now); rerun with the same options to resume, or use a new --out`);
  }
}

export function manifestBase<C>(kind: string, config: C, previous: StageManifest<C> | undefined, trainerCommand: string | undefined, doctor: TrainerDoctor | null): StageManifest<C> {
  const now = new Date().toISOString();
  return {
    schema_version: 1,
    kind,
    apieval_version: VERSION,
    command: ['apieval', ...process.argv.slice(2)].join(' '),
    created: previous?.created ?? now,
    updated: now,
    trainer: trainerCommand ?? `python -m apieval_trainers ${kind}`,
    config,
    environment: doctor,
    sessions: [...(previous?.sessions ?? [])],
    result: previous?.result,
  };
}

export interface SessionOptions {
  stage: 'sft' | 'reward' | 'ppo';
  out: string;
  configFile: string;
  nproc?: number;
  trainerCommand?: string;
  /** The doctor report of the built-in trainer's python (null with --trainer-command). */
  doctor: TrainerDoctor | null;
  quiet?: boolean;
  json?: boolean;
}

export async function runStageSession<C>(manifest: StageManifest<C>, o: SessionOptions): Promise<StageManifest<C>> {
  const manifestFile = join(o.out, 'manifest.json');
  const session: StageSession = { started: new Date().toISOString() };
  manifest.sessions.push(session);
  const save = (): void => {
    manifest.updated = new Date().toISOString();
    writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2) + '\n');
  };
  save();
  const progress = new TrainProgress(o.stage, process.stderr, !!o.quiet);
  let done: StageEvent | undefined;
  const t0 = Date.now();
  const end = (outcome: string): void => {
    session.ended = new Date().toISOString();
    session.seconds = (Date.now() - t0) / 1000;
    session.outcome = outcome;
    save();
  };
  try {
    await runStage({
      stage: o.stage,
      config: o.configFile,
      nproc: o.nproc,
      command: o.trainerCommand,
      python: o.doctor ? findPython().python : undefined,
      onEvent: (e) => {
        if (e.event === 'resume') session.resumed_from = Number(e.step);
        if (e.event === 'done') done = e;
        progress.onEvent(e);
      },
      onLog: (l) => {
        if (!o.quiet) process.stderr.write(`${l}\n`);
      },
    });
  } catch (e) {
    progress.finish();
    end(e instanceof UserError && e.exitCode === 130 ? 'interrupted' : 'failed');
    throw e;
  }
  progress.finish();
  const finalDir = join(o.out, 'final');
  if (!existsSync(join(finalDir, 'config.json')) || !['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin'].some((f) => existsSync(join(finalDir, f)))) {
    end('failed');
    throw new UserError(`${o.trainerCommand ? `trainer command '${o.trainerCommand}'` : `the ${o.stage} stage`} exited 0 but ${finalDir} is not a checkpoint (config.json and model.safetensors or pytorch_model.bin); see the stage contract in the README`, 1);
  }
  const metrics = readMetrics(join(o.out, 'metrics.jsonl'));
  const evals = metrics.evals.map((r) => r.heldout_loss).filter((x): x is number => typeof x === 'number');
  manifest.result = {
    final: finalDir,
    steps: Number(done?.step ?? metrics.lastStep ?? 0),
    heldout_loss_first: evals[0],
    heldout_loss_last: evals.at(-1),
    last_eval: metrics.evals.at(-1),
    last_tokens_per_s: metrics.lastTps,
  };
  end(done?.already ? 'already complete' : 'complete');
  const r = manifest.result;
  const loss = r.heldout_loss_first !== undefined && r.heldout_loss_last !== undefined ? `; held-out loss ${r.heldout_loss_first.toFixed(4)} → ${r.heldout_loss_last.toFixed(4)}` : '';
  const le = r.last_eval as { accuracy?: number; auc?: number | null; ece?: number } | undefined;
  const sc = le as { 'eval/scores'?: number } | undefined;
  const firstScore = metrics.evals[0]?.['eval/scores'];
  const score = typeof sc?.['eval/scores'] === 'number' && typeof firstScore === 'number' ? `; held-out mean score ${firstScore.toFixed(4)} → ${sc['eval/scores'].toFixed(4)}` : '';
  const acc = typeof le?.accuracy === 'number' ? `, accuracy ${le.accuracy.toFixed(3)}${typeof le.auc === 'number' ? `, AUC ${le.auc.toFixed(3)}` : ''}${typeof le.ece === 'number' ? `, ECE ${le.ece.toFixed(3)}` : ''}` : '';
  if (o.json) process.stdout.write(JSON.stringify(manifest, null, 2) + '\n');
  else process.stdout.write(`${o.stage}: ${session.outcome}: ${r.steps} steps${loss}${acc}${score}; checkpoint ${finalDir}\n`);
  return manifest;
}

function readMetrics(file: string): { evals: Record<string, unknown>[]; lastStep?: number; lastTps?: number } {
  const out: { evals: Record<string, unknown>[]; lastStep?: number; lastTps?: number } = { evals: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { kind?: string; step?: number; tokens_per_s?: number };
      if (r.kind === 'eval') out.evals.push(r);
      if (r.kind === 'step') {
        out.lastStep = r.step;
        out.lastTps = r.tokens_per_s;
      }
    } catch {
      /* a user's trainer may write other lines */
    }
  }
  return out;
}
