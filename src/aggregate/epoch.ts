/**
 * Exact per-partition counters (docs/DESIGN.md "Aggregation"; docs/EXACTNESS.md).
 *
 * Every document is a compare-and-set register owned by one (topic, partition). Its value is the
 * aggregate of that partition's records with its key whose first offset is below `offset_end`.
 * An epoch counts records into a *delta* laid over the acknowledged base of each document:
 *   1. add()/addRecord()/addDeadLetter()/addLost() for the epoch's records, in increasing
 *      first-offset order per document;
 *   2. missing() -> the store loads those ids (one realtime mget) -> provide(); this may happen
 *      several times per epoch (the runner loads new documents as batches arrive);
 *   3. build() -> conditional writes (`create` for new ids, `index` with the loaded seqNo/term);
 *   4. acknowledge() each 2xx item; complete() once every item is acknowledged makes the built
 *      documents the new bases. abort() (or the next beginEpoch()) throws the delta away.
 * The skip rule: a record at offset o is not counted into a document whose acknowledged
 * `offset_end` is above o — it was counted before a crash, so a replay from the last commit is exact.
 *
 * The hit path allocates nothing per record. A record's (fingerprint, group, bucket) resolves
 * through a last-bucket memo to a *slot* (one object per document, kept while the document is
 * cached); the next record of that slot adds integers to its delta fields. Top parameter values
 * and flags go into per-epoch working maps created on the first value; dates are kept as numbers
 * and formatted when the document is built. A record whose document is not loaded yet is queued
 * (the record and its classification, two array slots) until provide() says what the store has:
 * the skip rule needs the base's `offset_end`.
 *
 * Pure: no I/O, no clock, no logging. Caches hold acknowledged documents only, so evicting any
 * entry is safe; evictions are counted. Every map has a cap.
 */

import type { Classification, ClassifiedRecord } from '../domain/classification.ts';
import { measureDocBytes, paramValuesOf } from '../domain/doc-extras.ts';
import type { CounterDoc, StatsDoc, SummaryDoc, TopValues } from '../domain/documents.ts';
import { isoUtc as iso } from '../domain/iso.ts';
import type { DeadLetter, KubernetesMeta, Level, LogRecord } from '../domain/record.ts';
import type { AggregateConfig } from './config.ts';
import { deadLetterFingerprint, docId, statsIndex, summariesIndex } from './keys.ts';
import type { DocRef, VersionedDoc, WriteItem } from './store.ts';

/** Stats component of the documents that record offsets lost to retention (Epoch.addLost). */
export const LOST_COMPONENT = 'retention-gap';

export interface Writer {
  readonly member: string;
  readonly attempt: string;
}

export interface PartitionCounters {
  /** Documents an epoch touched that the partition already knew (cached acknowledged version: no mget). */
  cacheHits: number;
  /** Documents an epoch touched that the partition did not know (loaded with a realtime mget, or new). */
  cacheMisses: number;
  /** Clean documents evicted from the cache because it was full (the cap biting). */
  cacheEvictions: number;
  /** Units counted into acknowledged documents (summaries and dead-letter counters). */
  counted: number;
  /** Units skipped by the offset_end rule (already counted before a replay). */
  skipped: number;
  deadLettered: number;
  /** Lookup memos dropped because they reached their cap (they are rebuilt on demand). */
  memoResets: number;
}

const DAY_MS = 86_400_000;
const KIND_SUMMARY = 0;
const KIND_DLQ = 1;
const KIND_STATS = 2;

/** Rough bytes one dirty document's delta holds (slot fields, working maps' fixed part). */
const SLOT_BYTES = 320;
/** Rough bytes of one queued record beyond its wire size (record object, strings, classification). */
const PENDING_OVERHEAD_BYTES = 400;
/** Caps of the lookup memos (rebuilt on demand when dropped; counted in memoResets). */
const GROUP_CAP = 16_384;
const META_CAP = 8_192;
const STATS_MEMO_CAP = 1_024;

interface WorkTop {
  readonly values: Map<string, number>;
  other: number;
}

/** The parts of a summary document that never change once it exists. */
interface SummaryHead {
  readonly timestamp: string;
  readonly message: string;
  readonly event: SummaryDoc['event'];
  readonly log: SummaryDoc['log'];
  readonly kubernetes: SummaryDoc['kubernetes'] | undefined;
  readonly container: SummaryDoc['container'] | undefined;
  readonly calico: SummaryDoc['calico'];
  readonly kafka: SummaryDoc['kafka'];
  readonly kind: 'summary' | 'dlq';
  readonly fingerprint: string;
  readonly template: string;
  readonly category: SummaryDoc['logsift']['category'];
  readonly pattern: string | undefined;
  readonly statement: SummaryDoc['logsift']['statement'];
  readonly rulesetVersion: string;
  readonly offsetFirst: number;
  readonly bucket: SummaryDoc['logsift']['bucket'];
}

/** The group of a record: component plus Kubernetes identity, numbered for the slot memo. */
interface Group {
  readonly gid: number;
  readonly component: string;
  /** `component|node|namespace|pod` (part of the document key). */
  readonly key: string;
}

/** Last bucket seen for one (fingerprint, group): the next record of that bucket finds its slot here. */
interface BucketMemo {
  startMs: number;
  lengthMs: number;
  late: boolean;
  slot: Slot;
}

interface StatsMemo {
  startMs: number;
  lengthMs: number;
  late: boolean;
  slot: Slot;
}

/** One document of the partition: its acknowledged base (when known) and this epoch's delta. */
class Slot {
  readonly kind: number;
  readonly key: string;
  readonly index: string;
  readonly id: string;
  readonly bucketStartMs: number;
  readonly bucketLengthMs: number;
  readonly late: boolean;
  /** undefined = not loaded yet, null = the store does not have it. */
  base: VersionedDoc | null | undefined = undefined;
  /** offset_end of the base (0 when there is none): the skip rule. */
  baseEnd = 0;
  baseFirstMs = Number.NaN;
  baseLastMs = Number.NaN;
  /** false once evicted: memos pointing here must look the document up again. */
  live = true;
  /** Sequence number of the epoch that touched it last (LRU order, and "in this epoch"). */
  lastUse = 0;
  /** Offset of the last contribution: the skip rule needs non-decreasing offsets per document. */
  lastOffset = -1;
  head: SummaryHead | null = null;
  // ---- this epoch's delta
  changed = false;
  dCount = 0;
  dRecords = 0;
  dBytes = 0;
  dFirstMs = Number.POSITIVE_INFINITY;
  dLastMs = Number.NEGATIVE_INFINITY;
  dEnd = 0;
  params: Map<string, WorkTop> | null = null;
  /**
   * The params object of the last record applied here, and the units of the records after it
   * with that same object (a memoised classification), not yet added to `params`: those add the
   * same values in the same order, so adding them at once (before another record's params, or
   * the build) gives the same counts.
   */
  lastParams: Readonly<Record<string, string>> | null = null;
  repeatUnits = 0;
  flags: Map<string, number> | null = null;
  /** First counted record of a new document (its static fields), until it is built. */
  seedRecord: LogRecord | null = null;
  seedClass: Classification | null = null;
  seedDeadLetter: DeadLetter | null = null;
  /** Stats documents: the working copy this epoch changes. */
  stats: StatsDoc | null = null;
  statsSeed: { component: string; topic: string; partition: number } | null = null;
  /** Contributions waiting for the base, flattened in pairs: (record, classification) | (dead letter, null) | (lost, undefined). */
  pending: unknown[] | null = null;
  built: CounterDoc | null = null;
  ackSeq = -1;
  ackTerm = -1;

  constructor(
    kind: number,
    key: string,
    index: string,
    id: string,
    bucketStartMs: number,
    bucketLengthMs: number,
    late: boolean,
  ) {
    this.kind = kind;
    this.key = key;
    this.index = index;
    this.id = id;
    this.bucketStartMs = bucketStartMs;
    this.bucketLengthMs = bucketLengthMs;
    this.late = late;
  }

  setBase(v: VersionedDoc | null): void {
    this.base = v;
    if (v === null) {
      this.baseEnd = 0;
      return;
    }
    const l = v.doc.logsift;
    this.baseEnd = l.offset_end;
    if (l.kind !== 'stats') {
      this.baseFirstMs = Date.parse(l.first_seen);
      this.baseLastMs = Date.parse(l.last_seen);
    }
  }

  /**
   * Let go of the cached document once the slot is evicted. The lookup memos may still point at a
   * dead slot until they are dropped (up to ~4x cacheDocs of them), and each would otherwise keep its
   * parsed base document and head alive: ~13 MB of a 200 MB heap at 100k distinct fingerprints.
   */
  release(): void {
    this.base = undefined;
    this.head = null;
  }

  resetDelta(): void {
    this.changed = false;
    this.dCount = 0;
    this.dRecords = 0;
    this.dBytes = 0;
    this.dFirstMs = Number.POSITIVE_INFINITY;
    this.dLastMs = Number.NEGATIVE_INFINITY;
    this.dEnd = 0;
    this.params = null;
    this.lastParams = null;
    this.repeatUnits = 0;
    this.flags = null;
    this.seedRecord = null;
    this.seedClass = null;
    this.seedDeadLetter = null;
    this.stats = null;
    this.pending = null;
    this.built = null;
    this.ackSeq = -1;
    this.ackTerm = -1;
  }
}

/** State of one (topic, partition): the bounded cache of acknowledged documents and its lookup memos. */
export class PartitionState {
  readonly topic: string;
  readonly partition: number;
  readonly config: AggregateConfig;
  readonly counters: PartitionCounters = {
    cacheHits: 0,
    cacheMisses: 0,
    cacheEvictions: 0,
    counted: 0,
    skipped: 0,
    deadLettered: 0,
    memoResets: 0,
  };
  /** Every known document by kind-prefixed key (cached clean ones and this epoch's). */
  readonly #slots = new Map<string, Slot>();
  /** fingerprint -> group id -> last bucket. */
  #memo = new Map<string, Map<number, BucketMemo>>();
  #memoEntries = 0;
  #statsMemo = new Map<string, StatsMemo>();
  /** Group key -> group; Kubernetes meta object -> its groups (shippers share one meta per pod). */
  #groups = new Map<string, Group>();
  #groupsByMeta = new Map<KubernetesMeta, Group[]>();
  #nextGid = 0;
  #epochSeq = 0;
  #current: Epoch | null = null;
  /** Slots evicted after the last epoch completed: released when the next one begins (Epoch.written reads them until then). */
  #evicted: Slot[] = [];

  constructor(
    topic: string,
    partition: number,
    config: AggregateConfig,
    _options: { copyOnWrite?: boolean } = {},
  ) {
    this.topic = topic;
    this.partition = partition;
    this.config = config;
  }

  get cacheSize(): number {
    return this.#slots.size;
  }

  /** Drop every cached document (group join, conflict from another writer): they are reloaded. */
  clear(): void {
    this.#current?.abort();
    for (const s of this.#slots.values()) s.live = false;
    this.#slots.clear();
    this.#dropMemos();
  }

  /** A new epoch; an epoch still open (neither completed nor aborted) is aborted first. */
  beginEpoch(writer?: Writer): Epoch {
    this.#current?.abort();
    this.#releaseEvicted();
    this.#epochSeq += 1;
    const e = new Epoch(this, this.#epochSeq, writer);
    this.#current = e;
    return e;
  }

  #releaseEvicted(): void {
    for (const s of this.#evicted) s.release();
    this.#evicted = [];
  }

  /** @internal Epoch ended (completed or aborted). */
  ended(e: Epoch): void {
    if (this.#current === e) this.#current = null;
  }

  /** @internal Forget a slot that holds nothing (never loaded; its epoch aborted). */
  forget(s: Slot): void {
    if (this.#slots.get(s.key) === s) this.#slots.delete(s.key);
    s.live = false;
  }

  // ------------------------------------------------------------------------ lookups (hit path)

  /** @internal The group of a record, without building its key string when the meta object was seen. */
  group(record: LogRecord, component: string): Group {
    const k = record.kubernetes;
    const list = this.#groupsByMeta.get(k);
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const g = list[i]!;
        if (g.component === component) return g;
      }
    }
    const key = `${component}|${k.node ?? ''}|${k.namespace ?? ''}|${k.pod ?? ''}`;
    let g = this.#groups.get(key);
    if (g === undefined) {
      if (this.#groups.size >= GROUP_CAP) {
        // Group ids only key the memo: dropping both together keeps them consistent.
        this.#dropMemos();
      }
      g = { gid: this.#nextGid++, component, key };
      this.#groups.set(key, g);
    }
    if (list !== undefined) list.push(g);
    else {
      if (this.#groupsByMeta.size >= META_CAP) {
        this.#groupsByMeta.clear();
        this.counters.memoResets += 1;
      }
      this.#groupsByMeta.set(k, [g]);
    }
    return g;
  }

  /** @internal The slot of a summary document. */
  summarySlot(fp: string, g: Group, startMs: number, lengthMs: number, late: boolean): Slot {
    let byGroup = this.#memo.get(fp);
    let m: BucketMemo | undefined;
    if (byGroup !== undefined) {
      m = byGroup.get(g.gid);
      if (
        m !== undefined &&
        m.startMs === startMs &&
        m.lengthMs === lengthMs &&
        m.late === late &&
        m.slot.live
      ) {
        return m.slot;
      }
    }
    const key = `${fp}|${g.key}|${startMs}|${lengthMs}|${late ? 'late' : ''}`;
    let s = this.#slots.get(`s:${key}`);
    if (s === undefined) {
      s = new Slot(
        KIND_SUMMARY,
        `s:${key}`,
        summariesIndex(this.config, startMs),
        docId(this.topic, this.partition, 'summary', key),
        startMs,
        lengthMs,
        late,
      );
      this.#slots.set(s.key, s);
    }
    if (m !== undefined) {
      m.startMs = startMs;
      m.lengthMs = lengthMs;
      m.late = late;
      m.slot = s;
    } else {
      if (this.#memoEntries >= this.#memoCap()) this.#dropMemos();
      if (byGroup === undefined || !this.#memo.has(fp)) {
        byGroup = new Map();
        this.#memo.set(fp, byGroup);
      }
      byGroup.set(g.gid, { startMs, lengthMs, late, slot: s });
      this.#memoEntries += 1;
    }
    return s;
  }

  /** @internal The slot of a stats document (component, stats bucket). */
  statsSlot(component: string, eventMs: number, sourceTs: number): Slot {
    const cfg = this.config;
    const lengthMs0 = cfg.statsBucketMs;
    let startMs = Math.floor(eventMs / lengthMs0) * lengthMs0;
    let lengthMs = lengthMs0;
    let late = false;
    if (startMs + lengthMs0 < sourceTs - cfg.lateAfterMs) {
      startMs = Math.floor(sourceTs / DAY_MS) * DAY_MS;
      lengthMs = DAY_MS;
      late = true;
    }
    const m = this.#statsMemo.get(component);
    if (
      m !== undefined &&
      m.startMs === startMs &&
      m.lengthMs === lengthMs &&
      m.late === late &&
      m.slot.live
    ) {
      return m.slot;
    }
    const key = `${component}|${startMs}|${lengthMs}|${late ? 'late' : ''}`;
    let s = this.#slots.get(`t:${key}`);
    if (s === undefined) {
      s = new Slot(
        KIND_STATS,
        `t:${key}`,
        statsIndex(cfg, startMs),
        docId(this.topic, this.partition, 'stats', key),
        startMs,
        lengthMs,
        late,
      );
      s.statsSeed = { component, topic: this.topic, partition: this.partition };
      this.#slots.set(s.key, s);
    }
    if (m !== undefined) {
      m.startMs = startMs;
      m.lengthMs = lengthMs;
      m.late = late;
      m.slot = s;
    } else {
      if (this.#statsMemo.size >= STATS_MEMO_CAP) {
        this.#statsMemo.clear();
        this.counters.memoResets += 1;
      }
      this.#statsMemo.set(component, { startMs, lengthMs, late, slot: s });
    }
    return s;
  }

  /** @internal The slot of a dead-letter counter (rare path: keyed by string). */
  deadLetterSlot(reason: string, timestampMs: number): Slot {
    const cfg = this.config;
    const lengthMs = cfg.bucketMs['dead-letter'];
    let startMs = Math.floor(timestampMs / lengthMs) * lengthMs;
    let len = lengthMs;
    let late = false;
    if (startMs + lengthMs < timestampMs - cfg.lateAfterMs) {
      startMs = Math.floor(timestampMs / DAY_MS) * DAY_MS;
      len = DAY_MS;
      late = true;
    }
    const fingerprint = deadLetterFingerprint(reason);
    const key = `${fingerprint}|dlq|${startMs}|${len}|`;
    let s = this.#slots.get(`s:${key}`);
    if (s === undefined) {
      s = new Slot(
        KIND_DLQ,
        `s:${key}`,
        summariesIndex(cfg, startMs),
        docId(this.topic, this.partition, 'summary', key),
        startMs,
        len,
        late,
      );
      this.#slots.set(s.key, s);
    }
    return s;
  }

  /** Clean documents kept between epochs (aggregate.caps.cacheDocs). */
  get cacheCap(): number {
    return this.config.caps.cacheDocs;
  }

  /**
   * @internal After an epoch completed: evict the least recently used clean documents past the cap
   * (a smaller cap than the configured one when the heap is short, see the epoch runner).
   */
  evict(cap = this.config.caps.cacheDocs): void {
    if (this.#slots.size <= cap) return;
    // Down to 90 % of the cap at once, so the sort runs once per tenth of the cap of new documents.
    const target = Math.floor(cap * 0.9);
    const all = [...this.#slots.values()].sort((a, b) => a.lastUse - b.lastUse);
    let n = all.length - target;
    for (let i = 0; i < all.length && n > 0; i++) {
      const s = all[i]!;
      this.#slots.delete(s.key);
      s.live = false;
      this.#evicted.push(s);
      this.counters.cacheEvictions += 1;
      n -= 1;
    }
    if (this.#memoEntries > this.#memoCap()) this.#dropMemos();
  }

  #memoCap(): number {
    return Math.max(16_384, 4 * this.config.caps.cacheDocs);
  }

  #dropMemos(): void {
    this.#memo = new Map();
    this.#memoEntries = 0;
    this.#statsMemo = new Map();
    this.#groups = new Map();
    this.#groupsByMeta = new Map();
    this.counters.memoResets += 1;
  }
}

interface Lost {
  readonly offset: number;
  readonly count: number;
}

export class Epoch {
  readonly #state: PartitionState;
  readonly #cfg: AggregateConfig;
  readonly #writer: Writer | undefined;
  readonly #seq: number;
  /** Documents this epoch touched, in first-touch order. */
  readonly #touched: Slot[] = [];
  /** Touched documents whose base was unknown when first touched. */
  #unknown: Slot[] = [];
  #unknownLeft = 0;
  #units = 0;
  #counted = 0;
  #skipped = 0;
  #deadLettered = 0;
  #deltaBytes = 0;
  #built = false;
  #ended = false;
  #completed = false;
  #byId: Map<string, Slot> | null = null;
  #writes = 0;
  #summaryWrites = 0;
  readonly #deadLetters: DeadLetter[] = [];

  constructor(state: PartitionState, seq: number, writer: Writer | undefined) {
    this.#state = state;
    this.#cfg = state.config;
    this.#seq = seq;
    this.#writer = writer;
  }

  /** Units (source records) added to this epoch. */
  get units(): number {
    return this.#units;
  }

  /** Distinct documents this epoch touches (cut epochs on this to bound memory and bulk size). */
  get documents(): number {
    return this.#touched.length;
  }

  /** Estimate of the bytes this epoch's delta holds (dirty documents, queued records, dead letters). */
  get deltaBytes(): number {
    return this.#deltaBytes;
  }

  /** Touched documents still waiting for the store (missing() is not empty). */
  get pendingLoads(): number {
    return this.#unknownLeft;
  }

  /** Dead letters added to this epoch, in offset order (the DLQ topic receives them before the commit). */
  get deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters;
  }

  /** Documents written by build() (after it ran). */
  get writes(): number {
    return this.#writes;
  }

  /** Summary and dead-letter documents among the writes. */
  get summaryWrites(): number {
    return this.#summaryWrites;
  }

  add(cr: ClassifiedRecord): void {
    this.addRecord(cr.record, cr.classification);
  }

  /** One classified record (the hit path: no object is allocated when its documents are cached). */
  addRecord(record: LogRecord, c: Classification): void {
    const cfg = this.#cfg;
    const state = this.#state;
    const pos = record.position;
    const sourceTs = pos.timestampMs;
    // Event time (docs/EXACTNESS.md F10): the parsed time when plausible against the source
    // timestamp, else the source timestamp, flagged. Inline: no EventTime object per record.
    const parsed = record.envelopeTimeMs ?? record.parsedTimeMs;
    let eventMs: number;
    let eventFlag: string | null = null;
    if (parsed === null || !Number.isFinite(parsed)) {
      eventMs = sourceTs;
      eventFlag = 'time-from-kafka';
    } else if (parsed < sourceTs - cfg.plausiblePastMs || parsed > sourceTs + cfg.plausibleFutureMs) {
      eventMs = sourceTs;
      eventFlag = 'time-implausible';
    } else {
      eventMs = parsed;
    }
    const length0 = cfg.bucketMs[c.category];
    let startMs = Math.floor(eventMs / length0) * length0;
    let lengthMs = length0;
    let late = false;
    if (startMs + length0 < sourceTs - cfg.lateAfterMs) {
      startMs = Math.floor(sourceTs / DAY_MS) * DAY_MS;
      lengthMs = DAY_MS;
      late = true;
    }
    // The component a statement names for a line that does not print its own (src/classify).
    const component = c.component ?? record.component;
    const g = state.group(record, component);
    const s = state.summarySlot(c.fingerprint, g, startMs, lengthMs, late);
    this.#touch(s, pos.offset);
    if (s.base === undefined) {
      this.#queue(s, record, c, record.bytes);
    } else {
      this.#applySummary(s, record, c, eventMs, eventFlag);
    }
    const t = state.statsSlot(component, eventMs, sourceTs);
    this.#touch(t, pos.offset);
    if (t.base === undefined) {
      this.#queue(t, record, c, 0);
    } else {
      this.#applyStats(t, pos.offset, record.units, record.bytes, c.category, record.level, late, false);
    }
    this.#units += record.units;
  }

  /** A unit that could not be processed: counted as a `dlq:<reason>` summary (docs/EXACTNESS.md F6). */
  addDeadLetter(dl: DeadLetter): void {
    const { offset, timestampMs } = dl.position;
    const s = this.#state.deadLetterSlot(dl.reason, timestampMs);
    this.#touch(s, offset);
    if (s.base === undefined) this.#queue(s, dl, null, dl.bytes);
    else this.#applyDeadLetter(s, dl);
    const t = this.#state.statsSlot('dead-letter', timestampMs, timestampMs);
    this.#touch(t, offset);
    if (t.base === undefined) this.#queue(t, dl, null, 0);
    else this.#applyStats(t, offset, 1, dl.bytes, 'dead-letter', 'UNKNOWN', false, true);
    this.#units += 1;
    this.#deadLetters.push(dl);
    this.#deltaBytes += dl.bytes;
  }

  /**
   * `count` offsets below `position.offset` were removed from Kafka before they were read (retention,
   * docs/EXACTNESS.md F9): recorded as `logsift.lost_by_retention` in the partition's stats document
   * of component `retention-gap`, at the first offset read after the gap, so a replay of that offset
   * skips it like any other contribution. Counts no unit.
   */
  addLost(
    position: { topic: string; partition: number; offset: number; timestampMs: number },
    count: number,
  ): void {
    const { offset, timestampMs } = position;
    const t = this.#state.statsSlot(LOST_COMPONENT, timestampMs, timestampMs);
    this.#touch(t, offset);
    const lost: Lost = { offset, count };
    if (t.base === undefined) this.#queue(t, lost, undefined, 0);
    else this.#applyLost(t, lost);
  }

  /** Documents the cache does not hold: load them (realtime mget) and pass them to provide(). */
  missing(): DocRef[] {
    const out: DocRef[] = [];
    for (const s of this.#unknown) if (s.base === undefined) out.push({ index: s.index, id: s.id });
    return out;
  }

  /** The store's answer for missing(): each id maps to its acknowledged version, or null if absent. */
  provide(loaded: ReadonlyMap<string, VersionedDoc | null>): void {
    const still: Slot[] = [];
    for (const s of this.#unknown) {
      if (s.base !== undefined) continue;
      const v = loaded.get(s.id);
      if (v === undefined) {
        still.push(s); // still missing: build() refuses
        continue;
      }
      s.setBase(v);
      this.#unknownLeft -= 1;
      const p = s.pending;
      s.pending = null;
      if (p !== null) this.#replay(s, p);
    }
    this.#unknown = still;
  }

  /**
   * The writes for this epoch. Every touched document must be known (missing() empty). `writer`
   * (default: the epoch's) is written into each document, so a 409 on our own landed write can be
   * recognised (F8).
   */
  build(writer: Writer | undefined = this.#writer): WriteItem[] {
    const items: WriteItem[] = [];
    const byId = new Map<string, Slot>();
    for (const s of this.#touched) {
      if (s.base === undefined) throw new Error(`epoch: document ${s.id} was never loaded`);
      if (!s.changed) continue;
      const doc = s.kind === KIND_STATS ? this.#buildStats(s) : this.#buildSummary(s);
      if (writer) doc.logsift.writer = { member: writer.member, attempt: writer.attempt };
      // Last: the document's own JSON size ("bytes out"), without this field; the JSON is kept for
      // the store, which would otherwise serialise the document a second time.
      const source = measureDocBytes(doc);
      s.built = doc;
      byId.set(s.id, s);
      if (s.base === null) items.push({ op: 'create', index: s.index, id: s.id, doc, source });
      else
        items.push({
          op: 'index',
          index: s.index,
          id: s.id,
          doc,
          source,
          ifSeqNo: s.base.seqNo,
          ifPrimaryTerm: s.base.primaryTerm,
        });
      if (s.kind !== KIND_STATS) this.#summaryWrites += 1;
    }
    this.#writes = items.length;
    this.#byId = byId;
    this.#built = true;
    return items;
  }

  /** Record one item's acknowledgement (2xx) with the version the store gave it. */
  acknowledge(id: string, seqNo: number, primaryTerm: number): void {
    const s = this.#byId?.get(id);
    if (s === undefined) throw new Error(`epoch: acknowledgement for unknown document ${id}`);
    s.ackSeq = seqNo;
    s.ackTerm = primaryTerm;
  }

  /** True when every written item has been acknowledged. */
  get acknowledged(): boolean {
    for (const s of this.#touched) if (s.changed && s.ackSeq < 0) return false;
    return true;
  }

  /** The built documents become the acknowledged bases. Call only when `acknowledged`. */
  complete(): void {
    if (!this.#built) throw new Error('epoch: complete() before build()');
    if (!this.acknowledged) throw new Error('epoch: complete() with unacknowledged items');
    if (this.#ended) throw new Error('epoch: complete() after the epoch ended');
    for (const s of this.#touched) {
      if (s.changed && s.built !== null) {
        s.setBase({ index: s.index, id: s.id, doc: s.built, seqNo: s.ackSeq, primaryTerm: s.ackTerm });
      }
      s.resetDelta();
    }
    const c = this.#state.counters;
    c.counted += this.#counted;
    c.skipped += this.#skipped;
    c.deadLettered += this.#deadLettered;
    this.#ended = true;
    this.#completed = true;
    this.#state.ended(this);
    this.#state.evict();
  }

  /** Throw the delta away (nothing of this epoch reaches the cache). Idempotent. */
  abort(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const s of this.#touched) {
      s.resetDelta();
      if (s.base === undefined) this.#state.forget(s);
    }
    this.#state.ended(this);
  }

  /** Documents this epoch wrote, as acknowledged (after complete()): for sinks that mirror state. */
  *written(): Iterable<{ index: string; id: string; doc: CounterDoc }> {
    if (!this.#completed || this.#byId === null) return;
    for (const s of this.#byId.values()) {
      if (s.base !== undefined && s.base !== null) yield { index: s.index, id: s.id, doc: s.base.doc };
    }
  }

  /** Units counted / skipped by this epoch so far (known documents only). */
  get counted(): number {
    return this.#counted;
  }

  get skipped(): number {
    return this.#skipped;
  }

  // ---------------------------------------------------------------------------------- internals

  #touch(s: Slot, offset: number): void {
    if (s.lastUse !== this.#seq) {
      s.lastUse = this.#seq;
      s.lastOffset = -1;
      this.#touched.push(s);
      this.#deltaBytes += SLOT_BYTES;
      if (s.base === undefined) {
        this.#unknown.push(s);
        this.#unknownLeft += 1;
        this.#state.counters.cacheMisses += 1;
      } else {
        this.#state.counters.cacheHits += 1;
      }
    }
    // The skip rule needs each document's contributions in increasing first-offset order (records
    // of different documents may interleave: a dead letter can overtake a held-back multi-line record).
    if (offset < s.lastOffset) throw new Error(`epoch: offset ${offset} after ${s.lastOffset} for ${s.id}`);
    s.lastOffset = offset;
  }

  #queue(s: Slot, a: unknown, b: unknown, bytes: number): void {
    let p = s.pending;
    if (p === null) {
      p = [];
      s.pending = p;
    }
    p.push(a, b);
    this.#deltaBytes += bytes + PENDING_OVERHEAD_BYTES;
  }

  #replay(s: Slot, p: unknown[]): void {
    const cfg = this.#cfg;
    for (let i = 0; i < p.length; i += 2) {
      const a = p[i];
      const b = p[i + 1];
      if (b === undefined) {
        this.#applyLost(s, a as Lost);
      } else if (b === null) {
        const dl = a as DeadLetter;
        if (s.kind === KIND_STATS) {
          this.#applyStats(s, dl.position.offset, 1, dl.bytes, 'dead-letter', 'UNKNOWN', false, true);
        } else {
          this.#applyDeadLetter(s, dl);
        }
      } else {
        const r = a as LogRecord;
        const c = b as Classification;
        const sourceTs = r.position.timestampMs;
        const parsed = r.envelopeTimeMs ?? r.parsedTimeMs;
        let eventMs = sourceTs;
        let eventFlag: string | null = null;
        if (parsed === null || !Number.isFinite(parsed)) eventFlag = 'time-from-kafka';
        else if (parsed < sourceTs - cfg.plausiblePastMs || parsed > sourceTs + cfg.plausibleFutureMs)
          eventFlag = 'time-implausible';
        else eventMs = parsed;
        if (s.kind === KIND_STATS) {
          const length0 = cfg.bucketMs[c.category];
          const late = Math.floor(eventMs / length0) * length0 + length0 < sourceTs - cfg.lateAfterMs;
          this.#applyStats(s, r.position.offset, r.units, r.bytes, c.category, r.level, late, false);
        } else {
          this.#applySummary(s, r, c, eventMs, eventFlag);
        }
      }
    }
  }

  #applySummary(s: Slot, r: LogRecord, c: Classification, eventMs: number, eventFlag: string | null): void {
    const offset = r.position.offset;
    const units = r.units;
    if (offset < s.baseEnd) {
      // Counted before (a replay after a crash between the write and the offset commit).
      this.#skipped += units;
      return;
    }
    if (!s.changed) {
      s.changed = true;
      if (s.base === null && s.head === null && s.seedRecord === null) {
        s.seedRecord = r;
        s.seedClass = c;
      }
    }
    s.dCount += units;
    s.dRecords += 1;
    s.dBytes += r.bytes;
    if (eventMs < s.dFirstMs) s.dFirstMs = eventMs;
    if (eventMs > s.dLastMs) s.dLastMs = eventMs;
    s.dEnd = offset + 1;
    this.#counted += units;
    const ps = c.params;
    if (ps === s.lastParams) s.repeatUnits += units;
    else {
      if (s.repeatUnits > 0) this.#addRepeats(s);
      s.lastParams = ps;
      this.#addParams(s, ps, units);
    }
    const fl = r.flags;
    if (fl.length > 0 || eventFlag !== null) {
      const f = this.#flagsOf(s);
      for (let i = 0; i < fl.length; i++) f.set(fl[i]!, (f.get(fl[i]!) ?? 0) + 1);
      // How the event time was chosen (time-from-kafka, time-implausible), when not the record's own.
      if (eventFlag !== null) f.set(eventFlag, (f.get(eventFlag) ?? 0) + 1);
    }
  }

  #applyDeadLetter(s: Slot, dl: DeadLetter): void {
    const offset = dl.position.offset;
    if (offset < s.baseEnd) {
      this.#skipped += 1;
      return;
    }
    if (!s.changed) {
      s.changed = true;
      if (s.base === null && s.head === null && s.seedDeadLetter === null) s.seedDeadLetter = dl;
    }
    const t = dl.position.timestampMs;
    s.dCount += 1;
    s.dRecords += 1;
    s.dBytes += dl.bytes;
    if (t < s.dFirstMs) s.dFirstMs = t;
    if (t > s.dLastMs) s.dLastMs = t;
    s.dEnd = offset + 1;
    if (s.repeatUnits > 0) this.#addRepeats(s);
    this.#addParam(s, 'source', `${dl.position.topic}/${dl.position.partition}`, 1);
    this.#counted += 1;
    this.#deadLettered += 1;
  }

  #addParams(s: Slot, ps: Readonly<Record<string, string>>, units: number): void {
    for (const name in ps) {
      const value = ps[name];
      if (value === undefined) continue;
      this.#addParam(s, name, value, units);
    }
  }

  /** Add the units waiting on `s.lastParams` (see Slot.lastParams). */
  #addRepeats(s: Slot): void {
    if (s.lastParams !== null) this.#addParams(s, s.lastParams, s.repeatUnits);
    s.repeatUnits = 0;
  }

  /** Bounded top-k: the first `cap` distinct values in offset order keep exact counts, the rest go to `other`. */
  #addParam(s: Slot, name: string, value: string, n: number): void {
    let work = s.params;
    if (work === null) {
      work = workParams(s.base ? (s.base.doc as SummaryDoc).logsift.params : undefined);
      s.params = work;
    }
    let tv = work.get(name);
    if (tv === undefined) {
      if (work.size >= this.#cfg.caps.params) return;
      tv = { values: new Map(), other: 0 };
      work.set(name, tv);
    }
    const cur = tv.values.get(value);
    if (cur !== undefined) tv.values.set(value, cur + n);
    else if (tv.values.size < this.#cfg.caps.topValues) {
      tv.values.set(value, n);
      this.#deltaBytes += 2 * value.length + 48;
    } else tv.other += n;
  }

  #flagsOf(s: Slot): Map<string, number> {
    let f = s.flags;
    if (f === null) {
      f = new Map();
      const base = s.base ? (s.base.doc as SummaryDoc).logsift.flags : undefined;
      if (base) for (const k in base) f.set(k, base[k]!);
      s.flags = f;
    }
    return f;
  }

  #applyStats(
    s: Slot,
    offset: number,
    units: number,
    bytes: number,
    category: string,
    level: Level | 'UNKNOWN',
    late: boolean,
    deadLetter: boolean,
  ): void {
    if (offset < s.baseEnd) return;
    const w = this.#statsWork(s);
    const l = w.logsift;
    l.records_in += units;
    l.bytes_in += bytes;
    if (deadLetter) l.dead_lettered += units;
    l.by_category[category] = (l.by_category[category] ?? 0) + units;
    l.by_level[level] = (l.by_level[level] ?? 0) + units;
    if (late) l.late += units;
    l.offset_end = offset + 1;
  }

  #applyLost(s: Slot, lost: Lost): void {
    if (lost.offset < s.baseEnd) return;
    const l = this.#statsWork(s).logsift;
    l.lost_by_retention = (l.lost_by_retention ?? 0) + lost.count;
    l.offset_end = lost.offset + 1;
  }

  #statsWork(s: Slot): StatsDoc {
    let w = s.stats;
    if (w === null) {
      w = s.base ? copyStats(s.base.doc as StatsDoc) : this.#newStats(s);
      s.stats = w;
      s.changed = true;
    }
    return w;
  }

  #newStats(s: Slot): StatsDoc {
    const seed = s.statsSeed!;
    return {
      '@timestamp': iso(s.bucketStartMs),
      event: { dataset: 'logsift.stats', kind: 'metric' },
      calico: { component: seed.component },
      kafka: { topic: seed.topic, partition: seed.partition },
      logsift: {
        kind: 'stats',
        ruleset_version: this.#cfg.rulesetVersion,
        bucket: { start: iso(s.bucketStartMs), length_s: s.bucketLengthMs / 1000 },
        offset_end: 0,
        records_in: 0,
        bytes_in: 0,
        dead_lettered: 0,
        by_category: {},
        by_level: {},
        late: 0,
      },
    };
  }

  #buildStats(s: Slot): StatsDoc {
    const w = s.stats!;
    // A fresh object per write: the built document becomes the base, which is never changed.
    s.stats = null;
    return w;
  }

  #buildSummary(s: Slot): SummaryDoc {
    if (s.repeatUnits > 0) this.#addRepeats(s);
    const head = s.head ?? this.#head(s);
    s.head = head;
    const b = s.base ? (s.base.doc as SummaryDoc).logsift : null;
    const first = b ? Math.min(s.baseFirstMs, s.dFirstMs) : s.dFirstMs;
    const last = b ? Math.max(s.baseLastMs, s.dLastMs) : s.dLastMs;
    const params = s.params !== null ? topValuesOf(s.params) : (b?.params ?? {});
    const flags = s.flags !== null ? Object.fromEntries(s.flags) : (b?.flags ?? {});
    const paramValues =
      s.params === null && b !== null && b.param_values !== undefined
        ? b.param_values
        : paramValuesOf(params);
    const logsift: SummaryDoc['logsift'] = {
      kind: head.kind,
      fingerprint: head.fingerprint,
      template: head.template,
      category: head.category,
      ...(head.pattern !== undefined ? { pattern: head.pattern } : {}),
      ...(head.statement !== undefined ? { statement: head.statement } : {}),
      ruleset_version: head.rulesetVersion,
      count: (b?.count ?? 0) + s.dCount,
      records: (b?.records ?? 0) + s.dRecords,
      bytes: (b?.bytes ?? 0) + s.dBytes,
      offset_first: head.offsetFirst,
      offset_end: Math.max(s.baseEnd, s.dEnd),
      bucket: head.bucket,
      first_seen: iso(first),
      last_seen: iso(last),
      params,
      flags,
      param_values: paramValues,
    };
    // Keys in the documented order (src/domain/documents.ts), so equal documents serialise equally.
    return {
      '@timestamp': head.timestamp,
      message: head.message,
      event: head.event,
      log: head.log,
      ...(head.kubernetes !== undefined ? { kubernetes: head.kubernetes } : {}),
      ...(head.container !== undefined ? { container: head.container } : {}),
      calico: head.calico,
      kafka: head.kafka,
      logsift,
    };
  }

  /** The static parts of a document: from its base (any earlier shape), else from its first record. */
  #head(s: Slot): SummaryHead {
    const cfg = this.#cfg;
    const bucket = { start: iso(s.bucketStartMs), length_s: s.bucketLengthMs / 1000, late: s.late };
    const b = s.base ? (s.base.doc as SummaryDoc) : null;
    if (b !== null) {
      return {
        timestamp: b['@timestamp'],
        message: b.message,
        event: b.event,
        log: b.log,
        kubernetes: b.kubernetes,
        container: b.container,
        calico: b.calico,
        kafka: b.kafka,
        kind: b.logsift.kind,
        fingerprint: b.logsift.fingerprint,
        template: b.logsift.template,
        category: b.logsift.category,
        pattern: b.logsift.pattern,
        statement: b.logsift.statement,
        rulesetVersion: b.logsift.ruleset_version,
        offsetFirst: b.logsift.offset_first,
        bucket,
      };
    }
    const dl = s.seedDeadLetter;
    if (dl !== null) {
      return {
        timestamp: iso(s.bucketStartMs),
        message: `dead-lettered: ${dl.reason}`,
        event: { dataset: 'logsift.dlq', kind: 'metric' },
        log: { level: 'unknown' },
        kubernetes: undefined,
        container: undefined,
        calico: { component: 'dead-letter' },
        kafka: { topic: dl.position.topic, partition: dl.position.partition },
        kind: 'dlq',
        fingerprint: deadLetterFingerprint(dl.reason),
        template: `dead-letter: ${dl.reason}`,
        category: 'dead-letter',
        pattern: undefined,
        statement: undefined,
        rulesetVersion: cfg.rulesetVersion,
        offsetFirst: dl.position.offset,
        bucket,
      };
    }
    const r = s.seedRecord!;
    const c = s.seedClass!;
    const component = c.component ?? r.component;
    const k = r.kubernetes;
    const log: SummaryDoc['log'] = { level: r.level.toLowerCase() };
    if (r.originFile !== null) {
      log.origin = {
        file: r.originLine !== null ? { name: r.originFile, line: r.originLine } : { name: r.originFile },
      };
    }
    let kubernetes: SummaryDoc['kubernetes'];
    if (k.node || k.namespace || k.pod) {
      kubernetes = {};
      if (k.node) kubernetes.node = { name: k.node };
      if (k.namespace) kubernetes.namespace = k.namespace;
      if (k.pod) kubernetes.pod = { name: k.pod };
    }
    return {
      timestamp: iso(s.bucketStartMs),
      message: cap(r.text, cfg.caps.sampleChars),
      event: { dataset: `calico.${component}`, kind: 'metric' },
      log,
      kubernetes,
      container: k.container
        ? k.image
          ? { name: k.container, image: { name: k.image } }
          : { name: k.container }
        : undefined,
      calico: { component },
      kafka: { topic: r.position.topic, partition: r.position.partition },
      kind: 'summary',
      fingerprint: c.fingerprint,
      template: cap(c.template, cfg.caps.templateChars),
      category: c.category,
      pattern: c.pattern,
      statement: statementOf(c.statement, cfg),
      rulesetVersion: cfg.rulesetVersion,
      offsetFirst: r.position.offset,
      bucket,
    };
  }
}

/** `logsift.statement` of a summary: the id, and the format when the library knows it (capped like a template). */
function statementOf(id: string | undefined, cfg: AggregateConfig): SummaryDoc['logsift']['statement'] {
  if (id === undefined || id === '') return undefined;
  const format = cfg.statementFormat?.(id);
  return format === undefined ? { id } : { id, format: cap(format, cfg.caps.templateChars) };
}

function cap(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function workParams(base: Record<string, TopValues> | undefined): Map<string, WorkTop> {
  const out = new Map<string, WorkTop>();
  if (base) {
    for (const name in base) {
      const tv = base[name]!;
      const values = new Map<string, number>();
      for (const v in tv.values) values.set(v, tv.values[v]!);
      out.set(name, { values, other: tv.other });
    }
  }
  return out;
}

function topValuesOf(work: Map<string, WorkTop>): Record<string, TopValues> {
  const out: Record<string, TopValues> = {};
  for (const [name, tv] of work) out[name] = { values: Object.fromEntries(tv.values), other: tv.other };
  return out;
}

/** A working copy of a stats document in the current shape (older documents may carry more). */
function copyStats(d: StatsDoc): StatsDoc {
  const l = d.logsift;
  const out: StatsDoc = {
    '@timestamp': d['@timestamp'],
    event: d.event,
    calico: d.calico,
    kafka: d.kafka,
    logsift: {
      kind: 'stats',
      ruleset_version: l.ruleset_version,
      bucket: { start: l.bucket.start, length_s: l.bucket.length_s },
      offset_end: l.offset_end,
      records_in: l.records_in,
      bytes_in: l.bytes_in,
      dead_lettered: l.dead_lettered,
      by_category: { ...l.by_category },
      by_level: { ...l.by_level },
      late: l.late,
    },
  };
  if (l.lost_by_retention !== undefined) out.logsift.lost_by_retention = l.lost_by_retention;
  return out;
}
