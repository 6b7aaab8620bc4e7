/**
 * The one progress style (core/progress.ts), as eval/exec (Progress) and the trainers (TrainProgress) use it:
 * in place on a terminal, short plain logs elsewhere, nothing when quiet.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, Progress, StatusLine } from '../core/progress.js';
import { TrainProgress } from '../trainers/progress.js';

function stream(tty: boolean): { s: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }; text: () => string } {
  const chunks: string[] = [];
  const s = { isTTY: tty, columns: 60, write: (c: string) => (chunks.push(String(c)), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  return { s, text: () => chunks.join('') };
}

describe('progress', () => {
  it('plain (not a terminal): one line per 10% from 10% on, then the message; nothing rewritten', () => {
    const { s, text } = stream(false);
    const p = new Progress('eval', 50, s, false);
    for (let i = 0; i < 50; i++) p.tick(1, i === 7 ? 1 : 0);
    p.finish('eval: done');
    const lines = text().trimEnd().split('\n');
    expect(text()).not.toContain('\r');
    expect(lines.map((l) => l.match(/^eval: (\d+)\/50 \((\d+)%\)/)?.[1] ?? l)).toEqual(['5', '10', '15', '20', '25', '30', '35', '40', '45', '50', 'eval: done']);
    expect(lines[9]).toMatch(/, 1 failed$/);
  });

  it('terminal: redrawn in place within the width, the last state drawn, a newline before anything else', () => {
    const { s, text } = stream(true);
    const p = new Progress('exec', 3, s, false);
    p.tick();
    p.tick(); // within 100 ms of the first draw: not drawn
    p.tick(); // the last item is always drawn
    p.finish('exec: 3 programs');
    const out = text();
    const draws = out.split('\r').slice(1);
    expect(draws).toHaveLength(2);
    expect(draws[0]).toMatch(/^exec: 1\/3 \(33%\)/);
    expect(draws[1]).toMatch(/^exec: 3\/3 \(100%\)[^\n]*\nexec: 3 programs\n$/);
    for (const d of draws) expect(d.split('\n')[0].length).toBeLessThanOrEqual(59);
  });

  it('quiet prints nothing', () => {
    for (const tty of [true, false]) {
      const { s, text } = stream(tty);
      const p = new Progress('gold', 2, s, true);
      p.tick(2);
      p.finish('gold: done');
      const t = new TrainProgress('sft', s, true);
      t.onEvent({ event: 'eval', step: 1, heldout_loss: 1 } as never);
      new StatusLine(s, true).say('x');
      expect(text()).toBe('');
    }
  });

  it('training events: a start line, step lines per tenth, evaluations on their own lines (plain and terminal)', () => {
    const { s, text } = stream(false);
    const t = new TrainProgress('sft', s, false);
    t.onEvent({ event: 'start', steps: 20, examples: 100, heldout: 10, global_batch: 8, params: 2.5e6, device: 'cpu', world_size: 1 } as never);
    for (let step = 1; step <= 20; step++) {
      t.onEvent({ event: 'step', step, loss: 2 / step, lr: 1e-4, tokens_per_s: 1500 } as never);
      if (step === 10) t.onEvent({ event: 'eval', step, heldout_loss: 0.5 } as never);
    }
    t.finish();
    const lines = text().trimEnd().split('\n');
    expect(lines[0]).toBe('sft: 100 examples, 10 held out, 20 steps of 8, 2.5M parameters on cpu, 1 process(es)');
    expect(lines.filter((l) => / step \d+\/20 /.test(l)).map((l) => l.match(/step (\d+)\//)![1])).toEqual(['1', '2', '4', '6', '8', '10', '12', '14', '16', '18', '20']); // the first step, then each tenth
    expect(lines).toContain('sft: step 10: held-out loss 0.5000');
    expect(lines.find((l) => l.includes('step 2/20'))).toMatch(/loss 1\.0000 lr 1\.00e-4 1\.5k tok\/s ETA /);

    const term = stream(true);
    const u = new TrainProgress('sft', term.s, false);
    u.onEvent({ event: 'start', steps: 2, examples: 4, heldout: 0, global_batch: 2, params: 1e6, device: 'cpu', world_size: 1 } as never);
    u.onEvent({ event: 'step', step: 1, loss: 1, lr: 1e-3, tokens_per_s: 10 } as never);
    u.onEvent({ event: 'eval', step: 1, heldout_loss: 0.25 } as never);
    u.onEvent({ event: 'step', step: 2, loss: 0.5, lr: 1e-3, tokens_per_s: 10 } as never);
    u.finish();
    // The in-place step line is ended before the evaluation's own line, and at the end.
    expect(term.text()).toMatch(/\rsft: step 1\/2 [^\n]*\nsft: step 1: held-out loss 0\.2500\n\rsft: step 2\/2 [^\n]*\n$/);
  });

  it('durations', () => {
    expect([0.4, 59.4, 61, 3599, 3600, 7380, NaN].map(formatDuration)).toEqual(['0s', '59s', '1m01s', '59m59s', '1h00m', '2h03m', '?']);
  });
});
