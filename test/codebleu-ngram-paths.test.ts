import { describe, expect, it } from 'vitest';
import { bothNgramStats, bothNgramStatsGeneral } from '../metrics/codebleu/bleu.js';
import { rng } from './helpers/rng.js';

// bothNgramStats keys n-grams by number when a sample's vocabulary is small enough for exact keys and by
// string otherwise. The golden tests only reach the numeric path, so the string path is checked here on a
// sample with more distinct tokens than the numeric keys allow, against counts worked out by hand, and
// the numeric path on a small hand-counted sample.
describe('CodeBLEU n-gram statistics, string-keyed path', () => {
  it('counts a 12,000-token sample with all-distinct tokens exactly', () => {
    const n = 12000;
    const tokens = Array.from({ length: n }, (_, i) => `t${i}`);
    tokens[0] = 'def'; // one keyword: weight 1 instead of 0.2
    const hyp = tokens.slice(0, n - 2).concat(['x', 'y']); // the last two tokens differ from the reference
    const { ngram, weighted } = bothNgramStats([tokens], hyp, new Set(['def']));
    // n-gram precision counts: hypothesis n-grams that occur in the reference, over hypothesis n-grams.
    expect(ngram.num).toEqual([n - 2, n - 3, n - 4, n - 5]);
    expect(ngram.den).toEqual([n, n - 1, n - 2, n - 3]);
    expect(ngram.hyp_len).toBe(n);
    expect(ngram.ref_len).toBe(n);
    // weighted unigrams: matched reference tokens' weights over all reference tokens' weights.
    expect(weighted.num[0]).toBeCloseTo(1 + (n - 3) * 0.2, 9);
    expect(weighted.den[0]).toBeCloseTo(1 + (n - 1) * 0.2, 9);
    // higher orders are clipped counts over reference counts
    expect(weighted.num.slice(1)).toEqual([n - 3, n - 4, n - 5]);
    expect(weighted.den.slice(1)).toEqual([n - 1, n - 2, n - 3]);
    expect(weighted.ref_len).toBe(2);
  });
  it('counts a small sample (numeric path) by hand too', () => {
    const ref = 'import torch model = torch . load ( path ) model . eval ( )'.split(' ');
    const hyp = 'import torch model = torch . load ( p ) model . eval ( )'.split(' ');
    const small = bothNgramStats([ref], hyp, new Set(['import']));
    expect(small.ngram.num[0]).toBe(hyp.length - 1);
    expect(small.weighted.num[0]).toBeCloseTo(1 + (ref.length - 2) * 0.2, 12);
  });
  it('the single-reference path (counts kept per reference) equals the general path on random samples', () => {
    const random = rng(20261123);
    const next = (): number => Math.floor(random() * 0x100000000);
    const vocab = ['import', 'def', 'x', 'y', '(', ')', '.', 'model', '=', 'return', 'é', 'torch'];
    const pick = (len: number): string[] => Array.from({ length: len }, () => vocab[next() % vocab.length]);
    const keywordSets = [new Set(['import', 'def', 'return']), new Set<string>(), new Set(['x'])];
    let checked = 0;
    for (let r = 0; r < 60; r++) {
      const ref = pick(next() % 40);
      for (let h = 0; h < 8; h++) {
        const hyp = pick(next() % 40);
        const kw = keywordSets[(r + h) % keywordSets.length];
        // exact equality: the same values summed in the same order
        expect(bothNgramStats([ref], hyp, kw)).toEqual(bothNgramStatsGeneral([ref], hyp, kw));
        checked++;
      }
    }
    expect(checked).toBe(480);
  });
  it('reuses a reference\'s counts across hypotheses and keyword sets without changing any number', () => {
    const ref = 'model = AutoModel . from_pretrained ( name ) ; import torch ; model ( x ) model'.split(' ');
    const hyps = ['model = AutoModel . from_pretrained ( other ) ; import numpy', 'import torch model ( y )', '', 'zzz yyy model model model'];
    const kwA = new Set(['import']);
    const kwB = new Set(['model']);
    for (const kw of [kwA, kwB, kwA]) {
      for (const h of hyps) {
        const hyp = h ? h.split(' ') : [];
        // the same array each time (cached counts) against a fresh copy (computed from scratch)
        expect(bothNgramStats([ref], hyp, kw)).toEqual(bothNgramStats([[...ref]], hyp, kw));
      }
    }
  });
});
