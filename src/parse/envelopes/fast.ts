/**
 * Fast paths for the shippers' default envelope shapes (fastEnvelope): Fluent Bit / Fluentd with
 * Kubernetes metadata last (below), Fluent Bit tailing a host file, docker json-file, Vector,
 * Filebeat, flat OTel and OTLP/JSON with one record (the second half of this file). Each answers
 * exactly what fromJson(JSON.parse(envelope)) gives, or null (not sure: the caller JSON.parse's).
 * On the generated benchmark mix they answer for every envelope but zap's JSON lines.
 *
 * Fluent Bit with Kubernetes metadata: `{"date":…,"time":"…","stream":"…","_p":"F","log":"…",
 * "kubernetes":{…}}`. The envelope is split at its first `,"kubernetes":{`. The `kubernetes` object text (up to the
 * final `}`) is looked up in a bounded memo of frozen KubernetesMeta (parsed once per distinct
 * text), so the lines of one pod share one meta object and skip parsing the labels, annotations, …
 * they never use. The head (`{…`) is matched by a strict regex of Fluent Bit's own key order (a valid
 * JSON object prefix by construction), else JSON.parse'd on its own (`head + "}"`).
 *
 * Why it is exact: if `head + "}"` parses to an object with a member and the kubernetes text
 * parses to a value, the whole envelope is valid JSON and JSON.parse of it is that object with
 * `kubernetes` set last (JSON.parse keeps the last duplicate) — whatever the split point was. When
 * either part does not parse, or the shape is not Fluent Bit's, this returns null and the caller
 * JSON.parse's the whole envelope. Pure (the memo is a pure cache: results do not depend on it).
 */
import type { KubernetesMeta } from '../../domain/record.ts';
import { envelopeTimeToMs, nanosToMs } from '../timestamp.ts';
import { fluentBitFields, fluentBitMeta } from './fluentbit.ts';
import { fromJson } from './from-json.ts';
import { chomp, isObject } from './json.ts';
import type { ShipperFields, Stream } from './types.ts';

const KUBE_KEY = ',"kubernetes":{';

/**
 * Fluent Bit's head, strictly JSON: `{"date":<number>,` (out_kafka: `{"@timestamp":<number>,`)
 * `"time":"<no escapes>","stream":"stdout|stderr","_p":"<no escapes>","log":"<JSON string>"` with
 * nothing after it (the head ends at the split).
 */
const HEAD =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings must not contain U+0000-U+001F unescaped
  /^\{"(?:date|@timestamp)":-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?,"time":"([^"\\\x00-\x1f]*)","stream":"(stdout|stderr)","_p":"[^"\\\x00-\x1f]*","log":"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"$/;

/** Slots of the direct-mapped front of each memo (a power of two). */
const SLOTS = 1024;

/** Cap on memoised texts over all memos (distinct `kubernetes` / metadata texts); all are cleared when it is reached. */
export const META_CACHE_MAX = 4096;
const stats = { hits: 0, misses: 0, clears: 0 };
const memos: TextMemo<unknown>[] = [];

/** Counters of the envelope metadata memos (`clears` counts how often a cap bit). */
export function fastPathMetaCacheStats(): { hits: number; misses: number; clears: number; size: number } {
  return { ...stats, size: memoEntries() };
}

function memoEntries(): number {
  let size = 0;
  for (const m of memos) size += m.size;
  return size;
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A slot from ~32 code units spread over the text and its length. Texts of one shape share most
 * of their characters, but differ somewhere in a pod name, uid or container id, which a stride of
 * 1/32 of the text samples; a collision only costs the Map lookup behind the slots.
 */
function slotOf(s: string): number {
  const n = s.length;
  const step = (n >> 5) + 1;
  let h = n;
  for (let j = n - 1; j >= 0; j -= step) h = (Math.imul(h, 31) + s.charCodeAt(j)) | 0;
  return (h ^ (h >>> 15)) & (SLOTS - 1);
}

/**
 * `derive(text)` memoised by content (null: derive declines, e.g. the text is not the JSON it expects).
 * Texts are compared with `===` (no hashing) in a direct-mapped front of SLOTS entries, then looked
 * up in a Map (all memos together hold at most META_CACHE_MAX entries). A pure cache: results do not depend on it.
 */
class TextMemo<T> {
  readonly #derive: (text: string) => T | null;
  readonly #map = new Map<string, T | null>();
  readonly #slotText: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly #slotVal: (T | null)[] = new Array<T | null>(SLOTS).fill(null);
  constructor(derive: (text: string) => T | null) {
    this.#derive = derive;
    memos.push(this as TextMemo<unknown>);
  }
  get size(): number {
    return this.#map.size;
  }
  clear(): void {
    this.#map.clear();
  }
  get(text: string): T | null {
    const slot = slotOf(text);
    if (this.#slotText[slot] === text) {
      stats.hits++;
      return this.#slotVal[slot] as T | null;
    }
    let v = this.#map.get(text);
    if (v !== undefined) stats.hits++;
    else {
      stats.misses++;
      // Not JSON is remembered too: a failing JSON.parse (an exception) per line is the costly part.
      v = this.#derive(text);
      if (memoEntries() >= META_CACHE_MAX) {
        for (const m of memos) m.clear();
        stats.clears++;
      }
      this.#map.set(text, v);
    }
    this.#slotText[slot] = text;
    this.#slotVal[slot] = v;
    return v;
  }
}

/** Frozen meta of a Fluent Bit `kubernetes` object text, or null when it is not a JSON object. */
const fluentBitKube = new TextMemo<KubernetesMeta>((text) => {
  const k = parseOrUndefined(text);
  return isObject(k) ? Object.freeze(fluentBitMeta(k)) : null;
});

/** Frozen meta of the `kubernetes` object text `s[start..end)`, or null when it is not a JSON object (both memoised). */
function kubernetesMeta(s: string, start: number, end: number): KubernetesMeta | null {
  return fluentBitKube.get(s.slice(start, end));
}

/**
 * The Fluent Bit fields of the envelope `s[i..]` (`s[i]` is `{`), exactly as
 * `fromJson(JSON.parse(s.slice(i)))` would give them; null: not sure, use JSON.parse.
 */
export function fastFluentBit(s: string, i: number): ShipperFields | null {
  const end = s.length - 1;
  if (s.charCodeAt(end) !== 125) return null;
  const k = s.indexOf(KUBE_KEY, i);
  if (k <= i) return null;
  const kubernetes = kubernetesMeta(s, k + KUBE_KEY.length - 1, end);
  if (kubernetes === null) return null;
  const m = HEAD.exec(s.slice(i, k));
  if (m !== null) {
    const log = m[3]!;
    return {
      wrapper: 'fluentbit',
      text: messageOf(log),
      envelopeTimeMs: envelopeTimeToMs(m[1]!),
      stream: m[2] as Stream,
      partial: false,
      kubernetes,
    };
  }
  const head = parseOrUndefined(`${s.slice(i, k)}}`);
  if (!isObject(head)) return null;
  // fromJson: OTLP first; then a string `log` with an object `kubernetes` is Fluent Bit (not docker).
  if (Array.isArray(head.resourceLogs) || typeof head.log !== 'string') return null;
  return fluentBitFields(head, kubernetes);
}

// ---------------------------------------------------------------------------------------------
// The other shapes of the shippers' defaults, each split into a head, a member list that repeats
// per pod (memoised by content, JSON.parse'd once) and a tail, or matched whole. Head and tail are
// matched by strict regexes of JSON (a valid JSON object prefix / suffix by construction), so the
// whole envelope is valid JSON exactly when the memoised part parses, and its members are the
// union of the parts' (a later duplicate wins, as in JSON.parse). Each shape's doc says why its
// fields are those fromJson(JSON.parse(envelope)) gives; anything else is null (JSON.parse it).

/** A JSON string's body (capture group): any escape JSON allows. */
const STR = String.raw`"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"`;
/** A JSON string's body (capture group) without escapes. */
const PLAIN = String.raw`"([^"\\\x00-\x1f]*)"`;
/** A JSON number (capture group). */
const NUM = String.raw`(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)`;
const STREAM = '"(stdout|stderr)"';

/** The escapes of a JSON string body (`\\n` -> 10, ...); `u` is handled apart. */
const ESCAPED: Readonly<Record<number, string>> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

/** The string a matched body (valid escapes only) encodes, as JSON.parse gives it; `b`: its first backslash. */
function unescapeBody(body: string, b: number): string {
  let out = '';
  let from = 0;
  while (b >= 0) {
    out += body.slice(from, b);
    const c = body.charCodeAt(b + 1);
    if (c === 117) {
      out += String.fromCharCode(Number.parseInt(body.slice(b + 2, b + 6), 16));
      from = b + 6;
    } else {
      out += ESCAPED[c]!;
      from = b + 2;
    }
    b = body.indexOf('\\', from);
  }
  return out + body.slice(from);
}

/**
 * A string with the characters of `s` that is not a view into a longer string. V8 makes regex
 * captures and slices of 13+ characters views of their parent: a record's text taken from an
 * envelope would keep the whole envelope (mostly metadata) alive as long as the record, which the
 * young-generation GC then copies. Flattening a one-character prefix copies the text alone.
 */
function own(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** chomp(the string a matched body encodes), as a string of its own. */
function messageOf(body: string): string {
  const b = body.indexOf('\\');
  // Unescaped, a body holds no control character: nothing to chomp.
  if (b < 0) return own(body);
  // Docker and Fluent Bit keep the line's newline: a body whose only escape is a final `\n`.
  if (b === body.length - 2 && body.charCodeAt(b + 1) === 110) return own(body.slice(0, b));
  return chomp(unescapeBody(body, b));
}

/** A matched string body as JSON.parse gives the string. */
function jsonBody(body: string): string {
  const b = body.indexOf('\\');
  return b < 0 ? body : unescapeBody(body, b);
}

/** `re` (sticky) matched at `s[at..]`, or null. */
function execAt(re: RegExp, s: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(s);
}

const DOCKER_SPLIT = 16 * 1024;

/**
 * Docker json-file: `{"log":"…","stream":"stdout|stderr","time":"…"}`, whole. fromJson: a string
 * `log` with `stream` and no `kubernetes` is fromDocker's.
 */
const DOCKER = new RegExp(String.raw`\{"log":${STR},"stream":${STREAM},"time":${PLAIN}\}$`, 'y');

function fastDocker(s: string, i: number): ShipperFields | null {
  const m = execAt(DOCKER, s, i);
  if (m === null) return null;
  const body = m[1]!;
  // Shorter than the split in its encoded form, shorter decoded: not partial.
  let partial = false;
  if (body.length >= DOCKER_SPLIT) {
    const log = jsonBody(body);
    partial = !log.endsWith('\n') && log.length >= DOCKER_SPLIT;
  }
  return {
    wrapper: 'docker',
    text: messageOf(body),
    envelopeTimeMs: envelopeTimeToMs(m[3]!),
    stream: m[2] as Stream,
    partial,
    kubernetes: {},
  };
}

/**
 * Fluent Bit tailing a host file (the CNI log): `{"@timestamp"|"date":<number>,"log":"…","file":"…"}`,
 * whole. fromJson: a string `log` without `stream`/`time` is not docker's but Fluent Bit's, with no
 * `kubernetes` (empty meta) and the number as its time.
 */
const FLUENT_FILE = new RegExp(
  String.raw`\{"(?:@timestamp|date)":${NUM},"log":${STR},"file":${PLAIN}\}$`,
  'y',
);

function fastFluentFile(s: string, i: number): ShipperFields | null {
  const m = execAt(FLUENT_FILE, s, i);
  if (m === null) return null;
  return {
    wrapper: 'fluentbit',
    text: messageOf(m[2]!),
    envelopeTimeMs: envelopeTimeToMs(Number(m[1]!)),
    stream: null,
    partial: false,
    kubernetes: {},
  };
}

/**
 * Sentinels for deriving a memoised member list's part of the fields: the fields of the envelope
 * with sentinel values in the per-line members are checked to carry exactly those values, so the
 * member list neither overrides nor replaces them.
 */
const SENTINEL_TEXT = '\u0000sentinel';
const SENTINEL_TIME = '2000-01-02T03:04:05.678Z';
const SENTINEL_NANOS = '946782245678000000';

/** The fields derived around sentinels carry the sentinels' text and time, stream `stderr`, whole. */
function sentinelFields(f: ShipperFields, timeMs: number | null): boolean {
  return f.text === SENTINEL_TEXT && f.envelopeTimeMs === timeMs && f.stream === 'stderr' && !f.partial;
}

/**
 * Vector kubernetes_logs: `{"file":"…","kubernetes":{…}` + `,"message":"…","source_type":"…",
 * "stream":"…","timestamp":"…"}`. The head (file, kubernetes: per pod) is memoised: accepted only
 * when its members are `file` and `kubernetes` (so the envelope's members are those six) and
 * fromJson makes Vector's fields of them around sentinel per-line values (isVector: an object
 * `kubernetes` must hold Vector's keys).
 */
const VECTOR_SPLIT = '},"message":"';
const VECTOR_TAIL = new RegExp(
  String.raw`,"message":${STR},"source_type":${PLAIN},"stream":${STREAM},"timestamp":${PLAIN}\}$`,
  'y',
);
const vectorHead = new TextMemo<KubernetesMeta>((head) => {
  const o = parseOrUndefined(`${head}}`);
  if (!isObject(o)) return null;
  for (const key of Object.keys(o)) if (key !== 'file' && key !== 'kubernetes') return null;
  // isVector: an object `kubernetes` must have Vector's keys (else it is Filebeat's shape).
  const f = fromJson({
    ...o,
    message: SENTINEL_TEXT,
    source_type: 'kubernetes_logs',
    stream: 'stderr',
    timestamp: SENTINEL_TIME,
  });
  return f !== null && f.wrapper === 'vector' && sentinelFields(f, envelopeTimeToMs(SENTINEL_TIME))
    ? Object.freeze(f.kubernetes)
    : null;
});

function fastVector(s: string, i: number): ShipperFields | null {
  const k = s.indexOf(VECTOR_SPLIT, i);
  if (k < 0) return null;
  const m = execAt(VECTOR_TAIL, s, k + 1);
  if (m === null) return null;
  const kubernetes = vectorHead.get(s.slice(i, k + 1));
  if (kubernetes === null) return null;
  return {
    wrapper: 'vector',
    text: messageOf(m[1]!),
    envelopeTimeMs: envelopeTimeToMs(m[4]!),
    stream: m[3] as Stream,
    partial: false,
    kubernetes,
  };
}

/**
 * Filebeat (container / filestream input): `{"@timestamp":"…",` + members (per pod: `@metadata`,
 * `container`, `host`, `kubernetes`, `ecs`, `input`) + `,"message":"…","stream":"…"}`. The members
 * are memoised with what fromJson makes of the envelope around them (sentinel per-line values): it
 * must be Filebeat's fields with the sentinels' text, time and stream, and the members must not
 * hold `@timestamp` (it would win over the head's). The meta only reads the members' paths.
 */
const FILEBEAT_HEAD = new RegExp(String.raw`\{"@timestamp":${PLAIN},`, 'y');
const FILEBEAT_SPLIT = ',"message":"';
const FILEBEAT_TAIL = new RegExp(String.raw`,"message":${STR},"stream":${STREAM}\}$`, 'y');
const filebeatMembers = new TextMemo<KubernetesMeta>((members) => {
  const o = parseOrUndefined(`{${members}}`);
  if (!isObject(o) || Object.hasOwn(o, '@timestamp')) return null;
  const f = fromJson({ '@timestamp': SENTINEL_TIME, ...o, message: SENTINEL_TEXT, stream: 'stderr' });
  if (
    f === null ||
    f.wrapper !== 'filebeat' ||
    f.text !== SENTINEL_TEXT ||
    f.envelopeTimeMs !== envelopeTimeToMs(SENTINEL_TIME) ||
    f.stream !== 'stderr' ||
    f.partial
  ) {
    return null;
  }
  return Object.freeze(f.kubernetes);
});

function fastFilebeat(s: string, i: number): ShipperFields | null {
  const h = execAt(FILEBEAT_HEAD, s, i);
  if (h === null) return null;
  const p = FILEBEAT_HEAD.lastIndex;
  const k = s.indexOf(FILEBEAT_SPLIT, p);
  if (k <= p) return null;
  const m = execAt(FILEBEAT_TAIL, s, k);
  if (m === null) return null;
  const kubernetes = filebeatMembers.get(s.slice(p, k));
  if (kubernetes === null) return null;
  return {
    wrapper: 'filebeat',
    text: messageOf(m[1]!),
    envelopeTimeMs: envelopeTimeToMs(h[1]!),
    stream: m[2] as Stream,
    partial: false,
    kubernetes,
  };
}

/**
 * A flat OTel log record: `{"body":"…","timeUnixNano":"…",` + members (per pod: `attributes`,
 * `resource`) + `}`. The members are memoised with what fromJson makes of the record around them
 * (sentinel body and time): OTel's fields with the sentinels' text and time, and neither `body`
 * nor `timeUnixNano` among them. Their stream and meta come from the members' attributes. A
 * `timeUnixNano` that gives no time (fromRecord then reads other members) is declined.
 */
const OTEL_HEAD = new RegExp(String.raw`\{"body":${STR},"timeUnixNano":${PLAIN},`, 'y');
interface OtelPart {
  readonly stream: Stream | null;
  readonly kubernetes: KubernetesMeta;
}
const otelMembers = new TextMemo<OtelPart>((members) => {
  const o = parseOrUndefined(`{${members}}`);
  if (!isObject(o) || Object.hasOwn(o, 'body') || Object.hasOwn(o, 'timeUnixNano')) return null;
  const f = fromJson({ body: SENTINEL_TEXT, timeUnixNano: SENTINEL_NANOS, ...o });
  if (
    f === null ||
    f.wrapper !== 'otel' ||
    f.text !== SENTINEL_TEXT ||
    f.envelopeTimeMs !== nanosToMs(SENTINEL_NANOS) ||
    f.partial
  ) {
    return null;
  }
  return { stream: f.stream, kubernetes: Object.freeze(f.kubernetes) };
});

function fastOtel(s: string, i: number): ShipperFields | null {
  const h = execAt(OTEL_HEAD, s, i);
  if (h === null) return null;
  const time = nanosToMs(h[2]!);
  if (time === null) return null;
  const p = OTEL_HEAD.lastIndex;
  const end = s.length - 1;
  if (end <= p) return null;
  const part = otelMembers.get(s.slice(p, end));
  if (part === null) return null;
  return {
    wrapper: 'otel',
    text: messageOf(h[1]!),
    envelopeTimeMs: time,
    stream: part.stream,
    partial: false,
    kubernetes: part.kubernetes,
  };
}

/**
 * OTLP/JSON with one log record (the kafka / file exporters): `{"resourceLogs":[{"resource":` + the
 * resource (per pod, memoised) + `,"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"…",
 * "observedTimeUnixNano":"…","body":{"stringValue":"…"},"attributes":[{"key":"log.iostream",
 * "value":{"stringValue":"…"}}]}]}]}]}`. The resource is memoised with what fromJson makes of the
 * envelope around it (sentinel body and times, both streams): OTel's fields with the sentinels'
 * text and time, and a stream that is either the resource's own or the record's. Its meta only
 * reads the resource (the record's attributes hold `log.iostream` alone). fromOtel chomps the
 * body twice (once per record, once for the envelope's text).
 */
const OTLP_HEAD = '{"resourceLogs":[{"resource":';
const OTLP_SPLIT = ',"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"';
const OTLP_TAIL = new RegExp(
  String.raw`,"scopeLogs":\[\{"scope":\{\},"logRecords":\[\{"timeUnixNano":${PLAIN},"observedTimeUnixNano":${PLAIN},"body":\{"stringValue":${STR}\},"attributes":\[\{"key":"log\.iostream","value":\{"stringValue":${STREAM}\}\}\]\}\]\}\]\}\]\}$`,
  'y',
);
interface OtlpPart {
  /** The resource's own stream, or undefined: the record's. */
  readonly stream: Stream | null | undefined;
  readonly kubernetes: KubernetesMeta;
}
function otlpSynth(resource: unknown, stream: Stream): ShipperFields | null {
  return fromJson({
    resourceLogs: [
      {
        resource,
        scopeLogs: [
          {
            scope: {},
            logRecords: [
              {
                timeUnixNano: SENTINEL_NANOS,
                observedTimeUnixNano: SENTINEL_NANOS,
                body: { stringValue: SENTINEL_TEXT },
                attributes: [{ key: 'log.iostream', value: { stringValue: stream } }],
              },
            ],
          },
        ],
      },
    ],
  });
}
const otlpResource = new TextMemo<OtlpPart>((text) => {
  const r = parseOrUndefined(text);
  if (r === undefined) return null;
  const out = otlpSynth(r, 'stdout');
  const err = otlpSynth(r, 'stderr');
  const ok = (f: ShipperFields | null): f is ShipperFields =>
    f !== null &&
    f.wrapper === 'otel' &&
    f.text === SENTINEL_TEXT &&
    f.envelopeTimeMs === nanosToMs(SENTINEL_NANOS) &&
    !f.partial;
  if (!ok(out) || !ok(err) || JSON.stringify(out.kubernetes) !== JSON.stringify(err.kubernetes)) return null;
  let stream: Stream | null | undefined;
  if (out.stream === 'stdout' && err.stream === 'stderr') stream = undefined;
  else if (out.stream === err.stream) stream = out.stream;
  else return null;
  return { stream, kubernetes: Object.freeze(out.kubernetes) };
});

function fastOtlp(s: string, i: number): ShipperFields | null {
  if (!s.startsWith(OTLP_HEAD, i)) return null;
  const p = i + OTLP_HEAD.length;
  const k = s.indexOf(OTLP_SPLIT, p);
  if (k <= p) return null;
  const m = execAt(OTLP_TAIL, s, k);
  if (m === null) return null;
  const part = otlpResource.get(s.slice(p, k));
  if (part === null) return null;
  return {
    wrapper: 'otel',
    text: chomp(messageOf(m[3]!)),
    envelopeTimeMs: nanosToMs(m[1]!) ?? nanosToMs(m[2]!),
    stream: part.stream === undefined ? (m[4] as Stream) : part.stream,
    partial: false,
    kubernetes: part.kubernetes,
  };
}

/**
 * The fields of the envelope `s[i..]` (`s[i]` is `{`) for the shippers' default shapes, exactly as
 * `fromJson(JSON.parse(s.slice(i)))` gives them; null: another shape or not sure, use JSON.parse.
 */
export function fastEnvelope(s: string, i: number): ShipperFields | null {
  if (s.charCodeAt(s.length - 1) !== 125) return null;
  let f: ShipperFields | null = null;
  switch (s.charCodeAt(i + 2)) {
    case 100: // {"date":
      f = fastFluentFile(s, i);
      break;
    case 64: // {"@timestamp":
      f = s.charCodeAt(i + 14) === 34 ? fastFilebeat(s, i) : fastFluentFile(s, i);
      break;
    case 108: // {"log":
      f = fastDocker(s, i);
      break;
    case 102: // {"file":
      f = fastVector(s, i);
      break;
    case 98: // {"body":
      f = fastOtel(s, i);
      break;
    case 114: // {"resourceLogs":
      f = fastOtlp(s, i);
      break;
  }
  return f ?? fastFluentBit(s, i);
}
