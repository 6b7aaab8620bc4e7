/**
 * A warm pool of sandboxes of any backend: keeps `size` of them started (the run's concurrency plus spares),
 * hands one to each caller, and replaces a member that died, breached a limit (the caller says `retire`) or
 * served `maxSamples` samples — its replacement starts at once in the background while a spare takes over.
 */
import { SandboxInfraError } from './session.js';

export interface PoolMember {
  readonly alive: boolean;
  readonly samples: number;
  dispose(): Promise<void>;
}

interface Waiter<W> {
  resolve: (m: W) => void;
  reject: (e: Error) => void;
}

export class WarmPool<W extends PoolMember> {
  private idle: W[] = [];
  private waiters: Waiter<W>[] = [];
  private live = new Set<W>();
  private starting = 0;
  private closed = false;
  private removals = new Set<Promise<void>>();
  private lastStartError: Error | null = null;

  constructor(
    private readonly start: () => Promise<W>,
    private readonly size: number,
    private readonly maxSamples: number,
  ) {}

  /** Starts members up to the pool's size (idempotent). */
  fill(): void {
    while (!this.closed && this.live.size + this.starting < this.size) {
      this.starting++;
      this.start().then(
        (m) => {
          this.starting--;
          if (this.closed) {
            this.track(m.dispose());
            return;
          }
          this.live.add(m);
          this.give(m);
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

  private give(m: W): void {
    const w = this.waiters.shift();
    if (w) w.resolve(m);
    else this.idle.push(m);
  }

  /** A started member for one sample (waits for one to be free or to start). */
  acquire(): Promise<W> {
    if (this.closed) return Promise.reject(new SandboxInfraError('the sandbox was shut down'));
    const m = this.idle.pop();
    if (m) return Promise.resolve(m);
    const p = new Promise<W>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.fill();
    return p;
  }

  /** Gives a member back; `retire` (or its death, or its sample count) replaces it. */
  release(m: W, retire: boolean): void {
    if (retire || !m.alive || this.closed || m.samples >= this.maxSamples) {
      this.live.delete(m);
      this.track(m.dispose());
      this.fill();
    } else {
      this.give(m);
    }
  }

  private track(p: Promise<void>): void {
    this.removals.add(p);
    void p.finally(() => this.removals.delete(p));
  }

  /** Disposes every member, also those still starting, and waits for them. Idempotent. */
  async dispose(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new SandboxInfraError('the sandbox was shut down'));
    for (const m of this.live) this.track(m.dispose());
    this.live.clear();
    this.idle = [];
    // Members still starting are disposed by fill()'s callback; wait for them too.
    while (this.starting > 0 || this.removals.size > 0) {
      await Promise.all([...this.removals]);
      if (this.starting > 0) await new Promise((r) => setTimeout(r, 20));
    }
  }

  get startError(): Error | null {
    return this.lastStartError;
  }
}
