/**
 * The leaderboard as data: what every writer (CSV, LaTeX, Markdown, JSON, HTML) renders. Built by
 * harness/runs/leaderboard.ts from run directories; writers never compute statistics, they only format.
 */
export const LEADERBOARD_SCHEMA_VERSION = 1;

export interface MetricColumn {
  /** Stable machine key, e.g. `ast_gorilla`. */
  key: string;
  /** Short human header, e.g. `AST acc.`. */
  label: string;
  /** `binary` metrics are rates of a per-sample yes/no (McNemar); `continuous` ones are corpus scores. */
  kind: 'binary' | 'continuous';
  higherIsBetter: boolean;
  /** The metric's signature string (variant, versions, options): printed under every table. */
  signature: string;
}

export interface SignificanceTest {
  /** `mcnemar` (exact, binary metrics, single runs) or `paired_bootstrap`. */
  test: 'mcnemar' | 'paired_bootstrap';
  /** This checkpoint minus the baseline, in the metric's unit. */
  delta: number;
  p: number;
  /** Holm-adjusted p across every test of the table. */
  p_holm: number;
  significant: boolean;
  /** Number of paired samples (questions answered by both). */
  n_paired: number;
  /** McNemar discordant counts: b = baseline right & this wrong, c = the reverse. */
  b?: number;
  c?: number;
}

export interface Cell {
  /** The corpus score (one run) or the mean of the runs' corpus scores; null when the metric failed or was not run. */
  value: number | null;
  /** 95% percentile-bootstrap interval of `value` (resampling questions). */
  low: number | null;
  high: number | null;
  /** Sample standard deviation over repeated runs; null for one run. */
  sd: number | null;
  /** Runs averaged and samples per run (the smallest, if runs differ). */
  runs: number;
  n: number;
  /** Why `value` is null (e.g. the metric error), if it is. */
  error?: string;
  /** Paired test against the baseline; absent for the baseline itself and without --baseline. */
  vs_baseline?: SignificanceTest;
  /** Best value of its column (ties all best). */
  best: boolean;
}

export interface Row {
  checkpoint: string;
  runs: number;
  cells: Record<string, Cell>;
}

export interface DomainTable {
  /** The metric broken down by domain (AST accuracy, gorilla variant, by default). */
  metric: string;
  label: string;
  domains: string[];
  rows: { checkpoint: string; values: Record<string, { value: number | null; n: number }> }[];
}

export interface Leaderboard {
  schema_version: number;
  generator: string;
  /** `questions`: the subset scored, when not all of the hub's eval questions (e.g. a training run's holdout). */
  dataset: { hub: string; source: string; sha256: Record<string, string>; questions?: string };
  baseline: string | null;
  alpha: number;
  level: number;
  bootstrap: { seed: number; n_resamples: number };
  metrics: MetricColumn[];
  rows: Row[];
  domains: DomainTable | null;
  notes: string[];
}
