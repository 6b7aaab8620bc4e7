import { Option, type Command } from 'commander';
import { UserError } from '../../../core/errors.js';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, integer, numericOption } from '../numeric-options.js';
import { LIMIT_RANGES } from '../../../sandbox/limits.js';
import { choiceOption } from '../choice-options.js';
import { PROFILE_CHOICES } from '../profile-option.js';
import { engineOption } from '../engine-option.js';
import { parseShard, type ShardSpec } from '../../runs/shard.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}


export function register(program: Command): void {
  program
    .command('eval')
    .description('Score checkpoints on APIBench with every metric into a resumable run directory, then write the leaderboard')
    .requiredOption('--out <dir>', 'run directory (created; the same command again resumes it)')
    .option('--hub <hub>', 'APIBench hub: huggingface, torchhub or tensorflowhub', 'huggingface')
    .option('--data-dir <dir>', 'local APIBench folder (default: $APIEVAL_DATA_DIR, else the pinned download cache)')
    .option('--candidate <NAME=FILE[,FILE...]>', 'a checkpoint and its response/prediction files ({"question_id","text"} JSONL); several files = repeated runs; repeatable', collect, [])
    .option('--gorilla-responses [dir]', "every response_<hub>_<NAME>.jsonl in DIR as checkpoint NAME (default: the data folder's responses/<hub>)")
    .option('--questions <spec>', "score only these eval questions: holdout-of:RUN (the questions training run RUN kept out) or a questions JSONL ({question_id}); the leaderboard caption says so")
    .option('--no-exec', 'skip executability (no sandbox needed)')
    .option('--no-gold-gate', "with execution: skip running each task's reference program first")
    .option('--image <name>', 'sandbox image (default: the built base profile)')
    .addOption(choiceOption('--profile <profile>', 'sandbox profile built by apieval sandbox build', [...PROFILE_CHOICES]))
    .addOption(numericOption('--timeout-s <n>', 'per-sample wall-clock limit, seconds', LIMIT_RANGES.timeoutS))
    .addOption(numericOption('--memory-mb <n>', 'per-sample memory limit, MiB', LIMIT_RANGES.memoryMb))
    .addOption(numericOption('--concurrency <n>', 'warm sandbox containers', LIMIT_RANGES.concurrency))
    .option('--reward-model <dir>', "also score every response with a reward model made by 'apieval train reward' (its reward.onnx): an RM column, mean P(acceptable), with interval and paired test")
    .addOption(choiceOption('--reward-completion <what>', 'what the reward model reads after the question: text (the whole response) or code (the program after <<<code>>>), as reward score --completion', ['text', 'code']).default('text'))
    .addOption(choiceOption('--codebleu-variant <v>', 'CodeBLEU variant', ['k4black', 'codexglue']).default('k4black'))
    .option('--rouge-stemmer', 'ROUGE with the Porter stemmer', false)
    .addOption(numericOption('--seed <n>', 'bootstrap seed', BOOTSTRAP_SEED, 12345))
    .addOption(numericOption('--bootstrap <n>', 'bootstrap resamples', BOOTSTRAP_RESAMPLES, 1000))
    .option('--report <dir>', 'where to write the leaderboard (default: RUN_DIR/report)')
    .option('--no-report', 'do not write the leaderboard')
    .option('--baseline <name>', 'checkpoint the leaderboard tests others against')
    .option('--formats <list>', 'leaderboard formats: csv,latex,md,json,html', 'csv,latex,md,json,html')
    .addOption(numericOption('--jobs <n>', 'worker processes for the metrics (default: one per core); results do not depend on it', integer(1, 1024)))
    .addOption(engineOption())
    .addOption(new Option('--shard <k/n>', 'score only shard K of N (by question, balanced by response length) into --out; join the shards with apieval merge (Slurm arrays, Kubernetes Indexed Jobs, CI matrices)').argParser((v: string) => parseShard(v)))
    .option('--quiet', 'no progress output', false)
    .addHelpText(
      'after',
      `
Examples:
  apieval eval --hub huggingface --gorilla-responses --no-exec --out runs/gorilla-hf
  apieval eval --data-dir ../apibench --questions holdout-of:runs/sft-tiny --candidate sft=runs/gen/huggingface_sft-tiny.seed0.jsonl \\
               --gorilla-responses --no-exec --out runs/eval-sft-tiny
  apieval eval --data-dir ../apibench --candidate mine=preds_seed1.jsonl,preds_seed2.jsonl,preds_seed3.jsonl \\
               --candidate base=base.jsonl --baseline base --out runs/mine
  apieval eval --data-dir ../apibench --candidate sft=sft.jsonl --candidate rl=rl.jsonl --baseline sft \
               --reward-model runs/rm/final --no-exec --out runs/sft-vs-rl`,
    )
    .action(async (o) => {
      const { parseHub } = await import('../../datasets/apibench.js');
      const { resolveDataDir } = await import('../../datasets/source.js');
      const { parseCandidate, gorillaResponseCandidates, checkUniqueNames } = await import('../../runs/candidates.js');
      const { runEval } = await import('../../runs/run.js');
      const { join, resolve } = await import('node:path');
      const hub = parseHub(o.hub);
      const { parseFormats } = await import('../report-formats.js');
      const formats = await parseFormats(o.formats);
      const candidates = (o.candidate as string[]).map(parseCandidate);
      const wantGorilla = o.gorillaResponses !== undefined;
      const dataDir = await resolveDataDir({ dataDir: o.dataDir, hubs: [hub], responses: wantGorilla && o.gorillaResponses === true });
      if (wantGorilla) {
        const dir = o.gorillaResponses === true ? join(dataDir, 'responses', hub) : o.gorillaResponses;
        candidates.push(...gorillaResponseCandidates(dir, hub));
      }
      if (candidates.length === 0) throw new UserError('nothing to score: give --candidate NAME=FILE (repeatable) or --gorilla-responses');
      checkUniqueNames(candidates);
      if (o.baseline !== undefined && !candidates.some((c) => c.name === o.baseline)) {
        throw new UserError(`--baseline ${o.baseline}: no such checkpoint (have: ${candidates.map((c) => c.name).join(', ')})`);
      }
      const outDir = resolve(o.out);
      const reportDir = typeof o.report === 'string' ? resolve(o.report) : join(outDir, 'report');
      const { refuseUnsafeOutputs } = await import('../../../core/output-path.js');
      const { MANIFEST, SAMPLES, SUMMARY, GOLD } = await import('../../runs/run-dir.js');
      const reportFiles = ['leaderboard.csv', 'leaderboard_domains.csv', 'leaderboard.tex', 'leaderboard.md', 'leaderboard.json', 'leaderboard.html'];
      refuseUnsafeOutputs(
        [{ flag: '--out', path: outDir, dir: true, writes: [MANIFEST, SAMPLES, SUMMARY, GOLD] }, ...(o.report !== false ? [{ flag: '--report', path: reportDir, dir: true, writes: reportFiles }] : [])],
        [...candidates.flatMap((c) => c.files.map((f) => ({ flag: `--candidate ${c.name}`, path: f }))), { flag: '--questions', path: o.questions?.startsWith('holdout-of:') ? undefined : o.questions }],
        dataDir,
      );
      const { selectQuestions } = await import('../../datasets/question-subset.js');
      const questions = o.questions === undefined ? undefined : selectQuestions(o.questions, dataDir, hub);
      const shard = o.shard as ShardSpec | undefined;
      const result = await runEval({
        shard,
        ...(o.engine.length ? { engines: o.engine } : {}),
        questions,
        outDir,
        dataDir,
        dataSource: o.dataDir ?? process.env.APIEVAL_DATA_DIR ?? `pinned cache (${dataDir})`,
        candidates,
        command: ['apieval', ...process.argv.slice(2)].join(' '),
        quiet: o.quiet,
        jobs: o.jobs,
        config: {
          hub,
          codebleuVariant: o.codebleuVariant,
          rougeStemmer: !!o.rougeStemmer,
          exec: o.exec !== false,
          goldGate: o.exec !== false && o.goldGate !== false,
          ...(o.rewardModel !== undefined ? { rewardModel: { dir: resolve(o.rewardModel), completion: o.rewardCompletion } } : {}),
          image: o.image,
          profile: o.profile,
          timeoutS: o.timeoutS,
          memoryMb: o.memoryMb,
          concurrency: o.concurrency,
          seed: o.seed,
          nResamples: o.bootstrap,
        },
      });
      const say = (s: string) => {
        if (!o.quiet) process.stderr.write(s + '\n');
      };
      say(`eval: ${result.records.length} samples (${result.computed} computed, ${result.reused} reused) in ${result.manifest.timings.wall_s?.toFixed(1)} s → ${outDir}`);
      if (shard) say(`eval: shard ${shard.k}/${shard.n} of ${result.manifest.shard!.questions} questions; join the shards with 'apieval merge SHARD_DIR... --out RUN'`);
      else if (o.report !== false) {
        const { writeLeaderboardReports } = await import('../report-formats.js');
        await writeLeaderboardReports([outDir], { baseline: o.baseline }, reportDir, formats, !!o.quiet);
      }
    });
}
