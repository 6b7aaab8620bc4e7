/**
 * The gold-run gate's verdict and report from reference results: pure (no engine), so that grading a run
 * directory from its stored records needs no containers.
 */
import { missingModule, missingName } from './classify.js';
import type { ExecResult } from './types.js';

/** What the gate reads of a reference's result: a fresh ExecResult, or a gold.jsonl record's fields. */
export type GoldVerdict = Pick<ExecResult, 'id' | 'status' | 'exception'>;

export interface GoldGate<R extends GoldVerdict = ExecResult> {
  /** Tasks whose reference program runs to `ok` in this image. */
  supported: Set<string>;
  /** Tasks whose reference fails here (env_unsupported), with the reason; sandbox_error ones included. */
  unsupported: R[];
  /** Every reference result, in input order. */
  results: R[];
}

export function gateFromResults<R extends GoldVerdict>(results: R[]): GoldGate<R> {
  const supported = new Set<string>();
  const unsupported: R[] = [];
  for (const r of results) {
    if (r.status === 'ok') supported.add(r.id);
    else unsupported.push(r);
  }
  return { supported, unsupported, results };
}

/** Why a reference program did not run `ok`, as far as its outcome tells: the gate's report counts these. */
export type GoldCause =
  | { kind: 'ok' }
  /** The image lacks the module (import_error "No module named 'M'"). */
  | { kind: 'missing_module'; module: string }
  /** The library is there and does not export the name (a name the pinned release lacks). */
  | { kind: 'missing_name'; module: string; name: string }
  | { kind: 'sandbox_error' }
  /** The hub profile's input rule: an input the task does not provide. */
  | { kind: 'env_input'; input: 'network' | 'standard input' | 'file' }
  /** A name the program reads and never defines: the task's input left as a placeholder. */
  | { kind: 'placeholder_name' }
  | { kind: 'gpu' }
  | { kind: 'other'; status: string };

export function goldCause(r: GoldVerdict): GoldCause {
  const e = r.exception ?? '';
  if (r.status === 'ok') return { kind: 'ok' };
  const name = r.status === 'import_error' ? missingName(e) : null;
  if (name) return { kind: 'missing_name', ...name };
  const module = r.status === 'import_error' ? missingModule(e) : null;
  if (module) return { kind: 'missing_module', module };
  if (r.status === 'sandbox_error') return { kind: 'sandbox_error' };
  if (r.status === 'env_input') return { kind: 'env_input', input: /network/.test(e) ? 'network' : /standard input/.test(e) ? 'standard input' : 'file' };
  if (r.status === 'name_error' && /^NameError: name '[^']+' is not defined/.test(e)) return { kind: 'placeholder_name' };
  if (/Torch not compiled with CUDA enabled|Found no NVIDIA driver/.test(e)) return { kind: 'gpu' };
  return { kind: 'other', status: r.status };
}

/**
 * The gate's report, a line per cause in plain language, so that an image without e.g. transformers reads
 * as "the image lacks transformers", not as a 0 % executability rate. `keepModules`: with more missing modules than that (plus one), the
 * most frequent `keepModules` keep their lines and the rest fold into one (HF references import dozens).
 */
export function goldReport(gate: GoldGate<GoldVerdict>, opts: { keepModules?: number } = {}): string[] {
  const total = gate.results.length;
  const lines: string[] = [];
  const byModule = new Map<string, number>();
  const other = new Map<string, number>();
  let infra = 0;
  let input = 0;
  let gpu = 0;
  let placeholders = 0;
  const missingNames = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of gate.unsupported) {
    const c = goldCause(r);
    if (c.kind === 'missing_name') add(missingNames, `${c.module}.${c.name}`);
    else if (c.kind === 'missing_module') add(byModule, c.module);
    else if (c.kind === 'sandbox_error') infra++;
    else if (c.kind === 'env_input') input++;
    else if (c.kind === 'placeholder_name') placeholders++;
    else if (c.kind === 'gpu') gpu++;
    else if (c.kind === 'other') add(other, c.status);
  }
  const modules = [...byModule].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const keep = opts.keepModules !== undefined && modules.length > opts.keepModules + 1 ? opts.keepModules : modules.length;
  for (const [mod, n] of modules.slice(0, keep)) {
    lines.push(`${n} of ${total} reference programs fail with import_error: ${mod} — the image lacks them; see README (bring your own image)`);
  }
  const folded = modules.slice(keep);
  if (folded.length) {
    const programs = folded.reduce((s, [, n]) => s + n, 0);
    lines.push(`${programs} more reference programs fail with import_error on ${folded.length} other modules (${folded.map(([m]) => m).join(', ')})`);
  }
  if (missingNames.size) {
    const n = [...missingNames.values()].reduce((a, b) => a + b, 0);
    const names = [...missingNames].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
    lines.push(`${n} of ${total} reference programs import a name their library does not export (${names.join(', ')})`);
  }
  if (input) lines.push(`${input} of ${total} reference programs need an input the task does not provide (env_input: a network resource, a placeholder file or standard input)`);
  if (placeholders) lines.push(`${placeholders} of ${total} reference programs read a name they never define (an input the task leaves as a placeholder: name_error)`);
  if (gpu) lines.push(`${gpu} of ${total} reference programs need a CUDA GPU`);
  if (other.size) {
    const parts = [...other].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${s} ${n}`);
    const n = [...other.values()].reduce((a, b) => a + b, 0);
    lines.push(`${n} of ${total} reference programs fail otherwise (${parts.join(', ')})`);
  }
  if (infra) lines.push(`${infra} of ${total} reference programs hit sandbox_error (infrastructure) and are not counted as supported`);
  if (gate.unsupported.length) lines.push(`${gate.unsupported.length} of ${total} tasks are env_unsupported in this image`);
  if (total > 0 && gate.supported.size === 0) lines.push('no reference program executes in this image: the rate over supported tasks is undefined, not 0%');
  return lines;
}
