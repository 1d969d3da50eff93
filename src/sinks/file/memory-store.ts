/**
 * An in-memory CounterStore that behaves like Elasticsearch for the counter protocol
 * (src/aggregate/store.ts): every document has a `_seq_no` (one counter for the store) and a
 * `_primary_term` (always 1); `create` on an existing id and `index` with a stale
 * if_seq_no/if_primary_term both fail with 409 `conflict`, like ES `version_conflict_engine_exception`.
 *
 * Cap: at most `maxDocs` documents are held. When a write would pass it, the summary documents of
 * the oldest buckets are *spilled* — handed to `onSpill` (the file sink appends them to the output)
 * and forgotten. Stats documents are never spilled (there are a few per component per hour).
 * A spilled id that is written again is created afresh and counted in `stats.reopened`; its counts
 * are still exact in sum (each copy counts disjoint records), the output then holds two lines with
 * the same `_id` — the report adds them up.
 */

import type { CounterStore, DocRef, VersionedDoc, WriteItem, WriteResult } from '../../aggregate/store.ts';
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
  /** Spilled ids that were written again (duplicated `_id` in the output). */
  reopened: number;
}

export interface MemoryStoreOptions {
  readonly maxDocs?: number;
  readonly onSpill?: (docs: readonly StoredDoc[]) => void;
}

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
  readonly #spilledIds = new Set<string>();
  readonly #onSpill: (docs: readonly StoredDoc[]) => void;
  #seqNo = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxDocs = options.maxDocs ?? 1_000_000;
    this.#onSpill = options.onSpill ?? (() => {});
  }

  get size(): number {
    return this.#docs.size;
  }

  async load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>> {
    this.stats.loads += 1;
    const out = new Map<string, VersionedDoc | null>();
    for (const ref of refs) {
      const slot = this.#docs.get(ref.id);
      out.set(
        ref.id,
        slot && slot.index === ref.index
          ? {
              index: slot.index,
              id: ref.id,
              doc: structuredClone(slot.doc),
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
      const current = this.#docs.get(item.id);
      if (item.op === 'create') {
        if (current !== undefined) {
          results.push(this.#conflict(item.id, 'document already exists'));
          continue;
        }
        if (this.#spilledIds.has(item.id)) this.stats.reopened += 1;
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
      this.#docs.set(item.id, { index: item.index, doc: structuredClone(item.doc), seqNo: this.#seqNo });
      results.push({ ok: true, id: item.id, seqNo: this.#seqNo, primaryTerm: PRIMARY_TERM });
    }
    if (this.#docs.size > this.maxDocs) this.#spill();
    return results;
  }

  /** Every document held, in a deterministic order (index, @timestamp, id). */
  documents(): StoredDoc[] {
    const out: StoredDoc[] = [];
    for (const [id, slot] of this.#docs) out.push({ index: slot.index, id, doc: slot.doc });
    return out.sort(compareDocs);
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
    const summaries: StoredDoc[] = [];
    for (const [id, slot] of this.#docs) {
      if (slot.doc.logsift.kind !== 'stats') summaries.push({ index: slot.index, id, doc: slot.doc });
    }
    summaries.sort(compareDocs);
    const n = Math.min(summaries.length, this.#docs.size - target);
    if (n <= 0) return;
    const spilled = summaries.slice(0, n);
    for (const d of spilled) {
      this.#docs.delete(d.id);
      this.#spilledIds.add(d.id);
    }
    this.stats.spilled += spilled.length;
    this.stats.spills += 1;
    this.#onSpill(spilled);
  }
}

function compareDocs(a: StoredDoc, b: StoredDoc): number {
  const ta = a.doc['@timestamp'];
  const tb = b.doc['@timestamp'];
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.index !== b.index) return a.index < b.index ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
