import { describe, expect, it } from 'vitest';
import { isQuoted, unquoteGo } from '../../../src/parse/gostring.ts';

const uq = (s: string) => unquoteGo(s, 0, s.length);

describe('Go string unquoting', () => {
  it('escapes', () => {
    expect(uq('"a\\"b\\\\c"')).toBe('a"b\\c');
    expect(uq('"\\n\\t\\r\\a\\b\\f\\v"')).toBe('\n\t\r\x07\b\f\v');
    expect(uq('"\\x41\\xff"')).toBe('A\uFFFD');
    expect(uq('"\\u00e9\\U0001F600"')).toBe('é😀');
    expect(uq('"\\101"')).toBe('A');
    expect(uq('"\\q"')).toBe('\\q');
  });

  it('isQuoted', () => {
    expect(isQuoted('"a\\"b"', 0, 6)).toBe(true);
    expect(isQuoted('"a"b"', 0, 5)).toBe(false);
    expect(isQuoted('"a', 0, 2)).toBe(false);
  });
});
