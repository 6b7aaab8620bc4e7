/** Turns `apieval generate` flags into GenerateOptions, runs it, and reports. */
import { resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { parseHub } from '../../datasets/apibench.js';
import { resolveDataDir } from '../../datasets/source.js';
import { interruptSignal, priceOpt, requestOptions, sanitizeName } from '../producer-options.js';
import { parseNumeric, SEED } from '../numeric-options.js';
import { resolveEndpoint } from '../../producers/endpoint.js';
import { runGenerate, type RunSummary } from '../../producers/generate.js';
import type { ApiKind } from '../../producers/openai-call.js';
import type { PromptStyle, Retriever } from '../../producers/prompts.js';
import type { CallFlags } from '../producer-flags.js';

/** What commander hands `apieval generate`'s action (declared in commands/generate.ts). */
export interface GenerateCliOptions extends CallFlags {
  hub: string;
  dataDir?: string;
  questions?: string;
  limit?: number;
  promptStyle?: string;
  retriever: string;
  numDocs: number;
  template?: string;
  n: number;
  splitN?: boolean;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  maxCompletionTokens?: number;
  seed: string | false;
  stop?: string[];
  logprobs?: number | boolean;
  outDir: string;
  runName?: string;
  json?: boolean;
  checkpoint?: string;
  tokenizer?: string;
  topK?: number;
  maxNewTokens?: number;
  batchSize?: number;
  device?: string;
  quiet?: boolean;
}

export function parseSeeds(v: string | false): (number | null)[] {
  if (v === false) return [null];
  const parts = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (parts.length === 0) throw new UserError(`--seed '${v}': expected comma-separated integers`);
  const seeds = parts.map((p) => parseNumeric('--seed', p, SEED));
  if (new Set(seeds).size !== seeds.length) throw new UserError(`--seed '${v}': a seed is repeated`);
  return seeds;
}

export function formatSummary(s: RunSummary): string {
  const c = s.counts;
  const lines = [
    `model ${s.model} at ${s.endpoint} (${s.api}), ${s.hub}, prompt ${s.prompt_style}, retriever ${s.retriever}`,
    `questions ${c.questions}, tasks ${c.tasks}: ${c.already_on_disk} already on disk, ${c.cache_hits} from cache, ${c.requests} requested (${c.attempts} HTTP attempts, ${c.retries} retries), ${c.failed} failed`,
    `tokens billed: ${s.usage.prompt_tokens} in + ${s.usage.completion_tokens} out; cost: ${s.cost_usd === 'unknown' ? 'unknown (pass --price IN,OUT or --price-table)' : `$${s.cost_usd.toFixed(6)}`}`,
    ...(s.complete ? s.files.map((f) => `wrote ${f}`) : [`incomplete: answers so far are in ${s.files.map((f) => f + '.partial').join(', ')}`]),
  ];
  return lines.join('\n') + '\n';
}

export async function runGenerateCommand(opts: GenerateCliOptions): Promise<void> {
  const hub = parseHub(opts.hub);
  const api = opts.api as ApiKind;
  const style = (opts.promptStyle ?? (api === 'chat' ? 'gorilla-chat' : 'gorilla-model')) as PromptStyle;
  const retriever = opts.retriever as Retriever;
  const ep = resolveEndpoint({ baseUrl: opts.baseUrl, apiKey: opts.apiKey, model: opts.model });
  if (opts.maxCompletionTokens !== undefined && opts.maxTokens !== undefined) throw new UserError('give one of --max-tokens and --max-completion-tokens');
  if (opts.maxCompletionTokens !== undefined && api !== 'chat') throw new UserError('--max-completion-tokens is for --api chat (the completions endpoint takes --max-tokens)');
  const n = opts.n!;
  const logprobs = opts.logprobs === undefined ? undefined : typeof opts.logprobs === 'number' ? opts.logprobs : opts.logprobs ? 0 : undefined;
  const needsData = !opts.questions || retriever !== 'none';
  const dataDir = needsData ? await resolveDataDir({ dataDir: opts.dataDir, hubs: [hub] }) : (opts.dataDir ?? '.');
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const { signal, dispose } = interruptSignal(log);
  let summary: RunSummary;
  try {
    summary = await runGenerate({
      hub,
      dataDir,
      questionsFile: opts.questions,
      limit: opts.limit,
      style,
      retriever,
      numDocs: opts.numDocs!,
      template: opts.template ?? '###USER: {prompt}###ASSISTANT: ',
      api,
      ...ep,
      sampling: {
        n,
        splitN: !!opts.splitN,
        temperature: opts.temperature,
        topP: opts.topP,
        maxTokens: opts.maxCompletionTokens ?? opts.maxTokens,
        stop: opts.stop,
        logprobs,
      },
      seeds: parseSeeds(opts.seed),
      maxCompletionTokens: opts.maxCompletionTokens !== undefined,
      ...requestOptions(opts),
      outDir: resolve(opts.outDir),
      runName: opts.runName ? sanitizeName(opts.runName) : sanitizeName(`${hub}_${ep.model}_${retriever === 'none' ? '0_shot' : retriever}`),
      price: priceOpt(opts, ep.model),
      signal,
      log,
    });
  } finally {
    dispose();
  }
  process.stdout.write(opts.json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary));
  if (summary.interrupted) throw new UserError('interrupted: finished answers are saved; rerun the same command to resume', 130);
  if (summary.failures.length > 0) {
    const f = summary.failures[0];
    throw new UserError(`${summary.failures.length} request(s) failed (first: question ${f.question_id}: ${f.error}); rerun the same command to retry only those`, 1);
  }
}
