/**
 * Bounded memo caches for pure functions of a string. A hit returns exactly what a miss computes,
 * so a cache can change speed, never a result (fingerprints stay pure: docs/EXACTNESS.md F1).
 * Each cache has an explicit capacity; when it is full the oldest entry is evicted (FIFO via Map
 * insertion order) and counted.
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
  readonly #map = new Map<string, V>();
  readonly #capacity: number;
  readonly #name: string;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(name: string, capacity: number) {
    this.#name = name;
    this.#capacity = capacity;
  }

  /** The cached value of `compute(key)`. */
  get(key: string, compute: (key: string) => V): V {
    const hit = this.#map.get(key);
    if (hit !== undefined || this.#map.has(key)) {
      this.#hits++;
      return hit as V;
    }
    this.#misses++;
    const v = compute(key);
    if (this.#map.size >= this.#capacity) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
      this.#evictions++;
    }
    this.#map.set(key, v);
    return v;
  }

  stats(): CacheStats {
    return {
      name: this.#name,
      size: this.#map.size,
      capacity: this.#capacity,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
    };
  }
}

/** Strings longer than this are computed without caching (bounded memory per entry). */
export const MAX_CACHED_KEY_LENGTH = 1024;
