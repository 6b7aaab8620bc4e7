// Statistics for runs and leaderboards: seeded bootstrap intervals over per-sample sufficient statistics,
// paired significance tests (paired bootstrap, exact McNemar), Holm correction, mean ± sd of runs.
// Pure functions, no I/O.
export { percentile, percentileSorted } from './percentile.js';
export {
  bootstrapInterval,
  pairedBootstrap,
  meanStatistic,
  identityIndices,
  forEachResample,
  DEFAULT_RESAMPLES,
  type Statistic,
  type BootstrapOptions,
  type Interval,
  type PairedResult,
} from './bootstrap.js';
export { mcnemar, mcnemarExact, type McNemarResult } from './mcnemar.js';
export { holm, type HolmResult } from './holm.js';
export { meanSd, type MeanSd } from './repeated.js';
