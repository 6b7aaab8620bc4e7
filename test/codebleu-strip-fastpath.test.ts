import { describe, expect, it } from 'vitest';
import { pythonStripIsIdentity } from '../metrics/codebleu/analysis.js';
import { removeCommentsAndDocstringsPython } from '../metrics/codebleu/python-comments.js';

// The score fast path skips k4black's comment stripping when `pythonStripIsIdentity` says the rebuild
// cannot change the text. This checks that promise against the full port (itself checked against
// CPython 3.11's tokenize) on random one-line texts built from the characters that matter.
const ALPHABET = [..."abcfrbuFRBU_019 .,:;()[]{}=+-*/%<>!@&|^~'\"\\\"'#\t\u00e9"];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strip(code: string): string {
  try {
    return removeCommentsAndDocstringsPython(code);
  } catch {
    return code; // the callers keep the original text when the stripper raises
  }
}

describe('k4black strip fast path', () => {
  it('is only taken where the full strip returns the text unchanged', () => {
    const rand = mulberry32(20261122);
    let taken = 0;
    for (let n = 0; n < 20000; n++) {
      const len = 1 + Math.floor(rand() * 24);
      let s = '';
      for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      if (!pythonStripIsIdentity(s)) continue;
      taken++;
      expect(strip(s), JSON.stringify(s)).toBe(s);
    }
    expect(taken).toBeGreaterThan(1000);
  });
  it('declines texts whose strip does change them', () => {
    for (const s of ['x = 1  # note', '"""doc"""', "f'x'", ' x', 'x\ty', 'a\nb', '']) {
      expect(pythonStripIsIdentity(s), JSON.stringify(s)).toBe(false);
    }
    expect(pythonStripIsIdentity("pipeline('sentiment-analysis', model='distilbert-base-uncased')")).toBe(true);
  });
});
