/**
 * How the judge's accept/reject labels agree with an objective signal (AST match, executability) on the
 * same samples: the 2×2 confusion counts, raw accuracy, and Cohen's kappa (agreement beyond chance).
 * Pure functions; no I/O.
 */
export interface Agreement {
  n: number;
  /** label accepted & reference positive, etc. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  accuracy: number | null;
  /** null when undefined (both raters constant and equal: expected agreement is 1). */
  cohen_kappa: number | null;
  precision: number | null;
  recall: number | null;
}

export function agreement(pairs: Iterable<[boolean, boolean]>): Agreement {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (const [label, ref] of pairs) {
    if (label && ref) tp++;
    else if (label && !ref) fp++;
    else if (!label && ref) fn++;
    else tn++;
  }
  const n = tp + fp + fn + tn;
  if (n === 0) return { n, tp, fp, fn, tn, accuracy: null, cohen_kappa: null, precision: null, recall: null };
  const po = (tp + tn) / n;
  const pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / (n * n);
  return {
    n,
    tp,
    fp,
    fn,
    tn,
    accuracy: po,
    cohen_kappa: pe === 1 ? null : (po - pe) / (1 - pe),
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: tp + fn === 0 ? null : tp / (tp + fn),
  };
}
