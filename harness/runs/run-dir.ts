/**
 * The run directory of `apieval eval` (its format: types.ts): the one module that reads, validates, repairs,
 * appends to and rewrites manifest.json, samples.jsonl, gold.jsonl and summary.json. Everything read is
 * checked against a schema (zod) before it is used, so a damaged or foreign file is a one-line error naming
 * the file, the line and the field, never a `TypeError` later; the object used is the file's own (the schema
 * validates, it does not rebuild), so what is rewritten keeps its bytes.
 *
 * Two ways of reading the per-sample files:
 * - as a cache, while resuming (`cachedSamples`, `cachedGold`): a torn last line is cut off and any line that
 *   is not a valid record is ignored (it is recomputed);
 * - as results, for the leaderboard (`loadFinishedRun`): every line must be a valid record.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { inputError, UserError } from '../../core/errors.js';
import { cutTornTail, JsonlAppender, readResumeLines, readTextFile, toJsonl, writeFileAtomic } from '../../core/jsonl.js';
import { RUN_SCHEMA_VERSION, type GoldRecord, type Manifest, type SampleRecord, type Summary } from './types.js';

export const MANIFEST = 'manifest.json';
export const SAMPLES = 'samples.jsonl';
export const SUMMARY = 'summary.json';
export const GOLD = 'gold.jsonl';

// ---------------------------------------------------------------------------------------------------------
// Schemas: the fields apieval reads. Objects are loose (unknown fields are kept, for files written by a
// later minor version); fields older run directories lack are optional, as the code reading them treats them.

const int = z.number().int();
const hub = z.enum(['huggingface', 'torchhub', 'tensorflowhub']);

const questionSubsetSchema = z.looseObject({ spec: z.string(), label: z.string(), n: int, ids_sha256: z.string() });

const configSchema = z.looseObject({
  hub,
  codebleuVariant: z.enum(['k4black', 'codexglue']),
  rougeStemmer: z.boolean(),
  exec: z.boolean(),
  image: z.string().optional(),
  profile: z.string().optional(),
  timeoutS: z.number().optional(),
  memoryMb: z.number().optional(),
  concurrency: z.number().optional(),
  goldGate: z.boolean().optional(),
  rewardModel: z.looseObject({ dir: z.string(), completion: z.enum(['text', 'code']) }).optional(),
  seed: z.number(),
  nResamples: int,
});

const manifestSchema = z.looseObject({
  schema_version: z.literal(RUN_SCHEMA_VERSION),
  apieval_version: z.string(),
  command: z.string(),
  dataset: z.looseObject({
    hub,
    source: z.string(),
    files: z.record(z.string(), z.string()),
    domains: z.array(z.string()).optional(),
    questions: questionSubsetSchema.optional(),
  }),
  candidates: z.array(
    z.looseObject({
      name: z.string(),
      runs: z.array(z.looseObject({ run: int, file: z.string(), sha256: z.string(), responses: int, left_out: int.optional() })),
    }),
  ),
  config: configSchema,
  signatures: z.record(z.string(), z.string()),
  seeds: z.looseObject({ bootstrap: z.number() }),
  shard: z.looseObject({ k: int.min(1), n: int.min(1), questions: int, ids_sha256: z.string() }).optional(),
  timings: z
    .looseObject({ started_at: z.string(), finished_at: z.string().nullable(), wall_s: z.number().nullable(), computed_samples: int, reused_samples: int })
    .optional(),
});

/** A metric's value: an object (its fields are the metric's own) or null. Checked by shape only: a record
 * schema would walk and copy every field of every value (3× the cost of parsing the file). */
const metricValueSchema = z.custom<Record<string, unknown> | null>((v) => v === null || (typeof v === 'object' && !Array.isArray(v)), 'expected an object or null');

const sampleSchema = z.looseObject({
  checkpoint: z.string(),
  run: int.min(1),
  question_id: int,
  domain: z.string(),
  metrics: z.record(z.string(), metricValueSchema),
  keys: z.record(z.string(), z.string()),
});

const goldSchema = z.looseObject({
  question_id: int,
  status: z.string(),
  exception: z.string().nullable(),
  exit_code: z.number().nullable(),
  key: z.string(),
});

const summaryGoldSchema = z.looseObject({ gold: z.looseObject({ notes: z.array(z.string()) }).optional() });

/** The first problem zod found, as `field.path: message`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return path ? `${path}: ${issue.message}` : issue.message;
}

// ---------------------------------------------------------------------------------------------------------

/** One run directory. */
export class RunDir {
  readonly manifestFile: string;
  readonly samplesFile: string;
  readonly summaryFile: string;
  readonly goldFile: string;

  constructor(readonly dir: string) {
    this.manifestFile = join(dir, MANIFEST);
    this.samplesFile = join(dir, SAMPLES);
    this.summaryFile = join(dir, SUMMARY);
    this.goldFile = join(dir, GOLD);
  }

  /**
   * The manifest, validated; null when there is none. `advice` ends every error (what the user can do:
   * another --out folder when evaluating, rerunning the eval when reading results).
   */
  readManifest(advice: string): Manifest | null {
    const file = this.manifestFile;
    if (!existsSync(file)) return null;
    let value: unknown;
    try {
      value = JSON.parse(readTextFile(file));
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${file}: not valid JSON (${(e as Error).message}); ${advice}`);
    }
    const version = (value as { schema_version?: unknown } | null)?.schema_version;
    if (value !== null && typeof value === 'object' && version !== RUN_SCHEMA_VERSION) {
      throw new UserError(`${file}: run schema_version ${String(version)}, this apieval reads and writes ${RUN_SCHEMA_VERSION}; ${advice}`);
    }
    const checked = manifestSchema.safeParse(value);
    if (!checked.success) throw new UserError(`${file}: not an apieval run manifest (${firstIssue(checked.error)}); ${advice}`);
    return value as Manifest;
  }

  writeManifest(m: Manifest): void {
    writeFileAtomic(this.manifestFile, JSON.stringify(m, null, 2) + '\n');
  }

  /**
   * The samples of an interrupted or earlier run, as a cache keyed by `sampleId`. A crash can leave the last
   * line half-written: the file is cut back to its last complete line so that appending continues cleanly.
   * Lines that are not sample records are ignored (recomputed); later lines win.
   */
  cachedSamples(): Map<string, SampleRecord> {
    const out = new Map<string, SampleRecord>();
    cutTornTail(this.samplesFile);
    for (const { value } of readResumeLines(this.samplesFile)) {
      if (value !== undefined && sampleSchema.safeParse(value).success) {
        const r = value as unknown as SampleRecord;
        out.set(sampleId(r.checkpoint, r.run, r.question_id), r);
      }
    }
    return out;
  }

  /** Appends sample records as they finish (a kill loses at most the line being written). */
  sampleAppender(): JsonlAppender {
    return new JsonlAppender(this.samplesFile, 'append');
  }

  /** The canonical samples.jsonl: one line per sample, in the order given. */
  writeSamples(records: readonly SampleRecord[]): void {
    writeFileAtomic(this.samplesFile, toJsonl(records));
  }

  /** Gold-gate results of an earlier run, by question, as a cache (damaged or partial lines are ignored). */
  cachedGold(): Map<number, GoldRecord> {
    const out = new Map<number, GoldRecord>();
    for (const { value } of readResumeLines(this.goldFile)) {
      if (value !== undefined && goldSchema.safeParse(value).success) {
        const r = value as unknown as GoldRecord;
        out.set(r.question_id, r);
      }
    }
    return out;
  }

  goldAppender(): JsonlAppender {
    return new JsonlAppender(this.goldFile, 'append');
  }

  writeGold(records: readonly GoldRecord[]): void {
    writeFileAtomic(this.goldFile, toJsonl(records));
  }

  writeSummary(s: Summary): void {
    writeFileAtomic(this.summaryFile, JSON.stringify(s, null, 2) + '\n');
  }

  /** Every line of a results file, each validated (`file:line: field: problem` on the first bad one). */
  private readRecords<T>(file: string, schema: z.ZodType, what: string): T[] {
    const out: T[] = [];
    readTextFile(file)
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (e) {
          throw inputError(file, i + 1, `not valid JSON (${(e as Error).message})`);
        }
        const checked = schema.safeParse(value);
        if (!checked.success) throw inputError(file, i + 1, `not ${what} (${firstIssue(checked.error)})`);
        out.push(value as T);
      });
    return out;
  }

  /** samples.jsonl as results: every line a valid sample record. */
  readSamples(): SampleRecord[] {
    return this.readRecords<SampleRecord>(this.samplesFile, sampleSchema, 'a sample record');
  }

  /** gold.jsonl as results: every line a valid gold-gate record. */
  readGold(): GoldRecord[] {
    return this.readRecords<GoldRecord>(this.goldFile, goldSchema, 'a gold-gate record');
  }

  /** The gold gate's notes in summary.json; [] when there is no (readable) summary: it is optional here. */
  goldNotes(): string[] {
    try {
      const value: unknown = JSON.parse(readTextFile(this.summaryFile));
      const checked = summaryGoldSchema.safeParse(value);
      return checked.success ? ((value as Summary).gold?.notes ?? []) : [];
    } catch {
      return [];
    }
  }
}

/** The key of one sample: (checkpoint, run, question). */
export function sampleId(checkpoint: string, run: number, qid: number): string {
  return `${checkpoint}\u0000${run}\u0000${qid}`;
}

/** A finished run directory, as the leaderboard reads it. */
export interface FinishedRun {
  dir: string;
  manifest: Manifest;
  records: SampleRecord[];
  /** Questions whose reference program executes in the run's sandbox (gold gate), if it ran. */
  supported?: Set<number>;
  goldNotes: string[];
}

/**
 * The manifest of a run directory that must exist and be finished (leaderboard, grade, merge); `unfinished`
 * says what to do about one that did not finish.
 */
export function finishedManifest(rd: RunDir, unfinished: (m: Manifest) => string = () => "the run did not finish; run the same 'apieval eval' command again to complete it"): Manifest {
  const manifest = rd.readManifest(`re-create it with 'apieval eval --out ${rd.dir}'`);
  if (!manifest) throw new UserError(`${rd.dir}: not a run directory (no ${MANIFEST}; create one with 'apieval eval --out ${rd.dir}')`);
  if (manifest.timings?.finished_at === null) throw new UserError(`${rd.dir}: ${unfinished(manifest)}`);
  return manifest;
}

export function loadFinishedRun(dir: string): FinishedRun {
  const rd = new RunDir(dir);
  const manifest = finishedManifest(rd);
  if (manifest.shard) throw new UserError(`${dir}: shard ${manifest.shard.k}/${manifest.shard.n} of a sharded run, not a whole one; join the shards first with 'apieval merge SHARD_DIR... --out RUN'`);
  if (!existsSync(rd.samplesFile)) throw new UserError(`${dir}: no ${SAMPLES}`);
  const records = rd.readSamples();
  let supported: Set<number> | undefined;
  if (manifest.config.exec && manifest.config.goldGate && existsSync(rd.goldFile)) {
    supported = new Set(rd.readGold().filter((g) => g.status === 'ok').map((g) => g.question_id));
  }
  return { dir, manifest, records, supported, goldNotes: rd.goldNotes() };
}
