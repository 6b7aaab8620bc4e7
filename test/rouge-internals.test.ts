import { describe, expect, it } from 'vitest';
import { readJsonlAll } from '../core/jsonl.js';
import { RougeScorer } from '../metrics/rouge/index.js';
import { MemoStemmer, porterStem } from '../metrics/rouge/porter.js';
import { TokenInterner, tokenize, type TokenIds } from '../metrics/rouge/tokenize.js';
import { MT19937 } from '../metrics/random/mt19937.js';
import { sharedPath } from './helpers/shared.js';

/*
 * The scorer's fast paths (interned token ids, bit-parallel LCS length, the one-line rougeLsum shortcut,
 * the sentence-signature skip) must agree with the straightforward transcription of the Python code.
 * These tests compare them on the golden texts and on seeded random token sequences.
 */

/** `_lcs_table(ref, can)[-1][-1]`, written as in rouge_scorer.py. */
function lcsDp(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) t[i][j] = a[i - 1] === b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
  }
  return t[a.length][b.length];
}

const pairs = await readJsonlAll<{ id: string; reference: string; prediction: string }>(sharedPath('golden/rouge_pairs.jsonl.gz'));

describe('rouge internals', () => {
  for (const stem of [false, true]) {
    it(`interned ids give the same token sequence and line split as tokenize() (stemmer ${stem})`, () => {
      const interner = new TokenInterner(stem ? porterStem : undefined);
      const memo = new MemoStemmer();
      const refStem = stem ? (w: string): string => memo.stem(w) : undefined;
      const out: TokenIds = { ids: new Int32Array(4), length: 0, lineEnds: [] };
      const idOf = new Map<string, number>();
      let checked = 0;
      const wrong: string[] = []; // collected, then asserted once (expect() per token is slow)
      for (const p of pairs) {
        for (const text of [p.reference, p.prediction]) {
          interner.tokenize(text, out);
          const want = tokenize(text, refStem);
          if (out.length !== want.length) wrong.push(`${p.id}: ${out.length} ids vs ${want.length} tokens`);
          for (let i = 0; i < want.length && i < out.length; i++) {
            // ids must be a bijection with the Python token strings
            const prev = idOf.get(want[i]);
            if (prev === undefined) idOf.set(want[i], out.ids[i]);
            else if (out.ids[i] !== prev) wrong.push(`${p.id}: token ${want[i]} got id ${out.ids[i]}, earlier ${prev}`);
          }
          // line ends: the tokens of each "\n"-line, as rougeLsum tokenizes them
          const lineTokens = text.split('\n').map((l) => tokenize(l, refStem).length);
          let acc = 0;
          const ends = lineTokens.slice(0, -1).map((n) => (acc += n));
          if (ends.join() !== out.lineEnds.join()) wrong.push(`${p.id}: line ends ${out.lineEnds.join()} vs ${ends.join()}`);
          checked++;
        }
      }
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(new Set(idOf.values()).size).toBe(idOf.size);
      expect(checked).toBe(pairs.length * 2);
    });
  }

  it('bit-parallel rougeL equals the DP on long random sequences (multi-word carries)', () => {
    const rng = new MT19937(2024);
    const scorer = new RougeScorer({ rougeTypes: ['rougeL'] });
    for (let trial = 0; trial < 300; trial++) {
      const alpha = 1 + rng.randintOne(0, 12);
      const la = rng.randintOne(0, 200);
      const lb = rng.randintOne(0, 200);
      const a = Array.from({ length: la }, () => `t${rng.randintOne(0, alpha)}`);
      const b = Array.from({ length: lb }, () => `t${rng.randintOne(0, alpha)}`);
      const got = scorer.score(a.join(' '), b.join(' ')).rougeL;
      const lcs = la && lb ? lcsDp(a, b) : 0;
      expect(got.precision).toBe(lb ? lcs / lb : 0);
      expect(got.recall).toBe(la ? lcs / la : 0);
    }
  });

  it('rougeLsum one-line shortcut and signature skip agree with rougeL / multi-line texts', () => {
    const scorer = new RougeScorer();
    const s = scorer.score('a b c a b', 'b a c b');
    expect(s.rougeLsum).toEqual(s.rougeL);
    expect(s.rougeLsum).not.toBe(s.rougeL); // separate objects: callers may mutate one
    // Lines that share no token are skipped; result must equal the unskipped Python value
    // (rouge_scorer.py: hits = 2 ("a", "d" reachable), m = 4, n = 4).
    const m = scorer.score('a b\nc d', 'x a\nd y');
    expect(m.rougeLsum).toEqual({ precision: 0.5, recall: 0.5, fmeasure: 0.5 });
  });
});

describe('token interner memory bound', () => {
  it('drops its tables between calls past the bound and keeps producing consistent ids', () => {
    const interner = new TokenInterner(porterStem, 8);
    const out: TokenIds = { ids: new Int32Array(1), length: 0, lineEnds: [] };
    const texts = pairs.slice(0, 200).map((p) => p.reference);
    for (const text of texts) {
      interner.maybeReset();
      interner.tokenize(text, out);
      const want = tokenize(text, porterStem);
      expect(out.length).toBe(want.length);
      const seen = new Map<string, number>();
      for (let i = 0; i < want.length; i++) {
        const prev = seen.get(want[i]);
        if (prev === undefined) seen.set(want[i], out.ids[i]);
        else expect(out.ids[i]).toBe(prev);
      }
      expect(new Set(seen.values()).size).toBe(seen.size);
    }
    expect(interner.vocabularySize).toBeLessThan(400);
  });
});

describe('rouge2 with a very large vocabulary', () => {
  it('falls back to sorted-key merging when vocab² exceeds int32 and still counts like _score_ngrams', () => {
    const rng = new MT19937(99);
    // 50,000 distinct tokens on each side plus shared bigrams, so the per-call vocabulary is > 46,341.
    const a = Array.from({ length: 50_000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 50_000 }, (_, i) => `b${i}`);
    const shared = Array.from({ length: 300 }, () => `s${rng.randintOne(0, 20)}`);
    const t = [...a.slice(0, 25_000), ...shared, ...a.slice(25_000)];
    const p = [...shared.slice(100), ...b, ...shared.slice(0, 150)];
    const count = (x: string[]): Map<string, number> => {
      const m = new Map<string, number>();
      for (let i = 0; i + 1 < x.length; i++) m.set(`${x[i]} ${x[i + 1]}`, (m.get(`${x[i]} ${x[i + 1]}`) ?? 0) + 1);
      return m;
    };
    const tc = count(t);
    const pc = count(p);
    let inter = 0;
    for (const [k, c] of tc) inter += Math.min(c, pc.get(k) ?? 0);
    expect(inter).toBeGreaterThan(0);
    const got = new RougeScorer({ rougeTypes: ['rouge2'] }).score(t.join(' '), p.join(' ')).rouge2;
    expect(got.precision).toBe(inter / (p.length - 1));
    expect(got.recall).toBe(inter / (t.length - 1));
  });
});
