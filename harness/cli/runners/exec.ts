import { inputError, UserError } from '../../../core/errors.js';
import { refuseUnsafeOutputs } from '../../../core/output-path.js';
import { JsonlAppender, readJsonl, readResumeLines, toJsonl, writeFileAtomic } from '../../../core/jsonl.js';
import { missingModule } from '../../../sandbox/classify.js';
import { addEngineStats, executePrograms } from '../../../sandbox/execute.js';
import { Progress } from '../../../core/progress.js';
import type { EngineStats } from '../../../sandbox/engine-stats.js';
import { gateFromResults, goldReport } from '../../../sandbox/gold.js';
import { executabilityRate, formatRate } from '../../../sandbox/rate.js';
import { sandboxSignature } from '../../../sandbox/index.js';
import { EXEC_STATUSES, type ExecOptions, type ExecResult, type Program } from '../../../sandbox/types.js';
import { interruptOnSignal } from '../../../core/interrupt.js';

export interface ExecCliOptions extends ExecOptions {
  input: string;
  output: string;
  gold?: string;
}

/** Reads `{"id","code"}` lines; ids must be unique strings, code a string (null counts as no code). */
export function readPrograms(file: string): Program[] {
  const seen = new Map<string, number>();
  return readJsonl<Record<string, unknown>>(file).map(({ value, line }) => {
    const { id, code } = value;
    if (typeof id !== 'string' || id === '') throw inputError(file, line, '"id" must be a non-empty string');
    if (code !== null && typeof code !== 'string') throw inputError(file, line, `"code" must be a string (got ${code === undefined ? 'nothing' : typeof code})`);
    const prev = seen.get(id);
    if (prev !== undefined) throw inputError(file, line, `duplicate id ${JSON.stringify(id)} (first on line ${prev})`);
    seen.set(id, line);
    return { id, code: code ?? '' };
  });
}

/**
 * Results already in `file` from an earlier, interrupted run. A torn last line (crash mid-write) is
 * dropped; sandbox_error results are dropped too so that the rerun retries them.
 */
export function readExisting(file: string, ids: Set<string>): Map<string, ExecResult> {
  const out = new Map<string, ExecResult>();
  const lines = readResumeLines(file);
  for (const l of lines) {
    if (l.value === undefined) {
      if (l === lines[lines.length - 1]) continue; // the last line, cut short by a crash
      if (l.jsonNotObject) throw inputError(file, l.line, 'not an `apieval exec` result (use a new --output)');
      throw inputError(file, l.line, 'not valid JSON; this is not an `apieval exec` output file (use a new --output)');
    }
    const r = l.value as unknown as ExecResult;
    if (typeof r.id !== 'string' || !(EXEC_STATUSES as readonly string[]).includes(r.status)) {
      throw inputError(file, l.line, 'not an `apieval exec` result (use a new --output)');
    }
    if (!ids.has(r.id)) throw inputError(file, l.line, `id ${JSON.stringify(r.id)} is not in the input; this output belongs to another run (use a new --output)`);
    if (r.status !== 'sandbox_error') out.set(r.id, r);
  }
  return out;
}

/** Runs what is not done yet, appending each result as it comes, then rewrites the file in input order. */
async function runResumable(programs: Program[], file: string, opts: ExecOptions, label: string, engines: EngineStats[] = []): Promise<{ results: ExecResult[]; resumed: number }> {
  const done = readExisting(file, new Set(programs.map((p) => p.id)));
  const todo = programs.filter((p) => !done.has(p.id));
  const resumed = programs.length - todo.length;
  if (todo.length) {
    // Keep what is valid, drop what is not (torn tail, sandbox_error), then append.
    writeFileAtomic(file, toJsonl(programs.filter((p) => done.has(p.id)).map((p) => done.get(p.id))));
    const app = new JsonlAppender(file, 'append');
    const progress = new Progress(label, todo.length, process.stderr, false);
    try {
      const stats = await executePrograms(todo, opts, (res) => {
        const { verdict: _verdict, ...r } = res; // the raw verdict is the eval's record, not an exec output field
        app.write(r);
        done.set(r.id, r);
        progress.tick(1, r.status === 'sandbox_error' ? 1 : 0);
      });
      addEngineStats(engines, stats);
    } finally {
      app.close();
      progress.finish();
    }
  }
  const results = programs.map((p) => done.get(p.id)!);
  writeFileAtomic(file, toJsonl(results));
  return { results, resumed };
}

export function goldFileFor(output: string): string {
  return `${output.replace(/\.jsonl$/, '')}.gold.jsonl`;
}

export async function execCommand(o: ExecCliOptions): Promise<void> {
  const inputs = [{ flag: '--input', path: o.input }, { flag: '--gold', path: o.gold }];
  refuseUnsafeOutputs([{ flag: '--output', path: o.output }, ...(o.gold ? [{ flag: '--output (its gold results)', path: goldFileFor(o.output) }] : [])], inputs);
  const programs = readPrograms(o.input);
  let references: Program[] | null = null;
  if (o.gold) {
    references = readPrograms(o.gold);
    const byId = new Map(references.map((r) => [r.id, r]));
    const missing = programs.filter((p) => !byId.has(p.id));
    if (missing.length) {
      throw new UserError(`${o.gold}: no reference program for ${missing.length} input id(s), e.g. ${JSON.stringify(missing[0].id)} (the gold file must have the same ids as --input)`);
    }
    references = programs.map((p) => byId.get(p.id)!);
  }

  const interrupt = interruptOnSignal('\napieval exec: interrupted, removing containers... (Ctrl-C again to quit at once)');
  const opts: ExecOptions = { ...o, signal: interrupt.signal };
  try {
    const lines: string[] = [];
    const engines: EngineStats[] = [];
    let supported: Set<string> | undefined;
    if (references) {
      const goldOut = goldFileFor(o.output);
      const g = await runResumable(references, goldOut, opts, 'gold', engines);
      const gate = gateFromResults(g.results);
      supported = gate.supported;
      lines.push(`gold gate: ${gate.supported.size} of ${references.length} reference programs execute (results: ${goldOut})`);
      for (const l of goldReport(gate)) lines.push(`  ${l}`);
    }
    const { results, resumed } = await runResumable(programs, o.output, opts, 'exec', engines);
    const rate = executabilityRate(results, supported);

    const head = `apieval exec: ${results.length} programs${resumed ? ` (${resumed} from an earlier run)` : ''} -> ${o.output}`;
    const counts = EXEC_STATUSES.filter((s) => rate.counts[s]).map((s) => `${s} ${rate.counts[s]}`).join(', ');
    const out = [head, `  ${counts}`, ...lines, `executability over all tasks: ${formatRate(rate.all)}`];
    if (rate.supported) out.push(`executability over supported tasks: ${formatRate(rate.supported)} (${rate.supported.tasks} supported, ${results.length - rate.supported.tasks} env_unsupported)`);
    if (rate.all.sandboxErrors) out.push(`${rate.all.sandboxErrors} sandbox_error result(s) left out of the rate (infrastructure failures; rerun to retry them)`);
    if (!references) {
      // Without a gold gate, still say plainly when the image is what fails the programs.
      const mods = new Map<string, number>();
      for (const r of results) {
        const m = r.status === 'import_error' ? missingModule(r.exception) : null;
        if (m) mods.set(m, (mods.get(m) ?? 0) + 1);
      }
      for (const [m, n] of [...mods].sort((a, b) => b[1] - a[1]).slice(0, 5)) {
        if (n >= Math.max(2, results.length * 0.05)) out.push(`note: ${n} of ${results.length} programs fail with import_error: ${m} — the image may lack it; run with --gold to separate env_unsupported tasks (see README)`);
      }
    }
    for (const e of engines) out.push(`engine ${e.engine}: ${e.programs} programs (concurrency ${e.concurrency})${e.failures ? `, ${e.failures} infrastructure failure(s) retried elsewhere` : ''}${e.lost ? ', lost during the run' : ''}`);
    out.push(`signature: ${await sandboxSignature(o)}`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    interrupt.dispose();
  }
}
