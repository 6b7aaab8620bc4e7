/**
 * The fork server's session: apieval's side of the protocol (sandbox/protocol.ts frames) with one fork
 * server, over any pair of byte streams — a Docker attach stream (sandbox/docker/), a child process's stdio,
 * an SSH channel. Boots the server (its source and configuration as frames, then READY), runs one sample at a
 * time under a per-sample nonce that the sample never sees, and fails for good on anything unexpected: a
 * frame for no request, a wrong nonce, the stream ending, no verdict in time.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import type { Limits } from './limits.js';
import { readAsset } from './paths.js';
import { encodeFrame, FrameParser, type Frame } from './protocol.js';
import type { ServerVerdict } from './verdict.js';

/** The infrastructure failed (not the sample): the caller retries once on a fresh container. */
export class SandboxInfraError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxInfraError';
  }
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
export const BOOT = [
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
export function forkServerSource(): Buffer {
  serverSource ??= Buffer.from(readAsset('server/forkserver.py'), 'utf8');
  return serverSource;
}

/** Short hash of the fork server: it decides how outcomes are observed, so it is part of the signature. */
export function forkServerHash(): string {
  return createHash('sha256').update(forkServerSource()).digest('hex').slice(0, 8);
}


export interface SessionStreams {
  /** The server's stdin: frames go here. */
  input: Writable;
  /** The server's stdout: frames come from here. */
  output: Readable;
  /** The server's stderr (its last lines go into failure messages); optional. */
  errors?: Readable;
}

export interface SessionOptions {
  limits: Limits;
  preload: string[];
  /** How long the fork server may take to import `preload` and say READY. */
  startTimeoutMs?: number;
  /**
   * Refuse a server that is not its namespace's init (pid 1) or that runs as root: true for the Docker
   * backend, where the server must reap and kill everything a sample leaves.
   */
  requireInitNonRoot: boolean;
}

interface Pending {
  nonce: string;
  resolve: (v: ServerVerdict) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class ForkServerSession {
  samples = 0;
  ready!: ReadyInfo;
  private dead: Error | null = null;
  private pending: Pending | null = null;
  private readyWaiter: { resolve: (r: ReadyInfo) => void; reject: (e: Error) => void } | null = null;
  private parser = new FrameParser();
  private stderrTail = '';

  constructor(
    private readonly streams: SessionStreams,
    private readonly opts: SessionOptions,
  ) {
    streams.output.on('data', (c: Buffer) => this.onOutput(c));
    streams.errors?.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString('utf8')).slice(-4000);
    });
    for (const s of [streams.output, streams.input]) {
      s.on('end', () => this.fail(new SandboxInfraError('the sandbox exited')));
      s.on('close', () => this.fail(new SandboxInfraError('the sandbox exited')));
      s.on('error', (e: Error) => this.fail(new SandboxInfraError(`sandbox stream error: ${e.message}`)));
    }
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /**
   * Sends the server its source and configuration and waits for READY. `started` runs in between (the
   * Docker backend starts the container only once its READY can be heard).
   */
  async boot(started: () => Promise<unknown> = async () => undefined): Promise<void> {
    const ready = new Promise<ReadyInfo>((resolve, reject) => (this.readyWaiter = { resolve, reject }));
    ready.catch(() => undefined); // the caller may fail first; the rejection is then reported by it
    await started();
    this.streams.input.write(encodeFrame('S', forkServerSource()));
    this.streams.input.write(encodeFrame('C', JSON.stringify({ preload: this.opts.preload })));
    const ms = this.opts.startTimeoutMs ?? 180_000;
    const timer = setTimeout(() => this.fail(new SandboxInfraError(`the fork server did not start within ${ms / 1000} s`)), ms);
    try {
      this.ready = await ready;
    } finally {
      clearTimeout(timer);
    }
    if (this.opts.requireInitNonRoot) {
      if (this.ready.pid !== 1) throw new SandboxInfraError(`the fork server is pid ${this.ready.pid}, not 1; it must be the container's init`);
      if (this.ready.uid === 0) throw new SandboxInfraError('the fork server runs as root; refusing');
    }
  }

  private onOutput(chunk: Buffer): void {
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

  /** Marks the session dead (idempotent): a waiting boot or sample rejects with `e`. */
  fail(e: Error): void {
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

  /** Runs one sample. Rejects with SandboxInfraError when the sandbox, not the sample, fails. */
  run(code: string): Promise<ServerVerdict> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('ForkServerSession.run: already running a sample'));
    this.samples++;
    const l = this.opts.limits;
    const nonce = randomBytes(16).toString('hex');
    // The server kills the sample at the timeout itself; this watchdog only catches a server that hangs.
    const watchdogMs = l.timeoutS * 1000 + 15_000;
    return new Promise<ServerVerdict>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SandboxInfraError(`no verdict from the fork server within ${watchdogMs / 1000} s`)), watchdogMs);
      this.pending = { nonce, resolve, reject, timer };
      const req = { code, timeout_s: l.timeoutS, memory_mb: l.memoryMb, output_bytes: l.outputBytes };
      // Both frames go at once; the server reads the nonce only after it has forked the sample.
      this.streams.input.write(Buffer.concat([encodeFrame('R', JSON.stringify(req)), encodeFrame('N', nonce)]));
    });
  }
}
