import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WrittenIndex } from '../../../../src/sinks/file/written-index.ts';

const hexId = (i: number): string => createHash('sha256').update(String(i)).digest('hex').slice(0, 32);
const rowOf = (i: number) => ({
  pos: i * 1000,
  len: 100 + (i % 7),
  seqNo: i * 3,
  index: i % 5,
  tally: (i % 4) - 1,
  count: i * 11,
  bytes: 50 + (i % 13),
});

describe('WrittenIndex', () => {
  it('finds every id it was given through several growths, and nothing else', () => {
    const w = new WrittenIndex(4);
    const ids = Array.from({ length: 20_000 }, (_, i) => hexId(i));
    for (let i = 0; i < ids.length; i++) w.set(ids[i]!, rowOf(i));
    expect(w.size).toBe(ids.length);
    for (let i = 0; i < ids.length; i++) expect(w.row(w.find(ids[i]!))).toEqual(rowOf(i));
    for (let i = 20_000; i < 21_000; i++) expect(w.find(hexId(i))).toBe(-1);
  });

  it('ids sharing their first 32 bits are told apart by the other 96', () => {
    const w = new WrittenIndex(4);
    const a = `00000000${'1'.repeat(24)}`;
    const b = `00000000${'2'.repeat(24)}`;
    w.set(a, rowOf(1));
    expect(w.find(b)).toBe(-1);
    w.set(b, rowOf(2));
    expect(w.row(w.find(a))).toEqual(rowOf(1));
    expect(w.row(w.find(b))).toEqual(rowOf(2));
  });

  it('replaces the row of an id written again; ids that are not 32 hex go to the fallback', () => {
    const w = new WrittenIndex(2);
    w.set(hexId(1), rowOf(1));
    w.set(hexId(1), rowOf(9));
    expect(w.size).toBe(1);
    expect(w.row(w.find(hexId(1)))).toEqual(rowOf(9));
    for (let i = 0; i < 10; i++) w.set(`other-${i}`, rowOf(100 + i));
    for (let i = 2; i < 50; i++) w.set(hexId(i), rowOf(i));
    for (let i = 0; i < 10; i++) expect(w.row(w.find(`other-${i}`))).toEqual(rowOf(100 + i));
    for (let i = 2; i < 50; i++) expect(w.row(w.find(hexId(i)))).toEqual(rowOf(i));
    expect(w.find('other-x')).toBe(-1);
    expect(w.size).toBe(59);
  });
});
