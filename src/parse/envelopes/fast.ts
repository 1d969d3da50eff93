/**
 * Fast path for the dominant shipper shape, Fluent Bit / Fluentd with Kubernetes metadata last:
 * `{"date":…,"time":"…","stream":"…","_p":"F","log":"…","kubernetes":{…}}`.
 *
 * The envelope is split at its first `,"kubernetes":{`. The `kubernetes` object text (up to the
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
import { envelopeTimeToMs } from '../timestamp.ts';
import { fluentBitFields, fluentBitMeta } from './fluentbit.ts';
import { chomp, isObject } from './json.ts';
import type { ShipperFields, Stream } from './types.ts';

const KUBE_KEY = ',"kubernetes":{';

/**
 * Fluent Bit's head, strictly JSON: `{"date":<number>,"time":"<no escapes>","stream":"stdout|stderr",
 * "_p":"<no escapes>","log":"<JSON string>"` with nothing after it (the head ends at the split).
 */
const HEAD =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings must not contain U+0000-U+001F unescaped
  /^\{"date":-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?,"time":"([^"\\\x00-\x1f]*)","stream":"(stdout|stderr)","_p":"[^"\\\x00-\x1f]*","log":"((?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*)"$/;

/** Recently used memo entries, compared by content (no hashing) before the map. */
const MRU_SIZE = 8;
const mruText: string[] = [];
const mruMeta: (KubernetesMeta | null)[] = [];
let mruNext = 0;

/** Cap on memoised KubernetesMeta objects (distinct `kubernetes` texts); cleared when full. */
export const META_CACHE_MAX = 4096;
const metaCache = new Map<string, KubernetesMeta | null>();
const stats = { hits: 0, misses: 0, clears: 0 };

/** Counters of the KubernetesMeta memo (`clears` counts how often its cap bit). */
export function fastPathMetaCacheStats(): { hits: number; misses: number; clears: number; size: number } {
  return { ...stats, size: metaCache.size };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Frozen meta of the `kubernetes` object text `s[start..end)`, or null when it is not a JSON object (both memoised). */
function kubernetesMeta(s: string, start: number, end: number): KubernetesMeta | null {
  const text = s.slice(start, end);
  for (let j = 0; j < mruText.length; j++) {
    if (mruText[j] === text) {
      stats.hits++;
      return mruMeta[j] as KubernetesMeta | null;
    }
  }
  const m = mapMeta(text);
  mruText[mruNext] = text;
  mruMeta[mruNext] = m;
  mruNext = (mruNext + 1) % MRU_SIZE;
  return m;
}

function mapMeta(text: string): KubernetesMeta | null {
  const known = metaCache.get(text);
  if (known !== undefined) {
    stats.hits++;
    return known;
  }
  stats.misses++;
  // Not an object is remembered too: Filebeat's `"kubernetes":{…}` is followed by more members, so
  // its text never parses, and a failing JSON.parse (an exception) per line is the costly part.
  const k = parseOrUndefined(text);
  const m = isObject(k) ? Object.freeze(fluentBitMeta(k)) : null;
  if (metaCache.size >= META_CACHE_MAX) {
    metaCache.clear();
    stats.clears++;
  }
  metaCache.set(text, m);
  return m;
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
      text: chomp(log.indexOf('\\') < 0 ? log : (JSON.parse(`"${log}"`) as string)),
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
