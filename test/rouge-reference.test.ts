import { describe, expect, it } from 'vitest';
import { RougeScorer, rougeBootstrap, rougeMean, hfEvaluateRouge, rougeAggregateSignature, type RougeType } from '../metrics/rouge/index.js';
import { tokenize } from '../metrics/rouge/tokenize.js';

/*
 * Cases the golden folder does not cover (multi-reference score_multi, U+0130 / U+212A, CRLF and empty
 * lines in rougeLsum, clipping, a non-default type order, a one-item corpus, a tiny n_samples). Expected
 * values were computed with rouge-score 0.1.2's rouge_scorer.py / scoring.py (transcribed from the PyPI
 * package) on Debian bookworm python3 3.11.2 + python3-nltk 3.8 + python3-numpy 1.24.2:
 *   pairs:     RougeScorer(types, use_stemmer).score_multi(refs, pred) for a list, else .score(ref, pred)
 *   bootstrap: np.random.seed(seed); agg = scoring.BootstrapAggregator(n_samples=n); agg.add_scores(...)
 *              for each item (use_stemmer=False); agg.aggregate()  → [precision, recall, fmeasure]
 * Compared bit for bit (toBe), since the port does the same IEEE operations in the same order.
 */
interface PairCase { types: RougeType[]; stem: boolean; reference: string | string[]; prediction: string; expected: Record<string, [number, number, number]> }
interface BootCase { types: RougeType[]; items: { reference: string | string[]; prediction: string }[]; seed: number; nSamples: number; expected: Record<string, Record<'low' | 'mid' | 'high', [number, number, number]>> }

const PAIRS: PairCase[] = [
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": false, "reference": ["the cat sat on the mat", "a cat was sitting on a mat", "dogs run"], "prediction": "the cat was on the mat", "expected": {"rouge1": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "rouge2": [0.6, 0.6, 0.6], "rougeL": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "rougeLsum": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": true, "reference": ["Running models\nrun the pipelines", "pipeline runner"], "prediction": "the pipeline runs models", "expected": {"rouge1": [1.0, 0.8, 0.888888888888889], "rouge2": [0.6666666666666666, 0.5, 0.5714285714285715], "rougeL": [0.5, 0.4, 0.4444444444444445], "rougeLsum": [1.0, 0.8, 0.888888888888889]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": true, "reference": ["x y", "x y"], "prediction": "x y z", "expected": {"rouge1": [0.6666666666666666, 1.0, 0.8], "rouge2": [0.5, 1.0, 0.6666666666666666], "rougeL": [0.6666666666666666, 1.0, 0.8], "rougeLsum": [0.6666666666666666, 1.0, 0.8]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": false, "reference": ["\u0130stanbul Kelvin caf\u00e9 na\u00efve \u65e5\u672c ok"], "prediction": "istanbul kelvin caf na ve ok", "expected": {"rouge1": [0.8333333333333334, 0.7142857142857143, 0.7692307692307692], "rouge2": [0.8, 0.6666666666666666, 0.7272727272727272], "rougeL": [0.8333333333333334, 0.7142857142857143, 0.7692307692307692], "rougeLsum": [0.8333333333333334, 0.7142857142857143, 0.7692307692307692]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": false, "reference": "a b c\r\nd e f\n\nc b a", "prediction": "c b a\nd e f\r\na b c", "expected": {"rouge1": [1.0, 1.0, 1.0], "rouge2": [0.75, 0.75, 0.75], "rougeL": [0.5555555555555556, 0.5555555555555556, 0.5555555555555556], "rougeLsum": [1.0, 1.0, 1.0]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": false, "reference": "a a a b\nb a", "prediction": "a b\na a a a", "expected": {"rouge1": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "rouge2": [0.8, 0.8, 0.8000000000000002], "rougeL": [0.6666666666666666, 0.6666666666666666, 0.6666666666666666], "rougeLsum": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334]}},
  {"types": ["rougeLsum"], "stem": true, "reference": "connections connected\nconnection", "prediction": "connect\nconnecting", "expected": {"rougeLsum": [1.0, 0.6666666666666666, 0.8]}},
  {"types": ["rougeL", "rouge1"], "stem": false, "reference": ["", "  \n "], "prediction": "word", "expected": {"rougeL": [0.0, 0.0, 0.0], "rouge1": [0.0, 0.0, 0.0]}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "stem": false, "reference": "", "prediction": "", "expected": {"rouge1": [0.0, 0.0, 0.0], "rouge2": [0.0, 0.0, 0.0], "rougeL": [0.0, 0.0, 0.0], "rougeLsum": [0.0, 0.0, 0.0]}},
];

const BOOTSTRAP: BootCase[] = [
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "items": [{"reference": ["the cat sat on the mat", "a cat was sitting on a mat", "dogs run"], "prediction": "the cat was on the mat"}, {"reference": ["Running models\nrun the pipelines", "pipeline runner"], "prediction": "the pipeline runs models"}, {"reference": ["x y", "x y"], "prediction": "x y z"}, {"reference": ["\u0130stanbul Kelvin caf\u00e9 na\u00efve \u65e5\u672c ok"], "prediction": "istanbul kelvin caf na ve ok"}, {"reference": "a b c\r\nd e f\n\nc b a", "prediction": "c b a\nd e f\r\na b c"}, {"reference": "a a a b\nb a", "prediction": "a b\na a a a"}], "seed": 42, "nSamples": 1000, "expected": {"rouge1": {"low": [0.638888888888889, 0.629246031746032, 0.6333333333333334], "mid": [0.7777777777777778, 0.8015873015873015, 0.7856125356125356], "high": [0.888888888888889, 0.9250992063492061, 0.9004273504273503]}, "rouge2": {"low": [0.31666666666666665, 0.35000000000000003, 0.3361111111111111], "mid": [0.5791666666666667, 0.6361111111111111, 0.5916666666666668], "high": [0.7583333333333333, 0.841736111111111, 0.7462121212121212]}, "rougeL": {"low": [0.4583333333333333, 0.582010582010582, 0.5037037037037038], "mid": [0.6342592592592593, 0.7037037037037037, 0.6596866096866097], "high": [0.7777777777777778, 0.8412698412698414, 0.7837606837606838]}, "rougeLsum": {"low": [0.638888888888889, 0.6163690476190479, 0.6281944444444445], "mid": [0.7777777777777778, 0.796825396825397, 0.7800569800569801], "high": [0.888888888888889, 0.9444444444444445, 0.9005555555555554]}}},
  {"types": ["rougeL", "rouge1"], "items": [{"reference": ["the cat sat on the mat", "a cat was sitting on a mat", "dogs run"], "prediction": "the cat was on the mat"}, {"reference": ["Running models\nrun the pipelines", "pipeline runner"], "prediction": "the pipeline runs models"}, {"reference": ["x y", "x y"], "prediction": "x y z"}, {"reference": ["\u0130stanbul Kelvin caf\u00e9 na\u00efve \u65e5\u672c ok"], "prediction": "istanbul kelvin caf na ve ok"}, {"reference": "a b c\r\nd e f\n\nc b a", "prediction": "c b a\nd e f\r\na b c"}, {"reference": "a a a b\nb a", "prediction": "a b\na a a a"}], "seed": 7, "nSamples": 1000, "expected": {"rougeL": {"low": [0.46759259259259256, 0.5899470899470899, 0.518482905982906], "mid": [0.6435185185185186, 0.7123015873015873, 0.6666666666666666], "high": [0.7777777777777778, 0.861111111111111, 0.7837606837606838]}, "rouge1": {"low": [0.638888888888889, 0.6045634920634922, 0.6276495726495728], "mid": [0.7777777777777778, 0.8, 0.7851851851851852], "high": [0.888888888888889, 0.9444444444444445, 0.9004273504273503]}}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "items": [{"reference": ["the cat sat on the mat", "a cat was sitting on a mat", "dogs run"], "prediction": "the cat was on the mat"}], "seed": 1234, "nSamples": 1000, "expected": {"rouge1": {"low": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "mid": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "high": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334]}, "rouge2": {"low": [0.6, 0.6, 0.6], "mid": [0.6, 0.6, 0.6], "high": [0.6, 0.6, 0.6]}, "rougeL": {"low": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "mid": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "high": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334]}, "rougeLsum": {"low": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "mid": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334], "high": [0.8333333333333334, 0.8333333333333334, 0.8333333333333334]}}},
  {"types": ["rouge1", "rouge2", "rougeL", "rougeLsum"], "items": [{"reference": ["the cat sat on the mat", "a cat was sitting on a mat", "dogs run"], "prediction": "the cat was on the mat"}, {"reference": ["Running models\nrun the pipelines", "pipeline runner"], "prediction": "the pipeline runs models"}, {"reference": ["x y", "x y"], "prediction": "x y z"}, {"reference": ["\u0130stanbul Kelvin caf\u00e9 na\u00efve \u65e5\u672c ok"], "prediction": "istanbul kelvin caf na ve ok"}, {"reference": "a b c\r\nd e f\n\nc b a", "prediction": "c b a\nd e f\r\na b c"}], "seed": 0, "nSamples": 3, "expected": {"rouge1": {"low": [0.7666666666666667, 0.7898095238095239, 0.770042735042735], "mid": [0.7666666666666667, 0.7952380952380953, 0.7822222222222224], "high": [0.8616666666666668, 0.8124285714285714, 0.8259059829059828]}, "rouge2": {"low": [0.28650000000000003, 0.28250000000000003, 0.28431818181818186], "mid": [0.6, 0.5199999999999999, 0.5563636363636363], "high": [0.657, 0.6973333333333334, 0.6588484848484848]}, "rougeL": {"low": [0.4947222222222223, 0.6172222222222222, 0.5317606837606839], "mid": [0.7111111111111111, 0.7634920634920637, 0.7454700854700855], "high": [0.7427777777777778, 0.8403968253968254, 0.7634957264957266]}, "rougeLsum": {"low": [0.6333333333333333, 0.5357619047619049, 0.5788632478632478], "mid": [0.6333333333333334, 0.7266666666666667, 0.6644444444444445], "high": [0.8550000000000001, 0.8406666666666667, 0.8460000000000002]}}},
];

const triple = (s: { precision: number; recall: number; fmeasure: number }): number[] => [s.precision, s.recall, s.fmeasure];

describe('rouge_score reference cases beyond the golden files', () => {
  PAIRS.forEach((c, i) => {
    it(`pair ${i}: ${JSON.stringify(c.reference).slice(0, 40)} / ${JSON.stringify(c.prediction).slice(0, 30)}`, () => {
      const scorer = new RougeScorer({ rougeTypes: c.types, useStemmer: c.stem });
      const got = Array.isArray(c.reference) ? scorer.scoreMulti(c.reference, c.prediction) : scorer.score(c.reference, c.prediction);
      expect(Object.keys(got)).toEqual(Object.keys(c.expected));
      for (const t of Object.keys(c.expected) as RougeType[]) expect(triple(got[t])).toEqual(c.expected[t]);
    });
  });

  BOOTSTRAP.forEach((c, i) => {
    it(`bootstrap ${i}: n=${c.items.length} seed=${c.seed} n_samples=${c.nSamples} types=${c.types.join(',')}`, () => {
      const scorer = new RougeScorer({ rougeTypes: c.types });
      const scores = c.items.map((it) => (Array.isArray(it.reference) ? scorer.scoreMulti(it.reference, it.prediction) : scorer.score(it.reference, it.prediction)));
      const got = rougeBootstrap(scores, { seed: c.seed, nSamples: c.nSamples });
      // The types are resampled in the scorer's order from one stream: the key order must follow it.
      expect(Object.keys(got)).toEqual(Object.keys(c.expected));
      for (const t of Object.keys(c.expected) as RougeType[]) {
        for (const b of ['low', 'mid', 'high'] as const) expect(triple(got[t][b])).toEqual(c.expected[t][b]);
      }
      expect(hfEvaluateRouge(got)).toEqual(Object.fromEntries(Object.keys(c.expected).map((t) => [t, c.expected[t].mid[2]])));
    });
  });
});

describe('tokenizer', () => {
  it('keeps maximal [a-z0-9] runs after Python lower()', () => {
    expect(tokenize('AutoModel.from_pretrained("bert-base")')).toEqual(['automodel', 'from', 'pretrained', 'bert', 'base']);
    expect(tokenize('café naïve 日本 x')).toEqual(['caf', 'na', 've', 'x']);
    // U+0130 lowercases to "i" + U+0307 (a separator); U+212A KELVIN SIGN to "k".
    expect(tokenize('\u0130stanbul a\u0130b \u212Aelvin')).toEqual(['i', 'stanbul', 'ai', 'b', 'kelvin']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize(' \n\t ')).toEqual([]);
  });
  it('stems only tokens longer than 3 characters', () => {
    const stem = (w: string): string => `<${w}>`;
    expect(tokenize('runs running ran', (w) => (w === 'running' ? 'run' : stem(w)))).toEqual(['<runs>', 'run', 'ran']);
  });
});

describe('scorer API', () => {
  it('signatures', () => {
    expect(new RougeScorer().signature()).toBe('rouge|v:rouge-score-0.1.2|tok:default|stem:none');
    expect(new RougeScorer({ useStemmer: true }).signature()).toBe('rouge|v:rouge-score-0.1.2|tok:default|stem:nltk-3.8-porter');
    expect(new RougeScorer({ rougeTypes: ['rougeL'] }).signature()).toBe('rouge|v:rouge-score-0.1.2|tok:default|stem:none|types:rougeL');
    const sig = new RougeScorer().signature();
    expect(rougeAggregateSignature(sig, { kind: 'mean' })).toBe(`${sig}|agg:mean`);
    expect(rougeAggregateSignature(sig, { kind: 'bootstrap', seed: 42 })).toBe(`${sig}|agg:hf-bootstrap-1000-seed42`);
  });
  it('only the requested types, in the requested order', () => {
    expect(Object.keys(new RougeScorer({ rougeTypes: ['rougeLsum', 'rouge1'] }).score('a b', 'a c'))).toEqual(['rougeLsum', 'rouge1']);
  });
  it('rejects bad arguments with clear messages', () => {
    expect(() => new RougeScorer({ rougeTypes: ['rouge3' as RougeType] })).toThrow(/Invalid rouge type: rouge3/);
    expect(() => new RougeScorer({ rougeTypes: [] })).toThrow(/non-empty/);
    expect(() => new RougeScorer().scoreMulti([], 'x')).toThrow(/at least one target/);
    expect(() => new RougeScorer().score(undefined as unknown as string, 'x')).toThrow(/two strings/);
    expect(() => rougeMean([])).toThrow(/at least one/);
    expect(() => rougeBootstrap([], { seed: 1 })).toThrow(/at least one/);
    expect(() => rougeBootstrap([new RougeScorer().score('a', 'a')], { seed: -1 })).toThrow(/seed/);
    expect(() => rougeBootstrap([new RougeScorer().score('a', 'a')], { seed: 1, nSamples: 0 })).toThrow(/positive/);
    const mixed = [new RougeScorer().score('a', 'a'), new RougeScorer({ rougeTypes: ['rouge1'] }).score('a', 'a')];
    expect(() => rougeMean(mixed)).toThrow(/rouge types/);
  });
  it('scoreMulti keeps the FIRST reference on an fmeasure tie (np.argmax)', () => {
    // rouge_score 0.1.2: score_multi(['a b c d', 'a'], 'a b') → P=1, R=0.5; reversed → P=0.5, R=1 (F = 2/3 both).
    const s = new RougeScorer({ rougeTypes: ['rouge1', 'rougeL'] });
    expect(s.scoreMulti(['a b c d', 'a'], 'a b').rouge1).toEqual({ precision: 1, recall: 0.5, fmeasure: 0.6666666666666666 });
    expect(s.scoreMulti(['a', 'a b c d'], 'a b').rougeL).toEqual({ precision: 0.5, recall: 1, fmeasure: 0.6666666666666666 });
  });
  it('mean of identical scores is that score', () => {
    const s = new RougeScorer().score('a b c', 'a b d');
    expect(rougeMean([s, s, s])).toEqual(s);
  });
});
