/**
 * The `apieval ast-match` command: loads the API database, the eval split and one responses file, judges
 * every response with Gorilla's AST match, writes one verdict line per response and prints the totals.
 */
import { basename } from 'node:path';
import { UserError, inputError } from '../../core/errors.js';
import { toJsonl, writeFileAtomic } from '../../core/jsonl.js';
import { AstMatcher, astByDomain, astTotals, GorillaScriptError, type AstVerdict } from '../../metrics/ast-match/index.js';
import { apiDbPath, astQuestionOf, checkResponsesAgainstEval, evalPath, loadApiDbFile, loadEvalFile, loadResponses, parseHub, type Hub } from './apibench.js';
import { resolveDataDir } from './source.js';
import { refuseUnsafeOutputs } from '../../core/output-path.js';

export interface AstMatchOptions {
  apiDb?: string;
  eval?: string;
  responses: string;
  output: string;
  variant: 'gorilla' | 'strict';
  hub?: string;
  dataDir?: string;
  byDomain?: boolean;
}

/** The hub named by a Gorilla file name (torchhub_api.jsonl, tensorflow_eval.json, …), if any. */
export function hubFromFileName(file: string | undefined): Hub | undefined {
  if (!file) return undefined;
  const b = basename(file).toLowerCase();
  if (b.includes('torchhub')) return 'torchhub';
  if (b.includes('tensorflow')) return 'tensorflowhub';
  if (b.includes('huggingface')) return 'huggingface';
  return undefined;
}

export interface AstMatchRecord {
  question_id: number;
  api_call: string | null;
  database_index: number;
  correct: boolean;
  hallucination: boolean;
  matched_api_name: string | null;
  matched_domain: string | null;
  question_domain: string;
}

export async function runAstMatch(opts: AstMatchOptions, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<void> {
  const inferred = hubFromFileName(opts.apiDb) ?? hubFromFileName(opts.eval) ?? hubFromFileName(opts.responses);
  const hub: Hub = opts.hub !== undefined ? parseHub(opts.hub) : (inferred ?? 'huggingface');

  let apiDbFile = opts.apiDb;
  let evalFile = opts.eval;
  let dir: string | undefined;
  if (apiDbFile === undefined || evalFile === undefined) {
    dir = await resolveDataDir({ dataDir: opts.dataDir, hubs: [hub] });
    apiDbFile ??= apiDbPath(dir, hub);
    evalFile ??= evalPath(dir, hub);
  }
  refuseUnsafeOutputs([{ flag: '--output', path: opts.output }], [{ flag: '--responses', path: opts.responses }, { flag: '--api-db', path: apiDbFile }, { flag: '--eval', path: evalFile }], dir);
  const apiDb = loadApiDbFile(apiDbFile);
  const evalRecords = loadEvalFile(evalFile);
  const responses = loadResponses(opts.responses);
  checkResponsesAgainstEval(opts.responses, responses, evalRecords);

  let matcher: AstMatcher;
  try {
    matcher = new AstMatcher(hub, apiDb, opts.variant);
  } catch (e) {
    throw new UserError(`${apiDbFile}: ${(e as Error).message}`);
  }

  const verdicts: AstVerdict[] = [];
  const records: AstMatchRecord[] = [];
  for (const r of responses) {
    const q = evalRecords[r.question_id - 1];
    let v: ReturnType<AstMatcher['matchResponse']>;
    try {
      v = matcher.matchResponse(r.text, astQuestionOf(q));
    } catch (e) {
      if (e instanceof GorillaScriptError) {
        // Where the Python script would have crashed: name the response (or the database entry) instead.
        throw e.message.startsWith('API database entry') ? new UserError(`${apiDbFile}: ${e.message}`) : inputError(opts.responses, r.line, e.message);
      }
      throw e;
    }
    verdicts.push(v);
    records.push({
      question_id: r.question_id,
      api_call: v.api_call,
      database_index: v.database_index,
      correct: v.correct,
      hallucination: v.hallucination,
      matched_api_name: v.matched_api_name ?? null,
      matched_domain: v.matched_domain ?? null,
      question_domain: q.domain,
    });
  }
  try {
    writeFileAtomic(opts.output, toJsonl(records));
  } catch (e) {
    throw new UserError(`${opts.output}: cannot write (${(e as Error).message})`);
  }

  if (opts.byDomain) {
    for (const d of astByDomain(verdicts)) out(JSON.stringify(d));
  }
  const t = astTotals(verdicts);
  out(JSON.stringify({ n: t.n, accuracy: t.accuracy, hallucination: t.hallucination, error: t.error, signature: matcher.signature() }));
}
