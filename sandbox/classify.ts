import { constants } from 'node:os';
import type { ExecResult, ExecStatus } from './types.js';
import type { RawVerdict, SampleReport, ServerVerdict } from './verdict.js';

/**
 * apieval's version of the classification below (and of what the sandbox records per program). **Bump it in
 * the commit that changes any status it gives**: run directories then re-execute on their next run instead
 * of keeping verdicts classified the old way (the fork server's own changes are in the signature's `server:`).
 */
export const CLASSIFY_IMPLEMENTATION = 2;

/**
 * Turns what the fork server observed into exactly one status. Order matters: limits the server
 * enforced itself (output flood, wall clock) win over whatever the dying process reported; then
 * signals; then the in-process report, trusted only when it agrees with the exit status the server saw.
 */
export function classify(id: string, v: ServerVerdict): ExecResult {
  // Field order is the documented output order of `apieval exec`.
  const c = classifyVerdict(v);
  return { id, status: c.status, exception: c.exception, exit_code: c.exit_code, duration_ms: v.duration_ms, stdout: v.stdout, stderr: v.stderr };
}

/** The classification of a (raw) verdict: a pure function, re-runnable from stored verdicts. */
export function classifyVerdict(v: RawVerdict): { status: ExecStatus; exception: string | null; exit_code: number | null } {
  const r = (status: ExecStatus, exception: string | null, exit_code: number | null) => ({ status, exception, exit_code });
  if (v.output_limit) return r('output_limit', null, v.exit_code);
  if (v.timed_out) return r('timeout', null, null);
  if (v.signal !== null) {
    const name = signalName(v.signal);
    if (v.oom_killed && v.signal === constants.signals.SIGKILL) return r('memory_limit', `${name} (out of memory)`, null);
    if (v.signal === constants.signals.SIGXCPU) return r('timeout', `${name} (CPU time limit)`, null);
    return r('crashed', name, null);
  }
  const exit = v.exit_code ?? 0;
  const rep = v.report;
  if (rep && rep.exit === exit && (rep.phase === 'compile' || rep.phase === 'run') && rep.type) {
    const exc = exceptionText(rep);
    if (rep.phase === 'compile') return r('syntax_error', exc, exit);
    return r(statusOfException(rep), exc, exit);
  }
  if (exit === 0) return r('ok', null, 0);
  return r('exit_nonzero', null, exit);
}

function isA(rep: SampleReport, name: string): boolean {
  return rep.type === name || (rep.builtin_bases ?? []).includes(name);
}

export function statusOfException(rep: SampleReport): ExecStatus {
  // The hub profile's input rule (sandbox/hub/runtime/apieval_hub/inputs.py): the task does not provide this
  // input (a network resource, a placeholder file, standard input).
  if (rep.type === 'EnvInputError' && rep.module === 'apieval_hub.inputs') return 'env_input';
  if (isA(rep, 'MemoryError')) return 'memory_limit';
  // torch reports a failed allocation as RuntimeError("... DefaultCPUAllocator: can't allocate memory ...").
  if (isA(rep, 'RuntimeError') && /can't allocate memory|DefaultCPUAllocator: not enough memory/.test(rep.message ?? '')) return 'memory_limit';
  if (isA(rep, 'ImportError')) return 'import_error';
  if (isA(rep, 'NameError')) return 'name_error';
  if (isA(rep, 'AttributeError')) return 'attribute_error';
  if (isA(rep, 'TypeError')) return 'type_error';
  return 'runtime_error';
}

export function exceptionText(rep: SampleReport): string {
  const type = !rep.module || rep.module === 'builtins' ? rep.type : `${rep.module}.${rep.type}`;
  const msg = (rep.message ?? '').slice(0, 1000);
  return msg ? `${type}: ${msg}` : String(type);
}

export function signalName(sig: number): string {
  for (const [name, n] of Object.entries(constants.signals)) if (n === sig) return name;
  return `signal ${sig}`;
}

/** The name an import_error says its module does not export ("cannot import name 'X' from 'lib.sub'" → {lib, X}). */
export function missingName(exception: string | null): { module: string; name: string } | null {
  const m = /cannot import name '([^']+)' from '([^'.]+)/.exec(exception ?? '');
  return m ? { module: m[2], name: m[1] } : null;
}

/** The top-level module an import_error names ("No module named 'transformers.models'" → transformers). */
export function missingModule(exception: string | null): string | null {
  if (!exception) return null;
  const m = /No module named '([^'.]+)/.exec(exception);
  return m ? m[1] : (missingName(exception)?.module ?? null);
}
