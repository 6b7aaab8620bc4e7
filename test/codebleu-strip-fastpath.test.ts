import { describe, expect, it } from 'vitest';
import { pythonStripIsIdentity } from '../metrics/codebleu/analysis.js';
import { removeCommentsAndDocstringsPython } from '../metrics/codebleu/python-comments.js';
import { pyStrip } from '../metrics/codebleu/pystr.js';
import { GORILLA_MODELS, HUBS, loadEval, loadResponses, responsesPath } from '../harness/datasets/apibench.js';
import { APIBENCH } from './helpers/shared.js';
import { goldenCodeBleuTexts } from './helpers/golden-texts.js';

// The score fast path skips k4black's comment stripping when `pythonStripIsIdentity` says the rebuild
// cannot change the text. This checks that promise against the full port (itself checked against
// CPython 3.11's tokenize) on random one- and multi-line texts built from the characters that matter, and
// on every real text at hand (golden CodeBLEU pairs, APIBench references, Gorilla responses).
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
  it('is only taken where the full strip returns the text unchanged: random multi-line programs', () => {
    // Lines of random indentation made of pieces that move tokenize around: strings (with prefixes,
    // escapes, unclosed, triple), brackets, continuations, comments, tabs, trailing spaces, blank lines.
    const PIECES = ['x', 'if y:', 'f(', ')', '[', ']', '{', '}', ',', ' ', '  ', '=', '1', 'rb', 'f', 'u', 'ab',
      "'s'", '"t"', "'q\\'x'", "'", '"', "'''", '\\', '#c', '\t', ':', 'pass', 'return', '.', ';'];
    const rand = mulberry32(20261123);
    let taken = 0;
    let multiline = 0;
    for (let n = 0; n < 150000; n++) {
      const lines: string[] = [];
      const count = 1 + Math.floor(rand() * 5);
      for (let l = 0; l < count; l++) {
        let line = ' '.repeat([0, 0, 0, 1, 2, 4, 8][Math.floor(rand() * 7)]);
        const len = Math.floor(rand() * 7);
        for (let i = 0; i < len; i++) line += PIECES[Math.floor(rand() * PIECES.length)];
        lines.push(line);
      }
      const s = lines.join('\n');
      if (!pythonStripIsIdentity(s)) continue;
      taken++;
      if (s.includes('\n')) multiline++;
      expect(strip(s), JSON.stringify(s)).toBe(s);
    }
    expect(taken).toBeGreaterThan(4000);
    expect(multiline).toBeGreaterThan(1000);
  });
  it('is only taken where the full strip returns the text unchanged: every real text', async () => {
    const texts = await goldenCodeBleuTexts(pyStrip);
    for (const hub of HUBS) {
      for (const r of loadEval(APIBENCH, hub)) for (const t of [r.api_call, r.code, r.referenceCode ?? '']) texts.add(pyStrip(t));
      for (const model of GORILLA_MODELS) for (const r of loadResponses(responsesPath(APIBENCH, hub, model))) texts.add(pyStrip(r.text));
    }
    let taken = 0;
    let multiline = 0;
    const wrong: string[] = [];
    for (const s of texts) {
      if (!pythonStripIsIdentity(s)) continue;
      taken++;
      if (s.includes('\n')) multiline++;
      if (strip(s) !== s) wrong.push(s.slice(0, 120));
    }
    expect(wrong).toEqual([]);
    expect(taken).toBeGreaterThan(5000);
    expect(multiline).toBeGreaterThan(2000);
  }, 120_000);
  it('declines texts whose strip does change them', () => {
    for (const s of ['x = 1  # note', '"""doc"""', "f'x'", 'x\ty', 'a\n\nb', 'a\n', 'x = (1 +\n"s")', 'x = 1\n"doc"', 'if x:\n    "doc"',
      'a = 1 + \\\nb']) {
      expect(strip(s), JSON.stringify(s)).not.toBe(s); // keeps this list honest
      expect(pythonStripIsIdentity(s), JSON.stringify(s)).toBe(false);
    }
    expect(pythonStripIsIdentity("pipeline('sentiment-analysis', model='distilbert-base-uncased')")).toBe(true);
    expect(pythonStripIsIdentity("from transformers import pipeline\nclf = pipeline(\n    'sentiment-analysis',\n    model='m')\nprint(clf('I am # happy'))")).toBe(true);
  });
});
