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
/**
 * Two generations of at most half the capacity each (as src/classify/cache.ts BoundedCache): new
 * entries go into `young`; when it is full, `old` is dropped (counted as evictions) and `young`
 * becomes `old`. A hit in `old` is copied into `young`, so entries in use survive. O(1) throughout.
 */
let young = new Map<string, Levels>();
let old = new Map<string, Levels>();
let youngSize = 0;
let oldSize = 0;
let hits = 0;
let misses = 0;
let evictions = 0;
const HALF = Math.floor(FINGERPRINT_CACHE_CAPACITY / 2);

export function computeFingerprint(component: string, level: string, template: string): string {
  return createHash('sha256')
    .update(`${RULESET_VERSION}\0${component}\0${level}\0${template}`)
    .digest('hex')
    .slice(0, 16);
}

function find(
  root: Map<string, Levels>,
  component: string,
  level: string,
  head: string,
  tail: string,
): TemplateFingerprint | undefined {
  return root.get(component)?.get(level)?.get(head)?.get(tail);
}

function insert(component: string, level: string, head: string, tail: string, e: TemplateFingerprint): void {
  if (youngSize >= HALF) {
    evictions += oldSize;
    old = young;
    oldSize = youngSize;
    young = new Map();
    youngSize = 0;
  }
  let levels = young.get(component);
  if (levels === undefined) {
    levels = new Map();
    young.set(component, levels);
  }
  let heads = levels.get(level);
  if (heads === undefined) {
    heads = new Map();
    levels.set(level, heads);
  }
  let tails = heads.get(head);
  if (tails === undefined) {
    tails = new Map();
    heads.set(head, tails);
  }
  tails.set(tail, e);
  youngSize++;
}

/** The template `head + tail` and its fingerprint, memoised (bounded, evictions counted). */
export function templateFingerprint(
  component: string,
  level: string,
  head: string,
  tail: string,
): TemplateFingerprint {
  const hit = find(young, component, level, head, tail);
  if (hit !== undefined) {
    hits++;
    return hit;
  }
  if (oldSize > 0) {
    const o = find(old, component, level, head, tail);
    if (o !== undefined) {
      hits++;
      oldSize--; // now counted in young (the old copy goes with its generation)
      insert(component, level, head, tail, o);
      return o;
    }
  }
  misses++;
  const template = tail.length === 0 ? head : head + tail;
  const entry: TemplateFingerprint = {
    template,
    fingerprint: computeFingerprint(component, level, template),
  };
  if (template.length > MAX_MEMO_TEMPLATE_LENGTH) return entry;
  insert(component, level, head, tail, entry);
  return entry;
}

/** Memoised `computeFingerprint`. */
export function fingerprint(component: string, level: string, template: string): string {
  return templateFingerprint(component, level, template, '').fingerprint;
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
  return { size: youngSize + oldSize, capacity: FINGERPRINT_CACHE_CAPACITY, hits, misses, evictions };
}
