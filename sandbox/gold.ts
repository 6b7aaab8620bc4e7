import { executeAll } from './execute.js';
import { gateFromResults, type GoldGate } from './gold-report.js';
import type { ExecOptions, Program } from './types.js';

export { gateFromResults, goldReport, type GoldGate } from './gold-report.js';

/** Runs each task's reference solution in the same image and limits the model's programs get. */
export async function goldGate(references: Program[], opts: ExecOptions): Promise<GoldGate> {
  return gateFromResults(await executeAll(references, opts));
}

