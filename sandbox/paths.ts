import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../core/cache-root.js';
import { packageFile } from '../core/package-files.js';

/**
 * Files that ship beside the compiled code (recipes, the fork server). Sources run from sandbox/, the
 * build from dist/sandbox/: look in both layouts.
 */
export function assetPath(rel: string): string {
  const p = packageFile(join('sandbox', rel));
  if (p) return p;
  throw new Error(`apieval installation incomplete: sandbox/${rel} not found`);
}

export function readAsset(rel: string): string {
  return readFileSync(assetPath(rel), 'utf8');
}

/** Where debootstrap's packages and the built root filesystems are cached between builds. */
export function cacheDir(): string {
  return join(cacheRoot(), 'sandbox');
}
