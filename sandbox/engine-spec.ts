/** Engine specifications (`--engine`), parsed without loading the Docker client. */
import { UserError } from '../core/errors.js';
import { inRange } from '../core/numeric-range.js';
import { LIMIT_RANGES } from './limits.js';
import type { EngineSpec } from './types.js';

export type { EngineSpec } from './types.js';


export function parseEngineSpec(s: string): EngineSpec {
  const [url, ...opts] = s.split(',');
  const bad = (why: string) => new UserError(`--engine '${s}': ${why} (e.g. unix:///var/run/docker.sock, tcp://10.0.0.2:2376,tls=/certs,concurrency=4, ssh://me@host)`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad('not a URL');
  }
  if (!['unix:', 'tcp:', 'ssh:'].includes(u.protocol)) throw bad(`unknown scheme ${u.protocol.replace(':', '')}`);
  if (u.protocol === 'tcp:' && (!u.hostname || !u.port)) throw bad('a tcp engine needs host:port');
  if (u.protocol === 'unix:' && !u.pathname) throw bad('a unix engine needs the socket path');
  const spec: EngineSpec = { url };
  for (const o of opts) {
    const [k, v] = o.split('=');
    if (k === 'concurrency') {
      const n = Number(v);
      if (!/^\d+$/.test(v ?? '') || !inRange(n, LIMIT_RANGES.concurrency)) throw bad('concurrency must be an integer 1–1024');
      spec.concurrency = n;
    } else if (k === 'tls' && v) {
      if (u.protocol !== 'tcp:') throw bad('tls= applies to tcp engines');
      spec.tlsDir = v;
    } else throw bad(`unknown option '${o}'`);
  }
  return spec;
}

