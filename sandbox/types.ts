import type { RawVerdict } from './verdict.js';

/** The one status each sample gets (see README "Executability"). */
export type ExecStatus =
  | 'ok'
  | 'syntax_error'
  | 'import_error'
  | 'name_error'
  | 'attribute_error'
  | 'type_error'
  | 'runtime_error'
  | 'exit_nonzero'
  | 'timeout'
  | 'memory_limit'
  | 'output_limit'
  | 'crashed'
  | 'env_input'
  | 'no_code'
  | 'sandbox_error';

export const EXEC_STATUSES: readonly ExecStatus[] = [
  'ok', 'syntax_error', 'import_error', 'name_error', 'attribute_error', 'type_error', 'runtime_error',
  'exit_nonzero', 'timeout', 'memory_limit', 'output_limit', 'crashed', 'env_input', 'no_code', 'sandbox_error',
];

/** One line of `apieval exec` output. `exit_code` is null when the process was killed by a signal. */
export interface ExecResult {
  id: string;
  status: ExecStatus;
  /** "Type: message" for exceptions (module-qualified when not a builtin), the signal name for crashes. */
  exception: string | null;
  exit_code: number | null;
  duration_ms: number;
  stdout: string;
  stderr: string;
  /**
   * What the fork server observed, as classification reads it (sandbox/classify.ts); absent when no
   * container ran the program (`no_code`, `sandbox_error`). Not part of `apieval exec`'s output lines.
   */
  verdict?: RawVerdict;
}

export interface ExecOptions {
  /** Any image with python3 (overrides `profile`). */
  image?: string;
  /** Built image profile (`apieval sandbox build`); default base. */
  profile?: 'base' | 'ml' | 'hub';
  timeoutS?: number;
  /** Address space a sample may add to the pre-imported server (RLIMIT_AS), MiB. */
  memoryMb?: number;
  /** Number of warm containers (each runs one sample at a time). */
  concurrency?: number;
  /** Per-stream cap on stdout/stderr, KiB; exceeding it kills the sample (output_limit). */
  outputKb?: number;
  /** CPUs per container (NanoCpus). */
  cpus?: number;
  pidsLimit?: number;
  /** Size of the /work tmpfs, MiB (/tmp gets a quarter of it). */
  tmpfsMb?: number;
  /** A warm container is replaced after this many samples (and after any limit breach). */
  samplesPerContainer?: number;
  /** Warm containers kept in reserve to replace retired ones without a wait (default 1). */
  spares?: number;
  /** Modules the fork server imports once (default: the profile's recipe list; none for --image). */
  preload?: string[];
  /** Host directory bind-mounted read-only at /hf as the Hugging Face cache (the one allowed host mount). */
  hfCache?: string;
  /** Label value that marks every container of this run (`apieval.run`); random by default. */
  runId?: string;
  /**
   * The Docker engines to spread programs over (`--engine`, repeatable), each with its own concurrency;
   * default: the one engine DOCKER_HOST or the local socket names.
   */
  engines?: EngineSpec[];
  /** Aborting stops taking new samples and removes the run's containers. */
  signal?: AbortSignal;
}

export interface Program {
  id: string;
  code: string;
}

/**
 * One Docker engine of a run (`--engine`, repeatable): `unix:///var/run/docker.sock`, `tcp://host:port`
 * (with `,tls=DIR` holding ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH does), or `ssh://user@host`;
 * `,concurrency=N` gives it its own number of warm containers.
 */
export interface EngineSpec {
  /** As given (without the options): what logs and the manifest name it by. */
  url: string;
  concurrency?: number;
  tlsDir?: string;
}
