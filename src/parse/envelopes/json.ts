/** Small helpers to read shipper JSON: nested objects and dotted keys (`kubernetes.pod.name`). */
import type { KubernetesMeta } from '../../domain/record.ts';
import type { JsonObject, Stream } from './types.ts';

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Value at a dotted path, trying every way to split it between nesting and dotted keys:
 * `o.kubernetes.pod.name`, `o["kubernetes.pod.name"]`, `o.kubernetes["pod.name"]`, ...
 * Paths have at most 4 parts, so this is at most 8 lookups.
 */
export function getPath(o: JsonObject, path: string): unknown {
  const direct = o[path];
  if (direct !== undefined) return direct;
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = o[path.slice(0, dot)];
    if (isObject(head)) {
      const v = getPath(head, path.slice(dot + 1));
      if (v !== undefined) return v;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

export function getString(o: JsonObject, path: string): string | undefined {
  const v = getPath(o, path);
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function toStream(v: unknown): Stream | null {
  return v === 'stdout' || v === 'stderr' ? v : null;
}

/** Message field value as text: strings as is, other non-null values as JSON; null/undefined -> null. */
export function messageText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return null;
  }
}

export function meta(node?: string, namespace?: string, pod?: string, container?: string): KubernetesMeta {
  const m: KubernetesMeta = {};
  if (node !== undefined) m.node = node;
  if (namespace !== undefined) m.namespace = namespace;
  if (pod !== undefined) m.pod = pod;
  if (container !== undefined) m.container = container;
  return m;
}

/** Strips one trailing `\n` (docker/Fluent Bit keep the line's newline in `log`). */
export function chomp(s: string): string {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  return end === s.length ? s : s.slice(0, end);
}
