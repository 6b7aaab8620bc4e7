/**
 * Loads the UTF-8 tree-sitter addon (metrics/codebleu/native/ts_utf8.c; why it exists is explained there).
 *
 * It is built by `node metrics/codebleu/native/build.mjs` (from sources already in node_modules, with the
 * system C compiler). If it has not been built yet, the first use builds it (about 10 s, once). If that is
 * impossible (no compiler), CodeBLEU falls back to node-tree-sitter's UTF-16 parser, warns once on stderr,
 * and marks its signature `parser:utf16`: on unparsable code its syntax/dataflow values can then differ
 * from the Python reference.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeParser {
  parse(code: string): Int32Array;
  symbols(): [string, boolean][];
  fields(): string[];
  nodeStrings(code: string): string[];
}

export const NODE_FIELDS = 10;

let loaded: NativeParser | null | undefined;
let failure = '';

function nativeDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const cand = join(dir, 'metrics', 'codebleu', 'native');
    if (existsSync(join(cand, 'build.mjs'))) return cand;
    const local = join(dir, 'native');
    if (existsSync(join(local, 'build.mjs'))) return local;
    dir = dirname(dir);
  }
  return null;
}

/** The addon, or null (with {@link nativeFailure} saying why) when it cannot be built or loaded. */
export function nativeParser(): NativeParser | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  const dir = nativeDir();
  if (!dir) {
    failure = 'metrics/codebleu/native not found';
    return null;
  }
  const file = join(dir, 'build', 'ts_utf8.node');
  try {
    if (!existsSync(file) && process.env.APIEVAL_NO_NATIVE_BUILD !== '1') {
      process.stderr.write('apieval: building the UTF-8 tree-sitter parser CodeBLEU needs (once, about 15 s)...\n');
      execFileSync(process.execPath, [join(dir, 'build.mjs')], { stdio: 'pipe' });
    }
    if (process.env.APIEVAL_NATIVE_PARSER === '0') throw new Error('disabled by APIEVAL_NATIVE_PARSER=0');
    const require = createRequire(import.meta.url);
    loaded = require(file) as NativeParser;
  } catch (e) {
    const err = e as { stderr?: Buffer; message?: string };
    failure = (err.stderr?.toString().trim() || err.message || String(e)).split('\n')[0];
    loaded = null;
  }
  return loaded;
}

export function nativeFailure(): string {
  return failure;
}
