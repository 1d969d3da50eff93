/**
 * Fingerprint = first 64 bits (16 lowercase hex chars) of
 * sha256(RULESET_VERSION \0 component \0 level \0 template).
 *
 * A pure function of its inputs. The memo cache below only avoids re-hashing; it can never
 * change a result (a hit returns exactly what a miss would compute). It is bounded
 * (FINGERPRINT_CACHE_CAPACITY) and counts what it evicts.
 */
import { createHash } from 'node:crypto';

/** Pinned ruleset version: part of every fingerprint. Bump it whenever a template can change. */
export const RULESET_VERSION = '2026.11.1';

export const FINGERPRINT_CACHE_CAPACITY = 50_000;

const cache = new Map<string, string>();
let hits = 0;
let misses = 0;
let evictions = 0;

export function computeFingerprint(component: string, level: string, template: string): string {
  return createHash('sha256')
    .update(`${RULESET_VERSION}\0${component}\0${level}\0${template}`)
    .digest('hex')
    .slice(0, 16);
}

/** Memoised `computeFingerprint`. FIFO eviction (Map insertion order) once the cap is reached. */
export function fingerprint(component: string, level: string, template: string): string {
  const key = `${component}\0${level}\0${template}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    hits++;
    return hit;
  }
  misses++;
  const fp = computeFingerprint(component, level, template);
  if (cache.size >= FINGERPRINT_CACHE_CAPACITY) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
    evictions++;
  }
  cache.set(key, fp);
  return fp;
}

export interface FingerprintCacheStats {
  readonly size: number;
  readonly capacity: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

/** Counters for telemetry (the pipeline exports them; classify never logs). */
export function fingerprintCacheStats(): FingerprintCacheStats {
  return { size: cache.size, capacity: FINGERPRINT_CACHE_CAPACITY, hits, misses, evictions };
}
