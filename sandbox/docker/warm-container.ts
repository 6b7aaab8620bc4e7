import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { docker } from '../engine.js';
import type { Limits } from '../limits.js';
import { BOOT, ForkServerSession, SandboxInfraError, type ReadyInfo } from '../session.js';
import type { ServerVerdict } from '../verdict.js';

export { forkServerHash, SandboxInfraError, type ReadyInfo } from '../session.js';

export interface ContainerSpec {
  image: string;
  limits: Limits;
  preload: string[];
  runId: string;
  hfCache?: string;
  /** How long the fork server may take to import `preload` and say READY. */
  startTimeoutMs?: number;
  /** The engine's client (default: the default engine). */
  client?: Docker;
}

export const RUN_LABEL = 'apieval.run';
export const SANDBOX_LABEL = 'apieval.sandbox';

/** Docker's create options: every isolation setting of the sandbox lives here, in one place. */
export function containerConfig(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const l = spec.limits;
  const mem = l.containerMemoryMb * 1024 * 1024;
  const env = [
    'LANG=C.UTF-8',
    'PYTHONDONTWRITEBYTECODE=1',
    'PYTHONUNBUFFERED=1',
    // Fork and exit cost grows with the server's page tables (torch: ~50 ms per sample on a small VM).
    // Python objects in glibc malloc, and malloc on transparent huge pages, halve it (measured, bench/).
    'PYTHONMALLOC=malloc',
    'GLIBC_TUNABLES=glibc.malloc.hugetlb=1',
    // The per-sample memory limit is an address-space limit (RLIMIT_AS); glibc's per-thread arenas
    // reserve 64 MiB of it each, which would make a threaded program look like a memory bomb.
    'MALLOC_ARENA_MAX=2',
    // One thread per BLAS/OpenMP pool: samples share a container's CPU quota and its pids limit.
    'OMP_NUM_THREADS=1',
    'MKL_NUM_THREADS=1',
    'OPENBLAS_NUM_THREADS=1',
    // There is no network: libraries must not try to reach a hub and hang on it.
    'HF_HUB_OFFLINE=1',
    'TRANSFORMERS_OFFLINE=1',
    'HF_DATASETS_OFFLINE=1',
  ];
  if (spec.hfCache) env.push('HF_HOME=/hf');
  return {
    Image: spec.image,
    Entrypoint: ['python3', '-B', '-c', BOOT],
    Cmd: [],
    User: '65534:65534',
    WorkingDir: '/work',
    Env: env,
    OpenStdin: true,
    // The engine closes the server's stdin when our attach connection goes: if the harness dies, the
    // server sees EOF, exits, and AutoRemove deletes the container.
    StdinOnce: true,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: true,
    Labels: { [SANDBOX_LABEL]: '1', [RUN_LABEL]: spec.runId },
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      PidsLimit: l.pidsLimit,
      Memory: mem,
      MemorySwap: mem,
      NanoCpus: Math.round(l.cpus * 1e9),
      Tmpfs: {
        '/work': `rw,nosuid,nodev,size=${l.tmpfsMb}m,mode=1777`,
        '/tmp': `rw,nosuid,nodev,size=${l.tmpMb}m,mode=1777`,
      },
      IpcMode: 'private',
      ShmSize: 64 * 1024 * 1024,
      AutoRemove: true,
      Init: false,
      LogConfig: { Type: 'none', Config: {} },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
      // The one host mount allowed, opt-in and read-only.
      Binds: spec.hfCache ? [`${spec.hfCache}:/hf:ro`] : [],
    },
  };
}

/**
 * One container running the fork server, its session over the container's attach stream. Runs one sample
 * at a time.
 */
export class WarmContainer {
  private removed: Promise<void> | null = null;

  private constructor(
    readonly container: Docker.Container,
    private readonly stream: Duplex,
    private readonly session: ForkServerSession,
  ) {}

  get id(): string {
    return this.container.id;
  }

  get alive(): boolean {
    return this.session.alive;
  }

  get samples(): number {
    return this.session.samples;
  }

  get ready(): ReadyInfo {
    return this.session.ready;
  }

  static async start(spec: ContainerSpec): Promise<WarmContainer> {
    const container = await (spec.client ?? docker())
      .createContainer(containerConfig(spec))
      .catch((e: Error) => {
        throw new SandboxInfraError(`cannot create a container from ${spec.image}: ${e.message}`);
      });
    let wc: WarmContainer | null = null;
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      const out = new PassThrough();
      const err = new PassThrough();
      container.modem.demuxStream(stream, out, err);
      stream.on('end', () => out.end());
      stream.on('close', () => out.end());
      stream.on('error', (e: Error) => out.destroy(e));
      const session = new ForkServerSession({ input: stream, output: out, errors: err }, { limits: spec.limits, preload: spec.preload, startTimeoutMs: spec.startTimeoutMs, requireInitNonRoot: true });
      wc = new WarmContainer(container, stream, session);
      await session.boot(() => container.start());
      return wc;
    } catch (e) {
      if (wc) await wc.dispose();
      else await removeContainer(container);
      throw e instanceof SandboxInfraError ? e : new SandboxInfraError(`cannot start the sandbox container: ${(e as Error).message}`);
    }
  }

  /** Runs one sample. Rejects with SandboxInfraError when the container, not the sample, fails. */
  run(code: string): Promise<ServerVerdict> {
    return this.session.run(code);
  }

  /** Stops and removes the container; safe to call more than once. */
  dispose(): Promise<void> {
    this.session.fail(new SandboxInfraError('the sandbox container was disposed'));
    this.removed ??= (async () => {
      try {
        this.stream.destroy();
      } catch {
        /* already closed */
      }
      await removeContainer(this.container);
    })();
    return this.removed;
  }
}

/** Force-removes a container and waits until the engine no longer lists it (AutoRemove may race us). */
export async function removeContainer(c: Docker.Container): Promise<void> {
  try {
    await c.remove({ force: true });
  } catch {
    /* 404: gone already; 409: removal in progress (AutoRemove) — wait for it below */
  }
  for (let i = 0; i < 200; i++) {
    try {
      await c.inspect();
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
