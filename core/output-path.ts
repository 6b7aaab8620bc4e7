/**
 * Where a command may write. Checked before anything is written, so that a slip on the command line
 * (`--output` given the input's name, a run folder inside the APIBench copy) is a one-line error rather
 * than a user's data silently replaced. Two rules, the same in every command:
 *
 * 1. An output file is never one of the command's input files: the same path, or another name for the
 *    same file (a symlink or hard link: compared by device and inode).
 * 2. Nothing is written inside the data folder (the APIBench copy or the download cache): those files are
 *    checked against pinned hashes and are inputs of every run.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserError } from './errors.js';

/** A path given to a flag; `path` undefined when the flag was not given. */
export interface FlagPath {
  flag: string;
  path: string | undefined;
}

/** The real location of a path that may not exist yet: its deepest existing ancestor resolved, plus the rest. */
export function realLocation(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(basename(head));
    head = up;
  }
  let real = head;
  try {
    real = realpathSync(head);
  } catch {
    /* unreadable ancestor: compare by the resolved path */
  }
  return tail.length ? join(real, ...tail) : real;
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.isFile() && y.isFile() && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function isInside(child: string, dir: string): boolean {
  const c = realLocation(child);
  const d = realLocation(dir);
  return c === d || c.startsWith(d.endsWith(sep) ? d : d + sep);
}

/**
 * Refuses each output that is one of the inputs or lies in the data folder. Outputs are files, except
 * those marked `dir` (a run folder): a folder may not be or lie in the data folder, and the files the
 * command will write in it (`writes`) may not be inputs.
 */
export function refuseUnsafeOutputs(
  outputs: (FlagPath & { dir?: boolean; writes?: string[] })[],
  inputs: FlagPath[],
  dataDir?: string,
): void {
  for (const out of outputs) {
    if (out.path === undefined || out.path === '-') continue;
    const files = [out.path, ...(out.dir ? (out.writes ?? []).map((f) => join(out.path!, f)) : [])];
    for (const f of files) {
      for (const inp of inputs) {
        if (inp.path === undefined || inp.path === '-') continue;
        if (realLocation(f) === realLocation(inp.path) || sameFile(f, inp.path)) {
          const what = f !== out.path ? `${out.flag} ${out.path}: would overwrite ${f}, which is ${inp.flag}` : `${out.flag} ${out.path}: is the same ${out.dir ? 'path' : 'file'} as ${inp.flag} ${inp.path}`;
          throw new UserError(`${what} (an output never replaces an input; write somewhere else)`);
        }
      }
    }
    if (dataDir !== undefined && existsSync(dataDir) && isInside(out.path, dataDir)) {
      throw new UserError(`${out.flag} ${out.path}: inside the data folder ${dataDir} (its files are pinned inputs; write somewhere else)`);
    }
  }
}
