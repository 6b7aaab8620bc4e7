/**
 * Every numeric command-line option is declared here's way: with a range that is checked when the option is
 * parsed and printed in `--help`. One rule for all commands, so that no value can slip past into a place
 * where it is silently wrong (a timeout past Node's 32-bit timer turns every program into `sandbox_error`;
 * a negative batch size reaches PyTorch). The parsed value is a number; the action never sees the string.
 *
 * Errors are one line naming the flag, the value and the range (a UserError: exit 2, no stack trace).
 */
import { Option } from 'commander';
import { UserError } from '../../core/errors.js';
import { describeRange, describeRangeWithArticle, inRange, integer, type NumericRange } from '../../core/numeric-range.js';

export { decimal, describeRange, integer, type NumericRange } from '../../core/numeric-range.js';

/** Largest timer Node accepts (setTimeout clamps anything above 2^31 - 1 ms to 1 ms, with a warning). */
export const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);
/** The seeds the trainers and the sandbox hand to numpy / torch / Python's random (32-bit signed). */
export const SEED = integer(0, 2 ** 31 - 1);

/** Bootstrap seeds are 32-bit (the Mersenne Twister's seed); resamples up to a million. */
export const BOOTSTRAP_SEED = integer(0, 0xffffffff);
export const BOOTSTRAP_RESAMPLES = integer(1, 1_000_000);

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses `raw` as the option `flag` within `r`, or throws a one-line UserError. */
export function parseNumeric(flag: string, raw: string, r: NumericRange): number {
  const s = raw.trim();
  if (!(r.integer ? INTEGER : DECIMAL).test(s)) throw new UserError(`${flag} '${raw}': expected ${describeRangeWithArticle(r)}`);
  const n = Number(s);
  if (!inRange(n, r)) throw new UserError(`${flag} ${raw}: out of range (${describeRange(r)})`);
  return n;
}

/** The first long flag of a commander flags string: `-n, --n <n>` → `--n`. */
function longFlag(flags: string): string {
  return flags.split(/[ ,|]+/).find((f) => f.startsWith('--')) ?? flags.split(/[ ,|]+/)[0];
}

/** Options made by `numericOption`, with their range (the test that every numeric option has one reads it). */
export const NUMERIC_RANGE = Symbol('apieval.numericRange');

/**
 * A commander option holding a number within `r`: `--help` shows `(integer 1–1024)`, a value outside the
 * range or not a number is refused when parsed, and a default (a number) is shown as commander shows it.
 */
export function numericOption(flags: string, description: string, r: NumericRange, defaultValue?: number): Option {
  const flag = longFlag(flags);
  if (defaultValue !== undefined) parseNumeric(flag, String(defaultValue), r);
  const opt = new Option(flags, `${description} (${describeRange(r)})`).argParser((v: string) => parseNumeric(flag, v, r));
  if (defaultValue !== undefined) opt.default(defaultValue);
  (opt as Option & { [NUMERIC_RANGE]?: NumericRange })[NUMERIC_RANGE] = r;
  return opt;
}

/** The range an option was declared with, if it is numeric (for the option-coverage test). */
export function rangeOf(opt: Option): NumericRange | undefined {
  return (opt as Option & { [NUMERIC_RANGE]?: NumericRange })[NUMERIC_RANGE];
}
