/**
 * Bulk request bodies for counter writes: one action line + one source line per item, serialised
 * once, and cut into requests of at most `maxBytes` (docs/EXACTNESS.md F12: a request over
 * `http.max_content_length` answers 413 forever). An item larger than maxBytes alone is sent alone.
 * Pure.
 */
import type { WriteItem } from '../../aggregate/store.ts';

export interface SerializedItem {
  readonly item: WriteItem;
  /** Action line and source line, without newlines. */
  readonly lines: readonly [string, string];
  /** Bytes on the wire, newlines included. */
  readonly bytes: number;
}

export function actionLine(item: WriteItem): string {
  if (item.op === 'create') return JSON.stringify({ create: { _index: item.index, _id: item.id } });
  return JSON.stringify({
    index: {
      _index: item.index,
      _id: item.id,
      if_seq_no: item.ifSeqNo,
      if_primary_term: item.ifPrimaryTerm,
    },
  });
}

export function serializeItem(item: WriteItem): SerializedItem {
  const action = actionLine(item);
  const source = item.source ?? JSON.stringify(item.doc);
  return {
    item,
    lines: [action, source],
    bytes: Buffer.byteLength(action) + Buffer.byteLength(source) + 2,
  };
}

/** Consecutive chunks, each at most maxBytes (unless one item alone is larger). Never reorders. */
export function splitByBytes(items: readonly SerializedItem[], maxBytes: number): SerializedItem[][] {
  const chunks: SerializedItem[][] = [];
  let cur: SerializedItem[] = [];
  let size = 0;
  for (const s of items) {
    if (cur.length > 0 && size + s.bytes > maxBytes) {
      chunks.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(s);
    size += s.bytes;
  }
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/** No `_id` may appear twice in one bulk (docs/EXACTNESS.md F8): the second would conflict with the first. */
export function assertUniqueIds(items: readonly WriteItem[]): void {
  const seen = new Set<string>();
  for (const it of items) {
    const k = `${it.index}\0${it.id}`;
    if (seen.has(k)) throw new Error(`bulk: document ${it.id} twice in one request`);
    seen.add(k);
  }
}
