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

export function meta(
  node?: string,
  namespace?: string,
  pod?: string,
  container?: string,
  image?: string,
): KubernetesMeta {
  const m: KubernetesMeta = {};
  if (node !== undefined) m.node = node;
  if (namespace !== undefined) m.namespace = namespace;
  if (pod !== undefined) m.pod = pod;
  if (container !== undefined) m.container = container;
  if (image !== undefined) m.image = image;
  return m;
}

/**
 * `name` plus `tag` as one image reference (`docker.io/calico/node` + `v3.29.1` ->
 * `docker.io/calico/node:v3.29.1`), for shippers that report them apart (ECS `container.image.tag`,
 * OTel semantic conventions `container.image.tag`). A name that already has a tag or a digest
 * (`:` after the last `/`, or `@`) is kept as it is.
 */
export function imageRef(name: string | undefined, tag: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (tag === undefined || name.includes('@') || name.indexOf(':', name.lastIndexOf('/') + 1) >= 0) {
    return name;
  }
  return `${name}:${tag}`;
}

/** A string, or the first string of an array (ECS `container.image.tag` is a keyword list). */
export function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'string' && x.length > 0) return x;
  }
  return undefined;
}

/** Strips one trailing `\n` (docker/Fluent Bit keep the line's newline in `log`). */
export function chomp(s: string): string {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  return end === s.length ? s : s.slice(0, end);
}
