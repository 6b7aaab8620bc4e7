import { Command } from 'commander';
import { numericOption } from '../numeric-options.js';
import { LIMIT_RANGES } from '../../../sandbox/limits.js';
import { choiceOption } from '../choice-options.js';
import { engineOption, type EngineSpec } from '../engine-option.js';

export function register(program: Command): void {
  const sandbox = program.command('sandbox').description('build and check the execution sandbox (Docker)');

  sandbox
    .command('build')
    .description('build the sandbox image from Debian packages (debootstrap + docker import); rebuilt only when its recipe changes')
    .addOption(choiceOption('--profile <name>', 'base = python3; ml = + numpy, scipy, pandas, pillow, scikit-learn, torch, torchvision, torchaudio, sentencepiece, soundfile', ['base', 'ml']).default('base'))
    .option('--force', 'rebuild even when the image for this recipe exists (reuses the package cache)')
    .option('--mirror <url>', 'Debian mirror (default: the one apt uses, from /etc/apt/sources.list*)')
    .action(async (o: { profile: 'base' | 'ml'; force?: boolean; mirror?: string }) => {
      const { buildImage } = await import('../../../sandbox/build.js');
      const r = await buildImage({ profile: o.profile, force: o.force, mirror: o.mirror });
      process.stdout.write(`${r.tag}\n`);
    });

  sandbox
    .command('doctor')
    .description('check the engine and the image, and prove each isolation limit with a probe program')
    .addOption(choiceOption('--profile <name>', 'image profile to check', ['base', 'ml']).default('base'))
    .option('--image <name>', 'check a user-provided image instead of a built profile')
    .option('--hf-cache <dir>', 'also mount this Hugging Face cache read-only, as exec would')
    .addOption(numericOption('--timeout-s <n>', 'timeout used by the timeout probe', LIMIT_RANGES.timeoutS, 3))
    .addOption(engineOption())
    .action(async (o: { profile: 'base' | 'ml'; image?: string; hfCache?: string; timeoutS: number; engine: EngineSpec[] }) => {
      const { doctor } = await import('../../../sandbox/doctor.js');
      const { checkHostMount } = await import('../../../sandbox/mount-policy.js');
      const hfCache = o.hfCache === undefined ? undefined : checkHostMount('--hf-cache', o.hfCache);
      let failed = 0;
      // Each engine is checked on its own: one that fails its probes is no sandbox, whatever the others do.
      for (const engine of o.engine.length > 0 ? o.engine : [null]) {
        if (engine) process.stdout.write(`engine ${engine.url}\n`);
        const r = await doctor({ profile: o.profile, image: o.image, hfCache, timeoutS: o.timeoutS }, (c) => {
          process.stdout.write(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}\n`);
        }, engine);
        failed += r.checks.filter((c) => !c.ok).length;
      }
      process.stdout.write(failed ? `${failed} check(s) failed\n` : 'all checks passed\n');
      if (failed) process.exitCode = 1;
    });
}
