/**
 * The one rule for where apieval caches things (responses, the APIBench download, sandbox build files):
 * `$APIEVAL_CACHE_DIR` when set and not empty, else `$XDG_CACHE_HOME/apieval`, else `~/.cache/apieval`.
 * Each user of the cache takes its own sub-folder of this root.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (set(env.APIEVAL_CACHE_DIR)) return resolve(env.APIEVAL_CACHE_DIR);
  return resolve(set(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(homedir(), '.cache'), 'apieval');
}
