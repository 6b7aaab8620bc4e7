/**
 * The execute stage of `apieval eval`: what runs in the sandbox (the gold-run gate here; the candidates'
 * programs are executed from run.ts as each sample's metrics finish). Every program's raw verdict is
 * stored with its outcome, so grading (grade.ts) can be re-run from the records.
 */
import { UserError } from '../../core/errors.js';
import { cacheKey } from '../../core/hash.js';
import type { EvalRecord } from '../datasets/apibench.js';
import { goldOutcome } from './grade.js';
import { Progress } from '../../core/progress.js';
import type { RunDir } from './run-dir.js';
import { executableProgram } from './suite.js';
import type { GoldRecord } from './types.js';

/**
 * The gold-run gate: each task's reference program (eval `code` after `<<<code>>>`) runs in the same
 * image and limits first. Cached in gold.jsonl by (sandbox signature, program), like the samples. A task
 * without reference code cannot be gated and counts as unsupported.
 */
export async function runGoldGate(
  sandbox: typeof import('../../sandbox/index.js'),
  execOptions: import('../../sandbox/index.js').ExecOptions,
  execSignature: string,
  runDir: RunDir,
  tasks: { response: { question_id: number } }[],
  evalRecords: EvalRecord[],
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
  quiet: boolean,
  engineStats: import('../../sandbox/index.js').EngineStats[] = [],
): Promise<GoldRecord[]> {
  const previous = runDir.cachedGold();
  const qids = [...new Set(tasks.map((t) => t.response.question_id))].sort((a, b) => a - b);
  const results = new Map<number, GoldRecord>();
  const todo: { id: string; code: string; qid: number; key: string }[] = [];
  for (const q of qids) {
    const ref = evalRecords[q - 1].referenceCode;
    if (ref === undefined) continue;
    const code = executableProgram(ref);
    const key = cacheKey([execSignature, code]);
    const prev = previous.get(q);
    if (prev && prev.key === key) results.set(q, prev);
    else todo.push({ id: String(q), code, qid: q, key });
  }
  if (todo.length > 0) {
    const progress = new Progress('gold', todo.length, stderr, quiet);
    const appender = runDir.goldAppender();
    const byId = new Map(todo.map((t) => [t.id, t]));
    try {
      const stats = await sandbox.executePrograms(todo.map((t) => ({ id: t.id, code: t.code })), execOptions, (res) => {
        const t = byId.get(res.id)!;
        const rec: GoldRecord = { question_id: t.qid, status: res.status, exception: res.exception, exit_code: res.exit_code, key: t.key, ...(res.verdict ? { verdict: res.verdict } : {}) };
        results.set(t.qid, rec);
        appender.write(rec);
        progress.tick(1, res.status === 'sandbox_error' ? 1 : 0);
      });
      sandbox.addEngineStats(engineStats, stats);
    } finally {
      appender.close();
    }
    progress.finish();
  }
  const ordered = [...results.values()].sort((a, b) => a.question_id - b.question_id);
  runDir.writeGold(ordered);
  if (!quiet) for (const n of goldOutcome(ordered, qids).notes) stderr.write(`gold: ${n}\n`);
  return ordered;
}


/** A sandbox that cannot start (no engine, no image) is a user error; say how to score without it. */
export async function withNoExecHint<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof UserError && e.exitCode === 2 && !/--no-exec/.test(e.message)) {
      throw new UserError(`${e.message}; or pass --no-exec to score without executability (samples scored so far are kept)`);
    }
    throw e;
  }
}

