/**
 * `apieval feedback`: AI feedback for RLAIF. A judge model answers each rubric question (yes/no) about each
 * (instruction, generated output) pair; S = number of "yes" (and mean P(yes) when logprobs come back);
 * S ≥ τ → accepted (label 1). The output is a reward-model training set plus label statistics and the
 * labels' agreement with AST match and executability of the same samples.
 *
 * Every judge request goes through the same cache/retry layer as `generate`, so an interrupted or failed
 * run is resumed by rerunning it: finished answers come from the cache at no cost.
 */
import { rmSync } from 'node:fs';
import { UserError, inputError } from '../../core/errors.js';
import { readJsonl, toJsonl, writeFileAtomic } from '../../core/jsonl.js';
import { loadQuestions, loadQuestionsFile, loadResponses, type Hub } from '../datasets/apibench.js';
import { VERSION } from '../version.js';
import { extractResponse } from '../datasets/extract.js';
import { agreement, type Agreement } from './agreement.js';
import { CachedCaller, type CallOptions } from './cached-call.js';
import { parseYesNo, pYesFromLogprobs, type YesNo } from './judge-parse.js';
import type { ApiKind, Usage } from './openai-call.js';
import { runPool } from './pool.js';
import { costUsd } from './pricing.js';
import { fillTemplate, type Rubric } from './rubric.js';

export interface Sample {
  /** Join key with --ast / --exec records (the question_id for Gorilla response files). */
  id: string;
  question_id?: number;
  instruction: string;
  completion: string;
}

export interface JudgeAnswer {
  answer: YesNo | null;
  p_yes: number | null;
  raw: string;
}

export interface LabelledSample {
  id: string;
  question_id?: number;
  prompt: string;
  completion: string;
  label: 0 | 1;
  score: number;
  p_yes_mean: number | null;
  unparsed: number;
  answers: Record<string, JudgeAnswer>;
}

export interface FeedbackOptions extends CallOptions {
  samples: Sample[];
  rubric: Rubric;
  threshold: number;
  temperature: number;
  maxTokens: number;
  seed: number | null;
  logprobs?: number;
  out: string;
  statsOut: string;
  ast?: Map<string, boolean>;
  exec?: Map<string, boolean>;
}

export interface FeedbackStats {
  apieval_version: string;
  command: 'feedback';
  judge: { endpoint: string; api: ApiKind; model: string; temperature: number; max_tokens: number; seed: number | null; logprobs: number | null };
  rubric: { name: string; version: number | string; sha256: string; file: string; questions: string[] };
  threshold: number;
  complete: boolean;
  interrupted: boolean;
  n_samples: number;
  labelled: number;
  accepted: number;
  rejected: number;
  accept_rate: number | null;
  mean_score: number | null;
  mean_p_yes: number | null;
  score_histogram: Record<string, number>;
  unparsed_answers: number;
  per_question: Record<string, { yes: number; no: number; unparsed: number; yes_rate: number | null; mean_p_yes: number | null }>;
  agreement: { ast?: Agreement & { unmatched: number }; exec?: Agreement & { unmatched: number } };
  counts: { requests_needed: number; cache_hits: number; requests: number; attempts: number; retries: number; failed: number };
  transient_errors: Record<string, number>;
  failures: { id: string; question: string; error: string }[];
  usage: Usage;
  usage_including_cache: Usage;
  cost_usd: number | 'unknown';
}

/** Samples from a Gorilla-style response file, with instructions from the questions (by question_id). */
export function samplesFromResponses(responsesFile: string, questions: Map<number, string>, questionsLabel: string, completion: 'text' | 'code' = 'text', hub: Hub = 'huggingface'): Sample[] {
  const seen = new Set<number>();
  return loadResponses(responsesFile).map((r) => {
    const instruction = questions.get(r.question_id);
    if (instruction === undefined) throw inputError(responsesFile, r.line, `question_id ${r.question_id} is not in ${questionsLabel}`);
    if (seen.has(r.question_id)) throw inputError(responsesFile, r.line, `question_id ${r.question_id} appears twice (one response file per seed/sample, as apieval generate writes)`);
    seen.add(r.question_id);
    // 'code': the program the other metrics score (text after <<<code>>>, Gorilla's literal escapes decoded).
    return { id: String(r.question_id), question_id: r.question_id, instruction, completion: completion === 'code' ? extractResponse(r.text, hub).predictionCode : r.text };
  });
}

/** Samples from a JSONL of {id?, question_id?, instruction|prompt, completion|output|text}. */
export function samplesFromPairs(file: string): Sample[] {
  const seen = new Set<string>();
  return readJsonl(file).map(({ value: v, line }) => {
    const instruction = v.instruction ?? v.prompt;
    const completion = v.completion ?? v.output ?? v.text;
    if (typeof instruction !== 'string') throw inputError(file, line, "expected a string 'instruction' (or 'prompt')");
    if (typeof completion !== 'string') throw inputError(file, line, "expected a string 'completion' (or 'output' or 'text')");
    const qid = v.question_id;
    if (qid !== undefined && !(typeof qid === 'number' && Number.isInteger(qid) && qid > 0)) throw inputError(file, line, "'question_id' must be a positive integer");
    const id = typeof v.id === 'string' || typeof v.id === 'number' ? String(v.id) : qid !== undefined ? String(qid) : String(line);
    if (seen.has(id)) throw inputError(file, line, `id '${id}' appears twice`);
    seen.add(id);
    return { id, question_id: qid as number | undefined, instruction, completion };
  });
}

export function questionMap(o: { questionsFile?: string; dataDir?: string; hub: Hub }): Map<number, string> {
  const qs = o.questionsFile ? loadQuestionsFile(o.questionsFile) : loadQuestions(o.dataDir!, o.hub);
  return new Map(qs.map((q) => [q.question_id, q.text]));
}

function idOf(v: Record<string, unknown>): string | undefined {
  for (const k of ['question_id', 'questionId', 'id']) {
    const x = v[k];
    if (typeof x === 'number' || (typeof x === 'string' && x !== '')) return String(x);
  }
  return undefined;
}

/**
 * Reads per-sample outcomes from `apieval ast-match` (a boolean `correct`) or `apieval exec` (`status`,
 * positive when "ok") output: JSONL keyed by question_id (or id).
 */
export function readOutcomes(file: string, kind: 'ast' | 'exec'): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const { value: v, line } of readJsonl(file)) {
    if (v.question_id === undefined && v.questionId === undefined && v.id === undefined && (v.n !== undefined || v.accuracy !== undefined || v.totals !== undefined)) continue; // a totals line
    const id = idOf(v);
    if (id === undefined) throw inputError(file, line, "expected a 'question_id' (or 'id') to join on");
    let pos: boolean;
    if (kind === 'ast') {
      const c = v.correct ?? v.ast_correct ?? v.match;
      if (typeof c !== 'boolean') throw inputError(file, line, "expected a boolean 'correct' (apieval ast-match output)");
      pos = c;
    } else {
      if (typeof v.status === 'string') pos = v.status === 'ok';
      else if (typeof v.executable === 'boolean') pos = v.executable;
      else if (typeof v.ok === 'boolean') pos = v.ok;
      else throw inputError(file, line, "expected a string 'status' (apieval exec output) or a boolean 'executable'");
    }
    if (out.has(id)) throw inputError(file, line, `'${id}' appears twice; pass the file for one run and seed`);
    out.set(id, pos);
  }
  return out;
}

export function judgeBody(o: Pick<FeedbackOptions, 'rubric' | 'api' | 'model' | 'temperature' | 'maxTokens' | 'seed' | 'logprobs'>, s: Sample, questionText: string): Record<string, unknown> {
  const user = fillTemplate(o.rubric.template, { instruction: s.instruction, completion: s.completion, question: questionText });
  const body: Record<string, unknown> = { model: o.model };
  if (o.api === 'chat') {
    body.messages = o.rubric.system ? [{ role: 'system', content: o.rubric.system }, { role: 'user', content: user }] : [{ role: 'user', content: user }];
  } else body.prompt = (o.rubric.system ? o.rubric.system + '\n\n' : '') + user + '\n';
  body.temperature = o.temperature;
  body.max_tokens = o.maxTokens;
  if (o.seed !== null) body.seed = o.seed;
  if (o.logprobs !== undefined) {
    if (o.api === 'chat') {
      body.logprobs = true;
      body.top_logprobs = Math.max(o.logprobs, 2);
    } else body.logprobs = Math.max(o.logprobs, 2);
  }
  return body;
}

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function labelSample(s: Sample, rubric: Rubric, answers: Record<string, JudgeAnswer>, threshold: number): LabelledSample {
  let score = 0;
  let unparsed = 0;
  const ps: number[] = [];
  const ordered: Record<string, JudgeAnswer> = {}; // rubric order, not completion order: the file must be reproducible
  for (const q of rubric.questions) {
    const a = answers[q.id];
    ordered[q.id] = a;
    if (a.answer === 'yes') score++;
    if (a.answer === null) unparsed++;
    if (a.p_yes !== null) ps.push(a.p_yes);
  }
  const out: LabelledSample = {
    id: s.id,
    ...(s.question_id !== undefined ? { question_id: s.question_id } : {}),
    prompt: s.instruction,
    completion: s.completion,
    label: score >= threshold ? 1 : 0,
    score,
    p_yes_mean: ps.length === rubric.questions.length ? mean(ps) : null,
    unparsed,
    answers: ordered,
  };
  return out;
}

function agreementWith(labelled: LabelledSample[], ref: Map<string, boolean> | undefined, what: string): (Agreement & { unmatched: number }) | undefined {
  if (!ref) return undefined;
  const pairs: [boolean, boolean][] = [];
  let unmatched = 0;
  for (const l of labelled) {
    const r = ref.get(l.id);
    if (r === undefined) unmatched++;
    else pairs.push([l.label === 1, r]);
  }
  if (labelled.length > 0 && pairs.length === 0) throw new UserError(`${what}: none of its records matches a labelled sample by question_id/id; is it from the same run and seed?`);
  return { ...agreement(pairs), unmatched };
}

export async function runFeedback(o: FeedbackOptions): Promise<{ stats: FeedbackStats; labelled: LabelledSample[] }> {
  if (o.samples.length === 0) throw new UserError('no samples to label');
  const caller = new CachedCaller(o);
  const failures: FeedbackStats['failures'] = [];
  const answers = o.samples.map(() => ({}) as Record<string, JudgeAnswer>);
  const jobs = o.samples.flatMap((s, si) => o.rubric.questions.map((q) => ({ s, si, q })));
  let done = 0;
  let lastLog = 0;

  await runPool(jobs, o.concurrency, o.signal, async ({ s, si, q }) => {
    const outcome = await caller.call(judgeBody(o, s, q.text));
    if (outcome.kind === 'cancelled') return;
    if (outcome.kind === 'failed') {
      failures.push({ id: s.id, question: q.id, error: outcome.error });
      return;
    }
    const c = outcome.result.choices[0];
    answers[si][q.id] = { answer: parseYesNo(c.text), p_yes: o.logprobs !== undefined ? pYesFromLogprobs(c.logprobs) : null, raw: c.text };
    done++;
    const now = Date.now();
    if (now - lastLog > 2000 || done === jobs.length) {
      lastLog = now;
      o.log(`feedback: ${done}/${jobs.length} judge answers (${caller.cacheHits} cached, ${caller.requests} requested, ${caller.stats.retries} retries, ${failures.length} failed)`);
    }
  });

  // A sample is labelled only when every rubric question has an answer; the rest wait for a rerun.
  const labelled: LabelledSample[] = [];
  o.samples.forEach((s, si) => {
    if (o.rubric.questions.every((q) => answers[si][q.id] !== undefined)) labelled.push(labelSample(s, o.rubric, answers[si], o.threshold));
  });
  const complete = labelled.length === o.samples.length;

  const Q = o.rubric.questions.length;
  const hist: Record<string, number> = {};
  for (let k = 0; k <= Q; k++) hist[String(k)] = 0;
  for (const l of labelled) hist[String(l.score)]++;
  const perQ: FeedbackStats['per_question'] = {};
  for (const q of o.rubric.questions) {
    const as = labelled.map((l) => l.answers[q.id]);
    const yes = as.filter((a) => a.answer === 'yes').length;
    const no = as.filter((a) => a.answer === 'no').length;
    const ps = as.map((a) => a.p_yes).filter((p): p is number => p !== null);
    perQ[q.id] = { yes, no, unparsed: as.length - yes - no, yes_rate: as.length ? yes / as.length : null, mean_p_yes: mean(ps) };
  }
  const accepted = labelled.filter((l) => l.label === 1).length;
  const pAll = labelled.map((l) => l.p_yes_mean).filter((p): p is number => p !== null);
  const result: FeedbackStats = {
    apieval_version: VERSION,
    command: 'feedback',
    judge: { endpoint: o.baseURL, api: o.api, model: o.model, temperature: o.temperature, max_tokens: o.maxTokens, seed: o.seed, logprobs: o.logprobs ?? null },
    rubric: { name: o.rubric.name, version: o.rubric.version, sha256: o.rubric.sha256, file: o.rubric.file, questions: o.rubric.questions.map((q) => q.id) },
    threshold: o.threshold,
    complete,
    interrupted: o.signal.aborted,
    n_samples: o.samples.length,
    labelled: labelled.length,
    accepted,
    rejected: labelled.length - accepted,
    accept_rate: labelled.length ? accepted / labelled.length : null,
    mean_score: mean(labelled.map((l) => l.score)),
    mean_p_yes: mean(pAll),
    score_histogram: hist,
    unparsed_answers: labelled.reduce((a, l) => a + l.unparsed, 0),
    per_question: perQ,
    agreement: {},
    counts: { requests_needed: jobs.length, ...caller.counts(), failed: failures.length },
    transient_errors: caller.stats.transient,
    failures,
    usage: caller.usage,
    usage_including_cache: caller.usageAll,
    cost_usd: costUsd(caller.usage, o.price),
  };
  const ast = agreementWith(labelled, o.ast, '--ast');
  const exec = agreementWith(labelled, o.exec, '--exec');
  if (ast) result.agreement.ast = ast;
  if (exec) result.agreement.exec = exec;

  // The training set is only published whole; an incomplete one goes to <out>.partial so it cannot be
  // mistaken for the finished set.
  const target = complete ? o.out : o.out + '.partial';
  writeFileAtomic(target, toJsonl(labelled));
  if (complete) rmSync(o.out + '.partial', { force: true });
  writeFileAtomic(o.statsOut, JSON.stringify(result, null, 2) + '\n');
  return { stats: result, labelled };
}
