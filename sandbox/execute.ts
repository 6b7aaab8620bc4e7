import { UserError } from '../core/errors.js';
import { DockerProvider } from './docker/provider.js';
import type { EngineStats } from './engine-stats.js';
import { MultiEngineProvider } from './multi-provider.js';
import { resolveLimits } from './limits.js';
import type { SandboxProvider } from './provider.js';
import type { ExecOptions, ExecResult, Program } from './types.js';

export class ExecInterrupted extends UserError {
  constructor() {
    super('interrupted; the run\'s containers were removed (rerun the same command to resume)', 130);
  }
}

/**
 * The sandbox backends. Each runs the same fork server (sandbox/session.ts) in its own isolation and owns a
 * warm pool of them (sandbox/pool.ts); Docker is the one apieval ships. Another backend (a remote engine, a
 * cluster) is one more entry here implementing SandboxProvider.
 */
export const SANDBOX_BACKENDS = {
  docker: (opts: ExecOptions): SandboxProvider & { runId: string } =>
    opts.engines && opts.engines.length > 0 ? new MultiEngineProvider(opts, opts.engines) : new DockerProvider(opts),
} as const;

export type SandboxBackend = keyof typeof SANDBOX_BACKENDS;

/** Builds the provider of backend `kind` for these options. */
export function createProvider(opts: ExecOptions, kind: SandboxBackend = 'docker'): SandboxProvider & { runId: string } {
  const make = SANDBOX_BACKENDS[kind];
  if (!make) throw new UserError(`unknown sandbox backend '${String(kind)}' (have: ${Object.keys(SANDBOX_BACKENDS).join(', ')})`);
  return make(opts);
}

function noCode(id: string): ExecResult {
  return { id, status: 'no_code', exception: null, exit_code: null, duration_ms: 0, stdout: '', stderr: '' };
}

function sandboxError(id: string, e: Error): ExecResult {
  return { id, status: 'sandbox_error', exception: e.message.slice(0, 2000), exit_code: null, duration_ms: 0, stdout: '', stderr: '' };
}

/** Runs one program: empty code needs no container; an infrastructure failure is retried once. */
async function runOne(provider: SandboxProvider, p: Program, signal?: AbortSignal): Promise<ExecResult> {
  if (p.code.trim() === '') return noCode(p.id);
  let last: Error | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (signal?.aborted) throw new ExecInterrupted();
    try {
      return await provider.run(p);
    } catch (e) {
      if (e instanceof UserError) throw e;
      last = e as Error;
    }
  }
  return sandboxError(p.id, last!);
}

function toAsyncIterator<T>(it: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in it ? (it as AsyncIterable<T>)[Symbol.asyncIterator]() : (it as Iterable<T>)[Symbol.iterator]();
}

/**
 * Executes programs in warm sandbox containers, `concurrency` at a time, and calls `onResult` once per
 * program IN INPUT ORDER (results that finish early wait for their predecessors). Every container of
 * the run is removed before this returns or throws, including on abort (`opts.signal`).
 */
export async function executePrograms(
  programs: AsyncIterable<Program> | Iterable<Program>,
  opts: ExecOptions,
  onResult: (r: ExecResult) => void | Promise<void>,
  provider: SandboxProvider = createProvider(opts),
): Promise<EngineStats[] | undefined> {
  // A provider over several engines runs as many at once as all its engines together.
  const concurrency = (provider as { concurrency?: number }).concurrency ?? resolveLimits(opts).concurrency;
  const signal = opts.signal;
  const it = toAsyncIterator(programs);
  let pulled = 0;
  let pullChain: Promise<unknown> = Promise.resolve();
  let exhausted = false;
  const pull = (): Promise<{ i: number; p: Program } | null> => {
    const next = pullChain.then(async () => {
      if (exhausted) return null;
      const n = await it.next();
      if (n.done) {
        exhausted = true;
        return null;
      }
      return { i: pulled++, p: n.value };
    });
    pullChain = next.catch(() => undefined);
    return next;
  };

  const done = new Map<number, ExecResult>();
  let emitted = 0;
  let emitChain: Promise<void> = Promise.resolve();
  const emit = (): Promise<void> => {
    emitChain = emitChain.then(async () => {
      while (done.has(emitted)) {
        const r = done.get(emitted)!;
        done.delete(emitted);
        emitted++;
        await onResult(r);
      }
    });
    return emitChain;
  };

  let failure: unknown = null;
  const onAbort = () => void provider.dispose();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new ExecInterrupted();
    await provider.prepare();
    const worker = async () => {
      while (failure === null && !signal?.aborted) {
        const item = await pull();
        if (!item) return;
        const r = await runOne(provider, item.p, signal);
        if (signal?.aborted) return;
        done.set(item.i, r);
        await emit();
      }
    };
    await Promise.all(
      Array.from({ length: concurrency }, () =>
        worker().catch((e) => {
          failure ??= e;
        }),
      ),
    );
    if (failure === null) await emitChain;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await provider.dispose();
  }
  if (signal?.aborted) throw new ExecInterrupted();
  if (failure !== null) throw failure;
  return (provider as { stats?: EngineStats[] }).stats;
}

export { addEngineStats } from './engine-stats.js';

/** Convenience: runs programs and returns their results in input order. */
export async function executeAll(programs: Iterable<Program> | AsyncIterable<Program>, opts: ExecOptions): Promise<ExecResult[]> {
  const out: ExecResult[] = [];
  await executePrograms(programs, opts, (r) => void out.push(r));
  return out;
}
