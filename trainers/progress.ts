/**
 * A training stage's progress on stderr, from its events, in the one progress style (core/progress.ts). On a
 * terminal: one line rewritten in place (step, loss, learning rate, tokens/s, ETA). Otherwise (CI logs,
 * pipes): a line at each held-out evaluation, checkpoint and tenth of the run. `quiet` prints nothing.
 */
import { formatDuration, StatusLine, type ProgressStream } from '../core/progress.js';
import type { StageEvent } from './stage-runner.js';

function fmtRate(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
}

export class TrainProgress {
  private total = 0;
  private startStep = 0;
  private started = Date.now();
  private lastTenth = -1;
  private readonly status: StatusLine;

  constructor(
    private readonly label: string,
    out: ProgressStream,
    quiet: boolean,
  ) {
    this.status = new StatusLine(out, quiet);
  }

  private say(line: string): void {
    this.status.say(line);
  }

  /** A progress line: redrawn in place on a terminal, else printed once per tenth of `total`. */
  private live(line: string, done: number, total: number): void {
    if (this.status.tty) {
      this.status.draw(line, done >= total);
      return;
    }
    const tenth = total ? Math.floor((10 * done) / total) : 10;
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.say(line);
    }
  }

  onEvent(e: StageEvent): void {
    if (this.status.quiet) return;
    switch (e.event) {
      case 'start': {
        if (e.prompts !== undefined) {
          this.say(`${this.label}: ${e.prompts} prompts x ${e.outputs} seed(s), ${(Number(e.params ?? 0) / 1e6).toFixed(1)}M parameters on ${e.device}${e.bf16 ? ' (bf16)' : ''}, torch ${e.torch}`);
          return;
        }
        this.total = Number(e.steps ?? 0);
        this.startStep = Number(e.resumed_from ?? 0);
        this.started = Date.now();
        const params = Number(e.params ?? 0);
        const dropped = Number(e.dropped ?? 0);
        if (e.reward !== undefined) {
          this.say(`${this.label}: ${e.examples} prompts, ${e.heldout} held out, ${this.total} updates of ${e.global_batch} rollouts, reward ${e.reward}, value model ${e.value_model}, ${(params / 1e6).toFixed(1)}M parameters on ${e.device}${e.bf16 ? ' (bf16)' : ''}, ${e.world_size} process(es)${this.startStep ? `, resuming at update ${this.startStep}` : ''}`);
          return;
        }
        this.say(`${this.label}: ${e.examples} examples${dropped ? ` (${dropped} more dropped: the prompt fills --max-length)` : ''}, ${e.heldout} held out, ${this.total} steps of ${e.global_batch}, ${(params / 1e6).toFixed(1)}M parameters on ${e.device}${e.bf16 ? ' (bf16)' : ''}, ${e.world_size} process(es)${this.startStep ? `, resuming at step ${this.startStep}` : ''}`);
        return;
      }
      case 'step': {
        const step = Number(e.step);
        const secs = (Date.now() - this.started) / 1000;
        const rate = (step - this.startStep) / Math.max(secs, 1e-3);
        const eta = rate > 0 ? (this.total - step) / rate : NaN;
        const mfu = typeof e.mfu === 'number' ? ` MFU ${(100 * e.mfu).toFixed(1)}%` : '';
        const what = typeof e['objective/scores'] === 'number'
          ? `score ${Number(e['objective/scores']).toFixed(4)} KL ${Number(e['objective/kl']).toFixed(3)}`
          : `loss ${Number(e.loss).toFixed(4)}`;
        const line = `${this.label}: step ${step}/${this.total} (${this.total ? Math.floor((100 * step) / this.total) : 100}%) ${what} lr ${Number(e.lr).toExponential(2)} ${fmtRate(Number(e.tokens_per_s))} tok/s${mfu} ETA ${formatDuration(eta)}`;
        this.live(line, step, this.total);
        return;
      }
      case 'eval':
        if (typeof e['eval/scores'] === 'number') {
          this.say(`${this.label}: update ${e.step}: held-out mean score ${Number(e['eval/scores']).toFixed(4)} (greedy, ${e.n} prompts)`);
          return;
        }
        this.say(`${this.label}: step ${e.step}: held-out loss ${Number(e.heldout_loss).toFixed(4)}${typeof e.accuracy === 'number' ? `, accuracy ${e.accuracy.toFixed(3)}` : ''}${typeof e.auc === 'number' ? `, AUC ${e.auc.toFixed(3)}` : ''}`);
        return;
      case 'checkpoint':
        if (!this.status.tty) this.say(`${this.label}: checkpoint at step ${e.step}`);
        return;
      case 'resume':
        this.say(`${this.label}: resuming from ${e.checkpoint}`);
        return;
      case 'seed':
        this.say(`${this.label}: seed ${e.seed}: ${e.done} done, ${e.todo} to generate`);
        return;
      case 'progress': {
        const line = `${this.label}: seed ${e.seed}: ${e.done}/${e.total} ${fmtRate(Number(e.tokens_per_s))} tok/s`;
        this.live(line, Number(e.done), Number(e.total));
        return;
      }
      case 'output':
        this.lastTenth = -1;
        this.say(`${this.label}: seed ${e.seed}: ${e.already ? 'already complete' : `wrote ${e.n} answers (${e.tokens} tokens in ${Number(e.seconds).toFixed(1)} s)`}: ${e.path}`);
        return;
      default:
    }
  }

  finish(): void {
    this.status.finish();
  }
}
