/**
 * The reward model's score (metrics/metric.ts, a batch metric): the eval scores responses in batches with an
 * ONNX reward model (harness/reward/); this file defines the columns. See CARD.md.
 */
import { meanFieldView, type EvalMetric } from '../metric.js';

export const rewardModelMetric: EvalMetric = {
  id: 'reward-model',
  kind: 'batch',
  implementation: {},
  // Mean P(acceptable) (on the leaderboard: a probability, printed in % like the others) and the mean
  // logit, the quantity PPO optimises (summary.json only: it is not a percentage).
  views: (ctx) => (ctx.rm ? [meanFieldView('rm_p', 'RM P(acc.)', 'rm', true, (v) => v.p as number), meanFieldView('rm_logit', 'RM logit', 'rm', false, (v) => v.logit as number)] : []),
};
