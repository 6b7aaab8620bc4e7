/**
 * A reward made of the harness's own scorers, for `apieval reward serve` (and so for `apieval train ppo --reward
 * http://…`): a weighted sum of terms, each `[WEIGHT*]rm:DIR` (the reward model's logit, from its reward.onnx, as
 * `apieval reward score` computes it) or `[WEIGHT*]ast[:strict]` (1 when Gorilla's AST match finds the question's
 * reference API in the completion, else 0; the same matcher as `apieval ast-match` and the leaderboard).
 */
import { UserError } from '../errors.js';
import { AstMatcher, GorillaScriptError } from '../../metrics/ast-match/index.js';
import { apiDbPath, astQuestionOf, evalPath, loadApiDbFile, loadEvalFile, type ApiRecord, type EvalRecord, type Hub } from '../datasets/apibench.js';
import { resolveDataDir } from '../datasets/source.js';
import { OnnxRewardModel } from './onnx-reward-model.js';

export type RewardTerm = { weight: number; kind: 'rm'; dir: string } | { weight: number; kind: 'ast'; variant: 'gorilla' | 'strict' };

/** `0.7*rm:runs/rm/final`, `rm:DIR`, `ast`, `0.3*ast:strict`. */
export function parseRewardTerm(spec: string): RewardTerm {
  const m = /^(?:(-?\d*\.?\d+(?:e[-+]?\d+)?)\*)?(.*)$/i.exec(spec)!;
  const weight = m[1] === undefined ? 1 : Number(m[1]);
  const body = m[2];
  if (!Number.isFinite(weight)) throw new UserError(`--reward ${spec}: the weight is not a number`);
  if (body.startsWith('rm:') && body.length > 3) return { weight, kind: 'rm', dir: body.slice(3) };
  if (body === 'ast' || body === 'ast:gorilla') return { weight, kind: 'ast', variant: 'gorilla' };
  if (body === 'ast:strict') return { weight, kind: 'ast', variant: 'strict' };
  if (body === 'exec') throw new UserError(`--reward ${spec}: executability as a reward is not built yet (see README "Known limitations"); use rm:DIR or ast`);
  throw new UserError(`--reward '${spec}': expected [WEIGHT*]rm:DIR or [WEIGHT*]ast[:strict], e.g. --reward 0.5*rm:runs/rm/final --reward 0.5*ast`);
}

export interface RewardSample {
  prompt: string;
  completion: string;
  question_id: number | null;
}

export interface ScoredBatch {
  scores: number[];
  /** Each term's own values, by its spec, in sample order (a reward model's logit; AST 1 or 0). */
  terms: Record<string, number[]>;
}

/** A request that cannot be scored (an unknown question for AST, say): the server's 400. */
export class BadSample extends Error {}

interface Scorer {
  name: string;
  weight: number;
  score(samples: RewardSample[]): Promise<number[]>;
}

export class RewardSum {
  private constructor(private readonly scorers: Scorer[]) {}

  /** The terms as given, weights included (`0.5*rm:DIR`), for the start line and /health. */
  get description(): string[] {
    return this.scorers.map((s) => `${s.weight}*${s.name}`);
  }

  static async load(terms: RewardTerm[], o: { dataDir?: string; hub: Hub; threads?: number; batchSize?: number }): Promise<RewardSum> {
    if (terms.length === 0) throw new UserError('--reward: give at least one term (rm:DIR, ast)');
    const scorers: Scorer[] = [];
    let data: { apiDbFile: string; apiDb: ApiRecord[]; records: EvalRecord[] } | undefined;
    for (const t of terms) {
      if (t.kind === 'rm') {
        const rm = await OnnxRewardModel.load(t.dir, { threads: o.threads });
        scorers.push({ name: `rm:${t.dir}`, weight: t.weight, score: async (s) => (await rm.score(s, o.batchSize ?? 16)).map((x) => x.logit) });
        continue;
      }
      if (!data) {
        const dir = await resolveDataDir({ dataDir: o.dataDir, hubs: [o.hub] });
        data = { apiDbFile: apiDbPath(dir, o.hub), apiDb: loadApiDbFile(apiDbPath(dir, o.hub)), records: loadEvalFile(evalPath(dir, o.hub)) };
      }
      const { apiDbFile, apiDb, records } = data;
      let matcher: AstMatcher;
      try {
        matcher = new AstMatcher(o.hub, apiDb, t.variant);
      } catch (e) {
        throw new UserError(`${apiDbFile}: ${(e as Error).message}`);
      }
      scorers.push({
        name: `ast:${t.variant}`,
        weight: t.weight,
        score: async (samples) =>
          samples.map((s, i) => {
            const q = s.question_id === null ? undefined : records[s.question_id - 1];
            if (!q) throw new BadSample(`sample ${i}: the ast reward needs a question_id of the ${o.hub} eval questions (1..${records.length}), got ${JSON.stringify(s.question_id)}`);
            try {
              return matcher.matchResponse(s.completion, astQuestionOf(q)).correct ? 1 : 0;
            } catch (e) {
              if (e instanceof GorillaScriptError) throw new BadSample(`sample ${i}: ${e.message}`);
              throw e;
            }
          }),
      });
    }
    return new RewardSum(scorers);
  }

  async score(samples: RewardSample[]): Promise<ScoredBatch> {
    const terms: Record<string, number[]> = {};
    const scores = new Array<number>(samples.length).fill(0);
    for (const s of this.scorers) {
      const v = await s.score(samples);
      terms[s.name] = v;
      v.forEach((x, i) => (scores[i] += s.weight * x));
    }
    return { scores, terms };
  }
}
