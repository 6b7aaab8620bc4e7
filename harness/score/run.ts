/**
 * `apieval score`: validated input → per-item statistics (in parallel) → sentence lines or one corpus
 * object, written atomically (a failure leaves no partial output file).
 */
import { writeFileAtomic, writeStdout } from '../../core/jsonl.js';

/** `--output -` writes the scores to standard output. */
export const STDOUT = '-';
import { UserError } from '../../core/errors.js';
import { codeBleuFromStats, codeBleuComponents, codeBleuSignature, type CodeBleuOptions, type CodeBleuStats, type CodeBleuVariant } from '../../metrics/codebleu/index.js';
import { RougeScorer, rougeMean, rougeAggregateSignature, type RougeScores } from '../../metrics/rouge/index.js';
import { DEFAULT_MAX_TEXT_BYTES, isFailure, textTooLong, type MetricFailure } from '../../metrics/types.js';
import { readScoreInput, type ScoreItem } from './input.js';
import { computeDescribed, computeParallel, startWorkerEarly } from './parallel.js';
import type { ComputedItem, ComputeOptions } from './compute.js';

export type MetricName = 'codebleu' | 'rouge';
export const METRICS: readonly MetricName[] = ['codebleu', 'rouge'];

export interface ScoreOptions {
  input: string;
  output: string;
  metrics: MetricName[];
  variant: CodeBleuVariant;
  weights: [number, number, number, number];
  rougeStemmer: boolean;
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
function valuesOrFirstFailure<T>(values: readonly (T | MetricFailure | undefined)[], countFailure: () => void): T[] | MetricFailure {
  const ok: T[] = [];
  let fail: MetricFailure | null = null;
  for (const v of values) {
    if (isFailure(v)) {
      fail ??= v;
      countFailure();
    } else ok.push(v!);
  }
  return fail ?? ok;
}

/** One sentence-level result as the rest of its JSON line after the id (`,"codebleu":…,"rouge":…}`), and which metrics failed. */
function sentenceFields(c: ComputedItem, wantCb: boolean, wantRouge: boolean, cbOpts: CodeBleuOptions): { fields: string; failed: string[] } {
  const rec: Record<string, unknown> = {};
  const failed: string[] = [];
  if (wantCb) {
    const st = c.codebleu!;
    const v = isFailure(st) ? st : codeBleuFromStats([st], cbOpts);
    if (isFailure(v)) failed.push('codebleu');
    rec.codebleu = v;
  }
  if (wantRouge) {
    if (isFailure(c.rouge)) failed.push('rouge');
    rec.rouge = c.rouge;
  }
  const body = JSON.stringify(rec);
  return { fields: body === '{}' ? '}' : ',' + body.slice(1), failed };
}

export async function runScore(o: ScoreOptions): Promise<ScoreSummary> {
  const cbOpts: CodeBleuOptions = { variant: o.variant, weights: o.weights };
  const wantCb = o.metrics.includes('codebleu');
  const wantRouge = o.metrics.includes('rouge');
  const computeOpts: ComputeOptions = { codebleu: wantCb ? cbOpts : null, rouge: wantRouge ? { useStemmer: o.rougeStemmer } : null };
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
  const refused = (f: MetricFailure): ComputedItem => ({ ...(wantCb ? { codebleu: f } : {}), ...(wantRouge ? { rouge: f } : {}) });
  const merge = <T>(done: T[], forRefused: (f: MetricFailure) => T): T[] => {
    if (fits.length === items.length) return done;
    let j = 0;
    return tooLong.map((f) => (f === null ? done[j++] : forRefused(f)));
  };
  const sentence = o.level === 'sentence';
  const describe = (c: ComputedItem) => sentenceFields(c, wantCb, wantRouge, cbOpts);
  const described = sentence ? merge(await computeDescribed(fits, computeOpts, describe, o.threads, early), (f) => describe(refused(f))) : null;
  const computed = sentence ? [] : merge(await computeParallel(fits, computeOpts, o.threads, early), refused);

  const signatures: Record<string, string> = {};
  if (wantCb) signatures.codebleu = codeBleuSignature(cbOpts, o.level);
  if (wantRouge) {
    const base = new RougeScorer({ useStemmer: o.rougeStemmer }).signature();
    signatures.rouge = o.level === 'corpus' ? rougeAggregateSignature(base, { kind: 'mean' }) : base;
  }
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
    if (wantCb) {
      const stats = valuesOrFirstFailure<CodeBleuStats>(computed.map((c) => c.codebleu), () => countFailure('codebleu'));
      if (isFailure(stats)) out.codebleu = stats;
      else {
        const comp = codeBleuComponents(stats, cbOpts);
        out.codebleu = codeBleuFromStats(stats, cbOpts);
        if (comp.dataflow_degenerate) {
          process.stderr.write('apieval: warning: no reference data-flows were extracted from the whole corpus; dataflow_match degenerates to 0 (consider ignoring it)\n');
        }
      }
    }
    if (wantRouge) {
      const scores = valuesOrFirstFailure<RougeScores>(computed.map((c) => c.rouge), () => countFailure('rouge'));
      out.rouge = isFailure(scores) ? scores : rougeMean(scores);
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
