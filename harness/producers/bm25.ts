/**
 * Okapi BM25 exactly as `rank_bm25` 0.2.2 `BM25Okapi` computes it (k1 = 1.5, b = 0.75, epsilon = 0.25),
 * which is what Gorilla's retriever uses (gorilla eval/get_llm_responses_retriever.py and
 * eval/retrievers/bm25.py): corpus tokens are `str(doc).split(" ")`, query tokens `question.split(" ")`.
 *
 * Port notes: the floating-point operations follow rank_bm25's numpy expressions in the same order, so
 * scores are bit-identical. idf is `log(N - n + 0.5) - log(n + 0.5)`; words whose idf is negative get
 * `epsilon * mean(idf)` where the mean is summed in first-occurrence order (Python dict order).
 * `get_top_n` is `np.argsort(scores)[::-1][:n]`; numpy's default argsort is not stable, so for exactly
 * equal scores we break ties as a stable argsort reversed would: the higher corpus index first.
 *
 * `math.log` is glibc's correctly rounded log; V8's Math.log is not, so crLog stands in (see crlog.ts).
 */
import { crLog } from './crlog.js';

export interface Bm25Options {
  k1?: number;
  b?: number;
  epsilon?: number;
}

export class Bm25Okapi {
  readonly k1: number;
  readonly b: number;
  readonly epsilon: number;
  readonly corpusSize: number;
  readonly avgdl: number;
  private readonly docLen: Float64Array;
  private readonly docFreqs: Map<string, number>[];
  private readonly idf = new Map<string, number>();
  /** Inverted index: word -> [doc index, frequency] pairs, so a query touches only matching documents. */
  private readonly postings = new Map<string, [number, number][]>();

  constructor(corpus: string[][], opts: Bm25Options = {}) {
    this.k1 = opts.k1 ?? 1.5;
    this.b = opts.b ?? 0.75;
    this.epsilon = opts.epsilon ?? 0.25;
    if (corpus.length === 0) throw new Error('BM25 corpus is empty');
    const nd = new Map<string, number>();
    let numDoc = 0;
    this.docLen = new Float64Array(corpus.length);
    this.docFreqs = [];
    corpus.forEach((doc, i) => {
      this.docLen[i] = doc.length;
      numDoc += doc.length;
      const freqs = new Map<string, number>();
      for (const w of doc) freqs.set(w, (freqs.get(w) ?? 0) + 1);
      this.docFreqs.push(freqs);
      for (const [w, f] of freqs) {
        nd.set(w, (nd.get(w) ?? 0) + 1);
        let p = this.postings.get(w);
        if (!p) this.postings.set(w, (p = []));
        p.push([i, f]);
      }
    });
    this.corpusSize = corpus.length;
    this.avgdl = numDoc / this.corpusSize;
    let idfSum = 0;
    const negative: string[] = [];
    for (const [w, freq] of nd) {
      const idf = crLog(this.corpusSize - freq + 0.5) - crLog(freq + 0.5);
      this.idf.set(w, idf);
      idfSum += idf;
      if (idf < 0) negative.push(w);
    }
    const averageIdf = idfSum / this.idf.size;
    const eps = this.epsilon * averageIdf;
    for (const w of negative) this.idf.set(w, eps);
  }

  /** `get_scores(query)`: one score per corpus document. */
  scores(query: string[]): Float64Array {
    const n = this.corpusSize;
    const score = new Float64Array(n);
    const { k1, b, avgdl } = this;
    for (const q of query) {
      const idf = this.idf.get(q) ?? 0;
      // numpy adds idf * ratio to every document; for q_freq = 0 the ratio is 0 * ... / (0 + x) = 0, and
      // adding (idf * 0) = ±0 leaves every finite score unchanged, so only documents containing q matter.
      const postings = this.postings.get(q);
      if (!postings) continue;
      for (const [i, qf] of postings) {
        const denom = qf + k1 * (1 - b + (b * this.docLen[i]) / avgdl);
        score[i] += idf * ((qf * (k1 + 1)) / denom);
      }
    }
    return score;
  }

  /** Indices of the `n` best documents, best first (`get_top_n`). */
  topN(query: string[], n: number): number[] {
    const s = this.scores(query);
    // Ordered by score descending, ties by index descending (see the header). A partial insertion pass
    // keeps only n candidates: far cheaper than sorting the corpus for every question.
    const better = (a: number, c: number): boolean => s[a] > s[c] || (s[a] === s[c] && a > c);
    const top: number[] = [];
    for (let i = 0; i < s.length; i++) {
      if (top.length === n && !better(i, top[n - 1])) continue;
      let k = Math.min(top.length, n - 1);
      if (top.length < n) top.push(i);
      while (k > 0 && better(i, top[k - 1])) {
        top[k] = top[k - 1];
        k--;
      }
      top[k] = i;
    }
    return top;
  }
}
