/**
 * The config of `apieval rlaif` (fixtures/rlaif/tiny.json is the one for a CPU machine): one object per stage,
 * whose keys are the flags of the command that stage runs (`max_steps` → `--max-steps`, `true` → the bare flag,
 * `false` → `--no-…`), plus the few keys rlaif itself reads. A stage's folder is reused when its part of the
 * config, and every stage before it, is unchanged.
 */
import { existsSync } from 'node:fs';
import { UserError, inputError } from '../../core/errors.js';
import { parseHub, type Hub } from '../datasets/apibench.js';
import { readTextFile } from '../../core/jsonl.js';

export type Flags = Record<string, string | number | boolean>;

export interface RlaifConfig {
  file: string;
  hub: Hub;
  /** `apieval train sft` flags (`split` must be holdout:…: the loop samples the held-in questions). */
  sft: Flags;
  /** Answers of M_SFT to the training questions: how many questions, how many samples each, `generate` flags. */
  samples: { questions: number | null; n: number; flags: Flags };
  /** `apieval feedback` flags, and the judge: `bundled` (started by rlaif on 127.0.0.1) or an endpoint. */
  feedback: { judge: 'bundled' | { base_url: string; model: string; api_key_env?: string }; flags: Flags };
  reward: Flags;
  ppo: Flags;
  /** The comparison: held-out questions (first N, or all), seeds, n of best-of-n, `generate` and `eval` flags. */
  evaluation: { questions: number | null; seeds: number[]; bestOfN: number; gorillaResponses: boolean; generate: Flags; eval: Flags };
}

/** Flags rlaif sets itself, per stage (giving them in the config is an error, not silently overridden). */
const MANAGED: Record<string, string[]> = {
  sft: ['out', 'hub', 'data_dir'],
  samples: ['checkpoint', 'questions', 'seed', 'out_dir', 'run_name', 'hub', 'data_dir'],
  feedback: ['responses', 'pairs', 'questions', 'out', 'base_url', 'model', 'api_key', 'hub', 'data_dir', 'cache_dir'],
  reward: ['sft', 'labels', 'out'],
  ppo: ['sft', 'reward', 'out'],
  'evaluation.generate': ['checkpoint', 'questions', 'seed', 'out_dir', 'run_name', 'hub', 'data_dir'],
  'evaluation.eval': ['candidate', 'questions', 'out', 'reward_model', 'baseline', 'hub', 'data_dir', 'gorilla_responses'],
};

/** `{max_steps: 20, quiet: true, exec: false}` → `--max-steps 20 --quiet --no-exec`. */
export function flagArgs(flags: Flags): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(flags)) {
    const name = k.replace(/_/g, '-');
    if (v === true) out.push(`--${name}`);
    else if (v === false) out.push(`--no-${name}`);
    else out.push(`--${name}`, String(v));
  }
  return out;
}

function lineOf(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (!m) return undefined;
  return text.slice(0, Number(m[1])).split('\n').length;
}

export function loadRlaifConfig(file: string): RlaifConfig {
  if (!existsSync(file)) throw new UserError(`${file}: no such file (--config)`);
  const text = readTextFile(file);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw inputError(file, lineOf(text, (e as Error).message), `not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new UserError(`${file}: ${what}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) bad('expected a JSON object');
  const top = raw as Record<string, unknown>;
  const known = ['description', 'hub', 'sft', 'samples', 'feedback', 'reward', 'ppo', 'evaluation'];
  for (const k of Object.keys(top)) if (!known.includes(k)) bad(`unknown key '${k}' (expected ${known.join(', ')})`);
  const obj = (v: unknown, where: string): Record<string, unknown> => {
    if (v === undefined) return {};
    if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(`'${where}' must be an object`);
    return v as Record<string, unknown>;
  };
  const flags = (v: Record<string, unknown>, where: string, own: string[] = []): Flags => {
    const out: Flags = {};
    for (const [k, x] of Object.entries(v)) {
      if (own.includes(k)) continue;
      if ((MANAGED[where] ?? []).includes(k)) bad(`'${where}.${k}' is set by apieval rlaif itself`);
      if (!/^[a-z][a-z0-9_]*$/.test(k)) bad(`'${where}.${k}': flag names are snake_case (max_steps for --max-steps)`);
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') bad(`'${where}.${k}' must be a string, number or boolean`);
      out[k] = x as string | number | boolean;
    }
    return out;
  };
  const count = (v: unknown, where: string, min: number): number | null => {
    if (v === undefined || v === null || v === 'all') return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(`'${where}' must be an integer >= ${min} (or "all")`);
    return v as number;
  };
  const hub = parseHub(typeof top.hub === 'string' ? top.hub : 'huggingface');
  const sft = flags(obj(top.sft, 'sft'), 'sft');
  if (sft.split !== undefined && !String(sft.split).startsWith('holdout:')) bad(`'sft.split' ${sft.split}: rlaif needs a holdout:FRACTION split (it samples the held-in questions and evaluates on the held-out ones)`);
  const samples = obj(top.samples, 'samples');
  const feedback = obj(top.feedback, 'feedback');
  let judge: RlaifConfig['feedback']['judge'] = 'bundled';
  if (feedback.judge !== undefined && feedback.judge !== 'bundled') {
    const j = obj(feedback.judge, 'feedback.judge');
    if (typeof j.base_url !== 'string' || typeof j.model !== 'string') bad(`'feedback.judge' must be "bundled" or {"base_url": "...", "model": "...", "api_key_env": "OPENAI_API_KEY"}`);
    judge = { base_url: j.base_url as string, model: j.model as string, ...(typeof j.api_key_env === 'string' ? { api_key_env: j.api_key_env } : {}) };
  }
  const ev = obj(top.evaluation, 'evaluation');
  for (const k of Object.keys(ev)) if (!['questions', 'seeds', 'best_of_n', 'gorilla_responses', 'generate', 'eval'].includes(k)) bad(`unknown key 'evaluation.${k}' (expected questions, seeds, best_of_n, gorilla_responses, generate, eval)`);
  const seeds = ev.seeds ?? [0, 1, 2];
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0) || new Set(seeds).size !== seeds.length) bad(`'evaluation.seeds' must be distinct integers >= 0, e.g. [0, 1, 2]`);
  return {
    file,
    hub,
    sft,
    samples: { questions: count(samples.questions, 'samples.questions', 1), n: count(samples.n ?? 1, 'samples.n', 1)!, flags: flags(samples, 'samples', ['questions', 'n']) },
    feedback: { judge, flags: flags(feedback, 'feedback', ['judge']) },
    reward: flags(obj(top.reward, 'reward'), 'reward'),
    ppo: flags(obj(top.ppo, 'ppo'), 'ppo'),
    evaluation: {
      questions: count(ev.questions, 'evaluation.questions', 1),
      seeds: seeds as number[],
      bestOfN: count(ev.best_of_n ?? 4, 'evaluation.best_of_n', 2)!,
      gorillaResponses: ev.gorilla_responses === true,
      generate: flags(obj(ev.generate, 'evaluation.generate'), 'evaluation.generate'),
      eval: flags(obj(ev.eval, 'evaluation.eval'), 'evaluation.eval'),
    },
  };
}
