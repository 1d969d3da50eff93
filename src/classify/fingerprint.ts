/**
 * Fingerprint = first 64 bits (16 lowercase hex chars) of
 * sha256(RULESET_VERSION \0 component \0 level \0 template).
 *
 * A pure function of its inputs. The memo cache below only avoids re-hashing; it can never
 * change a result (a hit returns exactly what a miss would compute). It is bounded
 * (FINGERPRINT_CACHE_CAPACITY entries, templates up to MAX_MEMO_TEMPLATE_LENGTH characters) and
 * counts what it evicts.
 *
 * Hot path: classify() hands the template over as two parts, `head` (the masked message, a string
 * object the mask-text cache returns again and again) and `tail` (the masked fields, interned by
 * template.ts), so a hit hashes no fresh string but the component: no template is concatenated,
 * flattened or hashed per line, and sha256 runs on misses only.
 */
import { createHash } from 'node:crypto';

/**
 * Pinned ruleset version: part of every fingerprint. Bump it whenever a template can change, which
 * includes every regeneration of the statement library (its digest is pinned below, and a test fails
 * when the shipped library no longer has it). 2026.12.1: classification by the statement library.
 */
export const RULESET_VERSION = '2026.12.1';

/** sha256 of the decompressed statement library this ruleset version ships (docs/STATEMENTS.md). */
export const RULESET_LIBRARY_DIGEST = '9e025946ff39c938f93130d3af298d9d0dc235625b7fc9733443525ce36540a2';

/** Distinct (component, level, template) entries kept; real traffic has a few thousand. */
export const FINGERPRINT_CACHE_CAPACITY = 20_000;
/** Longer templates are hashed without being memoised (bounded memory per entry). */
export const MAX_MEMO_TEMPLATE_LENGTH = 1024;

/** A memoised template (head + tail, concatenated once) and its fingerprint. */
export interface TemplateFingerprint {
  readonly template: string;
  readonly fingerprint: string;
}

/** component → level → head → tail → entry. Nested so no key string is built per line. */
type Tails = Map<string, TemplateFingerprint>;
type Heads = Map<string, Tails>;
type Levels = Map<string, Heads>;
const cache = new Map<string, Levels>();
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
 * The template `head + tail` and its fingerprint, memoised. When the cap is reached the oldest
 * entry of the oldest (component, level, head) group is evicted (FIFO by Map insertion order) and
 * counted.
 */
export function templateFingerprint(
  component: string,
  level: string,
  head: string,
  tail: string,
): TemplateFingerprint {
  let levels = cache.get(component);
  let heads = levels?.get(level);
  let tails = heads?.get(head);
  const hit = tails?.get(tail);
  if (hit !== undefined) {
    hits++;
    return hit;
  }
  misses++;
  const template = tail.length === 0 ? head : head + tail;
  const entry: TemplateFingerprint = {
    template,
    fingerprint: computeFingerprint(component, level, template),
  };
  if (template.length > MAX_MEMO_TEMPLATE_LENGTH) return entry;
  if (size >= FINGERPRINT_CACHE_CAPACITY) {
    evictOne();
    // Eviction may have dropped one of the maps found above.
    levels = cache.get(component);
    heads = levels?.get(level);
    tails = heads?.get(head);
  }
  if (levels === undefined) {
    levels = new Map();
    cache.set(component, levels);
  }
  if (heads === undefined) {
    heads = new Map();
    levels.set(level, heads);
  }
  if (tails === undefined) {
    tails = new Map();
    heads.set(head, tails);
  }
  tails.set(tail, entry);
  size++;
  return entry;
}

/** Memoised `computeFingerprint`. */
export function fingerprint(component: string, level: string, template: string): string {
  return templateFingerprint(component, level, template, '').fingerprint;
}

function evictOne(): void {
  for (const [c, levels] of cache) {
    for (const [l, heads] of levels) {
      for (const [h, tails] of heads) {
        const oldest = tails.keys().next();
        if (!oldest.done) {
          tails.delete(oldest.value);
          size--;
          evictions++;
        }
        if (tails.size === 0) heads.delete(h);
        break;
      }
      if (heads.size === 0) levels.delete(l);
      break;
    }
    if (levels.size === 0) cache.delete(c);
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
