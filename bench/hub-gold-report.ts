/**
 * The hub profile's gold pass rate by cause (docs/hub-profile.md): reads a run directory's gold.jsonl (an
 * `apieval eval --profile hub` run) and prints, as Markdown, every reference program's outcome grouped by cause,
 * with the question ids of each group.
 *
 *   node --import tsx bench/hub-gold-report.ts runs/gorilla-hf-hub
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { goldCause, type GoldVerdict } from '../sandbox/gold-report.js';

interface Gold { question_id: number; status: string; exception: string | null }

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: bench/hub-gold-report.ts RUN_DIR\n');
  process.exit(2);
}
const gold = readFileSync(join(dir, 'gold.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Gold);

/**
 * [group, cause] of one reference's outcome: the gold gate's own cause (sandbox/gold-report.ts goldCause), with
 * the outcomes it leaves as "other" sorted further into the references' own defects where the exception says so.
 */
function cause(g: Gold): [string, string] {
  const e = g.exception ?? '';
  const c = goldCause({ id: String(g.question_id), status: g.status as GoldVerdict['status'], exception: g.exception });
  switch (c.kind) {
    case 'ok':
      return ['runs', 'ok'];
    case 'env_input':
      return ['task input', { network: 'env_input: network access (a URL, the Hub)', 'standard input': 'env_input: standard input', file: 'env_input: a placeholder file' }[c.input]];
    case 'gpu':
      return ['environment', 'needs a CUDA GPU'];
    case 'missing_module':
      return ['environment', `library not in the image: ${c.module}`];
    case 'placeholder_name':
      return ['task input', "name_error: reads a name it never defines (the task's input left as a placeholder)"];
    case 'missing_name':
      return ['reference', `imports a name the pinned release does not export (${c.module}.${c.name})`];
    case 'sandbox_error':
      return ['other', 'sandbox_error (infrastructure)'];
  }
  if (g.status === 'syntax_error') return ['reference', 'not valid Python (shell lines, `!pip`, unclosed placeholders)'];
  if (/^KeyError: "Unknown task /.test(e)) return ['reference', 'a pipeline task the release does not have'];
  if (/is not a local folder and is not a valid model identifier/.test(e)) return ['reference', 'a model id that is not on the Hub'];
  if (g.status === 'attribute_error' && /object has no attribute/.test(e)) return ['other', `attribute_error (a method the class lacks, or one the emulation lacks): ${e.slice(0, 110)}`];
  return ['other', `${g.status}: ${e.split('\n')[0].slice(0, 110)}`];
}

const groups = new Map<string, Map<string, number[]>>();
for (const g of gold) {
  const [group, c] = cause(g);
  const m = groups.get(group) ?? new Map<string, number[]>();
  m.set(c, [...(m.get(c) ?? []), g.question_id]);
  groups.set(group, m);
}
const n = gold.length;
const count = (group: string): number => [...(groups.get(group)?.values() ?? [])].reduce((a, q) => a + q.length, 0);
const pct = (k: number): string => `${((100 * k) / n).toFixed(1)}%`;
const out: string[] = [];
const named = count('runs') + count('environment') + count('task input');
out.push(
  `${n} reference programs: ${count('runs')} ok (${pct(count('runs'))}), ${count('environment')} environment-caused (${pct(count('environment'))}), ${count('task input')} an input the task does not provide (${pct(count('task input'))}), ${count('reference')} reference defects (${pct(count('reference'))}), ${count('other')} other (${pct(count('other'))}); ok or caused by the environment or the task's inputs: ${named} (${pct(named)}).`,
  '',
);
for (const group of ['runs', 'environment', 'task input', 'reference', 'other']) {
  const m = groups.get(group);
  if (!m) continue;
  out.push(`| ${group} | programs | question ids |`, '|---|---:|---|');
  const rows = [...m].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  for (const [c, qs] of rows) out.push(`| ${c.replace(/\|/g, '\\|')} | ${qs.length} | ${group === 'runs' ? '…' : qs.sort((a, b) => a - b).join(', ')} |`);
  out.push('');
}
process.stdout.write(out.join('\n'));
