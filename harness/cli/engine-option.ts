/** `--engine SPEC` (repeatable): the Docker engines a sandboxed command spreads its programs over. */
import { Option } from 'commander';
import { parseEngineSpec, type EngineSpec } from '../../sandbox/engine-spec.js';

export function engineOption(): Option {
  return new Option(
    '--engine <spec>',
    'a Docker engine to run programs on (repeatable; programs go to the engine with the most free capacity): unix:///var/run/docker.sock, tcp://HOST:PORT[,tls=DIR], ssh://USER@HOST, each with [,concurrency=N]',
  )
    .argParser((v: string, prev: EngineSpec[]) => [...prev, parseEngineSpec(v)])
    .default([] as EngineSpec[], 'the default engine');
}

export type { EngineSpec };
