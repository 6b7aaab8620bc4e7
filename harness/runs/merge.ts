/**
 * `apieval merge SHARD_DIR... --out RUN`: joins the run directories of `apieval eval --shard K/N` into the
 * run directory the unsharded eval writes — samples.jsonl, gold.jsonl and summary.json byte for byte, the
 * manifest apart from its command and timings — after checking that the shards belong together: one
 * configuration, dataset, candidate files and apieval version; every shard 1..N exactly once; every sample
 * exactly once; every shard finished. No metric is recomputed: the summary comes from the records (grade.ts).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { summarise } from './grade.js';
import { addEngineStats, type EngineStats } from '../../sandbox/engine-stats.js';
import { finishedManifest, RunDir, sampleId } from './run-dir.js';
import type { GoldRecord, Manifest, SampleRecord, Summary } from './types.js';

interface Shard {
  dir: string;
  manifest: Manifest & { shard: NonNullable<Manifest['shard']> };
  rd: RunDir;
}

/** What must be equal across the shards of one run (everything but the command, the split and timings). */
const SAME: (keyof Manifest)[] = ['schema_version', 'apieval_version', 'dataset', 'candidates', 'config', 'signatures', 'seeds'];

export interface MergeResult {
  manifest: Manifest;
  summary: Summary;
  records: SampleRecord[];
}

export function mergeShards(dirs: readonly string[], outDir: string, command: string): MergeResult {
  if (dirs.length === 0) throw new UserError('give the shard run directories (apieval eval --shard K/N --out DIR)');
  const shards: Shard[] = dirs.map((dir) => {
    const rd = new RunDir(dir);
    const manifest = finishedManifest(rd, (m) => (m.shard ? `shard ${m.shard.k}/${m.shard.n} did not finish; run its 'apieval eval --shard' command again to complete it` : 'the run did not finish'));
    if (!manifest.shard) throw new UserError(`${dir}: not a shard (a whole run, made without --shard); only shards are merged`);
    return { dir, manifest: manifest as Shard['manifest'], rd };
  });

  const first = shards[0];
  for (const s of shards.slice(1)) {
    for (const key of SAME) {
      if (JSON.stringify(s.manifest[key]) !== JSON.stringify(first.manifest[key])) {
        throw new UserError(`${s.dir}: a shard of another run than ${first.dir} (its ${key} differs); merge the shards of one 'apieval eval' command`);
      }
    }
  }
  const n = first.manifest.shard.n;
  const byK = new Map<number, Shard>();
  for (const s of shards) {
    const { k, n: sn } = s.manifest.shard;
    if (sn !== n) throw new UserError(`${s.dir}: shard ${k}/${sn}, but ${first.dir} is one of ${n} shards; merge the shards of one split`);
    const seen = byK.get(k);
    if (seen) throw new UserError(`shard ${k}/${n} given twice: ${seen.dir} and ${s.dir}`);
    byK.set(k, s);
  }
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !byK.has(k));
  if (missing.length > 0) throw new UserError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${n}`).join(', ')} missing (given: ${[...byK.keys()].sort((a, b) => a - b).map((k) => `${k}/${n}`).join(', ')})`);

  // Every sample exactly once, and as many as the candidate files hold.
  const seen = new Map<string, string>();
  const records: SampleRecord[] = [];
  for (const s of [...byK.values()].sort((a, b) => a.manifest.shard.k - b.manifest.shard.k)) {
    const own = existsSync(s.rd.samplesFile) ? s.rd.readSamples() : [];
    const questions = new Set(own.map((r) => r.question_id));
    if (questions.size > s.manifest.shard.questions) throw new UserError(`${s.rd.samplesFile}: holds ${questions.size} questions, its manifest says shard ${s.manifest.shard.k}/${n} has ${s.manifest.shard.questions}`);
    for (const r of own) {
      const id = sampleId(r.checkpoint, r.run, r.question_id);
      const other = seen.get(id);
      if (other !== undefined) throw new UserError(`sample ${r.checkpoint} run ${r.run} question ${r.question_id} is in two shards: ${other} and ${s.dir}`);
      seen.set(id, s.dir);
      records.push(r);
    }
  }
  const expected = first.manifest.candidates.reduce((sum, c) => sum + c.runs.reduce((t, r) => t + r.responses, 0), 0);
  if (records.length !== expected) throw new UserError(`the shards hold ${records.length} samples, the candidate files ${expected}; a shard is incomplete (rerun its 'apieval eval --shard' command)`);

  let gold: GoldRecord[] | undefined;
  const cfg = first.manifest.config;
  if (cfg.exec && cfg.goldGate) {
    const byQuestion = new Map<number, { g: GoldRecord; dir: string }>();
    for (const s of byK.values()) {
      if (!existsSync(s.rd.goldFile)) continue;
      for (const g of s.rd.readGold()) {
        const other = byQuestion.get(g.question_id);
        if (other) throw new UserError(`the gold gate of question ${g.question_id} is in two shards: ${other.dir} and ${s.dir}`);
        byQuestion.set(g.question_id, { g, dir: s.dir });
      }
    }
    gold = [...byQuestion.values()].map((x) => x.g).sort((a, b) => a.question_id - b.question_id);
  }

  // The canonical order of the unsharded run: candidates as listed, then run, then question.
  const order = new Map(first.manifest.candidates.map((c, i) => [c.name, i]));
  records.sort((a, b) => order.get(a.checkpoint)! - order.get(b.checkpoint)! || a.run - b.run || a.question_id - b.question_id);

  const timings = shards.map((s) => s.manifest.timings);
  const { shard: _shard, engines: _engines, ...rest } = first.manifest;
  const engines = shards.some((s) => s.manifest.engines) ? shards.reduce((acc, s) => addEngineStats(acc, s.manifest.engines), [] as EngineStats[]) : undefined;
  const manifest: Manifest = {
    ...rest,
    command,
    timings: {
      started_at: timings.map((t) => t.started_at).sort()[0],
      finished_at: new Date().toISOString(),
      // The shards' own wall times summed: the machine time the run took, wherever it ran.
      wall_s: timings.reduce((sum, t) => sum + (t.wall_s ?? 0), 0),
      computed_samples: timings.reduce((sum, t) => sum + t.computed_samples, 0),
      reused_samples: timings.reduce((sum, t) => sum + t.reused_samples, 0),
    },
    ...(engines ? { engines } : {}),
  };
  const out = new RunDir(outDir);
  const there = out.readManifest('use another --out folder');
  if (there && (there.shard || SAME.some((key) => JSON.stringify(there[key]) !== JSON.stringify(first.manifest[key])))) {
    throw new UserError(`${outDir} holds ${there.shard ? `shard ${there.shard.k}/${there.shard.n}` : 'another run'}; merge into a new --out folder`);
  }
  const summary = summarise(manifest, records, gold);
  out.writeSamples(records);
  if (gold) out.writeGold(gold);
  out.writeSummary(summary);
  out.writeManifest(manifest);
  return { manifest, summary, records };
}
