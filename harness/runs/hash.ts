import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

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
