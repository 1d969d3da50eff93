import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../src/domain/iso.ts';

const MAX = 8.64e15;

describe('isoUtc', () => {
  it('equals Date#toISOString for any integer time a Date can hold, in any call order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: -MAX, max: MAX }),
            // Near each other (the cached day) and around day boundaries.
            fc.integer({ min: 1_700_000_000_000 - 3 * 86_400_000, max: 1_700_000_000_000 + 3 * 86_400_000 }),
            fc.constantFrom(-1, 0, 1, 86_399_999, 86_400_000, -86_400_000, -62_198_755_200_000, MAX, -MAX),
          ),
          { minLength: 1, maxLength: 50 },
        ),
        (xs) => {
          for (const ms of xs) expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws like Date for times it cannot hold, and handles fractions like Date', () => {
    expect(() => isoUtc(MAX + 1)).toThrow(RangeError);
    isoUtc(MAX); // the last day a Date can hold, cached: the ms after it still throws
    expect(() => isoUtc(MAX + 1)).toThrow(RangeError);
    expect(() => isoUtc(Number.NaN)).toThrow(RangeError);
    isoUtc(1_700_000_000_000); // cache a day, then a fraction inside it
    expect(isoUtc(1_700_000_000_000.7)).toBe(new Date(1_700_000_000_000.7).toISOString());
    expect(isoUtc(-0.5)).toBe(new Date(-0.5).toISOString());
  });
});
