/** Parsing and checking of the metric options shared by `score` and `verify`. */
import { UserError } from '../../core/errors.js';
import { CODEBLEU_VARIANTS, type CodeBleuVariant } from '../../metrics/codebleu/index.js';
import { pairMetrics } from '../../metrics/registry.js';

/** The names `score --metrics` accepts (the registry's pair metrics), comma-separated. */
export function pairMetricNames(): string {
  return pairMetrics().map((m) => m.name).join(',');
}

/** `--metrics a,b`: known names, each once, in registry order (the order of the output's fields). */
export function parseMetrics(s: string): string[] {
  const known = pairMetrics().map((m) => m.name);
  const names = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length === 0) throw new UserError(`--metrics: give at least one of ${known.join(', ')}`);
  for (const n of names) if (!known.includes(n)) throw new UserError(`--metrics: unknown metric '${n}' (expected ${known.join(', ')})`);
  return known.filter((n) => names.includes(n));
}

export function parseVariant(s: string, flag = '--codebleu-variant'): CodeBleuVariant {
  if (!CODEBLEU_VARIANTS.includes(s as CodeBleuVariant)) throw new UserError(`${flag}: unknown variant '${s}' (expected k4black or codexglue)`);
  return s as CodeBleuVariant;
}

export function parseWeights(s: string): [number, number, number, number] {
  const parts = s.split(',');
  const ws = parts.map((x) => (x.trim() === '' ? NaN : Number(x)));
  if (ws.length !== 4 || ws.some((w) => !Number.isFinite(w))) {
    throw new UserError(`--codebleu-weights: expected four comma-separated numbers (alpha,beta,gamma,theta), got '${s}'`);
  }
  return ws as [number, number, number, number];
}

export function parseLevel(s: string): 'sentence' | 'corpus' {
  if (s !== 'sentence' && s !== 'corpus') throw new UserError(`--level: expected sentence or corpus, got '${s}'`);
  return s;
}
