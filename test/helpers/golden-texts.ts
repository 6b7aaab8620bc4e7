import { readGolden } from '../../harness/score/golden-files.js';
import type { GoldenPair } from '../../metrics/golden.js';
import { sharedPath } from './shared.js';

/** Every reference and prediction text of the golden CodeBLEU pairs, once each (after `map`). */
export async function goldenCodeBleuTexts(map: (text: string) => string = (t) => t): Promise<Set<string>> {
  const texts = new Set<string>();
  for (const p of await readGolden<GoldenPair>(sharedPath('golden', 'codebleu_pairs.jsonl.gz'))) {
    for (const r of Array.isArray(p.reference) ? p.reference : [p.reference]) texts.add(map(r));
    texts.add(map(p.prediction));
  }
  return texts;
}

/**
 * Checks that integer ids stand one to one for strings: {@link record} each (string, id) seen; a string
 * met with two ids, or an id with two strings, lands in `mismatches`.
 */
export class OneToOne {
  readonly mismatches: string[] = [];
  private idOf = new Map<string, number>();
  private stringOf = new Map<number, string>();
  records = 0;

  get distinct(): number {
    return this.idOf.size;
  }

  record(str: string, id: number): void {
    this.records++;
    if ((this.idOf.get(str) ?? id) !== id || (this.stringOf.get(id) ?? str) !== str) this.mismatches.push(str.slice(0, 80));
    this.idOf.set(str, id);
    this.stringOf.set(id, str);
  }
}
