import { Command } from 'commander';
import { numericOption } from '../numeric-options.js';
import { LIMIT_RANGES } from '../../../sandbox/limits.js';
import { choiceOption } from '../choice-options.js';
import { engineOption, type EngineSpec } from '../engine-option.js';
import { PROFILE_CHOICES, type Profile } from '../profile-option.js';

export function register(program: Command): void {
  const sandbox = program.command('sandbox').description('build and check the execution sandbox (Docker)');

  sandbox
    .command('build')
    .description('build the sandbox image from Debian packages (debootstrap + docker import); rebuilt only when its recipe changes')
    .addOption(choiceOption('--profile <name>', 'base = python3; ml = + numpy, scipy, pandas, pillow, scikit-learn, torch, torchvision, torchaudio, sentencepiece, soundfile; hub = ml + emulations of transformers, diffusers, sentence-transformers, huggingface_hub, datasets (docs/hub-profile.md)', [...PROFILE_CHOICES]).default('base'))
    .option('--force', 'rebuild even when the image for this recipe exists (reuses the package cache)')
    .option('--mirror <url>', 'Debian mirror (default: the one apt uses, from /etc/apt/sources.list*)')
    .option('--data-dir <dir>', 'hub: the APIBench copy whose API database and eval references give the model ids from_pretrained accepts (else APIEVAL_DATA_DIR, else the download cache)')
    .option('--model-ids <file>', 'hub: more model ids from_pretrained accepts, one per line')
    .action(async (o: { profile: Profile; force?: boolean; mirror?: string; dataDir?: string; modelIds?: string }) => {
      let hubModelIds: string[] | undefined;
      if (o.profile === 'hub') {
        const { resolveDataDir } = await import('../../datasets/source.js');
        const { loadApiDb, loadEval } = await import('../../datasets/apibench.js');
        const { hubModelIds: idsOf, readModelIdFile } = await import('../../datasets/hub-model-ids.js');
        const extra = o.modelIds ? readModelIdFile(o.modelIds) : [];
        const dir = await resolveDataDir({ dataDir: o.dataDir, hubs: ['huggingface'] });
        hubModelIds = idsOf(loadApiDb(dir, 'huggingface'), loadEval(dir, 'huggingface'), extra);
      }
      const { buildImage } = await import('../../../sandbox/build.js');
      const r = await buildImage({ profile: o.profile, force: o.force, mirror: o.mirror, hubModelIds });
      process.stdout.write(`${r.tag}\n`);
    });

  sandbox
    .command('doctor')
    .description('check the engine and the image, and prove each isolation limit with a probe program')
    .addOption(choiceOption('--profile <name>', 'image profile to check', [...PROFILE_CHOICES]).default('base'))
    .option('--image <name>', 'check a user-provided image instead of a built profile')
    .option('--hf-cache <dir>', 'also mount this Hugging Face cache read-only, as exec would')
    .addOption(numericOption('--timeout-s <n>', 'timeout used by the timeout probe', LIMIT_RANGES.timeoutS, 3))
    .addOption(engineOption())
    .action(async (o: { profile: Profile; image?: string; hfCache?: string; timeoutS: number; engine: EngineSpec[] }) => {
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
