import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  envelopeTimeToMs,
  isValidZone,
  nanosToMs,
  parseRfc3339,
  wallMs,
  zoneConverter,
} from '../../../src/parse/timestamp.ts';

describe('timestamps', () => {
  it('RFC 3339 variants', () => {
    expect(parseRfc3339('2026-01-10T10:00:00.123456789Z')).toEqual({
      ms: Date.UTC(2026, 0, 10, 10, 0, 0, 123),
      zoned: true,
      end: 30,
    });
    expect(parseRfc3339('2026-01-10T10:00:00+0130')!.ms).toBe(Date.UTC(2026, 0, 10, 8, 30));
    expect(parseRfc3339('2026-01-10 10:00:00')).toMatchObject({ zoned: false });
    expect(parseRfc3339('2026-13-10T10:00:00Z')).toBeNull();
    expect(parseRfc3339('nope')).toBeNull();
  });

  it('epoch nanos / seconds', () => {
    expect(nanosToMs('1768039200123456789')).toBe(1768039200123);
    expect(nanosToMs('0')).toBeNull();
    expect(envelopeTimeToMs(1736847000)).toBe(1736847000000);
    expect(envelopeTimeToMs('x')).toBeNull();
  });

  it('zones: UTC, fixed offsets, IANA with DST, invalid falls back to UTC', () => {
    const w = Date.UTC(2025, 6, 1, 12, 0, 0);
    expect(zoneConverter('UTC')(w)).toBe(w);
    expect(zoneConverter('+02:00')(w)).toBe(w - 2 * 3600_000);
    expect(zoneConverter('Europe/Berlin')(w)).toBe(w - 2 * 3600_000); // CEST
    expect(zoneConverter('Europe/Berlin')(Date.UTC(2025, 0, 1, 12))).toBe(Date.UTC(2025, 0, 1, 11)); // CET
    expect(zoneConverter('America/New_York')(Date.UTC(2025, 0, 1, 12))).toBe(Date.UTC(2025, 0, 1, 17));
    expect(zoneConverter('Not/AZone')(w)).toBe(w);
    expect(isValidZone('Europe/Berlin')).toBe(true);
    expect(isValidZone('-05:30')).toBe(true);
    expect(isValidZone('Not/AZone')).toBe(false);
  });
});

describe('wallMs day cache', () => {
  it('equals Date.UTC for any fields, in any order of calls', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 60 }),
        fc.oneof(fc.integer({ min: 0, max: 999 }), fc.double({ min: 0, max: 999, noNaN: true })),
        (y, mo, d, h, mi, s, ms) => {
          expect(wallMs(y, mo, d, h, mi, s, ms)).toBe(Date.UTC(y, mo - 1, d, h, mi, s, ms));
          expect(wallMs(y, mo, d, 0, 0, 0, 0)).toBe(Date.UTC(y, mo - 1, d));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
