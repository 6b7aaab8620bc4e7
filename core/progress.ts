/**
 * Progress on stderr, one style for every long command (eval, the gold gate, exec, training, generation).
 *
 * `StatusLine` is the display: on a terminal, one line rewritten in place (cut to the terminal's width);
 * elsewhere (CI logs, pipes) plain lines only, so logs stay short; `say` prints a line of its own (ending a
 * line drawn in place first). `Progress` counts items on it (done/total, rate, ETA, failures so far);
 * trainers/progress.ts formats a training stage's events on it. `quiet` prints nothing.
 */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export class StatusLine {
  private inPlace = false;
  private lastDraw = 0;

  constructor(
    private readonly out: ProgressStream,
    readonly quiet: boolean,
  ) {}

  /** Whether lines are drawn in place (a terminal) rather than printed one after another. */
  get tty(): boolean {
    return !!this.out.isTTY;
  }

  /** A line of its own. */
  say(line: string): void {
    if (this.quiet) return;
    if (this.inPlace) this.out.write('\n');
    this.inPlace = false;
    this.out.write(line + '\n');
  }

  /** Redraws the in-place line (terminals only), at most 10 times a second unless `force`. */
  draw(line: string, force = false): void {
    if (this.quiet || !this.tty) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    // A pseudo-terminal without a size reports 0 columns.
    const cols = (this.out.columns ?? 0) > 20 ? this.out.columns! : 120;
    this.out.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(line.length + 2, cols - 1))}`);
    this.inPlace = true;
  }

  /** Ends a line drawn in place. */
  finish(): void {
    if (this.inPlace && !this.quiet) this.out.write('\n');
    this.inPlace = false;
  }
}

/** 42s, 3m07s, 2h05m; `?` when unknown. */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Items done of a known total. On a terminal the line is redrawn as items finish; elsewhere a plain line
 * every 10% (from the first 10% on: a rate over a handful of items says nothing) or 10 seconds.
 */
export class Progress {
  private done = 0;
  private failed = 0;
  private readonly started = Date.now();
  private lastPlainPct = -1;
  private lastPlainAt = Date.now();
  private readonly status: StatusLine;

  constructor(
    private readonly label: string,
    private readonly total: number,
    out: ProgressStream,
    quiet: boolean,
  ) {
    this.status = new StatusLine(out, quiet);
  }

  tick(n = 1, failed = 0): void {
    this.done += n;
    this.failed += failed;
    if (this.status.quiet) return;
    const now = Date.now();
    if (this.status.tty) {
      this.status.draw(this.line(now), this.done >= this.total);
      return;
    }
    const pct = this.total ? Math.floor((100 * this.done) / this.total / 10) * 10 : 100;
    if ((pct > this.lastPlainPct && pct >= 10) || now - this.lastPlainAt >= 10_000) {
      this.lastPlainPct = pct;
      this.lastPlainAt = now;
      this.status.say(this.line(now));
    }
  }

  private line(now: number): string {
    const secs = Math.max((now - this.started) / 1000, 1e-3);
    const rate = this.done / secs;
    const eta = rate > 0 ? (this.total - this.done) / rate : NaN;
    const pct = this.total ? ((100 * this.done) / this.total).toFixed(0) : '100';
    return `${this.label}: ${this.done}/${this.total} (${pct}%) ${rate.toFixed(rate < 10 ? 1 : 0)}/s ETA ${formatDuration(eta)}, ${this.failed} failed`;
  }

  /** Ends the progress display (newline after an in-place line), then prints `message` if given. */
  finish(message?: string): void {
    this.status.finish();
    if (message) this.status.say(message);
  }
}
