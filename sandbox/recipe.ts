import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../core/errors.js';
import { assetPath, readAsset } from './paths.js';

export type Profile = 'base' | 'ml' | 'hub';
export const PROFILES: readonly Profile[] = ['base', 'ml', 'hub'];

/** An image bootstrapped from Debian packages. */
export interface DebianRecipe {
  profile: Profile;
  suite: string;
  variant: string;
  packages: string[];
  /** Modules the fork server imports once per warm container. Runtime only: not part of the hash. */
  preload: string[];
}

/**
 * An image made of another profile's image and one more layer: the `hub` profile is the `ml` image plus
 * apieval's emulation of the Hub libraries (sandbox/hub/runtime, built from sandbox/hub/surfaces) and the
 * model ids it accepts (written at build time from the dataset).
 */
export interface LayerRecipe {
  profile: Profile;
  base: Profile;
  runtime: 'hub';
  preload: string[];
}

export type Recipe = DebianRecipe | LayerRecipe;

export function isLayer(r: Recipe): r is LayerRecipe {
  return 'base' in r;
}

/**
 * Bumped whenever build.ts changes what ends up in the image (post-debootstrap steps, import changes),
 * so that the tag changes and stale images are rebuilt.
 */
export const BUILD_STEPS_VERSION = 1;

export function loadRecipe(profile: string): Recipe {
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new UserError(`unknown sandbox profile '${profile}' (expected one of: ${PROFILES.join(', ')})`);
  }
  return JSON.parse(readAsset(`recipes/${profile}.json`)) as Recipe;
}

/** Bumped when the layer build (sandbox/build.ts buildLayer) changes what ends up in a layered image. */
export const LAYER_STEPS_VERSION = 1;

let runtimeFiles: { path: string; data: Buffer }[] | null = null;

/**
 * Every file of the hub runtime and its surfaces, as (relative path, contents) in path order. Read once per
 * process: the image tag, the exec signature and the build all need them (about 4 MB of surfaces).
 */
export function hubRuntimeFiles(): { path: string; data: Buffer }[] {
  if (runtimeFiles) return runtimeFiles;
  const out: { path: string; data: Buffer }[] = [];
  const walk = (root: string, dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(root, full);
      const st = statSync(full);
      if (name === '__pycache__' || name === 'model_ids.json' || name === 'surfaces') continue;
      if (st.isDirectory()) walk(root, full, prefix);
      else if (/\.(py|json)$/.test(name)) out.push({ path: prefix + rel, data: readFileSync(full) });
    }
  };
  const runtime = assetPath('hub/runtime/apieval_hub');
  walk(runtime, runtime, 'apieval_hub/');
  const surfaces = assetPath('hub/surfaces');
  walk(surfaces, surfaces, 'apieval_hub/surfaces/');
  runtimeFiles = out;
  return out;
}

let libraries: { library: string; version: string }[] | null = null;

/** The libraries the hub runtime emulates, with their pinned versions (from the surfaces' own records). */
export function hubLibraries(): { library: string; version: string }[] {
  return (libraries ??= hubRuntimeFiles()
    .filter((f) => f.path.startsWith('apieval_hub/surfaces/'))
    .map((f) => JSON.parse(f.data.toString('utf8')) as { library: string; version: string })
    .map((s) => ({ library: s.library, version: s.version })));
}

let runtimeHash: string | null = null;

/** Hash of the hub runtime and surfaces (what `env:hub-…@<hash>` in the exec signature names). */
export function hubRuntimeHash(): string {
  if (runtimeHash) return runtimeHash;
  const h = createHash('sha256');
  for (const f of hubRuntimeFiles()) h.update(f.path).update('\0').update(f.data).update('\0');
  return (runtimeHash = h.digest('hex').slice(0, 12));
}

/**
 * The exec signature's element for the hub profile: the emulated libraries at their pinned versions and the
 * hash of the runtime and surfaces, e.g. `env:hub-datasets-2.20.0+diffusers-0.29.2+…+transformers-4.41.2@1a2b3c4d5e6f`.
 */
export function hubEnvSignature(): string {
  const libs = hubLibraries().map((l) => `${l.library}-${l.version}`).sort();
  return `env:hub-${libs.join('+')}@${hubRuntimeHash()}`;
}

/** Hash of everything that determines the image's contents; the mirror is deliberately left out. */
export function recipeHash(r: Recipe): string {
  if (isLayer(r)) {
    return createHash('sha256')
      .update(JSON.stringify({ base: recipeHash(loadRecipe(r.base)), runtime: hubRuntimeHash(), steps: LAYER_STEPS_VERSION }))
      .digest('hex')
      .slice(0, 12);
  }
  const canonical = JSON.stringify({
    suite: r.suite,
    variant: r.variant,
    packages: [...r.packages].sort(),
    steps: BUILD_STEPS_VERSION,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12);
}

export function imageRepo(profile: Profile): string {
  return `apieval-sandbox-${profile}`;
}

export function imageTag(r: Recipe): string {
  return `${imageRepo(r.profile)}:${recipeHash(r)}`;
}
