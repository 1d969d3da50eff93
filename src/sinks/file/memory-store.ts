/**
 * An in-memory CounterStore that behaves like Elasticsearch for the counter protocol
 * (src/aggregate/store.ts): every document has a `_seq_no` (one counter for the store) and a
 * `_primary_term` (always 1); `create` on an existing id and `index` with a stale
 * if_seq_no/if_primary_term both fail with 409 `conflict`, like ES `version_conflict_engine_exception`.
 *
 * Documents are held as their JSON text (the writer's `source`, else serialised once): a parsed
 * copy is made on load, as a remote store would, and the held bytes are what the cap counts.
 *
 * Caps: at most `maxDocs` documents and `maxBytes` bytes of JSON are held. When a write passes
 * either, the summary documents of the oldest buckets are *spilled* to a SpillArea (the file sink
 * appends them to the output and keeps only their position) and dropped from memory, down to 90 %
 * of both caps. Stats documents are never spilled (a few per component per hour). A spilled
 * document is still part of the store: load() reads it back, `create` on its id conflicts, `index`
 * checks its seqNo — so a late record for an old bucket updates the document exactly as
 * Elasticsearch would (the newer version is appended; the last line wins).
 */

import type { CounterStore, DocRef, VersionedDoc, WriteItem, WriteResult } from '../../aggregate/store.ts';
import type { CounterDoc } from '../../domain/documents.ts';

export interface MemoryStoreStats {
  loads: number;
  writes: number;
  conflicts: number;
  /** Summary documents spilled early because a cap bit. */
  spilled: number;
  /** Spill events (each spills at least a tenth of the cap). */
  spills: number;
  /** Spilled documents read back because a later record touched them. */
  reopened: number;
}

/** A document as the store holds it. */
export interface HeldDoc<M = unknown> {
  readonly index: string;
  readonly id: string;
  /** JSON.stringify of the document. */
  readonly json: string;
  readonly seqNo: number;
  readonly stats: boolean;
  /** `@timestamp` (the spill order). */
  readonly timestamp: string;
  /** What the store's `describe` said about the document when it was written. */
  readonly meta: M;
}

/** Where spilled documents go, and how they are read back. */
export interface SpillArea<M = unknown> {
  write(docs: readonly HeldDoc<M>[]): void;
  /** The spilled version of an id, or null. */
  read(id: string): HeldDoc<M> | null;
}

export interface MemoryStoreOptions<M = unknown> {
  readonly maxDocs?: number;
  /** Cap on the JSON bytes held (default: no cap). */
  readonly maxBytes?: number;
  readonly spill?: SpillArea<M>;
  /** Facts about a document kept beside it (the file sink's tallies), computed once per write. */
  readonly describe?: (doc: CounterDoc) => M;
}

/** Spill area that keeps nothing (tests of CAS semantics without a cap). */
const NO_SPILL: SpillArea<never> = {
  write: () => {
    throw new Error('memory store: document cap reached and no spill area configured');
  },
  read: () => null,
};

const PRIMARY_TERM = 1;

export class MemoryCounterStore<M = unknown> implements CounterStore {
  readonly stats: MemoryStoreStats = {
    loads: 0,
    writes: 0,
    conflicts: 0,
    spilled: 0,
    spills: 0,
    reopened: 0,
  };
  readonly maxDocs: number;
  readonly maxBytes: number;
  readonly #docs = new Map<string, HeldDoc<M>>();
  readonly #spillArea: SpillArea<M>;
  readonly #describe: ((doc: CounterDoc) => M) | undefined;
  #seqNo = 0;
  #bytes = 0;

  constructor(options: MemoryStoreOptions<M> = {}) {
    this.maxDocs = options.maxDocs ?? 1_000_000;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#spillArea = (options.spill ?? NO_SPILL) as SpillArea<M>;
    this.#describe = options.describe;
  }

  get size(): number {
    return this.#docs.size;
  }

  /** JSON bytes (UTF-16 code units) held in memory. */
  get heldBytes(): number {
    return this.#bytes;
  }

  async load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>> {
    this.stats.loads += 1;
    const out = new Map<string, VersionedDoc | null>();
    for (const ref of refs) {
      const held = this.#current(ref.id);
      out.set(
        ref.id,
        held && held.index === ref.index
          ? {
              index: held.index,
              id: ref.id,
              doc: JSON.parse(held.json) as CounterDoc,
              seqNo: held.seqNo,
              primaryTerm: PRIMARY_TERM,
            }
          : null,
      );
    }
    return out;
  }

  async write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    this.stats.writes += 1;
    const results: WriteResult[] = [];
    for (const item of items) {
      const current = this.#current(item.id);
      if (item.op === 'create') {
        if (current !== undefined) {
          results.push(this.#conflict(item.id, 'document already exists'));
          continue;
        }
      } else if (
        current === undefined ||
        current.index !== item.index ||
        current.seqNo !== item.ifSeqNo ||
        item.ifPrimaryTerm !== PRIMARY_TERM
      ) {
        results.push(
          this.#conflict(
            item.id,
            `required seqNo [${item.ifSeqNo}], primary term [${item.ifPrimaryTerm}]; current ${current ? `seqNo [${current.seqNo}]` : 'document missing'}`,
          ),
        );
        continue;
      }
      this.#seqNo += 1;
      const json = item.source ?? JSON.stringify(item.doc);
      const held: HeldDoc<M> = {
        index: item.index,
        id: item.id,
        json,
        seqNo: this.#seqNo,
        stats: item.doc.logsift.kind === 'stats',
        timestamp: item.doc['@timestamp'],
        meta: this.#describe ? this.#describe(item.doc) : (undefined as M),
      };
      const old = this.#docs.get(item.id);
      if (old !== undefined) this.#bytes -= old.json.length;
      this.#docs.set(item.id, held);
      this.#bytes += json.length;
      results.push({ ok: true, id: item.id, seqNo: this.#seqNo, primaryTerm: PRIMARY_TERM });
    }
    if (this.#docs.size > this.maxDocs || this.#bytes > this.maxBytes) this.#spill();
    return results;
  }

  /** Every document held, in a deterministic order (@timestamp, index, id). */
  documents(): HeldDoc<M>[] {
    return [...this.#docs.values()].sort(compareDocs);
  }

  /** The current version: in memory, else read back from the spill area. */
  #current(id: string): HeldDoc<M> | undefined {
    const held = this.#docs.get(id);
    if (held !== undefined) return held;
    const spilled = this.#spillArea.read(id);
    if (spilled === null) return undefined;
    this.stats.reopened += 1;
    return spilled;
  }

  #conflict(id: string, reason: string): WriteResult {
    this.stats.conflicts += 1;
    return {
      ok: false,
      id,
      status: 409,
      kind: 'conflict',
      reason: `version_conflict_engine_exception: ${reason}`,
    };
  }

  /**
   * Spill the oldest-bucket summaries until the store is at 90% of both caps. Summaries are grouped
   * by `@timestamp` (a bucket start: few distinct values), so only the distinct timestamps and the
   * groups that go are sorted, not every document held; the spilled list is in compareDocs order.
   */
  #spill(): void {
    const targetDocs = Math.floor(this.maxDocs * 0.9);
    const targetBytes = this.maxBytes * 0.9;
    const byTs = new Map<string, HeldDoc<M>[]>();
    for (const held of this.#docs.values()) {
      if (held.stats) continue;
      const g = byTs.get(held.timestamp);
      if (g === undefined) byTs.set(held.timestamp, [held]);
      else g.push(held);
    }
    const stamps = [...byTs.keys()].sort();
    const spilled: HeldDoc<M>[] = [];
    let docs = this.#docs.size;
    let bytes = this.#bytes;
    for (let i = 0; i < stamps.length && (docs > targetDocs || bytes > targetBytes); i++) {
      const g = byTs.get(stamps[i]!)!.sort(compareDocs);
      for (let k = 0; k < g.length && (docs > targetDocs || bytes > targetBytes); k++) {
        const d = g[k]!;
        docs -= 1;
        bytes -= d.json.length;
        spilled.push(d);
      }
    }
    if (spilled.length === 0) return;
    this.#spillArea.write(spilled);
    for (const d of spilled) {
      this.#docs.delete(d.id);
      this.#bytes -= d.json.length;
    }
    this.stats.spilled += spilled.length;
    this.stats.spills += 1;
  }
}

function compareDocs(a: HeldDoc, b: HeldDoc): number {
  const ta = a.timestamp;
  const tb = b.timestamp;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.index !== b.index) return a.index < b.index ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
