import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import { readAsset } from './paths.js';

export type Profile = 'base' | 'ml';
export const PROFILES: readonly Profile[] = ['base', 'ml'];

export interface Recipe {
  profile: Profile;
  suite: string;
  variant: string;
  packages: string[];
  /** Modules the fork server imports once per warm container. Runtime only: not part of the hash. */
  preload: string[];
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

/** Hash of everything that determines the image's contents; the mirror is deliberately left out. */
export function recipeHash(r: Recipe): string {
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
