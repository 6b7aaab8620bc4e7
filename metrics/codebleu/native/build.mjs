#!/usr/bin/env node
// Builds metrics/codebleu/native/build/ts_utf8.node: the UTF-8 tree-sitter parser CodeBLEU needs (see
// ts_utf8.c for why). It compiles three things that `npm ci` already put in node_modules — the tree-sitter
// core vendored by tree-sitter@0.22.4, the tree-sitter-python@0.23.6 grammar sources — plus ts_utf8.c,
// with the system C compiler and Node's own headers. No download. Usage: node metrics/codebleu/native/build.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export function nativeOutputPath() {
  return join(here, 'build', 'ts_utf8.node');
}

function nodeIncludeDir() {
  const candidates = [
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    resolve(dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  const found = candidates.find((d) => existsSync(join(d, 'node_api.h')));
  if (!found) throw new Error(`Node headers (node_api.h) not found in: ${candidates.join(', ')}`);
  return found;
}

export function buildNative({ quiet = false } = {}) {
  const tsRoot = dirname(require.resolve('tree-sitter/package.json'));
  const pyRoot = dirname(require.resolve('tree-sitter-python/package.json'));
  const core = join(tsRoot, 'vendor', 'tree-sitter', 'lib');
  const grammar = join(pyRoot, 'src');
  const out = nativeOutputPath();
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const cc = process.env.CC || 'cc';
  const args = [
    '-O3', '-shared', '-fPIC', '-std=gnu11', '-DNODE_GYP_MODULE_NAME=ts_utf8',
    `-I${nodeIncludeDir()}`, `-I${join(core, 'include')}`, `-I${join(core, 'src')}`, `-I${grammar}`,
    join(core, 'src', 'lib.c'), join(grammar, 'parser.c'), join(grammar, 'scanner.c'), join(here, 'ts_utf8.c'),
    '-o', tmp,
  ];
  if (process.platform === 'darwin') args.splice(1, 1, '-bundle', '-undefined', 'dynamic_lookup');
  try {
    execFileSync(cc, args, { stdio: quiet ? 'pipe' : 'inherit' });
    renameSync(tmp, out); // atomic: concurrent builders never load a half-written file
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = buildNative();
  process.stdout.write(`built ${out}\n`);
}
