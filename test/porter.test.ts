import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoStemmer, porterStem } from '../metrics/rouge/porter.js';
import { sharedPath } from './helpers/shared.js';

describe('Porter stemmer (NLTK 3.8 PorterStemmer(), NLTK_EXTENSIONS)', () => {
  it('matches NLTK on every word of the golden dictionary table', () => {
    const table = JSON.parse(gunzipSync(readFileSync(sharedPath('golden/porter_nltk_default.json.gz'))).toString('utf8')) as {
      mode: string;
      stems: Record<string, string>;
    };
    expect(table.mode).toMatch(/NLTK_EXTENSIONS/);
    const words = Object.keys(table.stems);
    expect(words.length).toBeGreaterThan(40_000);
    const wrong: string[] = [];
    for (const w of words) {
      const got = porterStem(w);
      if (got !== table.stems[w]) wrong.push(`${w}: got ${got}, NLTK ${table.stems[w]}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(wrong.length).toBe(0);
  });

  // Hand-checked against python3-nltk 3.8 (`PorterStemmer().stem(w)`), one per NLTK extension.
  it.each([
    ['skies', 'sky'], // irregular pool
    ['dying', 'die'],
    ['news', 'news'],
    ['innings', 'inning'],
    ['dies', 'die'], // 4-letter -ies
    ['flies', 'fli'],
    ['died', 'die'], // 4-letter -ied
    ['spied', 'spi'],
    ['enjoy', 'enjoy'], // y -> i only after a consonant
    ['happy', 'happi'],
    ['by', 'by'], // length <= 2 untouched
    ['radically', 'radic'], // alli first, then step 2 again
    ['archaeology', 'archaeolog'], // logi
    ['geology', 'geolog'],
    ['hopefully', 'hope'], // fulli
    ['controlling', 'control'],
    ['agreed', 'agre'],
    ['feed', 'feed'],
    ['hopping', 'hop'],
    ['filing', 'file'],
    ['falling', 'fall'],
    ['generalizations', 'gener'],
    ['2023', '2023'],
    ['abc123ing', 'abc123'],
  ])('%s -> %s', (w, s) => {
    expect(porterStem(w)).toBe(s);
  });

  it('memoises', () => {
    const m = new MemoStemmer();
    expect(m.stem('running')).toBe('run');
    expect(m.stem('running')).toBe('run');
    expect(m.size).toBe(1);
  });
});
