/**
 * `apieval generate --checkpoint DIR`: answers APIBench questions with a local checkpoint (the built-in
 * `python -m apieval_trainers generate` stage) into Gorilla-style response files, one per seed, that
 * `apieval eval` scores as they are.
 *
 * The prompt is what SFT trained on: the eval record's instruction part through `###Output:`
 * (harness/datasets/training-data.ts promptFor). Questions: all of the hub's, those of a questions file
 * (by question_id), or `holdout-of:RUN`, the eval questions a training run kept out. Files:
 *   OUT/NAME.seed{S}.jsonl     answers (written when a seed is complete; NAME.seed{S}.jsonl.partial before)
 *   OUT/NAME.run.json          parameters, checkpoint checksum and question set; a resume must match them
 *   OUT/NAME.prompts.jsonl, OUT/NAME.generate.json   the stage's input and config
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../core/errors.js';
import { evalPath, loadEvalFile, parseHub } from '../harness/datasets/apibench.js';
import { selectQuestions } from '../harness/datasets/question-subset.js';
import { resolveDataDir } from '../harness/datasets/source.js';
import { promptFor } from '../harness/datasets/training-data.js';
import { toJsonl, writeFileAtomic } from '../core/jsonl.js';
import { sanitizeName } from '../harness/cli/producer-options.js';
import { fileSha256 } from '../core/hash.js';
import { VERSION } from '../harness/version.js';
import { TrainProgress } from './progress.js';
import { checkStageConfig, findPython, runStage } from './stage-runner.js';

export interface CheckpointGenerateOptions {
  checkpoint: string;
  tokenizer?: string;
  hub: string;
  dataDir?: string;
  questions?: string;
  limit?: number;
  seeds: number[];
  temperature?: number;
  topP?: number;
  topK?: number;
  maxNewTokens?: number;
  batchSize?: number;
  device?: string;
  outDir: string;
  runName?: string;
  quiet?: boolean;
  json?: boolean;
}

function weightsFile(dir: string): string {
  for (const f of ['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin']) if (existsSync(join(dir, f))) return join(dir, f);
  throw new UserError(`${dir}: no weights (model.safetensors or pytorch_model.bin)`);
}

/** The training run a checkpoint came from (RUN/final, RUN/checkpoints/step-N), if it has a split.json. */
function trainingRunOf(checkpoint: string): string | undefined {
  for (const d of [dirname(checkpoint), dirname(dirname(checkpoint))]) if (existsSync(join(d, 'split.json')) && existsSync(join(d, 'manifest.json'))) return d;
  return undefined;
}

export async function runCheckpointGenerate(o: CheckpointGenerateOptions): Promise<void> {
  const hub = parseHub(o.hub);
  const checkpoint = resolve(o.checkpoint);
  if (!existsSync(checkpoint) || !statSync(checkpoint).isDirectory()) throw new UserError(`--checkpoint ${o.checkpoint}: no such folder`);
  if (!existsSync(join(checkpoint, 'config.json'))) throw new UserError(`--checkpoint ${o.checkpoint}: not a checkpoint folder (no config.json)`);
  const temperature = o.temperature ?? 0;
  const topP = o.topP;
  const topK = o.topK;
  const maxNew = o.maxNewTokens ?? 256;
  const batchSize = o.batchSize ?? 8;
  const device = o.device ?? 'auto';
  if (!['cpu', 'cuda', 'auto'].includes(device)) throw new UserError(`--device '${device}': expected cpu, cuda or auto`);
  const { python, doctor } = findPython();
  if (device === 'cuda' && !doctor.cuda) throw new UserError(`--device cuda: the Python at ${doctor.executable} (torch ${doctor.torch}) sees no CUDA device`);

  const trainingRun = trainingRunOf(checkpoint);
  const dataDir = await resolveDataDir({ dataDir: o.dataDir, hubs: [hub] });
  const evalFile = evalPath(dataDir, hub);
  const records = loadEvalFile(evalFile);
  let ids = records.map((r) => r.questionId);
  let questions: { spec: string; label: string } = { spec: 'all', label: `all ${ids.length} ${hub} eval questions` };
  if (o.questions !== undefined) {
    const sel = selectQuestions(o.questions, dataDir, hub);
    ids = sel.ids;
    questions = { spec: sel.spec, label: sel.label };
  } else {
    if (trainingRun && !o.quiet) {
      const split = JSON.parse(readFileSync(join(trainingRun, 'split.json'), 'utf8')) as { kind?: string; train_question_ids?: number[] };
      if (split.kind === 'holdout' && (split.train_question_ids?.length ?? 0) > 0) {
        process.stderr.write(`generate: warning: ${trainingRun} trained on ${split.train_question_ids!.length} of these questions; pass --questions holdout-of:${trainingRun} to answer only the held-out ones\n`);
      }
    }
  }
  const limit = o.limit;
  if (limit !== undefined) ids = ids.slice(0, limit);
  if (ids.length === 0) throw new UserError('no questions to generate for');
  if (temperature === 0 && o.seeds.length > 1 && !o.quiet) process.stderr.write('generate: note: --temperature 0 is greedy decoding; every seed gives the same answers\n');

  const outDir = resolve(o.outDir);
  const stem = basename(trainingRun ?? checkpoint);
  const runName = o.runName ? sanitizeName(o.runName) : sanitizeName(`${hub}_${stem}`);
  const weights = weightsFile(checkpoint);
  const params = {
    checkpoint,
    weights_sha256: fileSha256(weights),
    config_sha256: fileSha256(join(checkpoint, 'config.json')),
    tokenizer: o.tokenizer ? resolve(o.tokenizer) : null,
    hub,
    eval_sha256: fileSha256(evalFile),
    questions: questions.spec,
    prompt: 'eval record code through ###Output:',
    temperature,
    top_p: topP ?? null,
    top_k: topK ?? null,
    max_new_tokens: maxNew,
  };
  const paramsSha = createHash('sha256').update(JSON.stringify(params)).digest('hex');
  const outputs = o.seeds.map((seed) => ({ seed, path: join(outDir, `${runName}.seed${seed}.jsonl`) }));
  const runFile = join(outDir, `${runName}.run.json`);
  if (existsSync(runFile)) {
    let prev: { params_sha256?: string; params?: Record<string, unknown> } = {};
    try {
      prev = JSON.parse(readFileSync(runFile, 'utf8'));
    } catch {
      /* unreadable: rewritten below */
    }
    const anyOutput = outputs.some((x) => existsSync(x.path) || existsSync(x.path + '.partial'));
    if (anyOutput && prev.params_sha256 !== undefined && prev.params_sha256 !== paramsSha) {
      const diff = Object.keys(params).filter((k) => JSON.stringify((params as Record<string, unknown>)[k]) !== JSON.stringify(prev.params?.[k]));
      throw new UserError(`${runFile}: the answers in ${outDir} for run '${runName}' were made with different ${diff.join(', ') || 'parameters'}; pass another --run-name or --out-dir (or delete them)`);
    }
  }
  const byId = new Map(records.map((r) => [r.questionId, r]));
  const promptsFile = join(outDir, `${runName}.prompts.jsonl`);
  writeFileAtomic(promptsFile, toJsonl(ids.map((q) => ({ question_id: q, prompt: promptFor(byId.get(q)!) }))));
  const stageConfig = {
    stage: 'generate', schema_version: 1, checkpoint, ...(o.tokenizer ? { tokenizer: resolve(o.tokenizer) } : {}), prompts: promptsFile, outputs,
    max_new_tokens: maxNew, temperature, top_p: topP ?? null, top_k: topK ?? null, batch_size: batchSize, device, model_id: runName,
  };
  const configFile = join(outDir, `${runName}.generate.json`);
  writeFileAtomic(configFile, JSON.stringify(stageConfig, null, 2) + '\n');
  checkStageConfig(configFile, python);
  const run = { apieval_version: VERSION, command: 'generate --checkpoint', status: 'running', params, params_sha256: paramsSha, questions: { ...questions, n: ids.length }, environment: doctor, files: outputs.map((x) => x.path) };
  writeFileAtomic(runFile, JSON.stringify(run, null, 2) + '\n');

  const progress = new TrainProgress('generate', process.stderr, !!o.quiet);
  const t0 = Date.now();
  let tokens = 0;
  try {
    await runStage({
      stage: 'generate', config: configFile, python,
      onEvent: (e) => {
        if (e.event === 'output' && typeof e.tokens === 'number') tokens += e.tokens;
        progress.onEvent(e);
      },
      onLog: (l) => {
        if (!o.quiet) process.stderr.write(`${l}\n`);
      },
    });
  } finally {
    progress.finish();
  }
  const seconds = (Date.now() - t0) / 1000;
  writeFileAtomic(runFile, JSON.stringify({ ...run, status: 'complete', seconds, new_tokens: tokens }, null, 2) + '\n');
  const summary = { run_name: runName, questions: { ...questions, n: ids.length }, files: outputs.map((x) => x.path), seconds, new_tokens: tokens };
  if (o.json) {
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return;
  }
  const q = questions.spec.startsWith('holdout-of:') ? ` --questions ${questions.spec}` : '';
  process.stdout.write(
    `${ids.length} questions (${questions.label}), ${o.seeds.length} seed(s), ${tokens} new tokens in ${seconds.toFixed(1)} s\n` +
      outputs.map((x) => `wrote ${x.path}`).join('\n') +
      `\nscore them: apieval eval --hub ${hub}${o.dataDir ? ` --data-dir ${o.dataDir}` : ''}${q} --candidate ${runName}=${outputs.map((x) => x.path).join(',')} --out runs/eval-${runName}\n`,
  );
}
