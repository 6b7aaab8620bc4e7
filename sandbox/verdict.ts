/** What the fork server observed about one sample (its `V` frame), before classification. */
export interface ServerVerdict {
  duration_ms: number;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  output_limit: boolean;
  oom_killed: boolean;
  /** False when some process of the sample could not be killed: the container must be replaced. */
  clean: boolean;
  signal: number | null;
  exit_code: number | null;
  /** The child's own account of how it ended; untrusted, cross-checked against exit_code. */
  report: SampleReport | null;
}

export interface SampleReport {
  phase?: 'compile' | 'run' | 'exit' | 'done';
  type?: string;
  module?: string;
  message?: string;
  builtin_bases?: string[];
  missing?: string | null;
  exit?: number;
}

/** What classification reads of a server verdict: stored with each eval sample, so grading can be re-run. */
export type RawVerdict = Pick<ServerVerdict, 'timed_out' | 'output_limit' | 'oom_killed' | 'signal' | 'exit_code' | 'report'>;

export function rawVerdict(v: ServerVerdict): RawVerdict {
  return { timed_out: v.timed_out, output_limit: v.output_limit, oom_killed: v.oom_killed, signal: v.signal, exit_code: v.exit_code, report: v.report };
}
