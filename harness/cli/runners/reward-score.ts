/** `apieval reward score`: a reward model's logit and probability for each response (or pair). */
import { resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { parseHub } from '../../datasets/apibench.js';
import { resolveDataDir } from '../../datasets/source.js';
import { refuseUnsafeOutputs } from '../../../core/output-path.js';
import { toJsonl, writeFileAtomic } from '../../../core/jsonl.js';
import { questionMap, samplesFromPairs, samplesFromResponses } from '../../producers/feedback.js';
import { OnnxRewardModel } from '../../reward/onnx-reward-model.js';

/** What `reward score` and `rerank` share: where instructions come from, what the model reads, batching. */
export interface ResponseScoringOptions {
  hub: string;
  dataDir?: string;
  questions?: string;
  completion: string;
  out: string;
  batchSize: number;
  json?: boolean;
}

export interface RewardScoreOptions extends ResponseScoringOptions {
  model: string;
  responses?: string;
  pairs?: string;
  threads?: number;
}

export async function runRewardScore(o: RewardScoreOptions): Promise<void> {
  if ((o.responses === undefined) === (o.pairs === undefined)) throw new UserError('give one input: --responses FILE (a Gorilla-style response file) or --pairs FILE ({prompt, completion} JSONL)');
  if (o.completion !== 'text' && o.completion !== 'code') throw new UserError(`--completion '${o.completion}': expected text or code`);
  const hub = parseHub(o.hub);
  refuseUnsafeOutputs([{ flag: '--out', path: o.out }], [{ flag: '--responses', path: o.responses }, { flag: '--pairs', path: o.pairs }, { flag: '--questions', path: o.questions }], o.dataDir ?? process.env.APIEVAL_DATA_DIR);
  // The same (instruction, completion) pairs `apieval feedback` builds, which is what the model was trained on.
  let samples;
  if (o.responses !== undefined) {
    const dataDir = o.questions ? undefined : await resolveDataDir({ dataDir: o.dataDir, hubs: [hub] });
    samples = samplesFromResponses(o.responses, questionMap({ questionsFile: o.questions, dataDir, hub }), o.questions ?? `the ${hub} questions`, o.completion, hub);
  } else samples = samplesFromPairs(o.pairs!);
  const rm = await OnnxRewardModel.load(resolve(o.model), { threads: o.threads });
  const t0 = Date.now();
  const scores = await rm.score(samples.map((s) => ({ prompt: s.instruction, completion: s.completion })), o.batchSize!);
  const seconds = (Date.now() - t0) / 1000;
  const rows = samples.map((s, i) => ({ id: s.id, ...(s.question_id !== undefined ? { question_id: s.question_id } : {}), logit: scores[i].logit, p: scores[i].p, tokens: scores[i].tokens }));
  writeFileAtomic(resolve(o.out), toJsonl(rows));
  const meanP = rows.reduce((a, r) => a + r.p, 0) / rows.length;
  const summary = { model: resolve(o.model), n: rows.length, mean_p: meanP, accepted: rows.filter((r) => r.logit > 0).length, seconds, samples_per_s: rows.length / Math.max(seconds, 1e-9), out: resolve(o.out) };
  process.stdout.write(o.json ? JSON.stringify(summary, null, 2) + '\n' : `${rows.length} samples scored in ${seconds.toFixed(2)} s (${summary.samples_per_s.toFixed(1)}/s): mean P(acceptable) ${meanP.toFixed(4)}, ${summary.accepted} above 0.5; wrote ${summary.out}\n`);
}
