/**
 * Two computed fields of the document contract, as pure helpers the
 * Elasticsearch sink can call just before serialising a document:
 *
 * - `logsift.param_values`: the top values of `logsift.params` as a list of {name, value, count},
 *   mapped `nested`. `flattened` (right for browsing arbitrary keys) indexes leaf values as keywords,
 *   so per-value counts (tier, errno, operation) cannot be summed from it; the nested list makes them
 *   exact sum aggregations. Past-the-cap values appear once as value `(other)`.
 * - `logsift.doc_bytes`: the UTF-8 byte length of the document's JSON without this field, so "bytes
 *   out" is an exact sum aggregation rather than an estimate.
 */
import type { CounterDoc, SummaryDoc, TopValues } from './documents.ts';

export const OTHER_VALUE = '(other)';

export interface ParamValue {
  name: string;
  value: string;
  count: number;
}

/** params -> sorted list (name asc, count desc, value asc); `other` as value `(other)` when > 0. */
export function paramValuesOf(params: Record<string, TopValues>): ParamValue[] {
  const out: ParamValue[] = [];
  for (const name of Object.keys(params).sort()) {
    const tv = params[name]!;
    const vals = Object.entries(tv.values)
      .map(([value, count]) => ({ name, value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    out.push(...vals);
    if (tv.other > 0) out.push({ name, value: OTHER_VALUE, count: tv.other });
  }
  return out;
}

/** Byte length of the document's JSON, ignoring any `logsift.doc_bytes` already present. */
export function docBytesOf(doc: CounterDoc | Record<string, unknown>): number {
  const ls = (doc as { logsift?: Record<string, unknown> }).logsift;
  if (ls && 'doc_bytes' in ls) {
    const { doc_bytes: _drop, ...rest } = ls;
    return Buffer.byteLength(JSON.stringify({ ...doc, logsift: rest }), 'utf8');
  }
  return Buffer.byteLength(JSON.stringify(doc), 'utf8');
}

/** `"doc_bytes":-1`: no count is negative, so in a document's JSON this text is only that member. */
const PLACEHOLDER = '"doc_bytes":-1';

/**
 * Sets `doc.logsift.doc_bytes` to the byte length of the document's JSON without that member (as
 * docBytesOf) and returns the JSON with it, serialising once: the JSON with a placeholder value is
 * the JSON without the member plus the placeholder and one comma (logsift has other members).
 */
export function measureDocBytes(doc: CounterDoc): string {
  doc.logsift.doc_bytes = -1;
  const json = JSON.stringify(doc);
  const bytes = Buffer.byteLength(json, 'utf8') - PLACEHOLDER.length - 1;
  doc.logsift.doc_bytes = bytes;
  return json.replace(PLACEHOLDER, `"doc_bytes":${bytes}`);
}

/** A copy of a summary with param_values and doc_bytes added (doc_bytes measured last). */
export function withSummaryExtras(
  doc: SummaryDoc,
): SummaryDoc & { logsift: { param_values: ParamValue[]; doc_bytes: number } } {
  const withValues = { ...doc, logsift: { ...doc.logsift, param_values: paramValuesOf(doc.logsift.params) } };
  return { ...withValues, logsift: { ...withValues.logsift, doc_bytes: docBytesOf(withValues) } };
}

/** A copy of any counter document with doc_bytes added. */
export function withDocBytes<D extends CounterDoc>(doc: D): D {
  return { ...doc, logsift: { ...doc.logsift, doc_bytes: docBytesOf(doc) } } as D;
}
