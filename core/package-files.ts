/**
 * Files that ship in the package beside the code (the default rubric, sandbox recipes and fork server, the
 * trainers' Python package, package.json). The code runs from the sources (`<root>/core/…`) or from the
 * build (`<root>/dist/core/…`); the package root is the nearest folder above this module that holds
 * apieval's package.json. One rule for every asset, instead of each module probing both layouts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package's root folder (where package.json, fixtures/, sandbox/ and trainers/python live). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'apieval') return (root = dir);
      } catch {
        /* not ours; keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`apieval installation incomplete: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** The path of a file that ships with the package, or undefined when this installation lacks it. */
export function packageFile(rel: string): string | undefined {
  const p = join(packageRoot(), rel);
  return existsSync(p) ? p : undefined;
}
