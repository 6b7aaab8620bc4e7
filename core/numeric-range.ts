/**
 * A numeric range and the one rule for checking a number against it, shared by the command-line options
 * (harness/cli/numeric-options.ts: parsed strings, UserError) and the sandbox limits (sandbox/limits.ts:
 * library callers, RangeError), so that both accept exactly the same values and describe them alike.
 */
export interface NumericRange {
  integer: boolean;
  min: number;
  max: number;
  /** The minimum itself is not allowed (a timeout must be > 0, however small). */
  minExclusive?: boolean;
}

export const integer = (min: number, max: number): NumericRange => ({ integer: true, min, max });
export const decimal = (min: number, max: number, opts: { minExclusive?: boolean } = {}): NumericRange => ({ integer: false, min, max, ...opts });

/** `integer 1–1024`, `number 0–10`, `number > 0, ≤ 86400`: what --help shows and errors repeat. */
export function describeRange(r: NumericRange): string {
  const kind = r.integer ? 'integer' : 'number';
  return r.minExclusive ? `${kind} > ${r.min}, ≤ ${r.max}` : `${kind} ${r.min}–${r.max}`;
}

/** `an integer 1–1024`, `a number > 0, ≤ 86400`. */
export function describeRangeWithArticle(r: NumericRange): string {
  return `${r.integer ? 'an' : 'a'} ${describeRange(r)}`;
}

/** Whether `n` is a finite number within `r` (and whole, for an integer range). */
export function inRange(n: number, r: NumericRange): boolean {
  const below = r.minExclusive ? n <= r.min : n < r.min;
  return Number.isFinite(n) && !below && n <= r.max && (!r.integer || Number.isInteger(n));
}
