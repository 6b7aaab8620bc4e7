import { randomBytes } from 'node:crypto';
import { UserError } from '../../core/errors.js';
import { classify } from '../classify.js';
import { rawVerdict } from '../verdict.js';
import { ensureEngine, imageId } from '../engine.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { SandboxProvider } from '../provider.js';
import { imageTag, loadRecipe } from '../recipe.js';
import type { ExecOptions, ExecResult, Program } from '../types.js';
import { forkServerHash, SandboxInfraError, WarmContainer, type ContainerSpec } from './warm-container.js';
import { checkHostMount } from '../mount-policy.js';

/**
 * Limit breaches: the container is replaced after these even though the fork server cleaned up (the
 * cgroup may be left fragmented or near its limits). A crash (a signal) is not a breach: the dead
 * process was the sample's own, and replacing an ml container costs seconds of importing torch.
 */
const BREACHES = new Set(['timeout', 'memory_limit', 'output_limit']);

/** Resolves which image a run uses: --image as given, else the profile's recipe tag. */
export function resolveImage(opts: ExecOptions): { image: string; preload: string[]; profile: string | null } {
  if (opts.image) return { image: opts.image, preload: opts.preload ?? [], profile: null };
  const recipe = loadRecipe(opts.profile ?? 'base');
  return { image: imageTag(recipe), preload: opts.preload ?? recipe.preload, profile: recipe.profile };
}

interface Waiter {
  resolve: (c: WarmContainer) => void;
  reject: (e: Error) => void;
}

/**
 * A pool of `concurrency` warm containers. A container that breached a limit, failed, or served
 * `samplesPerContainer` samples is removed and a replacement is started at once.
 */
export class DockerProvider implements SandboxProvider {
  readonly limits: Limits;
  readonly image: string;
  readonly preload: string[];
  readonly profile: string | null;
  readonly runId: string;
  private idle: WarmContainer[] = [];
  private waiters: Waiter[] = [];
  private live = new Set<WarmContainer>();
  private starting = 0;
  private closed = false;
  private removals = new Set<Promise<void>>();
  private lastStartError: Error | null = null;

  constructor(readonly opts: ExecOptions) {
    this.limits = resolveLimits(opts);
    const r = resolveImage(opts);
    this.image = r.image;
    this.preload = r.preload;
    this.profile = r.profile;
    if (opts.hfCache !== undefined) checkHostMount('--hf-cache', opts.hfCache);
    this.runId = opts.runId ?? `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  }

  private spec(): ContainerSpec {
    return { image: this.image, limits: this.limits, preload: this.preload, runId: this.runId, hfCache: this.opts.hfCache };
  }

  async prepare(): Promise<void> {
    await ensureEngine();
    if (!(await imageId(this.image))) {
      throw new UserError(
        this.profile
          ? `sandbox image ${this.image} is not built; run \`apieval sandbox build --profile ${this.profile}\``
          : `image ${this.image} not found in the Docker engine (docker pull/build/load it first)`,
      );
    }
    this.fill();
    // Surface a broken image (no python3, bad entrypoint) as one clear error instead of N sandbox_errors.
    const c = await this.acquire().catch((e: Error) => {
      throw new UserError(`the sandbox does not start in ${this.image}: ${e.message}`);
    });
    this.release(c, false);
  }

  /**
   * Keeps `concurrency` containers plus one spare: when a container is retired (limit breach, every N
   * samples) the spare takes over at once while its replacement warms up in the background — with the
   * ml image that start (importing torch) takes seconds.
   */
  private fill(): void {
    const target = this.limits.concurrency + (this.opts.spares ?? 1);
    while (!this.closed && this.live.size + this.starting < target) {
      this.starting++;
      WarmContainer.start(this.spec()).then(
        (c) => {
          this.starting--;
          if (this.closed) {
            this.track(c.dispose());
            return;
          }
          this.live.add(c);
          this.give(c);
        },
        (e: Error) => {
          this.starting--;
          this.lastStartError = e;
          const w = this.waiters.shift();
          if (w) w.reject(e);
          // Each failure consumes one waiter, so this cannot spin; the others get their own start.
          if (this.waiters.length > 0) this.fill();
        },
      );
    }
  }

  private give(c: WarmContainer): void {
    const w = this.waiters.shift();
    if (w) w.resolve(c);
    else this.idle.push(c);
  }

  private acquire(): Promise<WarmContainer> {
    if (this.closed) return Promise.reject(new SandboxInfraError('the sandbox was shut down'));
    const c = this.idle.pop();
    if (c) return Promise.resolve(c);
    const p = new Promise<WarmContainer>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.fill();
    return p;
  }

  private release(c: WarmContainer, retire: boolean): void {
    if (retire || !c.alive || this.closed || c.samples >= this.limits.samplesPerContainer) {
      this.live.delete(c);
      this.track(c.dispose());
      this.fill();
    } else {
      this.give(c);
    }
  }

  private track(p: Promise<void>): void {
    this.removals.add(p);
    void p.finally(() => this.removals.delete(p));
  }

  async run(program: Program): Promise<ExecResult> {
    const c = await this.acquire();
    let retire = true;
    try {
      const verdict = await c.run(program.code);
      const result: ExecResult = { ...classify(program.id, verdict), verdict: rawVerdict(verdict) };
      retire = !verdict.clean || BREACHES.has(result.status);
      return result;
    } finally {
      this.release(c, retire);
    }
  }

  async dispose(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new SandboxInfraError('the sandbox was shut down'));
    for (const c of this.live) this.track(c.dispose());
    this.live.clear();
    this.idle = [];
    // Containers still starting are disposed by fill()'s callback; wait for them too.
    while (this.starting > 0 || this.removals.size > 0) {
      await Promise.all([...this.removals]);
      if (this.starting > 0) await new Promise((r) => setTimeout(r, 20));
    }
  }

  async signature(): Promise<string> {
    const id = (await imageId(this.image)) ?? 'missing';
    const l = this.limits;
    return [
      'exec',
      `image:${this.image}@${id.replace(/^sha256:/, '').slice(0, 12)}`,
      `timeout:${l.timeoutS}s`,
      `mem:${l.memoryMb}M`,
      `out:${l.outputBytes / 1024}K`,
      `cpus:${l.cpus}`,
      `pids:${l.pidsLimit}`,
      `tmpfs:${l.tmpfsMb}M`,
      'net:none',
      `preload:${this.preload.length ? this.preload.join(',') : 'none'}`,
      `server:${forkServerHash()}`,
    ].join('|');
  }

  get startError(): Error | null {
    return this.lastStartError;
  }
}
