/**
 * The sandbox over several Docker engines (`--engine`, repeatable): one Docker backend per engine, each with
 * its own warm pool and concurrency, behind one SandboxProvider. A program goes to the engine with the most
 * free capacity; an engine that lacks the image gets it from one that has it (`docker save | load`: the same
 * image id, so one signature). An engine that dies mid-run (killed, unreachable) is taken out: its in-flight
 * programs fail as infrastructure errors, which the executor retries once — on the engines left — so nothing
 * is lost and nothing counted twice. The run stops only when no engine is left.
 */
import { UserError } from '../core/errors.js';
import { copyImage, imageId, type EngineSpec } from './engine.js';
import { DockerProvider, newRunId } from './docker/provider.js';
import type { EngineStats } from './engine-stats.js';
import type { SandboxProvider } from './provider.js';

export type { EngineStats } from './engine-stats.js';
import type { ExecOptions, ExecResult, Program } from './types.js';

interface Member {
  provider: DockerProvider;
  inflight: number;
  stats: EngineStats;
}

export class MultiEngineProvider implements SandboxProvider {
  readonly runId: string;
  private members: Member[];
  /** Called once per engine taken out of the run. */
  onLost: (engine: string, why: string) => void = (engine, why) => void process.stderr.write(`sandbox: engine ${engine} is lost (${why}); its programs go to the other engines\n`);

  constructor(opts: ExecOptions, engines: readonly EngineSpec[]) {
    if (engines.length === 0) throw new UserError('no engine given');
    const seen = new Set<string>();
    for (const e of engines) {
      if (seen.has(e.url)) throw new UserError(`--engine ${e.url} given twice`);
      seen.add(e.url);
    }
    this.runId = opts.runId ?? newRunId();
    this.members = engines.map((e) => {
      const provider = new DockerProvider({ ...opts, runId: this.runId }, e);
      return { provider, inflight: 0, stats: { engine: e.url, concurrency: provider.limits.concurrency, programs: 0, failures: 0, lost: false } };
    });
  }

  /** All engines' warm containers: the executor runs this many programs at once. */
  get concurrency(): number {
    return this.members.reduce((s, m) => s + m.provider.limits.concurrency, 0);
  }

  get stats(): EngineStats[] {
    return this.members.map((m) => ({ ...m.stats }));
  }

  async prepare(): Promise<void> {
    const image = this.members[0].provider.image;
    const ids = await Promise.all(this.members.map((m) => imageId(image, m.provider.client).catch(() => null)));
    const source = this.members.find((_, i) => ids[i] !== null);
    if (!source) {
      // None has it: the first engine's own error says how to build it.
      await this.members[0].provider.prepare();
      return;
    }
    await Promise.all(
      this.members.map(async (m, i) => {
        if (ids[i] === null) {
          try {
            await copyImage(image, source.provider.client, m.provider.client);
          } catch (e) {
            throw new UserError(`--engine ${m.stats.engine}: cannot load ${image} from ${source.stats.engine} (${(e as Error).message})`);
          }
        }
        await m.provider.prepare();
      }),
    );
  }

  /** The engine with the most free capacity (fewest in flight for its size), among those left. */
  private pick(): Member {
    let best: Member | null = null;
    for (const m of this.members) {
      if (m.stats.lost) continue;
      if (!best || m.inflight / m.provider.limits.concurrency < best.inflight / best.provider.limits.concurrency) best = m;
    }
    if (!best) throw new UserError(`every sandbox engine is lost (${this.members.map((m) => m.stats.engine).join(', ')}); rerun the same command to resume`);
    return best;
  }

  async run(program: Program): Promise<ExecResult> {
    const m = this.pick();
    m.inflight++;
    try {
      const r = await m.provider.run(program);
      m.stats.programs++;
      return r;
    } catch (e) {
      if (e instanceof UserError || !(e instanceof Error)) throw e; // not the infrastructure: the run stops
      m.stats.failures++;
      if (!m.stats.lost && !(await this.answers(m))) {
        m.stats.lost = true;
        this.onLost(m.stats.engine, (e as Error).message.split(';')[0]);
        void m.provider.dispose().catch(() => undefined);
      }
      throw e;
    } finally {
      m.inflight--;
    }
  }

  private async answers(m: Member): Promise<boolean> {
    const ping = m.provider.client.ping().then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((r) => setTimeout(() => r(false), 5000).unref());
    return Promise.race([ping, timeout]);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((m) => m.provider.dispose().catch(() => undefined)));
  }

  /** The first engine's: the image id is the same on every engine (loaded, not rebuilt). */
  async signature(): Promise<string> {
    return this.members[0].provider.signature();
  }
}
