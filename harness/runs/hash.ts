import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

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

export function fileSha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}
