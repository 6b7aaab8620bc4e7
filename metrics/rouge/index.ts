/**
 * ROUGE as rouge-score 0.1.2 computes it (NLTK 3.8 Porter stemmer optional), with the plain-mean and the
 * Hugging Face `evaluate` seeded-bootstrap aggregations. See scorer.ts, porter.ts, tokenize.ts and
 * aggregate.ts for the upstream files each one ports.
 */
export { RougeScorer, ROUGE_TYPES, ROUGE_VERSION, STEMMER_VERSION, fmeasure } from './scorer.js';
export type { RougeType, PRF, RougeScores, RougeScorerOptions } from './scorer.js';
export { rougeMean, rougeBootstrap, hfEvaluateRouge, rougeAggregateSignature } from './aggregate.js';
export type { RougeInterval, BootstrapOptions } from './aggregate.js';
export { porterStem, MemoStemmer } from './porter.js';
export { tokenize } from './tokenize.js';
