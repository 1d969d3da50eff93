/**
 * OpenTelemetry collector JSON (kafka exporter `otlp_json`, file exporter, or a flattened log
 * record). Two shapes:
 *  - OTLP/JSON: `{"resourceLogs":[{"resource":{"attributes":[{"key":"k8s.pod.name","value":{"stringValue":"..."}}]},
 *    "scopeLogs":[{"logRecords":[{"timeUnixNano":"...","body":{"stringValue":"..."}}]}]}]}`;
 *  - flat: `{"body":"..." | {"stringValue":"..."}, "resource":{...}|"attributes":{...}, "timeUnixNano":...}`.
 * Attributes may be an OTLP KeyValue list or a plain object (nested or dotted keys).
 */
import { envelopeTimeToMs, nanosToMs } from '../timestamp.ts';
import { chomp, getPath, getString, imageRef, isObject, messageText, meta, toStream } from './json.ts';
import type { JsonObject, ShipperFields } from './types.ts';

/** OTLP AnyValue -> string: stringValue, or the other scalar kinds. */
function anyValue(v: unknown): string | null {
  if (!isObject(v)) return messageText(v);
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.kvlistValue !== undefined || v.arrayValue !== undefined || v.bytesValue !== undefined) {
    return messageText(v);
  }
  // A plain object body (some exporters flatten AnyValue away).
  return messageText(v);
}

/** Flattens attributes (KeyValue list or object) into a lookup function. */
function attrLookup(attrs: unknown): (key: string) => string | undefined {
  if (Array.isArray(attrs)) {
    return (key) => {
      for (const kv of attrs) {
        if (isObject(kv) && kv.key === key) {
          const s = anyValue(kv.value);
          return s === null || s === '' ? undefined : s;
        }
      }
      return undefined;
    };
  }
  if (isObject(attrs)) return (key) => getString(attrs, key);
  return () => undefined;
}

function firstDefined(
  lookups: ReadonlyArray<(k: string) => string | undefined>,
  key: string,
): string | undefined {
  for (const l of lookups) {
    const v = l(key);
    if (v !== undefined) return v;
  }
  return undefined;
}

function fromRecord(
  rec: JsonObject,
  resourceAttrs: unknown,
  wrapperTextOverride?: string,
): ShipperFields | null {
  const text = wrapperTextOverride ?? anyValue(rec.body);
  if (text === null) return null;
  const lookups = [attrLookup(resourceAttrs), attrLookup(rec.attributes)];
  const time =
    nanosToMs(rec.timeUnixNano) ??
    nanosToMs(rec.observedTimeUnixNano) ??
    envelopeTimeToMs(rec.timestamp ?? rec.time ?? getPath(rec, '@timestamp'));
  return {
    wrapper: 'otel',
    text: chomp(text),
    envelopeTimeMs: time,
    stream: toStream(firstDefined(lookups, 'log.iostream') ?? rec.stream),
    partial: false,
    kubernetes: meta(
      firstDefined(lookups, 'k8s.node.name'),
      firstDefined(lookups, 'k8s.namespace.name'),
      firstDefined(lookups, 'k8s.pod.name'),
      firstDefined(lookups, 'k8s.container.name'),
      // Semantic conventions: container.image.name without the tag, container.image.tag apart.
      imageRef(firstDefined(lookups, 'container.image.name'), firstDefined(lookups, 'container.image.tag')),
    ),
  };
}

export function fromOtel(o: JsonObject): ShipperFields | null {
  if (Array.isArray(o.resourceLogs)) {
    // One Kafka message = one unit. With several log records they are joined with newlines so the
    // unit still yields exactly one record (counted once); the first record's metadata is used.
    let first: { rec: JsonObject; attrs: unknown } | null = null;
    const bodies: string[] = [];
    for (const rl of o.resourceLogs) {
      if (!isObject(rl)) continue;
      const attrs = isObject(rl.resource) ? rl.resource.attributes : undefined;
      const scopes = Array.isArray(rl.scopeLogs)
        ? rl.scopeLogs
        : Array.isArray(rl.instrumentationLibraryLogs)
          ? rl.instrumentationLibraryLogs
          : [];
      for (const sl of scopes) {
        if (!isObject(sl) || !Array.isArray(sl.logRecords)) continue;
        for (const rec of sl.logRecords) {
          if (!isObject(rec)) continue;
          const b = anyValue(rec.body);
          if (b === null) continue;
          if (!first) first = { rec, attrs };
          bodies.push(chomp(b));
        }
      }
    }
    if (!first) return null;
    return fromRecord(first.rec, first.attrs, bodies.length === 1 ? bodies[0] : bodies.join('\n'));
  }
  if (o.body === undefined) return null;
  const res = isObject(o.resource) ? (o.resource.attributes ?? o.resource) : undefined;
  return fromRecord(o, res);
}
