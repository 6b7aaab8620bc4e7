/**
 * `apieval rerank`: best-of-n by a reward model. Given n response files of one checkpoint (n samples per
 * question: seeds or sample indices), keeps for each question the answer with the highest reward logit (ties:
 * the earlier file) and writes one Gorilla-style response file that `apieval eval` scores as is. Each line is
 * the chosen answer as it was, with `metadata.rerank` = {from (the file), logits (every candidate's)}.
 * The pairs are built as `apieval feedback` / `reward score` build them (instruction from the questions).
 */
import { resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { loadResponses, parseHub, type Response } from '../../datasets/apibench.js';
import { resolveDataDir } from '../../datasets/source.js';
import { refuseUnsafeOutputs } from '../../../core/output-path.js';
import { extractResponse } from '../../datasets/extract.js';
import { toJsonl, writeFileAtomic } from '../../../core/jsonl.js';
import { questionMap } from '../../producers/feedback.js';
import { OnnxRewardModel } from '../../reward/onnx-reward-model.js';
import type { ResponseScoringOptions } from './reward-score.js';

export interface RerankOptions extends ResponseScoringOptions {
  rewardModel: string;
  responses: string;
}

export async function runRerank(o: RerankOptions): Promise<void> {
  const files = o.responses.split(',').map((f) => f.trim()).filter((f) => f !== '');
  if (files.length < 2) throw new UserError(`--responses '${o.responses}': best-of-n needs at least 2 comma-separated response files`);
  if (o.completion !== 'text' && o.completion !== 'code') throw new UserError(`--completion '${o.completion}': expected text or code`);
  const hub = parseHub(o.hub);
  refuseUnsafeOutputs([{ flag: '--out', path: o.out }], [...files.map((f) => ({ flag: '--responses', path: f })), { flag: '--questions', path: o.questions }], o.dataDir ?? process.env.APIEVAL_DATA_DIR);
  const dataDir = o.questions ? undefined : await resolveDataDir({ dataDir: o.dataDir, hubs: [hub] });
  const questions = questionMap({ questionsFile: o.questions, dataDir, hub });
  const perFile = files.map((f) => {
    const byQ = new Map<number, Response>();
    for (const r of loadResponses(f)) {
      if (byQ.has(r.question_id)) throw new UserError(`${f}:${r.line}: question_id ${r.question_id} answered twice (one file per sample)`);
      if (!questions.has(r.question_id)) throw new UserError(`${f}:${r.line}: question_id ${r.question_id} is not in ${o.questions ?? `the ${hub} questions`}`);
      byQ.set(r.question_id, r);
    }
    return byQ;
  });
  const qids = [...new Set(perFile.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const candidates: { q: number; file: number; r: Response }[] = [];
  for (const q of qids) perFile.forEach((m, i) => m.has(q) && candidates.push({ q, file: i, r: m.get(q)! }));
  const rm = await OnnxRewardModel.load(resolve(o.rewardModel));
  const t0 = Date.now();
  const scores = await rm.score(candidates.map((c) => ({ prompt: questions.get(c.q)!, completion: o.completion === 'code' ? extractResponse(c.r.text, hub).predictionCode : c.r.text })), o.batchSize!);
  const best = new Map<number, { file: number; r: Response; logit: number; logits: (number | null)[] }>();
  candidates.forEach((c, i) => {
    const z = scores[i].logit;
    const cur = best.get(c.q) ?? { file: -1, r: c.r, logit: -Infinity, logits: files.map(() => null) };
    cur.logits[c.file] = z;
    if (z > cur.logit) Object.assign(cur, { file: c.file, r: c.r, logit: z });
    best.set(c.q, cur);
  });
  const lines = qids.map((q) => {
    const b = best.get(q)!;
    const meta = b.r.metadata && typeof b.r.metadata === 'object' ? (b.r.metadata as Record<string, unknown>) : {};
    return {
      question_id: q, text: b.r.text, ...(b.r.answer_id !== undefined ? { answer_id: b.r.answer_id } : {}), model_id: `best-of-${files.length}`,
      metadata: { ...meta, rerank: { from: resolve(files[b.file]), file_index: b.file, logit: b.logit, logits: b.logits, reward_model: resolve(o.rewardModel) } },
    };
  });
  writeFileAtomic(resolve(o.out), toJsonl(lines));
  const picks = files.map((_, i) => lines.filter((l) => l.metadata.rerank.file_index === i).length);
  const incomplete = qids.filter((q) => best.get(q)!.logits.some((z) => z === null)).length;
  const summary = { out: resolve(o.out), questions: qids.length, n: files.length, picked_per_file: picks, questions_missing_a_sample: incomplete, seconds: (Date.now() - t0) / 1000 };
  process.stdout.write(o.json ? JSON.stringify(summary, null, 2) + '\n' : `best-of-${files.length} over ${qids.length} questions (${candidates.length} answers scored in ${summary.seconds.toFixed(2)} s); picked per file: ${picks.join(', ')}${incomplete ? `; ${incomplete} questions lack a sample in some file` : ''}; wrote ${summary.out}\n`);
}
