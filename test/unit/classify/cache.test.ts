import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../src/classify/cache.ts';

describe('BoundedCache', () => {
  it('never holds more than its capacity and counts every entry it drops', () => {
    const c = new BoundedCache<number>('t', 100);
    let computed = 0;
    for (let i = 0; i < 1000; i++) c.get(`k${i}`, () => ++computed);
    const s = c.stats();
    expect(s.size).toBeLessThanOrEqual(100);
    expect(s.misses).toBe(1000);
    // Every miss was stored; what is not held any more was evicted.
    expect(s.evictions + s.size).toBe(1000);
  });

  it('returns exactly what compute returns, hit or miss', () => {
    const c = new BoundedCache<string | null>('t', 10);
    const f = (k: string): string | null => (k.length % 2 === 0 ? null : k.toUpperCase());
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 30; i++) expect(c.get(`x${i}`, f)).toBe(f(`x${i}`));
    }
  });

  it('keeps an entry that is used while others come and go', () => {
    const c = new BoundedCache<number>('t', 20);
    let hot = 0;
    c.get('hot', () => ++hot);
    for (let i = 0; i < 500; i++) {
      c.get(`cold${i}`, () => i);
      c.get('hot', () => ++hot);
    }
    expect(hot).toBe(1);
    expect(c.stats().hits).toBe(500);
  });
});
