/**
 * The counter-store contract between aggregate/ (pure) and a sink (Elasticsearch or file).
 * A store holds compare-and-set registers: each document has a version (seqNo, primaryTerm), and a
 * write succeeds only against the version it was read at (DESIGN.md, "Aggregation and exact counts").
 */
import type { CounterDoc } from '../domain/documents.ts';

export interface DocRef {
  readonly index: string;
  readonly id: string;
}

/** A document as acknowledged by the store, with the version a conditional write must name. */
export interface VersionedDoc<D extends CounterDoc = CounterDoc> {
  readonly index: string;
  readonly id: string;
  readonly doc: D;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/**
 * One write: `create` for an id the store did not have, `index` conditional on the loaded version.
 * `source`, when present, is `JSON.stringify(doc)` made by the builder (it measures the document's
 * size from it), so a store that sends JSON need not serialise the document again. It must describe
 * `doc`: use withDoc() to write another document under the same item.
 */
export type WriteItem =
  | {
      readonly op: 'create';
      readonly index: string;
      readonly id: string;
      readonly doc: CounterDoc;
      readonly source?: string;
    }
  | {
      readonly op: 'index';
      readonly index: string;
      readonly id: string;
      readonly doc: CounterDoc;
      readonly source?: string;
      readonly ifSeqNo: number;
      readonly ifPrimaryTerm: number;
    };

/** The same write (op, id, version) with another document, and no stale `source`. */
export function withDoc(item: WriteItem, doc: CounterDoc): WriteItem {
  const { source: _stale, ...rest } = item;
  return { ...rest, doc };
}

/** Per-item result, read for every item (docs/EXACTNESS.md F4). */
export type WriteResult =
  | { readonly ok: true; readonly id: string; readonly seqNo: number; readonly primaryTerm: number }
  | {
      readonly ok: false;
      readonly id: string;
      readonly status: number; // HTTP status of the item (0 = no answer: connection error/timeout)
      /** 'retry': 429/5xx/timeout; 'conflict': 409; 'reject': 4xx that no resend can fix. */
      readonly kind: 'retry' | 'conflict' | 'reject';
      readonly reason: string;
    };

export interface CounterStore {
  /** Realtime read of the current versions. Missing ids map to null. Per-item errors must throw (never "not found"). */
  load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>>;
  /** Write every item; one result per item, in order. Throws only when nothing can be said per item. */
  write(items: readonly WriteItem[]): Promise<WriteResult[]>;
  /**
   * The highest `offset_end` of any stats document of (topic, partition): where the last acknowledged
   * epoch of any earlier owner ended; null when there is none. Optional: a store without it gives up
   * gap detection after a restart whose committed offset was lost (docs/EXACTNESS.md F9).
   */
  partitionEnd?(topic: string, partition: number): Promise<number | null>;
  /**
   * The summary document of (topic, partition) with the highest `offset_end` among those written
   * under a ruleset version other than `version` (dead-letter counters excluded: their keys do not
   * depend on the ruleset); null when there is none. Read after a refresh. Optional: a store without
   * it cannot detect a version switch inside a replay window (docs/EXACTNESS.md F1).
   */
  foreignVersionEnd?(topic: string, partition: number, version: string): Promise<ForeignVersionEnd | null>;
}

export interface ForeignVersionEnd {
  readonly version: string;
  readonly offsetEnd: number;
}
