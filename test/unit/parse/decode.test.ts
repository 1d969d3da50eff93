import { describe, expect, it } from 'vitest';
import { decodeUnit, utf8Length } from '../../../src/parse/decode.ts';

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
