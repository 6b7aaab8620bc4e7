import type { ExecOptions } from './types.js';

/** Effective limits of a run, every default made explicit (they go into the signature). */
export interface Limits {
  timeoutS: number;
  memoryMb: number;
  outputBytes: number;
  cpus: number;
  pidsLimit: number;
  tmpfsMb: number;
  tmpMb: number;
  /** Container cgroup memory: the sample's allowance + both tmpfs (their pages are charged) + headroom. */
  containerMemoryMb: number;
  samplesPerContainer: number;
  concurrency: number;
}

export const DEFAULTS = {
  timeoutS: 20,
  memoryMb: 2048,
  outputKb: 1024,
  cpus: 1,
  pidsLimit: 256,
  tmpfsMb: 256,
  samplesPerContainer: 200,
  concurrency: 2,
  /** Room for the fork server with its pre-imports (torch, scipy, pandas ≈ 600 MiB resident). */
  headroomMb: 1024,
} as const;

function positive(name: string, v: number | undefined, dflt: number, integer = true): number {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  }
  return v;
}

export function resolveLimits(opts: ExecOptions): Limits {
  const timeoutS = positive('timeout-s', opts.timeoutS, DEFAULTS.timeoutS, false);
  const memoryMb = positive('memory-mb', opts.memoryMb, DEFAULTS.memoryMb);
  const tmpfsMb = positive('tmpfs-mb', opts.tmpfsMb, DEFAULTS.tmpfsMb);
  const tmpMb = Math.max(16, Math.floor(tmpfsMb / 4));
  return {
    timeoutS,
    memoryMb,
    outputBytes: positive('output-kb', opts.outputKb, DEFAULTS.outputKb) * 1024,
    cpus: positive('cpus', opts.cpus, DEFAULTS.cpus, false),
    pidsLimit: positive('pids-limit', opts.pidsLimit, DEFAULTS.pidsLimit),
    tmpfsMb,
    tmpMb,
    containerMemoryMb: memoryMb + tmpfsMb + tmpMb + DEFAULTS.headroomMb,
    samplesPerContainer: positive('samples-per-container', opts.samplesPerContainer, DEFAULTS.samplesPerContainer),
    concurrency: positive('concurrency', opts.concurrency, DEFAULTS.concurrency),
  };
}
