/**
 * Bounded memo caches for pure functions of a string. A hit returns exactly what a miss computes,
 * so a cache can change speed, never a result (fingerprints stay pure: docs/EXACTNESS.md F1).
 *
 * Each cache holds at most `capacity` entries in two generations of half the capacity each: new
 * entries go into the young map; when it is full the old map is dropped (its entries counted as
 * evictions) and the young one becomes old. A hit in the old map moves the entry to the young one,
 * so entries in use survive every rotation (an approximate LRU). Every operation is O(1).
 * (Evicting the first key of one Map, FIFO, is not: V8 keeps deleted entries as holes until the
 * table is rebuilt, and `keys().next()` walks them all — ~20 µs per insert at 50k entries.)
 */
export interface CacheStats {
  readonly name: string;
  readonly size: number;
  readonly capacity: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
}

export class BoundedCache<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  readonly #capacity: number;
  /** Entries per generation. */
  readonly #half: number;
  readonly #name: string;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(name: string, capacity: number) {
    this.#name = name;
    this.#capacity = capacity;
    this.#half = Math.max(1, Math.floor(capacity / 2));
  }

  /** The cached value of `compute(key)`. */
  get(key: string, compute: (key: string) => V): V {
    const young = this.#young;
    const hit = young.get(key);
    if (hit !== undefined || young.has(key)) {
      this.#hits++;
      return hit as V;
    }
    const old = this.#old;
    if (old.size > 0) {
      const o = old.get(key);
      if (o !== undefined || old.has(key)) {
        this.#hits++;
        old.delete(key);
        this.#insert(key, o as V);
        return o as V;
      }
    }
    this.#misses++;
    const v = compute(key);
    this.#insert(key, v);
    return v;
  }

  #insert(key: string, v: V): void {
    if (this.#young.size >= this.#half) {
      this.#evictions += this.#old.size;
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(key, v);
  }

  stats(): CacheStats {
    return {
      name: this.#name,
      size: this.#young.size + this.#old.size,
      capacity: this.#capacity,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
    };
  }
}

/** Strings longer than this are computed without caching (bounded memory per entry). */
export const MAX_CACHED_KEY_LENGTH = 1024;
