import { describeRangeWithArticle, inRange, type NumericRange } from '../core/numeric-range.js';
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
  samplesPerContainer: 1000,
  concurrency: 2,
  /** Room for the fork server with its pre-imports (torch, scipy, pandas ≈ 600 MiB resident). */
  headroomMb: 1024,
} as const;

/**
 * What each limit may be. The CLI declares its options with these ranges (so --help shows them) and
 * resolveLimits checks them again for library callers. The maxima are what the machinery can honour: a
 * timeout past Node's 32-bit timer (24.8 days) would fire at once, so a day is the most one program gets.
 */
export const LIMIT_RANGES = {
  timeoutS: { integer: false, min: 0, max: 86_400, minExclusive: true },
  memoryMb: { integer: true, min: 16, max: 1_048_576 },
  outputKb: { integer: true, min: 1, max: 1_048_576 },
  cpus: { integer: false, min: 0, max: 1024, minExclusive: true },
  pidsLimit: { integer: true, min: 8, max: 4_194_304 },
  tmpfsMb: { integer: true, min: 16, max: 1_048_576 },
  samplesPerContainer: { integer: true, min: 1, max: 1_000_000 },
  concurrency: { integer: true, min: 1, max: 1024 },
} as const;

type LimitName = keyof typeof LIMIT_RANGES;

function checked(name: LimitName, flag: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const r: NumericRange = LIMIT_RANGES[name];
  if (!inRange(v, r)) throw new RangeError(`${flag} must be ${describeRangeWithArticle(r)}, got ${v}`);
  return v;
}

export function resolveLimits(opts: ExecOptions): Limits {
  const timeoutS = checked('timeoutS', 'timeout-s', opts.timeoutS, DEFAULTS.timeoutS);
  const memoryMb = checked('memoryMb', 'memory-mb', opts.memoryMb, DEFAULTS.memoryMb);
  const tmpfsMb = checked('tmpfsMb', 'tmpfs-mb', opts.tmpfsMb, DEFAULTS.tmpfsMb);
  const tmpMb = Math.max(16, Math.floor(tmpfsMb / 4));
  return {
    timeoutS,
    memoryMb,
    outputBytes: checked('outputKb', 'output-kb', opts.outputKb, DEFAULTS.outputKb) * 1024,
    cpus: checked('cpus', 'cpus', opts.cpus, DEFAULTS.cpus),
    pidsLimit: checked('pidsLimit', 'pids-limit', opts.pidsLimit, DEFAULTS.pidsLimit),
    tmpfsMb,
    tmpMb,
    containerMemoryMb: memoryMb + tmpfsMb + tmpMb + DEFAULTS.headroomMb,
    samplesPerContainer: checked('samplesPerContainer', 'samples-per-container', opts.samplesPerContainer, DEFAULTS.samplesPerContainer),
    concurrency: checked('concurrency', 'concurrency', opts.concurrency, DEFAULTS.concurrency),
  };
}
