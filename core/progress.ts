/**
 * Progress of a run on stderr. On a terminal: one line rewritten in place (done/total, rate, ETA,
 * failures so far), at most 10 times a second. Otherwise (CI logs, pipes): a plain line every 10% or
 * 10 seconds, whichever comes first, so logs stay short. `quiet` prints nothing.
 */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private lastPlainPct = -1;
  private lastPlainAt = Date.now();

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly quiet: boolean,
  ) {}

  tick(n = 1, failed = 0): void {
    this.done += n;
    this.failed += failed;
    if (this.quiet) return;
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw >= 100 || this.done >= this.total) {
        this.lastDraw = now;
        const line = this.line(now);
        // A pseudo-terminal without a size reports 0 columns.
        const cols = (this.out.columns ?? 0) > 20 ? this.out.columns! : 120;
        this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(line.length + 2, cols - 1))}`);
      }
    } else {
      const pct = this.total ? Math.floor((100 * this.done) / this.total / 10) * 10 : 100;
      // From the first 10% on (a rate and ETA over a handful of samples say nothing).
      if ((pct > this.lastPlainPct && pct >= 10) || now - this.lastPlainAt >= 10_000) {
        this.lastPlainPct = pct;
        this.lastPlainAt = now;
        this.out.write(this.line(now) + '\n');
      }
    }
  }

  private line(now: number): string {
    const secs = Math.max((now - this.started) / 1000, 1e-3);
    const rate = this.done / secs;
    const left = this.total - this.done;
    const eta = rate > 0 ? left / rate : NaN;
    const pct = this.total ? ((100 * this.done) / this.total).toFixed(0) : '100';
    return `${this.label}: ${this.done}/${this.total} (${pct}%) ${rate.toFixed(rate < 10 ? 1 : 0)}/s ETA ${Number.isFinite(eta) ? formatSecs(eta) : '?'}, ${this.failed} failed`;
  }

  /** Ends the progress display (newline after an in-place line). */
  finish(message?: string): void {
    if (this.quiet) return;
    if (this.out.isTTY && this.done > 0) this.out.write('\n');
    if (message) this.out.write(message + '\n');
  }
}

function formatSecs(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
}
