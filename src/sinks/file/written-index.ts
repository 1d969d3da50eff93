/**
 * Where each summary's latest line is in the replay output, for every document written so far: the
 * file sink must find a spilled document again (a late record updates it, as Elasticsearch would),
 * so this index grows with the documents, not with the lines. A Map of one object per document
 * costs ~200 bytes each (1M distinct fingerprints: ~200 MB); here a document is one row of typed
 * arrays (~60 bytes) found through an open-addressing table over its id's 128 bits. Ids that are
 * not 32 lowercase hex characters (none today: src/aggregate/keys.ts docId) go to a plain Map.
 */

const HEX32 = /^[0-9a-f]{32}$/;
const EMPTY = -1;

export interface WrittenRow {
  readonly pos: number;
  readonly len: number;
  readonly seqNo: number;
  /** Index into the caller's interned index names. */
  readonly index: number;
  /** Index into the caller's tallies, or -1. */
  readonly tally: number;
  readonly count: number;
  readonly bytes: number;
}

export class WrittenIndex {
  #n = 0;
  #cap = 0;
  #words = new Uint32Array(0);
  #pos = new Float64Array(0);
  #seq = new Float64Array(0);
  #count = new Float64Array(0);
  #len = new Uint32Array(0);
  #bytes = new Uint32Array(0);
  #index = new Int32Array(0);
  #tally = new Int32Array(0);
  /** row per slot (EMPTY: free); size a power of two, at most half full. */
  #table = new Int32Array(0);
  #mask = 0;
  readonly #other = new Map<string, number>();

  constructor(initial = 1024) {
    this.#grow(initial);
  }

  get size(): number {
    return this.#n;
  }

  /** The row of `id`, or -1. */
  find(id: string): number {
    if (!HEX32.test(id)) return this.#other.get(id) ?? -1;
    const w0 = Number.parseInt(id.slice(0, 8), 16) >>> 0;
    const w1 = Number.parseInt(id.slice(8, 16), 16) >>> 0;
    const w2 = Number.parseInt(id.slice(16, 24), 16) >>> 0;
    const w3 = Number.parseInt(id.slice(24, 32), 16) >>> 0;
    return this.#probe(w0, w1, w2, w3, false);
  }

  row(r: number): WrittenRow {
    return {
      pos: this.#pos[r]!,
      len: this.#len[r]!,
      seqNo: this.#seq[r]!,
      index: this.#index[r]!,
      tally: this.#tally[r]!,
      count: this.#count[r]!,
      bytes: this.#bytes[r]!,
    };
  }

  /** Insert or replace the row of `id`. */
  set(id: string, v: WrittenRow): void {
    let r: number;
    if (!HEX32.test(id)) {
      r = this.#other.get(id) ?? -1;
      if (r < 0) {
        r = this.#newRow();
        this.#other.set(id, r);
      }
    } else {
      const w0 = Number.parseInt(id.slice(0, 8), 16) >>> 0;
      const w1 = Number.parseInt(id.slice(8, 16), 16) >>> 0;
      const w2 = Number.parseInt(id.slice(16, 24), 16) >>> 0;
      const w3 = Number.parseInt(id.slice(24, 32), 16) >>> 0;
      r = this.#probe(w0, w1, w2, w3, true);
    }
    this.#pos[r] = v.pos;
    this.#len[r] = v.len;
    this.#seq[r] = v.seqNo;
    this.#index[r] = v.index;
    this.#tally[r] = v.tally;
    this.#count[r] = v.count;
    this.#bytes[r] = v.bytes;
  }

  #newRow(): number {
    if (this.#n >= this.#cap) this.#grow(this.#cap * 2);
    const r = this.#n;
    this.#n += 1;
    return r;
  }

  /** Find (or with `insert`, add) the row of the id (w0..w3). */
  #probe(w0: number, w1: number, w2: number, w3: number, insert: boolean): number {
    const words = this.#words;
    const table = this.#table;
    let i = w0 & this.#mask;
    for (;;) {
      const r = table[i]!;
      if (r === EMPTY) break;
      const b = r * 4;
      if (words[b] === w0 && words[b + 1] === w1 && words[b + 2] === w2 && words[b + 3] === w3) return r;
      i = (i + 1) & this.#mask;
    }
    if (!insert) return -1;
    const before = this.#cap;
    const r = this.#newRow();
    if (this.#cap !== before) return this.#probeAfterGrow(w0, w1, w2, w3, r);
    const b = r * 4;
    this.#words[b] = w0;
    this.#words[b + 1] = w1;
    this.#words[b + 2] = w2;
    this.#words[b + 3] = w3;
    table[i] = r;
    return r;
  }

  #probeAfterGrow(w0: number, w1: number, w2: number, w3: number, r: number): number {
    const b = r * 4;
    this.#words[b] = w0;
    this.#words[b + 1] = w1;
    this.#words[b + 2] = w2;
    this.#words[b + 3] = w3;
    this.#place(r);
    return r;
  }

  #place(r: number): void {
    let i = this.#words[r * 4]! & this.#mask;
    while (this.#table[i] !== EMPTY) i = (i + 1) & this.#mask;
    this.#table[i] = r;
  }

  #grow(cap: number): void {
    const copy = <T extends Float64Array | Uint32Array | Int32Array>(
      old: T,
      make: (n: number) => T,
      k = 1,
    ): T => {
      const a = make(cap * k);
      a.set(old.subarray(0, this.#n * k));
      return a;
    };
    this.#words = copy(this.#words, (n) => new Uint32Array(n), 4);
    this.#pos = copy(this.#pos, (n) => new Float64Array(n));
    this.#seq = copy(this.#seq, (n) => new Float64Array(n));
    this.#count = copy(this.#count, (n) => new Float64Array(n));
    this.#len = copy(this.#len, (n) => new Uint32Array(n));
    this.#bytes = copy(this.#bytes, (n) => new Uint32Array(n));
    this.#index = copy(this.#index, (n) => new Int32Array(n));
    this.#tally = copy(this.#tally, (n) => new Int32Array(n));
    this.#cap = cap;
    // Rows keyed through the Map keep their place; the rest are placed again in a table twice the rows.
    this.#table = new Int32Array(cap * 2).fill(EMPTY);
    this.#mask = cap * 2 - 1;
    const keyed = new Set(this.#other.values());
    for (let r = 0; r < this.#n; r++) if (!keyed.has(r)) this.#place(r);
  }
}
