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

/** component\0level → (template → fingerprint). Nested so no long key string is built per line. */
const cache = new Map<string, Map<string, string>>();
let size = 0;
let hits = 0;
let misses = 0;
let evictions = 0;

export function computeFingerprint(component: string, level: string, template: string): string {
  return createHash('sha256')
    .update(`${RULESET_VERSION}\0${component}\0${level}\0${template}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * Memoised `computeFingerprint`. When the cap is reached the oldest inner entry of the oldest
 * (component, level) group is evicted (FIFO by Map insertion order) and counted.
 */
export function fingerprint(component: string, level: string, template: string): string {
  const outerKey = `${component}\0${level}`;
  let inner = cache.get(outerKey);
  if (inner !== undefined) {
    const hit = inner.get(template);
    if (hit !== undefined) {
      hits++;
      return hit;
    }
  }
  misses++;
  const fp = computeFingerprint(component, level, template);
  if (size >= FINGERPRINT_CACHE_CAPACITY) evictOne();
  if (inner === undefined) {
    inner = new Map();
    cache.set(outerKey, inner);
  }
  inner.set(template, fp);
  size++;
  return fp;
}

function evictOne(): void {
  for (const [k, inner] of cache) {
    const oldest = inner.keys().next();
    if (!oldest.done) {
      inner.delete(oldest.value);
      size--;
      evictions++;
    }
    if (inner.size === 0) cache.delete(k);
    return;
  }
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
  return { size, capacity: FINGERPRINT_CACHE_CAPACITY, hits, misses, evictions };
}
