import { createHash, randomBytes } from 'node:crypto';
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { docker } from '../engine.js';
import type { Limits } from '../limits.js';
import { readAsset } from '../paths.js';
import { encodeFrame, FrameParser, type Frame } from '../protocol.js';
import type { ServerVerdict } from '../verdict.js';

/** The infrastructure failed (not the sample): the caller retries once on a fresh container. */
export class SandboxInfraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxInfraError';
  }
}

export interface ContainerSpec {
  image: string;
  limits: Limits;
  preload: string[];
  runId: string;
  hfCache?: string;
  /** How long the fork server may take to import `preload` and say READY. */
  startTimeoutMs?: number;
}

export interface ReadyInfo {
  python: string;
  pid: number;
  uid: number;
  preloaded: string[];
  preload_failed: Record<string, string>;
  preload_ms: number;
  vm_base: number;
}

// Reads one length-prefixed frame (the fork server's source) from stdin and runs it. Kept tiny so
// that any image with a python3 can host the server without anything baked in.
const BOOT = [
  'import os',
  'def r(n):',
  '    b = b""',
  '    while len(b) < n:',
  '        c = os.read(0, n - len(b))',
  '        if not c: raise SystemExit(3)',
  '        b += c',
  '    return b',
  'h = b""',
  'while not h.endswith(b"\\n"): h += r(1)',
  'exec(compile(r(int(h.split()[1])), "/apieval/forkserver.py", "exec"), {"__name__": "__apieval__"})',
].join('\n');

let serverSource: Buffer | null = null;
function forkServerSource(): Buffer {
  serverSource ??= Buffer.from(readAsset('server/forkserver.py'), 'utf8');
  return serverSource;
}

/** Short hash of the fork server: it decides how outcomes are observed, so it is part of the signature. */
export function forkServerHash(): string {
  return createHash('sha256').update(forkServerSource()).digest('hex').slice(0, 8);
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

interface Pending {
  nonce: string;
  resolve: (v: ServerVerdict) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One container running the fork server, attached over its stdin/stdout. Runs one sample at a time.
 */
export class WarmContainer {
  samples = 0;
  ready!: ReadyInfo;
  private dead: Error | null = null;
  private pending: Pending | null = null;
  private readyWaiter: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;
  private parser = new FrameParser();
  private stderrTail = '';
  private removed: Promise<void> | null = null;

  private constructor(
    readonly container: Docker.Container,
    private readonly stream: Duplex,
    private readonly spec: ContainerSpec,
  ) {}

  get id(): string {
    return this.container.id;
  }

  get alive(): boolean {
    return this.dead === null;
  }

  static async start(spec: ContainerSpec): Promise<WarmContainer> {
    const container = await docker()
      .createContainer(containerConfig(spec))
      .catch((e: Error) => {
        throw new SandboxInfraError(`cannot create a container from ${spec.image}: ${e.message}`);
      });
    let wc: WarmContainer | null = null;
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
      wc = new WarmContainer(container, stream, spec);
      await wc.boot();
      return wc;
    } catch (e) {
      if (wc) await wc.dispose();
      else await removeContainer(container);
      throw e instanceof SandboxInfraError ? e : new SandboxInfraError(`cannot start the sandbox container: ${(e as Error).message}`);
    }
  }

  private async boot(): Promise<void> {
    const out = new PassThrough();
    const err = new PassThrough();
    this.container.modem.demuxStream(this.stream, out, err);
    out.on('data', (c: Buffer) => this.onStdout(c));
    err.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-4000);
    });
    this.stream.on('end', () => this.fail(new SandboxInfraError('the sandbox container exited')));
    this.stream.on('close', () => this.fail(new SandboxInfraError('the sandbox container exited')));
    this.stream.on('error', (e) => this.fail(new SandboxInfraError(`attach stream error: ${e.message}`)));

    const ready = new Promise<ReadyInfo>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    ready.catch(() => undefined); // start() may fail first; the rejection is then reported by it
    await this.container.start();
    this.stream.write(encodeFrame('S', forkServerSource()));
    this.stream.write(encodeFrame('C', JSON.stringify({ preload: this.spec.preload })));
    const ms = this.spec.startTimeoutMs ?? 180_000;
    const timer = setTimeout(() => this.fail(new SandboxInfraError(`the fork server did not start within ${ms / 1000} s`)), ms);
    try {
      this.ready = await ready;
    } finally {
      clearTimeout(timer);
    }
    if (this.ready.pid !== 1) throw new SandboxInfraError(`the fork server is pid ${this.ready.pid}, not 1; it must be the container's init`);
    if (this.ready.uid === 0) throw new SandboxInfraError('the fork server runs as root; refusing');
  }

  private onStdout(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (e) {
      this.fail(new SandboxInfraError((e as Error).message));
      return;
    }
    for (const f of frames) {
      if (f.head[0] === 'READY' && this.readyWaiter) {
        const w = this.readyWaiter;
        this.readyWaiter = null;
        w.resolve(JSON.parse(f.body.toString('utf8')) as ReadyInfo);
      } else if (f.head[0] === 'V' && this.pending && f.head[1] === this.pending.nonce) {
        const p = this.pending;
        this.pending = null;
        clearTimeout(p.timer);
        try {
          p.resolve(JSON.parse(f.body.toString('utf8')) as ServerVerdict);
        } catch (e) {
          p.reject(new SandboxInfraError(`unreadable verdict: ${(e as Error).message}`));
        }
      } else {
        // A verdict for no request of ours, or with the wrong nonce: this channel can't be trusted.
        this.fail(new SandboxInfraError(`unexpected frame from the fork server: ${f.head.join(' ')}`));
      }
    }
  }

  private fail(e: Error): void {
    if (this.dead) return;
    const tail = this.stderrTail.trim();
    this.dead = tail ? new SandboxInfraError(`${e.message}; server stderr: ${tail.split('\n').slice(-5).join(' | ')}`) : e;
    if (this.readyWaiter) {
      this.readyWaiter.reject(this.dead);
      this.readyWaiter = null;
    }
    if (this.pending) {
      clearTimeout(this.pending.timer);
      this.pending.reject(this.dead);
      this.pending = null;
    }
  }

  /** Runs one sample. Rejects with SandboxInfraError when the container, not the sample, fails. */
  run(code: string): Promise<ServerVerdict> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('WarmContainer.run: already running a sample'));
    this.samples++;
    const l = this.spec.limits;
    const nonce = randomBytes(16).toString('hex');
    // The server kills the sample at the timeout itself; this watchdog only catches a server that hangs.
    const watchdogMs = l.timeoutS * 1000 + 15_000;
    return new Promise<ServerVerdict>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SandboxInfraError(`no verdict from the fork server within ${watchdogMs / 1000} s`)), watchdogMs);
      this.pending = { nonce, resolve, reject, timer };
      const req = { code, timeout_s: l.timeoutS, memory_mb: l.memoryMb, output_bytes: l.outputBytes };
      // Both frames go at once; the server reads the nonce only after it has forked the sample.
      this.stream.write(Buffer.concat([encodeFrame('R', JSON.stringify(req)), encodeFrame('N', nonce)]));
    });
  }

  /** Stops and removes the container; safe to call more than once. */
  dispose(): Promise<void> {
    this.fail(new SandboxInfraError('the sandbox container was disposed'));
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
