/**
 * Executability (metrics/metric.ts, a batch metric): the share of responses whose program runs to completion
 * in the sandbox. The sandbox (sandbox/) executes and classifies; this file defines the columns. See CARD.md.
 */
import { binaryView, type EvalMetric, type View } from '../metric.js';

/** Executable = the program ran to completion; infrastructure failures are left out of the rate. */
export const EXEC_EXCLUDED: ReadonlySet<string> = new Set(['sandbox_error']);

const executable = (v: Record<string, unknown>): boolean | null => (EXEC_EXCLUDED.has(v.status as string) ? null : v.status === 'ok');

export const execMetric: EvalMetric = {
  id: 'exec',
  kind: 'batch',
  implementation: {},
  views(ctx) {
    if (!ctx.exec) return [];
    const views: View[] = [binaryView('exec', 'Executable', 'exec', true, executable)];
    if (ctx.supported) {
      // The gold-run gate: only tasks whose reference program runs in this image. An image without the
      // task's libraries then reads as "unsupported", not as a model that cannot write code.
      const supported = ctx.supported;
      const base = binaryView('exec_supported', 'Exec. (supported)', 'exec', true, executable);
      views.push({ ...base, item: (v, q) => (supported.has(q) ? base.item(v, q) : null) });
    }
    return views;
  },
};
