import { randomBytes } from 'node:crypto';
import { UserError } from '../../core/errors.js';
import { classify } from '../classify.js';
import { rawVerdict } from '../verdict.js';
import type Docker from 'dockerode';
import { docker, engineClient, ensureEngine, imageId, type EngineSpec } from '../engine.js';
import { resolveLimits, type Limits } from '../limits.js';
import type { SandboxProvider } from '../provider.js';
import { hubEnvSignature, imageTag, loadRecipe } from '../recipe.js';
import type { ExecOptions, ExecResult, Program } from '../types.js';
import { forkServerHash, WarmContainer, type ContainerSpec } from './warm-container.js';
import { WarmPool } from '../pool.js';
import { checkHostMount } from '../mount-policy.js';

/**
 * Limit breaches: the container is replaced after these even though the fork server cleaned up (the
 * cgroup may be left fragmented or near its limits). A crash (a signal) is not a breach: the dead
 * process was the sample's own, and replacing an ml container costs seconds of importing torch.
 */
const BREACHES = new Set(['timeout', 'memory_limit', 'output_limit']);

/** The `apieval.run` label value of a run that did not name one: time-ordered and unique. */
export function newRunId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Resolves which image a run uses: --image as given, else the profile's recipe tag. */
export function resolveImage(opts: ExecOptions): { image: string; preload: string[]; profile: string | null } {
  if (opts.image) return { image: opts.image, preload: opts.preload ?? [], profile: null };
  const recipe = loadRecipe(opts.profile ?? 'base');
  return { image: imageTag(recipe), preload: opts.preload ?? recipe.preload, profile: recipe.profile };
}

/**
 * The Docker backend: a warm pool (sandbox/pool.ts) of containers, each running the fork server. A container
 * that breached a limit, failed, or served `samplesPerContainer` samples is removed and replaced at once.
 */
export class DockerProvider implements SandboxProvider {
  readonly limits: Limits;
  readonly image: string;
  readonly preload: string[];
  readonly profile: string | null;
  readonly runId: string;
  private readonly pool: WarmPool<WarmContainer>;

  readonly client: Docker;
  /** The engine this provider runs on, as --engine named it (the default engine: null). */
  readonly engine: EngineSpec | null;

  constructor(
    readonly opts: ExecOptions,
    engine: EngineSpec | null = null,
  ) {
    this.engine = engine;
    this.client = engine ? engineClient(engine) : docker();
    this.limits = resolveLimits({ ...opts, concurrency: engine?.concurrency ?? opts.concurrency });
    const r = resolveImage(opts);
    this.image = r.image;
    this.preload = r.preload;
    this.profile = r.profile;
    if (opts.hfCache !== undefined) checkHostMount('--hf-cache', opts.hfCache);
    this.runId = opts.runId ?? newRunId();
    // `concurrency` containers plus a spare: when one is retired (limit breach, every N samples) the spare
    // takes over at once while its replacement warms up — with the ml image that start (torch) takes seconds.
    this.pool = new WarmPool(() => WarmContainer.start(this.spec()), this.limits.concurrency + (opts.spares ?? 1), this.limits.samplesPerContainer);
  }

  private spec(): ContainerSpec {
    return { image: this.image, limits: this.limits, preload: this.preload, runId: this.runId, hfCache: this.opts.hfCache, client: this.client };
  }

  async prepare(): Promise<void> {
    await ensureEngine(this.client, this.engine?.url);
    if (!(await imageId(this.image, this.client))) {
      throw new UserError(
        this.profile
          ? `sandbox image ${this.image} is not built; run \`apieval sandbox build --profile ${this.profile}\``
          : `image ${this.image} not found in the Docker engine (docker pull/build/load it first)`,
      );
    }
    this.pool.fill();
    // Surface a broken image (no python3, bad entrypoint) as one clear error instead of N sandbox_errors.
    const c = await this.pool.acquire().catch((e: Error) => {
      throw new UserError(`the sandbox does not start in ${this.image}: ${e.message}`);
    });
    this.pool.release(c, false);
  }

  async run(program: Program): Promise<ExecResult> {
    const c = await this.pool.acquire();
    let retire = true;
    try {
      const verdict = await c.run(program.code);
      const result: ExecResult = { ...classify(program.id, verdict), verdict: rawVerdict(verdict) };
      retire = !verdict.clean || BREACHES.has(result.status);
      return result;
    } finally {
      this.pool.release(c, retire);
    }
  }

  async dispose(): Promise<void> {
    await this.pool.dispose();
  }

  async signature(): Promise<string> {
    const id = (await imageId(this.image, this.client)) ?? 'missing';
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
      ...(this.profile === 'hub' ? [hubEnvSignature()] : []),
      `server:${forkServerHash()}`,
    ].join('|');
  }

  get startError(): Error | null {
    return this.pool.startError;
  }
}
