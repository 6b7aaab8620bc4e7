// Public API of the sandbox (see /README "Executability"). Heavy parts (dockerode) load on first use.
export type { ExecStatus, ExecResult, ExecOptions, Program } from './types.js';
export { EXEC_STATUSES } from './types.js';
export { executePrograms, executeAll, ExecInterrupted, createProvider, addEngineStats } from './execute.js';
export type { EngineStats } from './multi-provider.js';
export { goldGate, gateFromResults, goldReport, type GoldGate } from './gold.js';
export { executabilityRate, formatRate, type ExecutabilityRate, type RateSummary } from './rate.js';
export { classify, missingModule } from './classify.js';
export type { SandboxProvider } from './provider.js';
export { resolveLimits, DEFAULTS, type Limits } from './limits.js';

import { DockerProvider } from './docker/provider.js';
import type { ExecOptions } from './types.js';

/** Identifies the execution environment of a run: image (tag and id) and every limit. */
export async function sandboxSignature(opts: ExecOptions): Promise<string> {
  return new DockerProvider(opts, opts.engines?.[0] ?? null).signature();
}
