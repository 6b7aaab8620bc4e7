import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (it goes into signatures and run manifests). */
export const VERSION: string = (() => {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')).version as string;
    } catch {
      /* try the next layout: sources run from harness/, compiled code from dist/harness/ */
    }
  }
  return '0.0.0';
})();
