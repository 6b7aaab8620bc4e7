/** Reading golden files (JSONL, optionally gzipped) for `apieval verify` and the golden tests. */
import { readJsonlAll } from '../../core/jsonl.js';

export async function readGolden<T>(file: string): Promise<T[]> {
  return readJsonlAll<T>(file);
}
