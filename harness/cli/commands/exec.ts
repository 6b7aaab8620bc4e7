import { Command } from 'commander';
import { numericOption } from '../numeric-options.js';
import { LIMIT_RANGES } from '../../../sandbox/limits.js';
import { choiceOption } from '../choice-options.js';
import { PROFILE_CHOICES } from '../profile-option.js';
import { engineOption, type EngineSpec } from '../engine-option.js';

export function register(program: Command): void {
  program
    .command('exec')
    .description('run programs in the Docker sandbox and classify each outcome (executability rate)')
    .requiredOption('--input <file>', 'JSONL of {"id","code"}')
    .requiredOption('--output <file>', 'JSONL results, one per input line in input order; rerunning resumes')
    .option('--image <name>', 'run in this image (any image with python3) instead of a built profile')
    .addOption(choiceOption('--profile <name>', 'built sandbox image to use (apieval sandbox build)', [...PROFILE_CHOICES]).default('base'))
    .addOption(numericOption('--timeout-s <n>', 'wall-clock limit per program, seconds (default 20)', LIMIT_RANGES.timeoutS))
    .addOption(numericOption('--memory-mb <n>', 'memory a program may allocate, MiB (default 2048)', LIMIT_RANGES.memoryMb))
    .addOption(numericOption('--concurrency <n>', 'warm containers running programs in parallel (default 2)', LIMIT_RANGES.concurrency))
    .addOption(numericOption('--output-kb <n>', 'cap on each of stdout/stderr, KiB; more is output_limit (default 1024)', LIMIT_RANGES.outputKb))
    .addOption(numericOption('--cpus <n>', 'CPUs per container (default 1)', LIMIT_RANGES.cpus))
    .option('--preload <modules>', 'comma-separated modules the fork server imports once (default: the profile\'s list)')
    .option('--hf-cache <dir>', 'mount this Hugging Face cache read-only at /hf (HF_HOME) — the only host mount allowed')
    .option('--run-id <label>', 'value of the apieval.run label on this run\'s containers (default: random)')
    .option('--gold <file>', 'reference programs (same ids): tasks whose reference fails here are env_unsupported')
    .addOption(engineOption())
    .action(async (o: Record<string, unknown>) => {
      const { execCommand } = await import('../runners/exec.js');
      const { checkHostMount } = await import('../../../sandbox/mount-policy.js');
      const hf = o.hfCache as string | undefined;
      const hfCache = hf === undefined ? undefined : checkHostMount('--hf-cache', hf);
      await execCommand({
        input: o.input as string,
        output: o.output as string,
        gold: o.gold as string | undefined,
        image: o.image as string | undefined,
        profile: o.profile as 'base' | 'ml' | 'hub',
        timeoutS: o.timeoutS as number | undefined,
        memoryMb: o.memoryMb as number | undefined,
        concurrency: o.concurrency as number | undefined,
        outputKb: o.outputKb as number | undefined,
        cpus: o.cpus as number | undefined,
        preload: typeof o.preload === 'string' ? o.preload.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
        hfCache,
        ...((o.engine as EngineSpec[]).length ? { engines: o.engine as EngineSpec[] } : {}),
        runId: o.runId as string | undefined,
      });
    });
}
