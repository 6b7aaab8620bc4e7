/** `--questions` of `apieval eval`: which eval questions to score when not all of them. */
import { resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { evalPath, loadEvalFile, loadQuestionIds, type Hub } from './apibench.js';
import { readHoldout } from './training-data.js';

export function selectQuestions(spec: string, dataDir: string, hub: Hub): { spec: string; label: string; ids: number[] } {
  const evalFile = evalPath(dataDir, hub);
  if (spec.startsWith('holdout-of:')) {
    const h = readHoldout(spec, evalFile);
    return { spec, label: h.label, ids: h.ids };
  }
  const n = loadEvalFile(evalFile).length;
  const qs = loadQuestionIds(spec);
  for (const q of qs) if (q > n) throw new UserError(`${spec}: question_id ${q} is not in ${evalFile} (${n} records)`);
  const ids = [...new Set(qs)].sort((a, b) => a - b);
  if (ids.length === 0) throw new UserError(`${spec}: no questions`);
  return { spec: resolve(spec), label: `the ${ids.length} questions of ${spec}`, ids };
}
