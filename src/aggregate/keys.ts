/**
 * Record -> document keys. Every function here is a pure function of the record bytes, its source
 * position (topic, partition, Kafka timestamp) and the pinned config (docs/EXACTNESS.md F1): no wall
 * clock, no other record, no process state. That is what lets a replay land in the same documents.
 */
import { createHash } from 'node:crypto';
import type { Category, ClassifiedRecord } from '../domain/classification.ts';
import type { LogRecord, RecordFlag } from '../domain/record.ts';
import type { AggregateConfig } from './config.ts';

const DAY_MS = 86_400_000;

export interface EventTime {
  readonly ms: number;
  readonly flag: RecordFlag | null;
}

/**
 * Event time: the parsed (or envelope) time when plausible against the source timestamp, else the
 * source timestamp, flagged (docs/EXACTNESS.md F10: the clamp uses the record's own timestamp).
 */
export function eventTime(record: LogRecord, cfg: AggregateConfig): EventTime {
  const sourceTs = record.position.timestampMs;
  const parsed = record.envelopeTimeMs ?? record.parsedTimeMs;
  if (parsed === null || !Number.isFinite(parsed)) return { ms: sourceTs, flag: 'time-from-kafka' };
  if (parsed < sourceTs - cfg.plausiblePastMs || parsed > sourceTs + cfg.plausibleFutureMs) {
    return { ms: sourceTs, flag: 'time-implausible' };
  }
  return { ms: parsed, flag: null };
}

export interface Bucket {
  readonly startMs: number;
  readonly lengthMs: number;
  readonly late: boolean;
}

/** The bucket of an event: floor to the category's length, or the late bucket (the source day). */
export function bucketFor(eventMs: number, sourceTs: number, lengthMs: number, cfg: AggregateConfig): Bucket {
  const start = Math.floor(eventMs / lengthMs) * lengthMs;
  if (start + lengthMs < sourceTs - cfg.lateAfterMs) {
    return { startMs: Math.floor(sourceTs / DAY_MS) * DAY_MS, lengthMs: DAY_MS, late: true };
  }
  return { startMs: start, lengthMs, late: false };
}

const dayNames = new Map<number, string>();

/** `YYYY.MM.DD` of a UTC instant (memoised per day; a pure function, bounded by clearing). */
export function utcDay(ms: number): string {
  const dayNo = Math.floor(ms / DAY_MS);
  const hit = dayNames.get(dayNo);
  if (hit !== undefined) return hit;
  if (dayNames.size >= 4096) dayNames.clear();
  const name = formatUtcDay(ms);
  dayNames.set(dayNo, name);
  return name;
}

function formatUtcDay(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return `${y}.${m < 10 ? '0' : ''}${m}.${day < 10 ? '0' : ''}${day}`;
}

export function summariesIndex(cfg: AggregateConfig, bucketStartMs: number): string {
  return `${cfg.indexPrefix}-summaries-${utcDay(bucketStartMs)}`;
}

export function statsIndex(cfg: AggregateConfig, bucketStartMs: number): string {
  return `${cfg.indexPrefix}-stats-${utcDay(bucketStartMs)}`;
}

/**
 * Document id: 128 bits of sha256(topic, partition, kind, key), base16. Collisions are
 * out of reach (2^64 documents for a 50% chance); the key is also stored in the document so a
 * mismatch would be detectable at load (docs/EXACTNESS.md F17).
 */
export function docId(topic: string, partition: number, kind: string, key: string): string {
  const input = `${topic}\0${partition}\0${kind}\0${key}`;
  const hit = idMemo.get(input);
  if (hit !== undefined) return hit;
  const id = createHash('sha256').update(input).digest('hex').slice(0, 32);
  if (idMemo.size >= ID_MEMO_CAP) {
    // Bounded: dropping the memo only costs re-hashing (counted in idMemoStats.clears).
    idMemo.clear();
    idMemoStats.clears += 1;
  }
  idMemo.set(input, id);
  return id;
}

/** Memo of docId: the same few thousand keys recur on every line of a bucket. */
const ID_MEMO_CAP = 50_000;
const idMemo = new Map<string, string>();
export const idMemoStats = { clears: 0 };

/** The group key: component plus the Kubernetes identity when known. */
export function groupKey(record: LogRecord): string {
  const k = record.kubernetes;
  return `${record.component}|${k.node ?? ''}|${k.namespace ?? ''}|${k.pod ?? ''}`;
}

export interface SummaryKey {
  readonly index: string;
  readonly id: string;
  readonly key: string;
  readonly group: string;
  readonly bucket: Bucket;
  readonly event: EventTime;
}

export function summaryKey(cr: ClassifiedRecord, cfg: AggregateConfig): SummaryKey {
  const { record, classification } = cr;
  const event = eventTime(record, cfg);
  const lengthMs = cfg.bucketMs[classification.category];
  const sourceTs = record.position.timestampMs;
  // bucketFor, without allocating the Bucket on a memo hit.
  let startMs = Math.floor(event.ms / lengthMs) * lengthMs;
  let bucketLength = lengthMs;
  let late = false;
  if (startMs + lengthMs < sourceTs - cfg.lateAfterMs) {
    startMs = Math.floor(sourceTs / DAY_MS) * DAY_MS;
    bucketLength = DAY_MS;
    late = true;
  }
  const { topic, partition } = record.position;
  const k = record.kubernetes;
  const node = k.node ?? '';
  const namespace = k.namespace ?? '';
  const pod = k.pod ?? '';
  const component = record.component;
  const fp = classification.fingerprint;
  let ways = summaryMemo.get(fp);
  if (ways !== undefined) {
    for (let i = 0; i < ways.length; i++) {
      const m = ways[i]!;
      if (
        m.startMs === startMs &&
        m.bucket.lengthMs === bucketLength &&
        m.bucket.late === late &&
        m.cfg === cfg &&
        m.partition === partition &&
        m.topic === topic &&
        m.component === component &&
        m.node === node &&
        m.namespace === namespace &&
        m.pod === pod
      ) {
        return { index: m.index, id: m.id, key: m.key, group: m.group, bucket: m.bucket, event };
      }
    }
  }
  const bucket: Bucket = { startMs, lengthMs: bucketLength, late };
  const group = groupKey(record);
  const key = `${fp}|${group}|${bucket.startMs}|${bucket.lengthMs}|${bucket.late ? 'late' : ''}`;
  const m: SummaryMemo = {
    cfg,
    topic,
    partition,
    component,
    node,
    namespace,
    pod,
    startMs,
    index: summariesIndex(cfg, bucket.startMs),
    id: docId(topic, partition, 'summary', key),
    key,
    group,
    bucket,
  };
  if (ways === undefined) {
    if (summaryMemo.size >= KEY_MEMO_CAP) summaryMemo.clear();
    ways = [];
    summaryMemo.set(fp, ways);
  }
  if (ways.length >= KEY_MEMO_WAYS) ways.shift();
  ways.push(m);
  return { index: m.index, id: m.id, key, group, bucket, event };
}

/**
 * Memo of summaryKey / statsKey results (everything but the event time), so that a line whose
 * document was seen recently builds and hashes no key string: per fingerprint (or component) a few
 * recent (topic, partition, group, bucket) ways, compared field by field. Pure: a hit returns
 * exactly what a miss computes. Bounded: KEY_MEMO_CAP fingerprints (or components), cleared when
 * full, KEY_MEMO_WAYS entries each (oldest replaced).
 */
const KEY_MEMO_CAP = 20_000;
const KEY_MEMO_WAYS = 8;

interface SummaryMemo {
  readonly cfg: AggregateConfig;
  readonly topic: string;
  readonly partition: number;
  readonly component: string;
  readonly node: string;
  readonly namespace: string;
  readonly pod: string;
  readonly startMs: number;
  readonly index: string;
  readonly id: string;
  readonly key: string;
  readonly group: string;
  readonly bucket: Bucket;
}
const summaryMemo = new Map<string, SummaryMemo[]>();

interface StatsMemo {
  readonly cfg: AggregateConfig;
  readonly topic: string;
  readonly partition: number;
  readonly result: StatsKey;
}
const statsMemo = new Map<string, StatsMemo[]>();

export interface StatsKey {
  readonly index: string;
  readonly id: string;
  readonly key: string;
  readonly bucket: Bucket;
}

export function statsKey(
  topic: string,
  partition: number,
  component: string,
  eventMs: number,
  sourceTs: number,
  cfg: AggregateConfig,
): StatsKey {
  const lengthMs = cfg.statsBucketMs;
  let startMs = Math.floor(eventMs / lengthMs) * lengthMs;
  let bucketLength = lengthMs;
  let late = false;
  if (startMs + lengthMs < sourceTs - cfg.lateAfterMs) {
    startMs = Math.floor(sourceTs / DAY_MS) * DAY_MS;
    bucketLength = DAY_MS;
    late = true;
  }
  let ways = statsMemo.get(component);
  if (ways !== undefined) {
    for (let i = 0; i < ways.length; i++) {
      const m = ways[i]!;
      const b = m.result.bucket;
      if (
        b.startMs === startMs &&
        b.lengthMs === bucketLength &&
        b.late === late &&
        m.cfg === cfg &&
        m.partition === partition &&
        m.topic === topic
      ) {
        return m.result;
      }
    }
  }
  const bucket: Bucket = { startMs, lengthMs: bucketLength, late };
  const key = `${component}|${bucket.startMs}|${bucket.lengthMs}|${bucket.late ? 'late' : ''}`;
  const result: StatsKey = {
    index: statsIndex(cfg, bucket.startMs),
    id: docId(topic, partition, 'stats', key),
    key,
    bucket,
  };
  if (ways === undefined) {
    if (statsMemo.size >= KEY_MEMO_CAP) statsMemo.clear();
    ways = [];
    statsMemo.set(component, ways);
  }
  if (ways.length >= KEY_MEMO_WAYS) ways.shift();
  ways.push({ cfg, topic, partition, result });
  return result;
}

export function deadLetterFingerprint(reason: string): string {
  return `dlq:${reason}`;
}

export type SummaryCategory = Category | 'dead-letter';
