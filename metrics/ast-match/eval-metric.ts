/**
 * The AST metric of `apieval eval` (metrics/metric.ts): Gorilla's AST sub-tree match with its hallucination
 * rate, and the strict variant. See CARD.md.
 */
import { binaryView, errorText, type EvalMetric, type EvalSample, type SampleScorer, type SuiteContext } from '../metric.js';
import { AstMatcher } from './index.js';

/**
 * Both variants from ONE parse and match: `strict` is by definition `gorilla`-correct AND the matched
 * database entry's api_call equal to the question's reference call, so it is derived from the gorilla
 * verdict of the same response instead of parsing the text a second time. The last verdict is memoised per
 * sample (the suite hands every scorer the same EvalSample object) so the two values share it.
 */
function scorers(ctx: SuiteContext, implementation: Readonly<Record<string, number>>): SampleScorer[] {
  const matcher = new AstMatcher(ctx.hub, ctx.apiDb, 'gorilla');
  const strictSignature = new AstMatcher(ctx.hub, [], 'strict').signature();
  let lastSample: EvalSample | null = null;
  let lastVerdict: ReturnType<AstMatcher['matchResponse']> | { error: string } | null = null;
  const verdict = (s: EvalSample) => {
    if (lastSample === s) return lastVerdict!;
    try {
      lastVerdict = matcher.matchResponse(s.response, s.question);
    } catch (e) {
      lastVerdict = { error: errorText(e) };
    }
    lastSample = s;
    return lastVerdict;
  };
  return [
    {
      name: 'ast_gorilla',
      signature: matcher.signature(),
      implementation: implementation.ast_gorilla,
      compute(s) {
        const v = verdict(s);
        if ('error' in v) return { error: v.error };
        return { correct: v.correct, hallucination: v.hallucination, database_index: v.database_index };
      },
    },
    {
      name: 'ast_strict',
      signature: strictSignature,
      implementation: implementation.ast_strict,
      compute(s) {
        const v = verdict(s);
        if ('error' in v) return { error: v.error };
        const correct = v.correct && v.matched_api_call === s.question.referenceApiCall;
        return { correct, hallucination: v.hallucination, database_index: v.database_index };
      },
    },
  ];
}

/** apieval's implementation version of each value (bump in the commit that changes what it produces). */
const IMPLEMENTATION = { ast_gorilla: 1, ast_strict: 1 };

export const astMetric: EvalMetric = {
  id: 'ast-match',
  kind: 'sample',
  implementation: IMPLEMENTATION,
  scorers: (ctx) => scorers(ctx, IMPLEMENTATION),
  views: () => [
    { ...binaryView('ast_gorilla', 'AST acc.', 'ast_gorilla', true, (v) => v.correct as boolean), domainTable: true },
    binaryView('hallucination', 'Halluc.', 'ast_gorilla', false, (v) => v.hallucination as boolean),
    binaryView('ast_strict', 'AST strict', 'ast_strict', true, (v) => v.correct as boolean),
  ],
};
