#!/usr/bin/env node
// Entry point for `npx apieval`. The TypeScript sources are compiled to dist/ by `npm ci` (the
// `prepare` script), so the CLI starts without a TypeScript loader and stays fast.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/harness/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('apieval: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
await import(main.href);
