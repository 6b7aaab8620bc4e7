/**
 * `apieval generate`: candidates for APIBench questions from any OpenAI-compatible endpoint, written as
 * Gorilla-style response files (`{question_id, text, answer_id, model_id, metadata}`, one JSON object per
 * line) that `apieval eval` / `apieval ast-match` score directly: one file per seed (and per sample index
 * when n > 1).
 *
 * Durability: every finished request is cached on disk (cache.ts) and appended to `<file>.partial` at
 * once, so an interrupted or crashed run loses only requests in flight; rerunning the same command skips
 * what is on disk and costs nothing for what is cached. The final file is written atomically, sorted by
 * question_id, only when every question of that seed has an answer.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { JsonlAppender, readResumeLines, toJsonl, writeFileAtomic } from '../../core/jsonl.js';
import { loadQuestions, loadQuestionsFile, type Question } from '../datasets/apibench.js';
import { VERSION } from '../version.js';
import { readApiDocs, readEvalApiData, type Hub } from './apibench-raw.js';
import { Bm25Okapi } from './bm25.js';
import { canonicalJson, sha256 } from './cache.js';
import { CachedCaller, type CallOptions } from './cached-call.js';
import type { ApiKind, Usage } from './openai-call.js';
import { runPool } from './pool.js';
import { refuseUnsafeOutputs } from '../../core/output-path.js';
import { costUsd, type Price } from './pricing.js';
import {
  applyTemplate,
  gorillaChatMessages,
  gorillaChatWithDocs,
  gorillaModelBm25Text,
  gorillaModelOracleText,
  type ChatMessage,
  type PromptStyle,
  type RetrievedDoc,
  type Retriever,
} from './prompts.js';

export interface SamplingParams {
  n: number;
  /** Send n separate requests (n = 1 each) instead of one request with `n`; sample r of seed s uses seed s*n + r. */
  splitN: boolean;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  /** Number of top logprobs to request and keep (0 = chosen token only); undefined = none. */
  logprobs?: number;
}

export interface GenerateOptions extends CallOptions {
  hub: Hub;
  dataDir: string;
  questionsFile?: string;
  limit?: number;
  style: PromptStyle;
  retriever: Retriever;
  numDocs: number;
  template: string;
  sampling: SamplingParams;
  /** `null` = send no seed. */
  seeds: (number | null)[];
  outDir: string;
  runName: string;
}

export interface PromptItem {
  questionId: number;
  messages?: ChatMessage[];
  prompt?: string;
  /** API database indices of retrieved docs (bm25), or [-1] for the oracle. */
  retrieved: number[];
}

export interface ResponseRecord {
  question_id: number;
  text: string;
  answer_id: string;
  model_id: string;
  metadata: Record<string, unknown>;
}

export interface RunSummary {
  apieval_version: string;
  command: 'generate';
  status: 'complete' | 'interrupted' | 'incomplete';
  config: Record<string, unknown>;
  config_sha: string;
  endpoint: string;
  api: ApiKind;
  model: string;
  hub: Hub;
  prompt_style: PromptStyle;
  retriever: Retriever;
  num_docs: number;
  sampling: SamplingParams;
  seeds: (number | null)[];
  files: string[];
  complete: boolean;
  interrupted: boolean;
  counts: { questions: number; tasks: number; already_on_disk: number; cache_hits: number; requests: number; attempts: number; retries: number; failed: number };
  transient_errors: Record<string, number>;
  failures: { question_id: number; seed: number | null; sample: number; error: string }[];
  /** Tokens billed by this invocation (requests actually sent). */
  usage: Usage;
  /** Tokens of every answer this invocation used, cached ones included. */
  usage_including_cache: Usage;
  cost_usd: number | 'unknown';
  /** How the token limit went to the endpoint (max_completion_tokens when asked, or once the endpoint refused max_tokens). */
  token_param: 'max_tokens' | 'max_completion_tokens';
  price_per_million?: Price;
  started_at: string;
  finished_at: string;
  duration_s: number;
}

/** Builds the prompt for every question (pure apart from reading the data folder). */
export function buildPrompts(o: Pick<GenerateOptions, 'hub' | 'dataDir' | 'questionsFile' | 'limit' | 'style' | 'retriever' | 'numDocs' | 'template' | 'api'>): PromptItem[] {
  if (o.api === 'completions' && o.style === 'gorilla-chat') {
    throw new UserError("--prompt-style gorilla-chat needs --api chat (a completions endpoint takes --prompt-style gorilla-model, wrapped by --template)");
  }
  let questions: Question[] = o.questionsFile ? loadQuestionsFile(o.questionsFile) : loadQuestions(o.dataDir, o.hub);
  const seen = new Set<number>();
  for (const q of questions) {
    if (seen.has(q.question_id)) throw new UserError(`${o.questionsFile ?? 'questions file'}: question_id ${q.question_id} appears twice`);
    seen.add(q.question_id);
  }
  if (o.limit !== undefined) questions = questions.slice(0, o.limit);
  let bm25: Bm25Okapi | undefined;
  let apiDocs: ReturnType<typeof readApiDocs> | undefined;
  let evalData: ReturnType<typeof readEvalApiData> | undefined;
  if (o.retriever === 'bm25') {
    apiDocs = readApiDocs(o.dataDir, o.hub);
    bm25 = new Bm25Okapi(apiDocs.map((d) => d.docStr.split(' ')));
  }
  if (o.retriever === 'oracle') evalData = readEvalApiData(o.dataDir, o.hub);
  return questions.map((q) => {
    let docs: RetrievedDoc[] = [];
    let oracleJson: string | undefined;
    if (bm25 && apiDocs) {
      docs = bm25.topN(q.text.split(' '), o.numDocs).map((i) => ({ docStr: apiDocs![i].docStr, apiIndex: i }));
    } else if (evalData) {
      const rec = evalData[q.question_id - 1];
      if (!rec) throw new UserError(`question_id ${q.question_id} has no eval record (the ${o.hub} eval file has ${evalData.length}); the oracle retriever needs one`);
      docs = [{ docStr: rec.apiDataStr, apiIndex: -1 }];
      oracleJson = rec.apiDataJson;
    }
    const retrieved = docs.map((d) => d.apiIndex);
    if (o.style === 'gorilla-chat') {
      const messages = o.retriever === 'none' ? gorillaChatMessages(q.text, o.hub) : gorillaChatWithDocs(q.text, o.hub, docs);
      return { questionId: q.question_id, messages, retrieved };
    }
    const text = o.retriever === 'none' ? q.text : o.retriever === 'bm25' ? gorillaModelBm25Text(q.text, docs) : gorillaModelOracleText(q.text, oracleJson!);
    if (o.api === 'chat') return { questionId: q.question_id, messages: [{ role: 'user', content: text }], retrieved };
    return { questionId: q.question_id, prompt: applyTemplate(o.template, text), retrieved };
  });
}

/** The request body for one task: every parameter that can change the answer, nothing else. */
export function requestBody(api: ApiKind, model: string, item: PromptItem, s: SamplingParams, seed: number | null, nInRequest: number): Record<string, unknown> {
  const body: Record<string, unknown> = { model };
  if (api === 'chat') body.messages = item.messages;
  else body.prompt = item.prompt;
  if (nInRequest !== 1) body.n = nInRequest;
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.maxTokens !== undefined) body.max_tokens = s.maxTokens;
  if (seed !== null) body.seed = seed;
  if (s.stop && s.stop.length > 0) body.stop = s.stop;
  if (s.logprobs !== undefined) {
    if (api === 'chat') {
      body.logprobs = true;
      if (s.logprobs > 0) body.top_logprobs = s.logprobs;
    } else body.logprobs = s.logprobs;
  }
  return body;
}

export function outputFile(outDir: string, runName: string, seed: number | null, sample: number, n: number): string {
  const s = seed === null ? 'noseed' : `seed${seed}`;
  return join(outDir, n === 1 ? `${runName}.${s}.jsonl` : `${runName}.${s}.sample${sample}.jsonl`);
}

/** Records already on disk for one output file: the final file if complete, plus the partial file. */
function readDone(file: string): Map<number, ResponseRecord> {
  const done = new Map<number, ResponseRecord>();
  for (const f of [file, file + '.partial']) {
    if (!existsSync(f)) continue;
    let valid = '';
    for (const { raw, value } of readResumeLines(f)) {
      // A line cut short by a crash (no value) is dropped; its request is redone (from the cache if it got there).
      const r = value as ResponseRecord | undefined;
      if (r && typeof r.question_id === 'number' && typeof r.text === 'string') {
        done.set(r.question_id, r);
        valid += raw + '\n';
      }
    }
    if (f.endsWith('.partial') && valid !== readFileSync(f, 'utf8')) writeFileAtomic(f, valid);
  }
  return done;
}

interface Task {
  item: PromptItem;
  seed: number | null;
  /** Index of the split request (0 when n is sent in one request). */
  part: number;
}

/**
 * What makes answers of one run interchangeable: resuming must never mix answers made with other
 * parameters into a file. Seeds and --limit are not part of it (files are per seed; a limit is a subset).
 */
export function runConfig(o: GenerateOptions): Record<string, unknown> {
  return {
    endpoint: o.baseURL.replace(/\/+$/, ''),
    api: o.api,
    model: o.model,
    hub: o.hub,
    questions: o.questionsFile ?? null,
    prompt_style: o.style,
    retriever: o.retriever,
    num_docs: o.retriever === 'bm25' ? o.numDocs : null,
    template: o.api === 'completions' ? o.template : null,
    sampling: o.sampling,
  };
}

function checkResumable(o: GenerateOptions, configSha: string, files: string[]): void {
  const manifest = join(o.outDir, `${o.runName}.run.json`);
  if (!existsSync(manifest)) return;
  let prev: { config_sha?: string; config?: Record<string, unknown> };
  try {
    prev = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    return;
  }
  if (prev.config_sha === undefined || prev.config_sha === configSha) return;
  if (!files.some((f) => existsSync(f) || existsSync(f + '.partial'))) return;
  const now = runConfig(o);
  const diff = Object.keys(now).filter((k) => JSON.stringify(now[k]) !== JSON.stringify(prev.config?.[k]));
  throw new UserError(`${manifest}: the answers in ${o.outDir} for run '${o.runName}' were made with different ${diff.join(', ') || 'parameters'}; pass another --run-name or --out-dir (or delete them)`);
}

export async function runGenerate(o: GenerateOptions): Promise<RunSummary> {
  const started = new Date();
  const s = o.sampling;
  const items = buildPrompts(o);
  if (items.length === 0) throw new UserError('no questions to generate for');
  const config = runConfig(o);
  const configSha = sha256(canonicalJson(config));
  const allFiles = o.seeds.flatMap((seed) => Array.from({ length: s.n }, (_, i) => outputFile(o.outDir, o.runName, seed, i, s.n)));
  const runJson = join(o.outDir, `${o.runName}.run.json`);
  refuseUnsafeOutputs([runJson, ...allFiles.flatMap((f) => [f, f + '.partial'])].map((path) => ({ flag: '--out-dir', path })), [{ flag: '--questions', path: o.questionsFile }], o.questionsFile && o.retriever === 'none' ? undefined : o.dataDir);
  checkResumable(o, configSha, allFiles);
  // Recorded before any request, so even a run killed outright leaves its parameters beside its answers.
  writeFileAtomic(join(o.outDir, `${o.runName}.run.json`), JSON.stringify({ apieval_version: VERSION, command: 'generate', status: 'running', config, config_sha: configSha }, null, 2) + '\n');
  const caller = new CachedCaller(o);
  const failures: RunSummary['failures'] = [];
  let alreadyOnDisk = 0;

  // Per seed: output files (one per sample index), what is already there, and an appender per file.
  const perSeed = o.seeds.map((seed) => {
    const files = Array.from({ length: s.n }, (_, i) => outputFile(o.outDir, o.runName, seed, i, s.n));
    const done = files.map(readDone);
    return { seed, files, done, appenders: [] as JsonlAppender[] };
  });

  const tasks: Task[] = [];
  for (const ps of perSeed) {
    for (const item of items) {
      const parts = s.splitN ? s.n : 1;
      for (let part = 0; part < parts; part++) {
        const samples = s.splitN ? [part] : Array.from({ length: s.n }, (_, i) => i);
        if (samples.every((i) => ps.done[i].has(item.questionId))) alreadyOnDisk++;
        else tasks.push({ item, seed: ps.seed, part });
      }
    }
  }
  const totalTasks = tasks.length + alreadyOnDisk;
  if (tasks.length > 0) {
    for (const ps of perSeed) ps.appenders = ps.files.map((f) => new JsonlAppender(f + '.partial', 'append'));
  }
  const seedState = new Map(perSeed.map((ps) => [ps.seed, ps]));
  let finished = 0;
  let lastLog = 0;

  const doTask = async (t: Task): Promise<void> => {
    const nInRequest = s.splitN ? 1 : s.n;
    const seed = t.seed === null ? null : s.splitN ? t.seed * s.n + t.part : t.seed;
    const body = requestBody(o.api, o.model, t.item, s, seed, nInRequest);
    // A server that ignores `n` answers once; such an answer is not cached, so --split-n can redo it.
    const outcome = await caller.call(body, (r) => (r.choices.length < nInRequest ? `endpoint returned ${r.choices.length} choice(s) for n=${nInRequest}; rerun with --split-n` : undefined));
    if (outcome.kind === 'cancelled') return;
    if (outcome.kind === 'failed') {
      failures.push({ question_id: t.item.questionId, seed: t.seed, sample: t.part, error: outcome.error });
      return;
    }
    const { result, key } = outcome;
    const ps = seedState.get(t.seed)!;
    const sampleIdx = s.splitN ? [t.part] : Array.from({ length: s.n }, (_, i) => i);
    for (const i of sampleIdx) {
      const choice = result.choices[s.splitN ? 0 : i];
      const metadata: Record<string, unknown> = {
        seed: t.seed,
        sample: i,
        request_seed: seed,
        prompt_style: o.style,
        retriever: o.retriever,
        retrieved: t.item.retrieved,
        finish_reason: choice.finish_reason,
      };
      if (result.model) metadata.server_model = result.model;
      if (s.logprobs !== undefined && choice.logprobs !== undefined) metadata.logprobs = choice.logprobs;
      const rec: ResponseRecord = {
        question_id: t.item.questionId,
        text: choice.text,
        answer_id: sha256(`${key}:${s.splitN ? 0 : i}`).slice(0, 22),
        model_id: o.model,
        metadata,
      };
      ps.appenders[i].write(rec);
      ps.done[i].set(rec.question_id, rec);
    }
    finished++;
    const now = Date.now();
    if (now - lastLog > 2000 || finished === tasks.length) {
      lastLog = now;
      o.log(`generate: ${finished + alreadyOnDisk}/${totalTasks} done (${caller.cacheHits} cached, ${caller.requests} requested, ${caller.stats.retries} retries, ${failures.length} failed)`);
    }
  };

  try {
    await runPool(tasks, o.concurrency, o.signal, doTask);
  } finally {
    for (const ps of perSeed) for (const a of ps.appenders) a.close();
  }

  // Finalise each seed whose every question has an answer in every sample file.
  let complete = true;
  for (const ps of perSeed) {
    const full = ps.done.every((d) => items.every((it) => d.has(it.questionId)));
    if (!full) {
      complete = false;
      continue;
    }
    ps.files.forEach((f, i) => {
      // Everything on disk for this file, not only this invocation's questions: a rerun with a smaller
      // --limit must not shrink a file an earlier run completed.
      const recs = [...ps.done[i].values()].sort((a, b) => a.question_id - b.question_id);
      writeFileAtomic(f, toJsonl(recs));
      rmSync(f + '.partial', { force: true });
    });
  }

  const finishedAt = new Date();
  const summary: RunSummary = {
    apieval_version: VERSION,
    command: 'generate',
    status: complete ? 'complete' : o.signal.aborted ? 'interrupted' : 'incomplete',
    config,
    config_sha: configSha,
    endpoint: o.baseURL,
    api: o.api,
    model: o.model,
    hub: o.hub,
    prompt_style: o.style,
    retriever: o.retriever,
    num_docs: o.retriever === 'bm25' ? o.numDocs : o.retriever === 'oracle' ? 1 : 0,
    sampling: s,
    seeds: o.seeds,
    files: perSeed.flatMap((ps) => ps.files),
    complete,
    interrupted: o.signal.aborted,
    counts: { questions: items.length, tasks: totalTasks, already_on_disk: alreadyOnDisk, ...caller.counts(), failed: failures.length },
    transient_errors: caller.stats.transient,
    failures,
    usage: caller.usage,
    usage_including_cache: caller.usageAll,
    cost_usd: costUsd(caller.usage, o.price),
    token_param: caller.tokenParam,
    ...(o.price ? { price_per_million: o.price } : {}),
    started_at: started.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_s: (finishedAt.getTime() - started.getTime()) / 1000,
  };
  writeFileAtomic(join(o.outDir, `${o.runName}.run.json`), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
