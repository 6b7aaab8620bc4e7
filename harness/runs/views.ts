/**
 * Corpus-level views of the per-sample metrics: what summary.json and the leaderboard report. Each view
 * turns a sample's stored value into an item (or null = not applicable, excluded from the denominator)
 * and a list of items into a corpus score. Bootstrap intervals and paired tests resample QUESTIONS and
 * recompute the corpus score from the items (metrics/stats), so micro-averaged CodeBLEU gets correct
 * intervals.
 */
import { codeBleuFromStats, type CodeBleuStats } from '../../metrics/codebleu/index.js';
import { isFailure } from '../../metrics/types.js';
import type { CodeBleuVariant } from '../../metrics/codebleu/index.js';
import type { MetricValue } from './types.js';

export type Item = number | CodeBleuStats | { error: string };

export interface View {
  key: string;
  label: string;
  /** The suite metric (samples.jsonl `metrics` key) this view reads. */
  metric: string;
  kind: 'binary' | 'continuous';
  higherIsBetter: boolean;
  /** Shown as a leaderboard column (all views go to summary.json). */
  leaderboard: boolean;
  /** `questionId` lets a view restrict itself to a subset of questions (executability over supported tasks). */
  item(v: MetricValue, questionId: number): Item | null;
  /** Corpus score of the items, or the error that prevents it. */
  corpus(items: Item[]): number | { error: string };
  /**
   * The corpus score depends on the items only through their field-wise SUM (true for micro-averaged
   * CodeBLEU: clipped counts, lengths, matched/total subtrees and dataflow edges). Resampling can then
   * add flat numeric vectors instead of re-walking objects — checked against the plain path before use.
   */
  additive?: boolean;
}

function err(v: MetricValue): { error: string } | null {
  return v !== null && isFailure(v) ? { error: v.error } : null;
}

function mean(items: Item[]): number | { error: string } {
  let s = 0;
  for (const it of items) {
    if (typeof it !== 'number') return it as { error: string };
    s += it;
  }
  return items.length === 0 ? { error: 'no samples' } : s / items.length;
}

function binaryView(key: string, label: string, metric: string, higherIsBetter: boolean, pick: (v: Record<string, unknown>) => boolean | null): View {
  return {
    key,
    label,
    metric,
    kind: 'binary',
    higherIsBetter,
    leaderboard: true,
    item(v) {
      if (v === null || v === undefined) return null;
      const e = err(v);
      if (e) return e;
      const b = pick(v);
      return b === null ? null : b ? 1 : 0;
    },
    corpus: mean,
  };
}

function codeBleuView(key: string, label: string, metric: string, variant: CodeBleuVariant): View {
  return {
    key,
    label,
    metric,
    kind: 'continuous',
    higherIsBetter: true,
    leaderboard: true,
    additive: true,
    item(v) {
      if (v === null || v === undefined) return null;
      return err(v) ?? ((v as { stats: CodeBleuStats }).stats);
    },
    corpus(items) {
      if (items.length === 0) return { error: 'no samples' };
      for (const it of items) if (isFailure(it)) return { error: it.error };
      const r = codeBleuFromStats(items as CodeBleuStats[], { variant });
      return isFailure(r) ? { error: r.error } : r.codebleu;
    },
  };
}

function rougeView(type: string, leaderboard: boolean): View {
  return {
    key: `${type}_code`,
    label: `${type.replace('rouge', 'ROUGE-')} code`,
    metric: 'rouge_code',
    kind: 'continuous',
    higherIsBetter: true,
    leaderboard,
    item(v) {
      if (v === null || v === undefined) return null;
      return err(v) ?? ((v as Record<string, { fmeasure: number }>)[type].fmeasure);
    },
    corpus: mean,
  };
}

/** Executable = the program ran to completion; infrastructure failures are left out of the rate. */
export const EXEC_EXCLUDED = new Set(['sandbox_error']);

/**
 * The reward model's columns: mean P(acceptable) (on the leaderboard: a probability, printed in % like the
 * others) and the mean logit, the quantity PPO optimises (summary.json only: it is not a percentage).
 */
function rmView(key: string, label: string, field: 'p' | 'logit', leaderboard: boolean): View {
  return {
    key,
    label,
    metric: 'rm',
    kind: 'continuous',
    higherIsBetter: true,
    leaderboard,
    item(v) {
      if (v === null || v === undefined) return null;
      return err(v) ?? ((v as Record<string, number>)[field]);
    },
    corpus: mean,
  };
}

export function buildViews(opts: { codebleuVariant: CodeBleuVariant; exec: boolean; rm?: boolean; supported?: ReadonlySet<number> }): View[] {
  const views: View[] = [
    binaryView('ast_gorilla', 'AST acc.', 'ast_gorilla', true, (v) => v.correct as boolean),
    binaryView('hallucination', 'Halluc.', 'ast_gorilla', false, (v) => v.hallucination as boolean),
    binaryView('ast_strict', 'AST strict', 'ast_strict', true, (v) => v.correct as boolean),
    codeBleuView('codebleu_api', 'CodeBLEU api', 'codebleu_api', opts.codebleuVariant),
    codeBleuView('codebleu_code', 'CodeBLEU code', 'codebleu_code', opts.codebleuVariant),
    rougeView('rouge1', false),
    rougeView('rouge2', false),
    rougeView('rougeL', true),
    rougeView('rougeLsum', false),
  ];
  if (opts.rm) views.push(rmView('rm_p', 'RM P(acc.)', 'p', true), rmView('rm_logit', 'RM logit', 'logit', false));
  if (opts.exec) {
    const executable = (v: Record<string, unknown>) => (EXEC_EXCLUDED.has(v.status as string) ? null : v.status === 'ok');
    views.push(binaryView('exec', 'Executable', 'exec', true, executable));
    if (opts.supported) {
      // The gold-run gate: only tasks whose reference program runs in this image. An image without the
      // task's libraries then reads as "unsupported", not as a model that cannot write code.
      const supported = opts.supported;
      const base = binaryView('exec_supported', 'Exec. (supported)', 'exec', true, executable);
      views.push({ ...base, item: (v, q) => (supported.has(q) ? base.item(v, q) : null) });
    }
  }
  return views;
}

/** The corpus score as a number, NaN on failure (what the statistics functions expect). */
export function corpusNumber(view: View, items: Item[]): number {
  const r = view.corpus(items);
  return typeof r === 'number' ? r : NaN;
}
