/**
 * `apieval score`: validated input → per-item statistics (in parallel) → sentence lines or one corpus
 * object, written atomically (a failure leaves no partial output file).
 */
import { writeFileAtomic, writeStdout } from '../../core/jsonl.js';

/** `--output -` writes the scores to standard output. */
export const STDOUT = '-';
import { UserError } from '../../core/errors.js';
import type { PairContext, PairMetric } from '../../metrics/metric.js';
import { DEFAULT_MAX_TEXT_BYTES, isFailure, textTooLong, type MetricFailure } from '../../metrics/types.js';
import { readScoreInput, type ScoreItem } from './input.js';
import { computeDescribed, computeParallel, startWorkerEarly } from './parallel.js';
import { pairMetricsNamed, type ComputedItem, type ComputeOptions } from './compute.js';

export interface ScoreOptions {
  input: string;
  output: string;
  /** `--metrics`: names of the registry's pair metrics (metrics/registry.ts), in registry order. */
  metrics: string[];
  /** Every pair metric's options (`--codebleu-variant`, `--codebleu-weights`, `--rouge-stemmer`). */
  ctx: PairContext;
  level: 'sentence' | 'corpus';
  threads?: number;
  /** Longest text (UTF-8 bytes) a metric scores; a pair with a longer one gets {"error"} (default 1 MiB). */
  maxTextBytes?: number;
}

export interface ScoreSummary {
  n: number;
  signatures: Record<string, string>;
  failures: Record<string, number>;
}

/** The values of one metric over the corpus, or the first failure among them; every failure is counted. */
function valuesOrFirstFailure(values: readonly unknown[], countFailure: () => void): unknown[] | MetricFailure {
  const ok: unknown[] = [];
  let fail: MetricFailure | null = null;
  for (const v of values) {
    if (isFailure(v)) {
      fail ??= v;
      countFailure();
    } else ok.push(v);
  }
  return fail ?? ok;
}

/** One sentence-level result as the rest of its JSON line after the id (`,"codebleu":…,"rouge":…}`), and which metrics failed. */
function sentenceFields(c: ComputedItem, metrics: readonly PairMetric[], ctx: PairContext): { fields: string; failed: string[] } {
  const rec: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const m of metrics) {
    const st = c[m.name];
    const v = isFailure(st) ? st : m.sentence(st, ctx);
    if (isFailure(v)) failed.push(m.name);
    rec[m.name] = v;
  }
  const body = JSON.stringify(rec);
  return { fields: body === '{}' ? '}' : ',' + body.slice(1), failed };
}

export async function runScore(o: ScoreOptions): Promise<ScoreSummary> {
  const metrics = pairMetricsNamed(o.metrics);
  const computeOpts: ComputeOptions = { metrics: o.metrics, ctx: o.ctx };
  const early = startWorkerEarly(computeOpts, o.threads);
  let items: ScoreItem[];
  try {
    items = readScoreInput(o.input);
  } catch (e) {
    await early?.close();
    throw e;
  }
  // Sentence lines are formatted (less the id) as results come in, while the worker is still parsing;
  // the corpus level needs the results themselves.
  // Pairs with a text past the limit are not computed: each metric of theirs is the TextTooLong failure.
  const maxBytes = o.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const tooLong = items.map((it) => textTooLong([it.prediction, ...it.references], maxBytes, ['the prediction', ...it.references.map((_, i) => (it.multi ? `reference ${i}` : 'the reference'))]));
  const fits = items.filter((_, k) => tooLong[k] === null);
  const refused = (f: MetricFailure): ComputedItem => Object.fromEntries(metrics.map((m) => [m.name, f]));
  const merge = <T>(done: T[], forRefused: (f: MetricFailure) => T): T[] => {
    if (fits.length === items.length) return done;
    let j = 0;
    return tooLong.map((f) => (f === null ? done[j++] : forRefused(f)));
  };
  const sentence = o.level === 'sentence';
  const describe = (c: ComputedItem) => sentenceFields(c, metrics, o.ctx);
  const described = sentence ? merge(await computeDescribed(fits, computeOpts, describe, o.threads, early), (f) => describe(refused(f))) : null;
  const computed = sentence ? [] : merge(await computeParallel(fits, computeOpts, o.threads, early), refused);

  const signatures: Record<string, string> = Object.fromEntries(metrics.map((m) => [m.name, m.signature(o.ctx, o.level)]));
  const failures: Record<string, number> = {};
  const countFailure = (m: string): void => {
    failures[m] = (failures[m] ?? 0) + 1;
  };

  let text: string | Iterable<string>;
  if (o.level === 'sentence') {
    for (const d of described!) for (const m of d.failed) countFailure(m);
    // JSON.stringify({ id, codebleu, rouge }) with the metric fields already stringified; written line by
    // line rather than joined into one large string.
    text = (function* lines(): Iterable<string> {
      for (let k = 0; k < items.length; k++) yield '{"id":' + JSON.stringify(items[k].id) + described![k].fields + '\n';
    })();
  } else {
    const out: Record<string, unknown> = { level: 'corpus', n: items.length };
    for (const m of metrics) {
      const stats = valuesOrFirstFailure(computed.map((c) => c[m.name]), () => countFailure(m.name));
      out[m.name] = isFailure(stats) ? stats : m.corpus(stats, o.ctx, (message) => process.stderr.write(`apieval: warning: ${message}\n`));
    }
    out.signatures = signatures;
    text = JSON.stringify(out) + '\n';
  }
  try {
    if (o.output === STDOUT) await writeStdout(text);
    else writeFileAtomic(o.output, text);
  } catch (e) {
    throw new UserError(`${o.output}: cannot write (${(e as Error).message})`);
  }
  return { n: items.length, signatures, failures };
}
