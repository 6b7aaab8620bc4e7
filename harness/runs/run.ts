/**
 * `apieval eval`: scores every response of every checkpoint with the metric suite (and the sandbox),
 * into a resumable run directory (see types.ts for the layout).
 *
 * Resume and caching: every metric value of a sample is stored with a key = hash(metric signature,
 * dataset checksums, question, response text) (for execution: the sandbox signature and the program).
 * On start, samples.jsonl is read back; a metric whose key matches is reused, anything else is computed
 * and the sample is appended again (the later line wins). So the same command after a crash continues
 * where it stopped, and a changed option (another CodeBLEU variant, execution turned on) recomputes only
 * the metrics it affects. At the end samples.jsonl is rewritten with one line per sample in a fixed order
 * (checkpoint as given, run, question_id) and summary.json is derived from it alone: a finished run is
 * byte-identical however it got there. Timings live only in manifest.json.
 *
 * The stages: plan.ts (dataset, candidates, shard, run directory), this file (the cache plan, computing the
 * suite in-process or on worker processes via pool.ts, the reward model's batches), execute.ts (the
 * sandbox: gold gate, programs), grade.ts (classification, gold gate and summary from the records),
 * run-dir.ts (every file of the run directory).
 */
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.js';
import { VERSION } from '../version.js';
import { loadQuestionsFile, questionsPath } from '../datasets/apibench.js';
import { extractResponse } from '../datasets/extract.js';
import { isFailure } from '../../metrics/types.js';
import { buildSuite, evalSampleOf, executableProgram } from './suite.js';
import { computeOnWorkers, defaultJobs, workersAvailable } from './pool.js';
import { cacheKey, versionedSignature } from '../../core/hash.js';
import { CLASSIFY_IMPLEMENTATION } from '../../sandbox/classify.js';
import { Progress } from '../../core/progress.js';
import { interruptOnSignal, type Interrupt } from '../../core/interrupt.js';
import { sampleId } from './run-dir.js';
import { planRun, type Task } from './plan.js';
import { runGoldGate, withNoExecHint } from './execute.js';
import { summarise } from './grade.js';

export { buildSummary } from './grade.js';
import { RUN_SCHEMA_VERSION, type EvalConfig, type GoldRecord, type Manifest, type SampleRecord, type Summary } from './types.js';

export type { EvalRunOptions } from './types.js';
import type { EvalRunOptions } from './types.js';

export interface EvalRunResult {
  manifest: Manifest;
  summary: Summary;
  records: SampleRecord[];
  computed: number;
  reused: number;
}

export { GOLD, MANIFEST, SAMPLES, SUMMARY } from './run-dir.js';

export async function runEval(opts: EvalRunOptions): Promise<EvalRunResult> {
  const started = Date.now();
  const { config } = opts;
  const stderr = opts.stderr ?? process.stderr;
  const hub = config.hub;

  // --- Plan (plan.ts): dataset, candidates, this shard's samples, the run directory; nothing written yet.
  const { evalRecords, apiDb, datasetFiles, datasetKey, tasks, manifestCandidates, subset, shard, runDir } = planRun(opts);

  // --- Metrics and their signatures.
  const suite = buildSuite(apiDb, { hub, codebleuVariant: config.codebleuVariant, rougeStemmer: config.rougeStemmer });
  const signatures: Record<string, string> = {};
  for (const m of suite) signatures[m.name] = m.signature;
  // The reward model (optional): loaded, and its signature taken, before anything is written.
  const rm = config.rewardModel ? await loadRewardModel(config.rewardModel.dir, opts.dataDir, hub) : null;
  if (rm) signatures.rm = `${rm.model.signature()}|completion:${config.rewardModel!.completion}`;
  type Sandbox = typeof import('../../sandbox/index.js');
  let sandbox: Sandbox | null = null;
  const execOptions: import('../../sandbox/index.js').ExecOptions = { image: config.image, profile: config.profile, timeoutS: config.timeoutS, memoryMb: config.memoryMb, concurrency: config.concurrency, ...(opts.engines?.length ? { engines: opts.engines } : {}) };
  /** The exec signature as it enters cache keys (with the classification's implementation version). */
  let execKeySignature = '';
  if (config.exec) {
    sandbox = await import('../../sandbox/index.js');
    try {
      signatures.exec = await sandbox.sandboxSignature(execOptions);
      execKeySignature = versionedSignature(signatures.exec, opts.implementationVersions?.exec ?? CLASSIFY_IMPLEMENTATION);
    } catch (e) {
      if (e instanceof UserError) throw new UserError(`${e.message} (or pass --no-exec to skip executability)`);
      throw e;
    }
  }

  const manifest: Manifest = {
    schema_version: RUN_SCHEMA_VERSION,
    apieval_version: VERSION,
    command: opts.command,
    dataset: { hub, source: opts.dataSource, files: datasetFiles, domains: [...new Set(apiDb.map((a) => a.domain))].sort(), ...(subset ? { questions: subset } : {}) },
    candidates: manifestCandidates,
    config,
    signatures,
    seeds: { bootstrap: config.seed },
    ...(shard ? { shard } : {}),
    timings: { started_at: new Date(started).toISOString(), finished_at: null, wall_s: null, computed_samples: 0, reused_samples: 0 },
  };
  runDir.writeManifest(manifest);

  // --- Compute what the cache does not already hold.
  const cached = runDir.cachedSamples();
  const appender = runDir.sampleAppender();
  const final = new Map<string, SampleRecord>();
  const pendingExec: { code: string; record: SampleRecord; key: string }[] = [];
  const progress = new Progress('eval', tasks.length, stderr, opts.quiet ?? false);
  let computed = 0;
  let reused = 0;
  let sinceSync = 0;

  let goldRecords: GoldRecord[] | undefined;
  /** With --engine: what each engine ran (the manifest's `engines`). */
  const engineStats: import('../../sandbox/index.js').EngineStats[] = [];
  let interrupt: Interrupt | undefined;
  const failedCount = (r: SampleRecord) => (Object.values(r.metrics).some((v) => v !== null && isFailure(v)) ? 1 : 0);

  // Plan: per sample, which metrics the cache already holds (same key) and which must be computed. The
  // record's metric and key objects are created in suite order first, so that JSON key order — and with
  // it the bytes of samples.jsonl — does not depend on what was cached.
  interface Plan {
    t: Task;
    id: string;
    prev: SampleRecord | undefined;
    record: SampleRecord;
    todo: string[];
    /** The reward model's value is not cached and is scored in batches after the suite. */
    rmTodo: boolean;
  }
  const rmCompletion = (t: Task) => (config.rewardModel!.completion === 'code' ? extractResponse(t.response.text, hub).predictionCode : t.response.text);
  const plans: Plan[] = tasks.map((t) => {
    const id = sampleId(t.checkpoint, t.run, t.response.question_id);
    const prev = cached.get(id);
    const record: SampleRecord = { checkpoint: t.checkpoint, run: t.run, question_id: t.response.question_id, domain: t.evalRecord.domain, metrics: {}, keys: {} };
    const todo: string[] = [];
    for (const m of suite) {
      const key = cacheKey([versionedSignature(m.signature, opts.implementationVersions?.[m.name] ?? m.implementation), datasetKey, String(t.response.question_id), t.response.text]);
      record.keys[m.name] = key;
      if (prev && prev.keys[m.name] === key && m.name in prev.metrics) record.metrics[m.name] = prev.metrics[m.name];
      else {
        record.metrics[m.name] = null;
        todo.push(m.name);
      }
    }
    let rmTodo = false;
    if (rm) {
      const key = cacheKey([signatures.rm, rm.question(t.response.question_id), rmCompletion(t)]);
      record.keys.rm = key;
      if (prev && prev.keys.rm === key && prev.metrics.rm) record.metrics.rm = prev.metrics.rm;
      else {
        record.metrics.rm = null;
        rmTodo = true;
      }
    }
    return { t, id, prev, record, todo, rmTodo };
  });

  // After the suite: the reward model's batch (asynchronous, like execution), then execution, then the append.
  const pendingRm: Plan[] = [];
  const finishPlan = (p: Plan) => {
    if (p.rmTodo) {
      pendingRm.push(p);
      return;
    }
    finishScored(p);
  };
  const finishScored = (p: Plan) => {
    const { record, prev } = p;
    final.set(p.id, record);
    if (config.exec) {
      const code = executableProgram(extractResponse(p.t.response.text, hub).predictionCode);
      const key = cacheKey([execKeySignature, code]);
      if (prev && prev.keys.exec === key && prev.metrics.exec) {
        record.metrics.exec = prev.metrics.exec;
        record.keys.exec = key;
      } else {
        pendingExec.push({ code, record, key });
        return; // appended once executed
      }
    }
    const unchanged = p.todo.length === 0 && !p.rmTodo && prev !== undefined && Object.keys(prev.metrics).length === Object.keys(record.metrics).length;
    if (unchanged) reused++;
    else {
      appender.write(record);
      computed++;
      if (++sinceSync >= 500) {
        appender.sync();
        sinceSync = 0;
      }
    }
    progress.tick(1, failedCount(record));
  };

  try {
    // Question-major order: the samples of one question (all checkpoints and runs) share its reference,
    // whose parse and data-flow analysis the metrics cache; contiguous batches keep them on one worker.
    const work = plans.filter((p) => p.todo.length > 0).sort((a, b) => a.t.response.question_id - b.t.response.question_id);
    for (const p of plans) if (p.todo.length === 0) finishPlan(p);
    const jobs = opts.jobs ?? defaultJobs();
    if (work.length >= 256 && jobs > 1 && workersAvailable()) {
      await computeOnWorkers(
        { dataDir: opts.dataDir, hub, codebleuVariant: config.codebleuVariant, rougeStemmer: config.rougeStemmer },
        work.map((p, i) => ({ i, qid: p.t.response.question_id, text: p.t.response.text, names: p.todo })),
        jobs,
        (i, values) => {
          const p = work[i];
          for (const name of p.todo) p.record.metrics[name] = values[name] ?? null;
          finishPlan(p);
        },
      );
    } else {
      for (const p of work) {
        const extracted = extractResponse(p.t.response.text, hub);
        const sample = evalSampleOf(p.t.evalRecord, p.t.response.text, extracted);
        for (const m of suite) if (p.todo.includes(m.name)) p.record.metrics[m.name] = m.compute(sample);
        finishPlan(p);
      }
    }

    // Reward-model scores, in chunks so that a kill loses at most one chunk.
    if (rm && pendingRm.length > 0) {
      const CHUNK = 256;
      for (let s = 0; s < pendingRm.length; s += CHUNK) {
        const chunk = pendingRm.slice(s, s + CHUNK);
        const scores = await rm.model.score(chunk.map((p) => ({ prompt: rm.question(p.t.response.question_id), completion: rmCompletion(p.t) })));
        chunk.forEach((p, i) => {
          p.record.metrics.rm = { logit: scores[i].logit, p: scores[i].p, tokens: scores[i].tokens };
          finishScored(p);
        });
      }
    }

    // Ctrl-C while containers run: abort, so the sandbox removes the run's containers before exiting
    // (a second Ctrl-C quits at once). Before this point the default applies: every finished sample is
    // already on disk and the worker processes leave with their parent.
    if (sandbox && (pendingExec.length > 0 || config.goldGate)) {
      interrupt = interruptOnSignal("\napieval: interrupting; removing the run's containers (Ctrl-C again to quit at once)", (l) => void stderr.write(l + '\n'));
      execOptions.signal = interrupt.signal;
    }

    if (config.exec && config.goldGate && sandbox) {
      goldRecords = await withNoExecHint(runGoldGate(sandbox, execOptions, execKeySignature, runDir, tasks, evalRecords, stderr, opts.quiet ?? false, engineStats));
    }

    if (pendingExec.length > 0 && sandbox) {
      // A program is run once per run however many samples share it (same key: same sandbox signature and
      // program text, which is what the cache already takes to decide an outcome): about 5% of the Gorilla
      // HF answers repeat one another.
      const byKey = new Map<string, (typeof pendingExec)[number][]>();
      for (const p of pendingExec) {
        const same = byKey.get(p.key);
        if (same) same.push(p);
        else byKey.set(p.key, [p]);
      }
      const execute = sandbox.executePrograms(
        [...byKey].map(([key, same]) => ({ id: key, code: same[0].code })),
        execOptions,
        (res) => {
          for (const p of byKey.get(res.id) ?? []) {
            // The raw verdict too: grading (grade.ts) can re-classify it without a container.
            p.record.metrics.exec = { status: res.status, exception: res.exception, exit_code: res.exit_code, ...(res.verdict ? { verdict: res.verdict } : {}) };
            p.record.keys.exec = p.key;
            appender.write(p.record);
            computed++;
            progress.tick(1, res.status === 'sandbox_error' || failedCount(p.record) ? 1 : 0);
          }
        },
      );
      sandbox.addEngineStats(engineStats, await withNoExecHint(execute));
    }
  } finally {
    appender.close();
    interrupt?.dispose();
  }
  progress.finish();

  // --- Final, canonical outputs.
  const order = new Map(opts.candidates.map((c, i) => [c.name, i]));
  const records = [...final.values()].sort(
    (a, b) => order.get(a.checkpoint)! - order.get(b.checkpoint)! || a.run - b.run || a.question_id - b.question_id,
  );
  runDir.writeSamples(records);
  const summary = summarise(manifest, records, goldRecords);
  runDir.writeSummary(summary);
  const finished = Date.now();
  manifest.timings = {
    ...manifest.timings,
    finished_at: new Date(finished).toISOString(),
    wall_s: (finished - started) / 1000,
    computed_samples: computed,
    reused_samples: reused,
  };
  if (opts.engines?.length) manifest.engines = engineStats;
  runDir.writeManifest(manifest);
  return { manifest, summary, records, computed, reused };
}

/**
 * The reward model and the question texts it reads (the hub's questions file, as `apieval reward score
 * --responses` and `apieval feedback` pair them: what the model was trained on).
 */
async function loadRewardModel(dir: string, dataDir: string, hub: EvalConfig['hub']) {
  const { OnnxRewardModel } = await import('../reward/onnx-reward-model.js');
  const file = questionsPath(dataDir, hub);
  if (!existsSync(file)) throw new UserError(`${file}: no such file (--reward-model scores each response with its question's text)`);
  const texts = new Map(loadQuestionsFile(file).map((q) => [q.question_id, q.text]));
  const model = await OnnxRewardModel.load(dir);
  return {
    model,
    question(qid: number): string {
      const text = texts.get(qid);
      if (text === undefined) throw new UserError(`${file}: no question ${qid} (the responses answer it)`);
      return text;
    },
  };
}

