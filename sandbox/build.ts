import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { docker, ensureEngine, imageExists } from './engine.js';
import { debianMirror } from './mirror.js';
import { cacheDir } from './paths.js';
import { hubRuntimeFiles, imageRepo, imageTag, isLayer, loadRecipe, recipeHash, type DebianRecipe, type LayerRecipe, type Profile } from './recipe.js';

export interface BuildResult {
  tag: string;
  built: boolean;
  /** Where the root filesystem tarball is cached (rebuilds of the same recipe just re-import it). */
  rootfs: string;
  seconds: number;
}

export interface BuildOptions {
  profile: Profile;
  force?: boolean;
  mirror?: string;
  log?: (line: string) => void;
  /** The hub profile: the model ids its `from_pretrained` accepts (written into the image). */
  hubModelIds?: readonly string[];
}

/**
 * Builds `apieval-sandbox-<profile>:<recipe hash>`: debootstrap (minbase) from the Debian mirror apt
 * already uses, a few clean-up steps, `docker import`. No image registry is involved. The downloaded
 * packages (shared between profiles) and the finished root filesystem tarball are cached, so a rebuild
 * of an unchanged recipe only re-imports, and a changed recipe downloads only new packages.
 */
export async function buildImage(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const t0 = Date.now();
  const recipe = loadRecipe(opts.profile);
  const tag = imageTag(recipe);
  const hash = recipeHash(recipe);
  const dir = cacheDir();
  const tarball = join(dir, 'rootfs', `${recipe.profile}-${hash}.tar`);
  await ensureEngine();

  if (!opts.force && (await imageExists(tag)) && (!isLayer(recipe) || (await imageLabel(tag, MODEL_IDS_LABEL)) === modelIdsHash(opts.hubModelIds))) {
    log(`sandbox build: ${tag} is up to date`);
    return { tag, built: false, rootfs: tarball, seconds: (Date.now() - t0) / 1000 };
  }
  if (isLayer(recipe)) {
    const base = await buildImage({ profile: recipe.base, mirror: opts.mirror, log });
    await buildLayer(recipe, base.tag, hash, dir, opts, log);
    await docker().getImage(tag).tag({ repo: imageRepo(recipe.profile), tag: 'latest' });
    const seconds = (Date.now() - t0) / 1000;
    log(`sandbox build: built ${tag} in ${seconds.toFixed(1)} s`);
    return { tag, built: true, rootfs: base.rootfs, seconds };
  }
  if (!existsSync(tarball) || opts.force) {
    await bootstrapRootfs(recipe as DebianRecipe, hash, dir, tarball, opts.mirror, log);
  } else {
    log(`sandbox build: reusing cached root filesystem ${tarball}`);
  }
  log(`sandbox build: importing ${tag}`);
  await importTarball(tarball, recipe.profile, hash);
  // `latest` lets people find the newest build by hand; the harness always uses the recipe tag.
  await docker().getImage(tag).tag({ repo: imageRepo(recipe.profile), tag: 'latest' });
  const seconds = (Date.now() - t0) / 1000;
  log(`sandbox build: built ${tag} in ${seconds.toFixed(1)} s`);
  return { tag, built: true, rootfs: tarball, seconds };
}

/** The hub image's label recording which model ids it accepts (a different list rebuilds it). */
const MODEL_IDS_LABEL = 'apieval.model_ids';

function modelIdsHash(ids: readonly string[] | undefined): string {
  return createHash('sha256').update(JSON.stringify([...new Set(ids ?? [])].sort())).digest('hex').slice(0, 16);
}

async function imageLabel(tag: string, label: string): Promise<string | undefined> {
  const info = (await docker().getImage(tag).inspect()) as { Config?: { Labels?: Record<string, string> | null } };
  return info.Config?.Labels?.[label];
}

/**
 * A layered image: the base profile's image plus the hub runtime (its Python package and surfaces, in
 * dist-packages, started by a .pth file) and the model ids it accepts. Built with the engine's own image
 * builder from a context folder; no registry is involved (the base image is local).
 */
async function buildLayer(recipe: LayerRecipe, baseTag: string, hash: string, dir: string, opts: BuildOptions, log: (l: string) => void): Promise<void> {
  if (!opts.hubModelIds || opts.hubModelIds.length === 0) {
    throw new UserError('sandbox build --profile hub needs the model ids it accepts (the dataset: pass --data-dir or let apieval download APIBench)');
  }
  const ctx = join(dir, 'work', `${recipe.profile}-${hash}`);
  rmSync(ctx, { recursive: true, force: true });
  for (const f of hubRuntimeFiles()) {
    const target = join(ctx, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.data);
  }
  writeFileSync(join(ctx, 'apieval_hub', 'model_ids.json'), JSON.stringify([...new Set(opts.hubModelIds)].sort()) + '\n');
  writeFileSync(join(ctx, 'apieval_hub.pth'), 'import apieval_hub; apieval_hub.install()\n');
  writeFileSync(
    join(ctx, 'Dockerfile'),
    [
      `FROM ${baseTag}`,
      'COPY apieval_hub /usr/lib/python3/dist-packages/apieval_hub',
      'COPY apieval_hub.pth /usr/lib/python3/dist-packages/apieval_hub.pth',
      `LABEL ${MODEL_IDS_LABEL}=${modelIdsHash(opts.hubModelIds)}`,
      '',
    ].join('\n'),
  );
  const logFile = join(dir, 'logs', `${recipe.profile}-${hash}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const contextTar = `${ctx}.tar`;
  await run('tar', ['-C', ctx, '--numeric-owner', '--owner=0', '--group=0', '-cf', contextTar, '.'], logFile);
  log(`sandbox build: ${imageRepo(recipe.profile)}:${hash} = ${baseTag} + the hub runtime (${opts.hubModelIds.length} model ids); log: ${logFile}`);
  const d = docker();
  const stream = await d.buildImage(contextTar, { t: `${imageRepo(recipe.profile)}:${hash}`, rm: true, forcerm: true, networkmode: 'none' } as object);
  await new Promise<void>((resolve, reject) => {
    d.modem.followProgress(stream, (err: Error | null, res: { error?: string; errorDetail?: { message?: string }; stream?: string }[]) => {
      const out = createWriteStream(logFile, { flags: 'a' });
      for (const r of res ?? []) if (r.stream) out.write(r.stream);
      out.end();
      const failed = err ?? res.find((r) => r.error || r.errorDetail);
      if (failed) reject(new UserError(`building the ${recipe.profile} layer failed: ${(failed as Error).message ?? JSON.stringify(failed)}`));
      else resolve();
    });
  });
  rmSync(ctx, { recursive: true, force: true });
  rmSync(contextTar, { force: true });
  if (!(await imageExists(`${imageRepo(recipe.profile)}:${hash}`))) throw new UserError('the image build reported success but the image is missing');
}

async function bootstrapRootfs(recipe: DebianRecipe, hash: string, dir: string, tarball: string, mirrorOpt: string | undefined, log: (l: string) => void): Promise<void> {
  if (process.getuid && process.getuid() !== 0) {
    throw new UserError('sandbox build needs root (debootstrap creates device nodes and chowns files); run it with sudo, or bring an image with --image');
  }
  if (spawnSync('debootstrap', ['--version'], { stdio: 'ignore' }).error) {
    throw new UserError('debootstrap not found; install it (apt-get install -y debootstrap) or bring an image with --image');
  }
  const mirror = mirrorOpt ?? process.env.APIEVAL_DEBIAN_MIRROR ?? debianMirror(recipe.suite);
  if (!mirror) {
    throw new UserError(`no Debian mirror for '${recipe.suite}' in /etc/apt/sources.list*; pass --mirror URL (or set APIEVAL_DEBIAN_MIRROR)`);
  }
  const work = join(dir, 'work', `${recipe.profile}-${hash}`);
  const debs = join(dir, 'debs');
  const logFile = join(dir, 'logs', `${recipe.profile}-${hash}.log`);
  for (const d of [debs, join(dir, 'rootfs'), join(dir, 'logs'), join(dir, 'work')]) mkdirSync(d, { recursive: true });
  rmSync(work, { recursive: true, force: true });

  const args = [`--variant=${recipe.variant}`, `--cache-dir=${debs}`, `--include=${recipe.packages.join(',')}`, recipe.suite, work, mirror];
  log(`sandbox build: debootstrap ${recipe.suite} (${recipe.packages.length} packages) from ${mirror}; log: ${logFile}`);
  await run('debootstrap', args, logFile);

  // Clean-ups that make the image smaller and its contents a function of the recipe alone.
  for (const p of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'debootstrap']) {
    rmSync(join(work, p), { recursive: true, force: true });
  }
  mkdirSync(join(work, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(join(work, 'var/lib/apt/lists/partial'), { recursive: true });
  // Mount points for the tmpfs work dir and the optional read-only Hugging Face cache.
  for (const p of ['work', 'hf']) {
    mkdirSync(join(work, p), { recursive: true });
    chmodSync(join(work, p), 0o1777);
  }
  if (!readFileSync(join(work, 'etc/passwd'), 'utf8').includes(':65534:')) {
    throw new Error('the root filesystem has no uid 65534 (nobody); the sandbox runs samples as that user');
  }
  const tmp = `${tarball}.tmp`;
  await run('tar', ['-C', work, '--numeric-owner', '-cf', tmp, '.'], logFile);
  renameSync(tmp, tarball);
  rmSync(work, { recursive: true, force: true });
}

function run(cmd: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(logFile, { flags: 'a' });
    out.write(`$ ${cmd} ${args.join(' ')}\n`);
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.pipe(out, { end: false });
    p.stderr.pipe(out, { end: false });
    p.on('error', (e) => reject(new UserError(`${cmd}: ${e.message}`)));
    p.on('close', (code) => {
      out.end();
      if (code === 0) return resolve();
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
      reject(new UserError(`${cmd} failed (exit ${code}); see ${logFile}:\n${tail}`));
    });
  });
}

async function importTarball(tarball: string, profile: Profile, hash: string): Promise<void> {
  const d = docker();
  const stream = await d.importImage(tarball, {
    repo: imageRepo(profile),
    tag: hash,
    changes: [
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'ENV LANG=C.UTF-8',
      'USER 65534:65534',
      'WORKDIR /work',
      'CMD ["python3"]',
    ],
  } as object);
  await new Promise<void>((resolve, reject) => {
    d.modem.followProgress(stream, (err: Error | null, res: { error?: string; errorDetail?: { message?: string } }[]) => {
      const failed = err ?? res.find((r) => r.error || r.errorDetail);
      if (failed) reject(new UserError(`docker import failed: ${(failed as Error).message ?? JSON.stringify(failed)}`));
      else resolve();
    });
  });
  if (!(await imageExists(`${imageRepo(profile)}:${hash}`))) throw new UserError('docker import reported success but the image is missing');
}
