import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  computeFingerprint,
  FINGERPRINT_CACHE_CAPACITY,
  fingerprint,
  fingerprintCacheStats,
  RULESET_VERSION,
} from '../../../src/classify/fingerprint.ts';

describe('fingerprint', () => {
  it('is the first 64 bits of sha256(version \\0 component \\0 level \\0 template), lowercase hex', () => {
    const want = createHash('sha256')
      .update(`${RULESET_VERSION}\0felix\0INFO\0Host MTU changed`)
      .digest('hex')
      .slice(0, 16);
    expect(computeFingerprint('felix', 'INFO', 'Host MTU changed')).toBe(want);
    expect(fingerprint('felix', 'INFO', 'Host MTU changed')).toBe(want);
    expect(want).toMatch(/^[0-9a-f]{16}$/);
  });
  it('pins the ruleset version', () => {
    expect(RULESET_VERSION).toBe('2026.12.1');
  });
  it('the memo cache is bounded, counts evictions and never changes a result', () => {
    const before = fingerprintCacheStats().evictions;
    const n = FINGERPRINT_CACHE_CAPACITY + 100;
    for (let i = 0; i < n; i++) fingerprint('c', 'INFO', `t${i}`);
    const s = fingerprintCacheStats();
    expect(s.size).toBeLessThanOrEqual(FINGERPRINT_CACHE_CAPACITY);
    expect(s.evictions - before).toBeGreaterThanOrEqual(100);
    expect(fingerprint('c', 'INFO', 't0')).toBe(computeFingerprint('c', 'INFO', 't0'));
  });
});

describe('memo caches', () => {
  it('are bounded and report their counters', async () => {
    const { classifyCacheStats } = await import('../../../src/classify/index.ts');
    for (const s of classifyCacheStats()) {
      expect(s.size).toBeLessThanOrEqual(s.capacity);
      expect(s.capacity).toBeGreaterThan(0);
    }
  });
});
