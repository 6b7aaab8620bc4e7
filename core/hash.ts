import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/**
 * The signature as it enters a cache key, with apieval's own version of the metric's implementation.
 * Signatures name the upstream reference a metric reproduces; a fix in apieval's port (or in the sandbox's
 * classification) changes values without changing that reference, so without this a rerun into an existing
 * run directory would silently keep the old values. Version 1 adds nothing: keys written before versions
 * were recorded are version 1's, and stay valid.
 */
export function versionedSignature(signature: string, implementation: number): string {
  if (!Number.isInteger(implementation) || implementation < 1) throw new RangeError(`implementation version must be a positive integer, got ${implementation}`);
  return implementation === 1 ? signature : `${signature}|impl:${implementation}`;
}

/**
 * Cache key of one metric on one sample: the metric's signature plus every input it reads, hashed. A
 * changed signature (another CodeBLEU variant, a new sandbox image) or a changed response invalidates
 * exactly the affected values. 64 bits of sha256 are plenty for a few million keys per run directory.
 */
export function cacheKey(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(p.length));
    h.update(':');
    h.update(p);
  }
  return h.digest('hex').slice(0, 16);
}

/** sha256 of a file, read in 4 MiB pieces (a checkpoint's weights can be gigabytes). */
export function fileSha256(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 << 20);
    let n: number;
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
