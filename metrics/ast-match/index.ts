/**
 * Gorilla's AST match (API-call correctness and hallucination), as reported by the Gorilla paper and the
 * RLAIF paper (arXiv 2406.20060). Pure: no I/O. The port itself is in ./port.ts.
 *
 * Variants:
 *  - `gorilla` (default): exactly the script. correct = a database entry matched AND its `domain` equals the
 *    question's domain; hallucination = no entry matched. Both are divided by the number of responses.
 *  - `strict`: correct = gorilla-correct AND the matched database entry's `api_call` is, character for
 *    character, the question's reference call (`api_data.api_call` of the eval record). Hallucination is
 *    the same as `gorilla`. It answers "did the model call THE API of this question?", not merely some
 *    API of the same domain (on Gorilla FT 0-shot HF only about a quarter of the `gorilla`-correct answers are).
 */
import { gorillaApiCallSubstring } from './api-call.js';
import { astCheck, astParse, getAllSubTrees, GorillaScriptError, prepareBase, type AstHub, type BaseEntry } from './port.js';

export type Hub = AstHub;
export type AstVariant = 'gorilla' | 'strict';
export { GorillaScriptError } from './port.js';
export { gorillaApiCallSubstring } from './api-call.js';

/** Commit and scripts the port follows; in every signature. */
export const GORILLA_COMMIT_SHORT = '6ea5797';
export const GRAMMAR = 'tree-sitter-python-0.23.6';
const SCRIPT: Record<Hub, string> = { huggingface: 'ast_eval_hf', torchhub: 'ast_eval_th', tensorflowhub: 'ast_eval_tf' };

export interface AstApiRecord {
  domain: string;
  api_call: string;
  api_name?: string;
}

export interface AstVerdict {
  database_index: number;
  correct: boolean;
  hallucination: boolean;
  matched_api_name?: string;
  matched_domain?: string;
  matched_api_call?: string;
  question_domain?: string;
}

export interface AstQuestion {
  /** The question's domain (`api_data.domain` of eval record question_id - 1). */
  domain: string;
  /** The reference call (`api_data.api_call`), used by the strict variant. */
  referenceApiCall: string;
  questionIndex?: number;
}

export interface AstTotals {
  n: number;
  accuracy: number;
  hallucination: number;
  /** 1 − accuracy − hallucination: matched an API, but of the wrong domain (or, strict, not the reference). */
  error: number;
}

export function astSignature(hub: Hub, variant: AstVariant = 'gorilla'): string {
  return `ast|v:gorilla-${SCRIPT[hub]}-${GORILLA_COMMIT_SHORT}|grammar:${GRAMMAR}|variant:${variant}`;
}

/**
 * The text the hub's script parses for a raw response; null for torchhub when the text has no "api_call"
 * (ast_eval_th.py's process_response then returns (False, False): neither correct nor hallucinated).
 */
export function scriptApiCall(text: string, hub: Hub): string | null {
  const r = gorillaApiCallSubstring(text);
  return !r.hasMarker && hub === 'torchhub' ? null : r.text;
}

export class AstMatcher {
  private digested: BaseEntry[] | undefined;

  constructor(
    readonly hub: Hub,
    private readonly apiDb: readonly AstApiRecord[],
    readonly variant: AstVariant = 'gorilla',
  ) {
    if (variant !== 'gorilla' && variant !== 'strict') throw new Error(`unknown AST variant '${String(variant)}'`);
  }

  /**
   * ast_parse of every database api_call, digested once (the script re-walks them per response), on the
   * first match: a matcher built only for its signature (the parent process of `apieval eval`, whose
   * workers do the matching) never parses the database.
   */
  private get base(): BaseEntry[] {
    this.digested ??= this.apiDb.map((r) => prepareBase(r.api_call, this.hub));
    return this.digested;
  }

  signature(): string {
    return astSignature(this.hub, this.variant);
  }

  /** Judges one extracted API call text (the exact string the script parses). */
  match(apiCallText: string, question: AstQuestion): AstVerdict {
    const tree = astParse(apiCallText);
    const subtrees = getAllSubTrees(tree);
    const idx = astCheck(tree, subtrees, this.base, (i, message) => {
      throw new GorillaScriptError(`API database entry ${i} (${JSON.stringify(this.apiDb[i].api_call)}): ${message}`);
    });
    if (idx === -1) return { database_index: -1, correct: false, hallucination: true, question_domain: question.domain };
    const m = this.apiDb[idx];
    let correct = m.domain === question.domain;
    if (this.variant === 'strict') correct = correct && m.api_call === question.referenceApiCall;
    return {
      database_index: idx,
      correct,
      hallucination: false,
      matched_api_name: m.api_name,
      matched_domain: m.domain,
      matched_api_call: m.api_call,
      question_domain: question.domain,
    };
  }

  /**
   * Judges a raw response text: extracts the API call as the hub's script does, then matches it. A
   * torchhub response without "api_call" is neither correct nor a hallucination (database_index -1).
   */
  matchResponse(text: string, question: AstQuestion): AstVerdict & { api_call: string | null } {
    const apiCall = scriptApiCall(text, this.hub);
    if (apiCall === null) return { api_call: null, database_index: -1, correct: false, hallucination: false, question_domain: question.domain };
    return { api_call: apiCall, ...this.match(apiCall, question) };
  }
}

/** Totals as the scripts print them: both ratios divided by the number of responses. */
export function astTotals(verdicts: readonly AstVerdict[]): AstTotals {
  const n = verdicts.length;
  let correct = 0;
  let halluc = 0;
  for (const v of verdicts) {
    if (v.correct) correct++;
    if (v.hallucination) halluc++;
  }
  if (n === 0) return { n: 0, accuracy: 0, hallucination: 0, error: 0 };
  // error from counts, not 1 - a - h, so that it is the exact ratio and never -1e-17.
  return { n, accuracy: correct / n, hallucination: halluc / n, error: (n - correct - halluc) / n };
}

export interface DomainTotals extends AstTotals {
  domain: string;
  correct: number;
  hallucinated: number;
}

/** Per-domain breakdown by the QUESTION's domain, sorted by domain name. */
export function astByDomain(verdicts: readonly AstVerdict[], questionDomains?: readonly string[]): DomainTotals[] {
  const groups = new Map<string, AstVerdict[]>();
  verdicts.forEach((v, i) => {
    const d = questionDomains?.[i] ?? v.question_domain;
    if (d === undefined) throw new Error(`verdict ${i} has no question domain`);
    let g = groups.get(d);
    if (!g) groups.set(d, (g = []));
    g.push(v);
  });
  return [...groups.keys()]
    .sort()
    .map((domain) => {
      const g = groups.get(domain)!;
      return { domain, ...astTotals(g), correct: g.filter((v) => v.correct).length, hallucinated: g.filter((v) => v.hallucination).length };
    });
}
