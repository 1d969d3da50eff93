/**
 * Envelope detection and unwrapping: raw lines, CRI, docker json-file, shipper JSON (Fluent
 * Bit / Fluentd, Vector, Filebeat / ECS, OTel collector) and the text prefixes of tools (kubectl,
 * stern, syslog / journalctl, svlogd: ./prefix.ts). A shipper's text may itself be a CRI line, a
 * docker json-file line, or a time-prefixed line (a shipped svlogd or journald file): one more
 * layer is unwrapped. A JSON line that is a log *line* (tigera-operator's zap JSON: `level` and
 * `msg`, no envelope field) is raw text for the line parsers. Pure, never throws.
 */
import type { KubernetesMeta } from '../../domain/record.ts';
import { type CriLine, parseCri } from './cri.ts';
import { fromDocker } from './docker.ts';
import { fastEnvelope } from './fast.ts';
import { fromJson } from './from-json.ts';
import { isObject } from './json.ts';
import { timePrefix, unwrapPrefix } from './prefix.ts';
import type { JsonObject, PrefixFields, ShipperFields, Unwrapped, UnwrapResult } from './types.ts';

export { parseCri } from './cri.ts';
export { fromJson } from './from-json.ts';
export { stripSgr, unwrapPrefix } from './prefix.ts';
export type {
  BrokenEnvelope,
  LineHints,
  PrefixFields,
  PrefixTime,
  Stream,
  Unwrapped,
  UnwrapResult,
} from './types.ts';

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

function fromPrefix(p: PrefixFields): Unwrapped {
  // Two literal shapes (object spread is several times slower here): `hints` only when present.
  if (p.hints === null) {
    return {
      ok: true,
      wrapper: p.wrapper,
      innerWrapper: null,
      text: p.text,
      envelopeTimeMs: p.envelopeTimeMs,
      stream: null,
      partial: false,
      kubernetes: p.kubernetes,
    };
  }
  return {
    ok: true,
    wrapper: p.wrapper,
    innerWrapper: null,
    text: p.text,
    envelopeTimeMs: p.envelopeTimeMs,
    stream: null,
    partial: false,
    kubernetes: p.kubernetes,
    hints: p.hints,
  };
}

/** Second layer inside a shipper: a CRI line, a docker json-file line, or a time prefix. */
function unwrapInner(outer: ShipperFields): Unwrapped {
  const t = outer.text;
  const c0 = t.charCodeAt(0);
  const cri = c0 >= 48 && c0 <= 57 ? parseCri(t) : null;
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
  const p = c0 >= 48 && c0 <= 57 ? timePrefix(t) : null;
  if (p !== null && p.wrapper !== 'kubectl') {
    // A shipped svlogd / journald file: the prefix's time is closer to the event than the shipper's.
    const u: Unwrapped = {
      ok: true,
      wrapper: outer.wrapper,
      innerWrapper: p.wrapper,
      text: p.text,
      envelopeTimeMs: p.envelopeTimeMs ?? outer.envelopeTimeMs,
      stream: outer.stream,
      partial: false,
      kubernetes: mergeInto(outer.kubernetes, p.kubernetes),
    };
    return p.hints === null ? u : { ...u, hints: p.hints };
  }
  // A literal in the spread's key order (`{ ok, innerWrapper, ...outer }`): no spread per line.
  return {
    ok: true,
    innerWrapper: null,
    wrapper: outer.wrapper,
    text: outer.text,
    envelopeTimeMs: outer.envelopeTimeMs,
    stream: outer.stream,
    partial: outer.partial,
    kubernetes: outer.kubernetes,
  };
}

/** `base` with the fields it lacks taken from `extra` (the envelope's own values win). */
function mergeInto(base: KubernetesMeta, extra: KubernetesMeta): KubernetesMeta {
  if (extra === NO_META || extra.node === undefined || base.node !== undefined) return base;
  return { ...base, node: extra.node };
}

/**
 * Detects and removes the wrapper of one unit's text. Raw text (no wrapper) comes back with
 * wrapper `raw`. Text that starts with `{` but is not a usable JSON envelope is a broken envelope.
 */
export function unwrap(text: string): UnwrapResult {
  return unwrapWith(text, true);
}

/** unwrap without the envelope fast paths (every JSON envelope JSON.parse'd): the reference for tests. */
export function unwrapReference(text: string): UnwrapResult {
  return unwrapWith(text, false);
}

function unwrapWith(text: string, fastPaths: boolean): UnwrapResult {
  const c0 = text.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    const cri = parseCri(text);
    if (cri) return fromCri(cri);
    const p = timePrefix(text);
    return p === null ? raw(text) : fromPrefix(p);
  }
  const i = c0 === 123 ? 0 : c0 === 32 || c0 === 9 || c0 === 0xfeff ? firstNonSpace(text) : -1;
  if (i < 0) {
    const p = unwrapPrefix(text);
    return p === null ? raw(text) : fromPrefix(p);
  }
  if (text.charCodeAt(i) !== 123) return raw(text);
  // The shippers' default shapes without JSON.parse of the whole envelope; null: not sure, parse.
  const fast = fastPaths ? fastEnvelope(text, i) : null;
  if (fast) return unwrapInner(fast);
  let parsed: unknown;
  try {
    parsed = JSON.parse(i === 0 ? text : text.slice(i));
  } catch {
    return { ok: false, reason: 'json-syntax', text };
  }
  if (!isObject(parsed)) return { ok: false, reason: 'not-an-object', text };
  const fields = fromJson(parsed);
  if (!fields) return isJsonLogLine(parsed) ? raw(text) : { ok: false, reason: 'no-message', text };
  return unwrapInner(fields);
}

/**
 * A JSON log line rather than an envelope: zap's production encoder (tigera-operator) writes `level`
 * and `msg` (go.uber.org/zap NewProductionEncoderConfig). Parsed by formats/zap.ts.
 */
function isJsonLogLine(o: JsonObject): boolean {
  return typeof o.level === 'string' && typeof o.msg === 'string';
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
