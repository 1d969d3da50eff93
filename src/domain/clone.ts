/**
 * Deep copy of a JSON value (documents: plain objects, arrays, strings, numbers, booleans, null).
 *
 * Used where a document is copied before it is changed (an epoch's working copy, the file sink's
 * store). Unlike structuredClone it does not serialise: strings are immutable and shared, only the
 * objects and arrays are new, so a copy costs a fraction of the time and leaves far less garbage
 * (docs/PERF-NOTES.md). Key order is kept, so the copy serialises to the same bytes.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const k in src) if (Object.hasOwn(src, k)) out[k] = cloneJson(src[k]);
  return out as T;
}
