import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The reference data sits beside the checkout (`../shared`), never inside it. Tests fail loudly rather
 * than skip when it is missing: a golden test that silently passes proves nothing.
 */
export const SHARED = resolve(process.env.APIEVAL_SHARED ?? resolve(import.meta.dirname, '../../../shared'));
export const GOLDEN = resolve(SHARED, 'golden');
export const APIBENCH = resolve(SHARED, 'apibench');

export function sharedPath(...parts: string[]): string {
  const p = resolve(SHARED, ...parts);
  if (!existsSync(p)) throw new Error(`test data missing: ${p} (set APIEVAL_SHARED to the shared/ folder)`);
  return p;
}
