/** Turns `apieval feedback` flags into FeedbackOptions, runs it, and reports. */
import { resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { parseHub } from '../../datasets/apibench.js';
import { resolveDataDir } from '../../datasets/source.js';
import { interruptSignal, priceOpt, requestOptions } from '../producer-options.js';
import { refuseUnsafeOutputs } from '../../../core/output-path.js';
import { resolveEndpoint } from '../../producers/endpoint.js';
import { questionMap, readOutcomes, runFeedback, samplesFromPairs, samplesFromResponses, type FeedbackStats } from '../../producers/feedback.js';
import type { ApiKind } from '../../producers/openai-call.js';
import { loadRubric } from '../../producers/rubric.js';
import type { CallFlags } from '../producer-flags.js';

/** What commander hands `apieval feedback`'s action (declared in commands/feedback.ts). */
export interface FeedbackCliOptions extends CallFlags {
  responses?: string;
  pairs?: string;
  hub: string;
  dataDir?: string;
  questions?: string;
  rubric?: string;
  completion: string;
  threshold?: number;
  temperature: number;
  maxTokens: number;
  seed: number | false;
  logprobs?: number | boolean;
  out: string;
  stats?: string;
  ast?: string;
  exec?: string;
  json?: boolean;
}

function fmt(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

export function formatStats(s: FeedbackStats, out: string): string {
  const lines = [
    `judge ${s.judge.model} at ${s.judge.endpoint} (${s.judge.api}); rubric ${s.rubric.name} v${s.rubric.version} (${s.rubric.questions.length} questions), threshold ${s.threshold}`,
    `labelled ${s.labelled}/${s.n_samples}: accepted ${s.accepted}, rejected ${s.rejected} (accept rate ${fmt(s.accept_rate)}), mean S ${fmt(s.mean_score)}, mean P(yes) ${fmt(s.mean_p_yes)}, unparsed answers ${s.unparsed_answers}`,
    `requests: ${s.counts.requests_needed} needed, ${s.counts.cache_hits} from cache, ${s.counts.requests} sent (${s.counts.retries} retries), ${s.counts.failed} failed; tokens billed ${s.usage.prompt_tokens} in + ${s.usage.completion_tokens} out; cost ${s.cost_usd === 'unknown' ? 'unknown' : `$${s.cost_usd.toFixed(6)}`}`,
  ];
  for (const [k, a] of Object.entries(s.agreement)) {
    if (!a) continue;
    lines.push(`agreement with ${k}: n ${a.n} (unmatched ${a.unmatched}), tp ${a.tp} fp ${a.fp} fn ${a.fn} tn ${a.tn}, accuracy ${fmt(a.accuracy)}, Cohen's kappa ${fmt(a.cohen_kappa)}`);
  }
  lines.push(s.complete ? `wrote ${out}` : `incomplete: labelled samples so far are in ${out}.partial`);
  return lines.join('\n') + '\n';
}

export async function runFeedbackCommand(opts: FeedbackCliOptions): Promise<void> {
  if (!!opts.responses === !!opts.pairs) throw new UserError('pass exactly one of --responses FILE or --pairs FILE');
  const hub = parseHub(opts.hub);
  const ep = resolveEndpoint({ baseUrl: opts.baseUrl, apiKey: opts.apiKey, model: opts.model }, process.env, 'judge model');
  const rubric = loadRubric(opts.rubric);
  const Q = rubric.questions.length;
  const threshold = opts.threshold ?? Q;
  if (threshold > Q) throw new UserError(`--threshold ${threshold}: the rubric has ${Q} questions (integer 0–${Q})`);
  let samples;
  const out = resolve(opts.out);
  const statsOut = resolve(opts.stats ?? out.replace(/\.jsonl$/, '') + '.stats.json');
  const inputs = [{ flag: '--responses', path: opts.responses }, { flag: '--pairs', path: opts.pairs }, { flag: '--questions', path: opts.questions }, { flag: '--rubric', path: opts.rubric }, { flag: '--ast', path: opts.ast }, { flag: '--exec', path: opts.exec }];
  const outputs = [{ flag: '--out', path: out }, { flag: '--out (its partial file)', path: out + '.partial' }, { flag: opts.stats ? '--stats' : '--out (its statistics file)', path: statsOut }];
  const dataDir = opts.responses && !opts.questions ? await resolveDataDir({ dataDir: opts.dataDir, hubs: [hub] }) : undefined;
  refuseUnsafeOutputs(outputs, inputs, dataDir ?? opts.dataDir ?? process.env.APIEVAL_DATA_DIR);
  if (opts.responses) {
    const qs = questionMap({ questionsFile: opts.questions, dataDir, hub });
    samples = samplesFromResponses(opts.responses, qs, opts.questions ?? `the ${hub} questions`, opts.completion as 'text' | 'code', hub);
  } else samples = samplesFromPairs(opts.pairs!);
  const logprobs = typeof opts.logprobs === 'number' ? opts.logprobs : opts.logprobs ? 2 : undefined;
  const log = (l: string): void => void process.stderr.write(l + '\n');
  const { signal, dispose } = interruptSignal(log);
  let stats: FeedbackStats;
  try {
    ({ stats } = await runFeedback({
      samples,
      rubric,
      threshold,
      api: opts.api as ApiKind,
      ...ep,
      temperature: opts.temperature!,
      maxTokens: opts.maxTokens!,
      seed: opts.seed === false ? null : opts.seed!,
      logprobs,
      ...requestOptions(opts),
      out,
      statsOut,
      ast: opts.ast ? readOutcomes(opts.ast, 'ast') : undefined,
      exec: opts.exec ? readOutcomes(opts.exec, 'exec') : undefined,
      price: priceOpt(opts, ep.model),
      signal,
      log,
    }));
  } finally {
    dispose();
  }
  process.stdout.write(opts.json ? JSON.stringify(stats, null, 2) + '\n' : formatStats(stats, out));
  if (stats.interrupted) throw new UserError('interrupted: judge answers so far are cached; rerun the same command to resume', 130);
  if (stats.failures.length > 0) {
    const f = stats.failures[0];
    throw new UserError(`${stats.failures.length} judge request(s) failed (first: sample ${f.id}, question ${f.question}: ${f.error}); rerun the same command to retry only those`, 1);
  }
}
