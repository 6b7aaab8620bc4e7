import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from '../core/cache-root.js';

/**
 * Files that ship beside the compiled code (recipes, the fork server). Sources run from sandbox/, the
 * build from dist/sandbox/: look in both layouts.
 */
export function assetPath(rel: string): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const base of [here, resolve(here, '../../sandbox')]) {
    const p = join(base, rel);
    if (existsSync(p)) return p;
  }
  throw new Error(`apieval installation incomplete: sandbox/${rel} not found`);
}

export function readAsset(rel: string): string {
  return readFileSync(assetPath(rel), 'utf8');
}

/** Where debootstrap's packages and the built root filesystems are cached between builds. */
export function cacheDir(): string {
  return join(cacheRoot(), 'sandbox');
}
