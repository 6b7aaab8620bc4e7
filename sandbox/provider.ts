import type { ExecResult, Program } from './types.js';

/**
 * Where samples run. The Docker provider keeps warm local containers; a remote or cluster provider
 * would implement the same three calls (nothing here assumes a local engine or a filesystem).
 */
export interface SandboxProvider {
  /** Checks the backend and warms it up; throws a UserError the CLI can print when it can't. */
  prepare(): Promise<void>;
  /**
   * Runs one non-empty program and classifies it. Rejects only when the infrastructure failed
   * (the caller retries once, then reports `sandbox_error`).
   */
  run(program: Program): Promise<ExecResult>;
  /** Releases everything the provider started (containers, processes). Idempotent. */
  dispose(): Promise<void>;
  /** Stable description of the environment for the run's signature. */
  signature(): Promise<string>;
}
