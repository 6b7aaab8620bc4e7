import { describe, expect, it } from 'vitest';
import { sameValue } from '../metrics/golden.js';

describe('sameValue (every golden comparison)', () => {
  it('compares booleans strictly: a missing or numeric value is not false', () => {
    expect(sameValue(true, true)).toBe(true);
    expect(sameValue(false, false)).toBe(true);
    expect(sameValue(undefined, false)).toBe(false);
    expect(sameValue(0, false)).toBe(false);
    expect(sameValue(1, true)).toBe(false);
    expect(sameValue(false, undefined)).toBe(false);
  });
  it('numbers to 1e-9, NaN only with NaN, errors by their text', () => {
    expect(sameValue(0.1 + 0.2, 0.3)).toBe(true);
    expect(sameValue(0.3 + 2e-9, 0.3)).toBe(false);
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue(NaN, 0)).toBe(false);
    expect(sameValue({ error: 'E: x' }, { error: 'E: x' })).toBe(true);
    expect(sameValue({ error: 'E: x' }, 0)).toBe(false);
    expect(sameValue('0.3', 0.3)).toBe(false);
  });
});
