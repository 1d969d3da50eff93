import { describe, expect, it } from 'vitest';
import { kvSplit, splitToken, words } from '../../../../src/classify/miner/tokenize.ts';

describe('tokenize', () => {
  it('splits on whitespace runs', () => {
    expect(words('  a  b\tc\n d ')).toEqual(['a', 'b', 'c', 'd']);
    expect(words('')).toEqual([]);
  });
  it('strips wrapping punctuation', () => {
    expect(splitToken('(10.0.1.23),')).toEqual({ lead: '(', core: '10.0.1.23', trail: '),' });
    expect(splitToken("'eth0'")).toEqual({ lead: "'", core: 'eth0', trail: "'" });
    expect(splitToken('word')).toEqual({ lead: '', core: 'word', trail: '' });
    expect(splitToken('fe80::')).toEqual({ lead: '', core: 'fe80::', trail: '' });
  });
  it('finds the = of inline key=value tokens only', () => {
    expect(kvSplit('uid=0')).toBe(3);
    expect(kvSplit('ruser=')).toBe(5);
    expect(kvSplit('==')).toBe(-1);
    expect(kvSplit('a(b)=c')).toBe(-1);
    expect(kvSplit('plain')).toBe(-1);
  });
});
