/**
 * A reward made of the harness's own scorers, for `apieval reward serve` (and so for `apieval train ppo --reward
 * http://…`): a weighted sum of terms, each `[WEIGHT*]rm:DIR` (the reward model's logit, from its reward.onnx, as
 * `apieval reward score` computes it) or `[WEIGHT*]ast[:strict]` (1 when Gorilla's AST match finds the question's
 * reference API in the completion, else 0; the same matcher as `apieval ast-match` and the leaderboard) or
 * `[WEIGHT*]exec` (1 when the completion's program runs to completion in the sandbox, status `ok`, else 0: the
 * program `apieval eval` executes — the code after <<<code>>>, leading whitespace removed — in the same image and
 * limits). An infrastructure failure (`sandbox_error`) is not a score: the request fails (503) and says so.
 */
import { UserError } from '../../core/errors.js';
import { AstMatcher, GorillaScriptError } from '../../metrics/ast-match/index.js';
import { apiDbPath, astQuestionOf, evalPath, loadApiDbFile, loadEvalFile, type ApiRecord, type EvalRecord, type Hub } from '../datasets/apibench.js';
import { resolveDataDir } from '../datasets/source.js';
import { extractResponse } from '../datasets/extract.js';
import { executableProgram } from '../runs/suite.js';
import type { ExecOptions } from '../../sandbox/index.js';
import { OnnxRewardModel } from './onnx-reward-model.js';

export type RewardTerm = { weight: number; kind: 'rm'; dir: string } | { weight: number; kind: 'ast'; variant: 'gorilla' | 'strict' } | { weight: number; kind: 'exec' };

/** `0.7*rm:runs/rm/final`, `rm:DIR`, `ast`, `0.3*ast:strict`. */
export function parseRewardTerm(spec: string): RewardTerm {
  const m = /^(?:(-?\d*\.?\d+(?:e[-+]?\d+)?)\*)?(.*)$/i.exec(spec)!;
  const weight = m[1] === undefined ? 1 : Number(m[1]);
  const body = m[2];
  if (!Number.isFinite(weight)) throw new UserError(`--reward ${spec}: the weight is not a number`);
  if (body.startsWith('rm:') && body.length > 3) return { weight, kind: 'rm', dir: body.slice(3) };
  if (body === 'ast' || body === 'ast:gorilla') return { weight, kind: 'ast', variant: 'gorilla' };
  if (body === 'ast:strict') return { weight, kind: 'ast', variant: 'strict' };
  if (body === 'exec') return { weight, kind: 'exec' };
  throw new UserError(`--reward '${spec}': expected [WEIGHT*]rm:DIR, [WEIGHT*]ast[:strict] or [WEIGHT*]exec, e.g. --reward 0.5*rm:runs/rm/final --reward 0.5*ast`);
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

/** The scorer could not do its job (the sandbox failed): the server's 503; nothing is scored as 0 for it. */
export class ScorerUnavailable extends Error {}

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

  /** Each term's signature where it has one (the sandbox's for exec), for /health. */
  signatures: Record<string, string> = {};

  static async load(terms: RewardTerm[], o: { dataDir?: string; hub: Hub; threads?: number; batchSize?: number; exec?: ExecOptions }): Promise<RewardSum> {
    if (terms.length === 0) throw new UserError('--reward: give at least one term (rm:DIR, ast)');
    const scorers: Scorer[] = [];
    let data: { apiDbFile: string; apiDb: ApiRecord[]; records: EvalRecord[] } | undefined;
    const signatures: Record<string, string> = {};
    for (const t of terms) {
      if (t.kind === 'exec') {
        const sandbox = await import('../../sandbox/index.js');
        const opts = o.exec ?? {};
        // Engine and image checked now, as a run would use them (warm containers started and removed), so that a
        // sandbox that cannot start is one line at start-up rather than a failure of the first request.
        const probe = sandbox.createProvider(opts);
        try {
          await probe.prepare();
          signatures.exec = await probe.signature();
        } finally {
          await probe.dispose();
        }
        scorers.push({
          name: 'exec',
          weight: t.weight,
          score: async (samples) => {
            const programs = samples.map((s, i) => ({ id: String(i), code: executableProgram(extractResponse(s.completion, o.hub).predictionCode) }));
            const results = await sandbox.executeAll(programs, opts);
            const broken = results.filter((r) => r.status === 'sandbox_error');
            if (broken.length > 0) throw new ScorerUnavailable(`exec: ${broken.length} of ${samples.length} programs ended in sandbox_error (${(broken[0].exception ?? '').split('\n')[0]}); not scored`);
            return results.map((r) => (r.status === 'ok' ? 1 : 0));
          },
        });
        continue;
      }
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
    const sum = new RewardSum(scorers);
    sum.signatures = signatures;
    return sum;
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
