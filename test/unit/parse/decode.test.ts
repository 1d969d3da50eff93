import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeUnit, noControlBytes, utf8Length } from '../../../src/parse/decode.ts';

const enc = new TextEncoder();

describe('decodeUnit', () => {
  it('valid UTF-8 bytes and strings, trailing CRLF stripped', () => {
    expect(decodeUnit(enc.encode('héllo\r\n'))).toMatchObject({ text: 'héllo', bytes: 8, flags: [] });
    expect(decodeUnit('héllo\n')).toMatchObject({ text: 'héllo', bytes: 7, flags: [] });
  });

  it('invalid UTF-8 is replaced and flagged', () => {
    const d = decodeUnit(new Uint8Array([0x61, 0xff, 0x62]));
    expect(d.text).toBe('a\uFFFDb');
    expect(d.flags).toEqual(['invalid-utf8']);
    expect(decodeUnit('a\ud800b').flags).toEqual(['invalid-utf8']);
  });

  it('oversize units are truncated on a character boundary', () => {
    const d = decodeUnit(enc.encode(`${'a'.repeat(9)}é`), { maxUnitBytes: 10 });
    expect(d.text).toBe('a'.repeat(9));
    expect(d.flags).toEqual(['truncated']);
    expect(d.oversize).toBe(true);
    expect(d.bytes).toBe(11);
    const s = decodeUnit(`${'a'.repeat(9)}é`, { maxUnitBytes: 10 });
    expect(s.text).toBe('a'.repeat(9));
    expect(s.flags).toEqual(['truncated']);
  });

  it('binary detection: NUL or >30% control characters in the first 512 bytes', () => {
    expect(decodeUnit(new Uint8Array([0x61, 0, 0x62])).binary).toBe(true);
    expect(decodeUnit(new Uint8Array([1, 2, 3, 0x61])).flags).toContain('binary');
    expect(decodeUnit('\x1b[31mred\x1b[0m text').binary).toBe(false);
    expect(decodeUnit('tab\tseparated').binary).toBe(false);
  });

  it('utf8Length', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});

describe('noControlBytes (SWAR filter of the ASCII fast path)', () => {
  it('equals the byte-by-byte check on ASCII bytes at any alignment', () => {
    const byte = fc.oneof(fc.integer({ min: 32, max: 126 }), fc.integer({ min: 0, max: 127 }));
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 80 }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 90 }),
        (bytes, pad, cut) => {
          const backing = new Uint8Array(pad + bytes.length);
          backing.set(bytes, pad);
          const v = backing.subarray(pad);
          const n = Math.min(cut, v.length);
          const naive = bytes.slice(0, n).every((c) => c >= 32 && c !== 127);
          expect(noControlBytes(v, n)).toBe(naive);
          expect(noControlBytes(Buffer.from(v), n)).toBe(naive);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
