/**
 * An in-memory CounterStore that behaves like Elasticsearch for the counter protocol
 * (src/aggregate/store.ts): every document has a `_seq_no` (one counter for the store) and a
 * `_primary_term` (always 1); `create` on an existing id and `index` with a stale
 * if_seq_no/if_primary_term both fail with 409 `conflict`, like ES `version_conflict_engine_exception`.
 *
 * Cap: at most `maxDocs` documents are held in memory. When a write passes it, the summary documents
 * of the oldest buckets are *spilled* to a SpillArea (the file sink appends them to the output and
 * keeps only their position) and dropped from memory. Stats documents are never spilled (a few per
 * component per hour). A spilled document is still part of the store: load() reads it back, `create`
 * on its id conflicts, `index` checks its seqNo — so a late record for an old bucket updates the
 * document exactly as Elasticsearch would (the newer version is appended; the last line wins).
 */

import type { CounterStore, DocRef, VersionedDoc, WriteItem, WriteResult } from '../../aggregate/store.ts';
import { cloneJson } from '../../domain/clone.ts';
import type { CounterDoc } from '../../domain/documents.ts';

export interface StoredDoc {
  readonly index: string;
  readonly id: string;
  readonly doc: CounterDoc;
}

export interface MemoryStoreStats {
  loads: number;
  writes: number;
  conflicts: number;
  /** Summary documents spilled early because the cap bit. */
  spilled: number;
  /** Spill events (each spills at least a tenth of the cap). */
  spills: number;
  /** Spilled documents read back because a later record touched them. */
  reopened: number;
}

export interface SpilledDoc extends StoredDoc {
  readonly seqNo: number;
}

/** Where spilled documents go, and how they are read back. */
export interface SpillArea {
  write(docs: readonly SpilledDoc[]): void;
  /** The spilled version of an id, or null. */
  read(id: string): SpilledDoc | null;
}

export interface MemoryStoreOptions {
  readonly maxDocs?: number;
  readonly spill?: SpillArea;
  /**
   * Copy documents on load and write, as a remote store would (default true). `false` shares them:
   * correct only for a caller that never changes a document after writing it or after loading it
   * (the file pipeline: one writer, each epoch built and written once, and Epoch copies a base
   * before changing it). Saves two copies of every touched document per epoch.
   */
  readonly copyDocuments?: boolean;
}

/** Spill area that keeps nothing (tests of CAS semantics without a cap). */
const NO_SPILL: SpillArea = {
  write: () => {
    throw new Error('memory store: document cap reached and no spill area configured');
  },
  read: () => null,
};

interface Slot {
  index: string;
  doc: CounterDoc;
  seqNo: number;
}

const PRIMARY_TERM = 1;

export class MemoryCounterStore implements CounterStore {
  readonly stats: MemoryStoreStats = {
    loads: 0,
    writes: 0,
    conflicts: 0,
    spilled: 0,
    spills: 0,
    reopened: 0,
  };
  readonly maxDocs: number;
  readonly #docs = new Map<string, Slot>();
  readonly #spillArea: SpillArea;
  #seqNo = 0;
  readonly #copy: boolean;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxDocs = options.maxDocs ?? 1_000_000;
    this.#spillArea = options.spill ?? NO_SPILL;
    this.#copy = options.copyDocuments ?? true;
  }

  get size(): number {
    return this.#docs.size;
  }

  async load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>> {
    this.stats.loads += 1;
    const out = new Map<string, VersionedDoc | null>();
    for (const ref of refs) {
      const slot = this.#current(ref.id);
      out.set(
        ref.id,
        slot && slot.index === ref.index
          ? {
              index: slot.index,
              id: ref.id,
              doc: this.#copy ? cloneJson(slot.doc) : slot.doc,
              seqNo: slot.seqNo,
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
      this.#docs.set(item.id, {
        index: item.index,
        doc: this.#copy ? cloneJson(item.doc) : item.doc,
        seqNo: this.#seqNo,
      });
      results.push({ ok: true, id: item.id, seqNo: this.#seqNo, primaryTerm: PRIMARY_TERM });
    }
    if (this.#docs.size > this.maxDocs) this.#spill();
    return results;
  }

  /** Every document held, in a deterministic order (index, @timestamp, id). */
  documents(): SpilledDoc[] {
    const out: SpilledDoc[] = [];
    for (const [id, slot] of this.#docs)
      out.push({ index: slot.index, id, doc: slot.doc, seqNo: slot.seqNo });
    return out.sort(compareDocs);
  }

  /** The current version: in memory, else read back from the spill area. */
  #current(id: string): Slot | undefined {
    const slot = this.#docs.get(id);
    if (slot !== undefined) return slot;
    const spilled = this.#spillArea.read(id);
    if (spilled === null) return undefined;
    this.stats.reopened += 1;
    return { index: spilled.index, doc: spilled.doc, seqNo: spilled.seqNo };
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

  /** Spill the oldest-bucket summaries until the store is at 90% of its cap. */
  #spill(): void {
    const target = Math.floor(this.maxDocs * 0.9);
    const summaries: SpilledDoc[] = [];
    for (const [id, slot] of this.#docs) {
      if (slot.doc.logsift.kind !== 'stats')
        summaries.push({ index: slot.index, id, doc: slot.doc, seqNo: slot.seqNo });
    }
    summaries.sort(compareDocs);
    const n = Math.min(summaries.length, this.#docs.size - target);
    if (n <= 0) return;
    const spilled = summaries.slice(0, n);
    this.#spillArea.write(spilled);
    for (const d of spilled) this.#docs.delete(d.id);
    this.stats.spilled += spilled.length;
    this.stats.spills += 1;
  }
}

function compareDocs(a: StoredDoc, b: StoredDoc): number {
  const ta = a.doc['@timestamp'];
  const tb = b.doc['@timestamp'];
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.index !== b.index) return a.index < b.index ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
