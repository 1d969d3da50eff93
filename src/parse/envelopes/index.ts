/**
 * Envelope detection and unwrapping: raw lines, CRI, docker json-file, and shipper JSON (Fluent
 * Bit / Fluentd, Vector, Filebeat / ECS, OTel collector). A shipper's text may itself be a CRI line
 * (or a docker json-file line): one more layer is unwrapped. Pure, never throws.
 */
import type { KubernetesMeta } from '../../domain/record.ts';
import { type CriLine, parseCri } from './cri.ts';
import { fromDocker } from './docker.ts';
import { fastFluentBit } from './fast.ts';
import { fromFilebeat } from './filebeat.ts';
import { fromFluentBit } from './fluentbit.ts';
import { isObject } from './json.ts';
import { fromOtel } from './otel.ts';
import type { JsonObject, ShipperFields, Unwrapped, UnwrapResult } from './types.ts';
import { fromVector, isVector } from './vector.ts';

export { parseCri } from './cri.ts';
export type { BrokenEnvelope, Stream, Unwrapped, UnwrapResult } from './types.ts';

const NO_META: KubernetesMeta = Object.freeze({});

function firstNonSpace(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xfeff) break;
    i++;
  }
  return i;
}

/** Picks the shipper by the keys present. Order matters: OTLP, `log`, `message`, `body`. Exported for tests (fast-path equivalence). */
export function fromJson(o: JsonObject): ShipperFields | null {
  if (Array.isArray(o.resourceLogs)) return fromOtel(o);
  if (o.log !== undefined && o.log !== null) {
    return typeof o.log === 'string' ? (fromDocker(o) ?? fromFluentBit(o)) : null;
  }
  if (o.message !== undefined && o.message !== null) {
    if (isVector(o)) return fromVector(o);
    return fromFilebeat(o);
  }
  if (o.body !== undefined && o.body !== null) return fromOtel(o);
  return null;
}

function fromCri(cri: CriLine): Unwrapped {
  return {
    ok: true,
    wrapper: 'cri',
    innerWrapper: null,
    text: cri.text,
    envelopeTimeMs: cri.timeMs,
    stream: cri.stream,
    partial: cri.partial,
    kubernetes: NO_META,
  };
}

/** Second layer inside a shipper: a CRI line, or a docker json-file line. */
function unwrapInner(outer: ShipperFields): Unwrapped {
  const t = outer.text;
  const cri = parseCri(t);
  if (cri) {
    return {
      ok: true,
      wrapper: outer.wrapper,
      innerWrapper: 'cri',
      text: cri.text,
      // The runtime's timestamp is closer to the event than the shipper's.
      envelopeTimeMs: cri.timeMs,
      stream: cri.stream,
      partial: cri.partial,
      kubernetes: outer.kubernetes,
    };
  }
  if (t.charCodeAt(0) === 123 && t.indexOf('"log"') > 0) {
    let inner: unknown;
    try {
      inner = JSON.parse(t);
    } catch {
      inner = undefined;
    }
    const d = isObject(inner) ? fromDocker(inner) : null;
    if (d) {
      return {
        ok: true,
        wrapper: outer.wrapper,
        innerWrapper: 'docker',
        text: d.text,
        envelopeTimeMs: d.envelopeTimeMs ?? outer.envelopeTimeMs,
        stream: d.stream ?? outer.stream,
        partial: d.partial,
        kubernetes: outer.kubernetes,
      };
    }
  }
  return { ok: true, innerWrapper: null, ...outer };
}

/**
 * Detects and removes the wrapper of one unit's text. Raw text (no wrapper) comes back with
 * wrapper `raw`. Text that starts with `{` but is not a usable JSON envelope is a broken envelope.
 */
export function unwrap(text: string): UnwrapResult {
  const c0 = text.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const cri = parseCri(text);
    if (cri) return fromCri(cri);
    return raw(text);
  }
  const i = c0 === 123 ? 0 : c0 === 32 || c0 === 9 || c0 === 0xfeff ? firstNonSpace(text) : -1;
  if (i < 0 || text.charCodeAt(i) !== 123) return raw(text);
  // Dominant shape (Fluent Bit with Kubernetes metadata) without JSON.parse; null: not sure, parse.
  const fast = fastFluentBit(text, i);
  if (fast) return unwrapInner(fast);
  let parsed: unknown;
  try {
    parsed = JSON.parse(i === 0 ? text : text.slice(i));
  } catch {
    return { ok: false, reason: 'json-syntax', text };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'not-an-object', text };
  const fields = fromJson(parsed);
  if (!fields) return { ok: false, reason: 'no-message', text };
  return unwrapInner(fields);
}

function raw(text: string): Unwrapped {
  return {
    ok: true,
    wrapper: 'raw',
    innerWrapper: null,
    text,
    envelopeTimeMs: null,
    stream: null,
    partial: false,
    kubernetes: NO_META,
  };
}
