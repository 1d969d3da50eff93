/**
 * Exact per-partition counters (DESIGN.md "Aggregation and exact counts"; EXACTNESS-REVIEW section 3).
 *
 * Every document is a compare-and-set register owned by one (topic, partition). Its value is the
 * aggregate of that partition's records with its key whose first offset is below `offset_end`.
 * An epoch counts records into a *delta* laid over the acknowledged base of each document:
 *   1. add()/addDeadLetter() for the epoch's records, in increasing first-offset order per document;
 *   2. missing() -> the store loads those ids (one realtime mget) -> provide();
 *   3. build() -> conditional writes (`create` for new ids, `index` with the loaded seqNo/term);
 *   4. acknowledge() each 2xx item; complete() once every item is acknowledged merges the delta
 *      into the clean cache. abort() (or simply dropping the Epoch) throws the delta away.
 * The skip rule: a record at offset o is not counted into a document whose acknowledged
 * `offset_end` is above o — it was counted before a crash, so a replay from the last commit is exact.
 *
 * Pure: no I/O, no clock, no logging. The cache holds acknowledged documents only, so evicting any
 * entry is safe; evictions are counted.
 */

import type { ClassifiedRecord } from '../domain/classification.ts';
import { cloneJson } from '../domain/clone.ts';
import { measureDocBytes, paramValuesOf } from '../domain/doc-extras.ts';
import type { StatsDoc, SummaryDoc, TopValues } from '../domain/documents.ts';
import { isoUtc as iso } from '../domain/iso.ts';
import type { DeadLetter, Level } from '../domain/record.ts';
import type { AggregateConfig } from './config.ts';
import {
  type Bucket,
  bucketFor,
  deadLetterFingerprint,
  docId,
  type StatsKey,
  statsKey,
  summariesIndex,
  summaryKey,
} from './keys.ts';
import type { DocRef, VersionedDoc, WriteItem } from './store.ts';

/** Stats component of the documents that record offsets lost to retention (Epoch.addLost). */
export const LOST_COMPONENT = 'retention-gap';

export interface Writer {
  readonly member: string;
  readonly attempt: string;
}

export interface PartitionCounters {
  cacheHits: number;
  cacheMisses: number;
  /** Clean documents evicted from the cache because it was full (the cap biting). */
  cacheEvictions: number;
  /** Units counted into documents (summaries). */
  counted: number;
  /** Units skipped by the offset_end rule (already counted before a replay). */
  skipped: number;
  deadLettered: number;
}

/** State of one (topic, partition): the bounded cache of acknowledged documents. */
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
  };
  // Map iteration order is insertion order: re-inserting on access makes it an LRU.
  readonly #cache = new Map<string, VersionedDoc>();
  #epochSeq = 0;

  /**
   * false: an epoch changes the cached documents in place instead of a copy. Only for a single writer
   * whose epochs never abort (the file pipeline, where a failed write ends the run): an aborted epoch
   * would leave its delta in the cache. Saves a copy of every touched document per epoch, which is
   * most of the old-generation garbage of a replay (docs/PERF-NOTES.md).
   */
  readonly copyOnWrite: boolean;

  constructor(
    topic: string,
    partition: number,
    config: AggregateConfig,
    options: { readonly copyOnWrite?: boolean } = {},
  ) {
    this.topic = topic;
    this.partition = partition;
    this.config = config;
    this.copyOnWrite = options.copyOnWrite ?? true;
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Drop every cached document (group join, conflict from another writer): they are reloaded. */
  clear(): void {
    this.#cache.clear();
  }

  beginEpoch(writer?: Writer): Epoch {
    this.#epochSeq += 1;
    return new Epoch(this, writer);
  }

  /** @internal used by Epoch */
  cached(id: string): VersionedDoc | undefined {
    const v = this.#cache.get(id);
    if (v !== undefined) {
      this.#cache.delete(id);
      this.#cache.set(id, v);
      this.counters.cacheHits += 1;
    } else {
      this.counters.cacheMisses += 1;
    }
    return v;
  }

  /** @internal used by Epoch: store an acknowledged version. */
  remember(v: VersionedDoc): void {
    this.#cache.delete(v.id);
    this.#cache.set(v.id, v);
    const cap = this.config.caps.cacheDocs;
    while (this.#cache.size > cap) {
      const oldest = this.#cache.keys().next().value as string;
      this.#cache.delete(oldest);
      this.counters.cacheEvictions += 1;
    }
  }
}

type Contribution =
  | {
      readonly kind: 'summary';
      readonly offset: number;
      readonly cr: ClassifiedRecord;
      readonly eventMs: number;
      readonly eventFlag: string | null;
    }
  | {
      readonly kind: 'stats';
      readonly offset: number;
      readonly units: number;
      readonly bytes: number;
      readonly category: string;
      readonly level: Level | 'UNKNOWN';
      readonly late: boolean;
      readonly deadLetter: boolean;
    }
  | { readonly kind: 'dlq'; readonly offset: number; readonly dl: DeadLetter }
  | { readonly kind: 'lost'; readonly offset: number; readonly count: number };

interface Entry {
  readonly ref: DocRef;
  /** undefined = not known yet (waiting for the store), null = the store does not have it. */
  base: VersionedDoc | null | undefined;
  /** A working copy of base.doc (or a new document) with this epoch's counts applied. */
  working: SummaryDoc | StatsDoc | null;
  /** The first contribution's seed: how to create the document if the store has none. */
  readonly seed: () => SummaryDoc | StatsDoc;
  /** Contributions waiting for the base (the skip rule needs its offset_end). */
  pending: Contribution[];
  changed: boolean;
  acked: { seqNo: number; primaryTerm: number } | null;
  /** Units this epoch counted into the document (summaries and dead letters). */
  countedUnits: number;
  /** Offset of the last contribution: the skip rule needs increasing offsets per document. */
  lastOffset: number;
  /** offset_end of the base when this epoch first applied to it (-1 = not read yet). */
  baseEnd: number;
  /** first_seen / last_seen of the working document as numbers (ISO strings written by build()). */
  firstSeenMs: number;
  lastSeenMs: number;
}

export class Epoch {
  readonly #state: PartitionState;
  readonly #cfg: AggregateConfig;
  readonly #writer: Writer | undefined;
  readonly #entries = new Map<string, Entry>();
  #units = 0;
  #built = false;

  constructor(state: PartitionState, writer: Writer | undefined) {
    this.#state = state;
    this.#cfg = state.config;
    this.#writer = writer;
  }

  /** Units (source records) added to this epoch. */
  get units(): number {
    return this.#units;
  }

  /** Distinct documents this epoch touches (cut epochs on this to bound memory and bulk size). */
  get documents(): number {
    return this.#entries.size;
  }

  add(cr: ClassifiedRecord): void {
    const { record, classification } = cr;
    const key = summaryKey(cr, this.#cfg);
    const topic = record.position.topic;
    const partition = record.position.partition;
    this.#contribute(
      { index: key.index, id: key.id },
      () => newSummary(cr, key.bucket, key.group, key.event.ms, this.#cfg),
      {
        kind: 'summary',
        offset: record.position.offset,
        cr,
        eventMs: key.event.ms,
        eventFlag: key.event.flag,
      },
    );
    const sk = statsKey(
      topic,
      partition,
      record.component,
      key.event.ms,
      record.position.timestampMs,
      this.#cfg,
    );
    this.#contribute(
      { index: sk.index, id: sk.id },
      () => newStats(topic, partition, record.component, sk, this.#cfg),
      {
        kind: 'stats',
        offset: record.position.offset,
        units: record.units,
        bytes: record.bytes,
        category: classification.category,
        level: record.level,
        late: key.bucket.late,
        deadLetter: false,
      },
    );
    this.#units += record.units;
  }

  /** A unit that could not be processed: counted as a `dlq:<reason>` summary (EXACTNESS-REVIEW F6). */
  addDeadLetter(dl: DeadLetter): void {
    const { topic, partition, offset, timestampMs } = dl.position;
    const length = this.#cfg.bucketMs['dead-letter'];
    const bucket = bucketFor(timestampMs, timestampMs, length, this.#cfg);
    const fingerprint = deadLetterFingerprint(dl.reason);
    const key = `${fingerprint}|dlq|${bucket.startMs}|${bucket.lengthMs}|`;
    const index = summariesIndex(this.#cfg, bucket.startMs);
    const id = docId(topic, partition, 'summary', key);
    this.#contribute({ index, id }, () => newDeadLetterSummary(dl, bucket, this.#cfg), {
      kind: 'dlq',
      offset,
      dl,
    });
    const sk = statsKey(topic, partition, 'dead-letter', timestampMs, timestampMs, this.#cfg);
    this.#contribute(
      { index: sk.index, id: sk.id },
      () => newStats(topic, partition, 'dead-letter', sk, this.#cfg),
      {
        kind: 'stats',
        offset,
        units: 1,
        bytes: dl.bytes,
        category: 'dead-letter',
        level: 'UNKNOWN',
        late: false,
        deadLetter: true,
      },
    );
    this.#units += 1;
  }

  /**
   * `count` offsets below `position.offset` were removed from Kafka before they were read (retention,
   * EXACTNESS-REVIEW F9): recorded as `logsift.lost_by_retention` in the partition's stats document
   * of component `retention-gap`, at the first offset read after the gap, so a replay of that offset
   * skips it like any other contribution. Counts no unit.
   */
  addLost(
    position: { topic: string; partition: number; offset: number; timestampMs: number },
    count: number,
  ): void {
    const { topic, partition, offset, timestampMs } = position;
    const sk = statsKey(topic, partition, LOST_COMPONENT, timestampMs, timestampMs, this.#cfg);
    this.#contribute(
      { index: sk.index, id: sk.id },
      () => newStats(topic, partition, LOST_COMPONENT, sk, this.#cfg),
      { kind: 'lost', offset, count },
    );
  }

  /** Documents the cache does not hold: load them (realtime mget) and pass them to provide(). */
  missing(): DocRef[] {
    const out: DocRef[] = [];
    for (const e of this.#entries.values()) if (e.base === undefined) out.push(e.ref);
    return out;
  }

  /** The store's answer for missing(): each id maps to its acknowledged version, or null if absent. */
  provide(loaded: ReadonlyMap<string, VersionedDoc | null>): void {
    for (const e of this.#entries.values()) {
      if (e.base !== undefined) continue;
      const v = loaded.get(e.ref.id);
      if (v === undefined) continue; // still missing: build() refuses
      e.base = v;
      if (v !== null) this.#state.remember(v);
      const pending = e.pending;
      e.pending = [];
      for (const c of pending) this.#apply(e, c);
    }
  }

  /** The writes for this epoch. Every touched document must be known (missing() empty). */
  build(): WriteItem[] {
    const items: WriteItem[] = [];
    for (const e of this.#entries.values()) {
      if (e.base === undefined) throw new Error(`epoch: document ${e.ref.id} was never loaded`);
      if (!e.changed || e.working === null) continue;
      if (e.working.logsift.kind !== 'stats') {
        e.working.logsift.first_seen = iso(e.firstSeenMs);
        e.working.logsift.last_seen = iso(e.lastSeenMs);
        e.working.logsift.param_values = paramValuesOf(e.working.logsift.params);
      }
      if (this.#writer)
        e.working.logsift.writer = { member: this.#writer.member, attempt: this.#writer.attempt };
      // Last: the document's own JSON size ("bytes out"), without this field; the JSON is kept for
      // the store, which would otherwise serialise the document a second time.
      const source = measureDocBytes(e.working);
      if (e.base === null)
        items.push({ op: 'create', index: e.ref.index, id: e.ref.id, doc: e.working, source });
      else
        items.push({
          op: 'index',
          index: e.ref.index,
          id: e.ref.id,
          doc: e.working,
          source,
          ifSeqNo: e.base.seqNo,
          ifPrimaryTerm: e.base.primaryTerm,
        });
    }
    this.#built = true;
    return items;
  }

  /** Record one item's acknowledgement (2xx) with the version the store gave it. */
  acknowledge(id: string, seqNo: number, primaryTerm: number): void {
    const e = this.#entries.get(id);
    if (!e) throw new Error(`epoch: acknowledgement for unknown document ${id}`);
    e.acked = { seqNo, primaryTerm };
  }

  /** True when every written item has been acknowledged. */
  get acknowledged(): boolean {
    for (const e of this.#entries.values()) if (e.changed && e.acked === null) return false;
    return true;
  }

  /** Merge the acknowledged delta into the cache. Call only when `acknowledged`. */
  complete(): void {
    if (!this.#built) throw new Error('epoch: complete() before build()');
    if (!this.acknowledged) throw new Error('epoch: complete() with unacknowledged items');
    let counted = 0;
    for (const e of this.#entries.values()) {
      if (!e.changed || e.working === null || e.acked === null) continue;
      this.#state.remember({
        index: e.ref.index,
        id: e.ref.id,
        doc: e.working,
        seqNo: e.acked.seqNo,
        primaryTerm: e.acked.primaryTerm,
      });
    }
    for (const e of this.#entries.values()) counted += e.countedUnits;
    this.#state.counters.counted += counted;
    this.#state.counters.skipped += this.#skipped;
    this.#state.counters.deadLettered += this.#deadLettered;
  }

  /** Documents this epoch wrote, as acknowledged (after complete()): for sinks that mirror state. */
  *written(): Iterable<{ index: string; id: string; doc: SummaryDoc | StatsDoc }> {
    for (const e of this.#entries.values()) {
      if (e.changed && e.working !== null) yield { index: e.ref.index, id: e.ref.id, doc: e.working };
    }
  }

  #skipped = 0;
  #deadLettered = 0;

  #contribute(ref: DocRef, seed: () => SummaryDoc | StatsDoc, c: Contribution): void {
    let e = this.#entries.get(ref.id);
    if (e === undefined) {
      const cached = this.#state.cached(ref.id);
      e = {
        ref,
        base: cached,
        working: null,
        seed,
        pending: [],
        changed: false,
        acked: null,
        countedUnits: 0,
        lastOffset: -1,
        baseEnd: -1,
        firstSeenMs: Number.NaN,
        lastSeenMs: Number.NaN,
      };
      this.#entries.set(ref.id, e);
    }
    // The skip rule needs each document's contributions in increasing first-offset order (records
    // of different documents may interleave: a dead letter can overtake a held-back multi-line record).
    if (c.offset < e.lastOffset)
      throw new Error(`epoch: offset ${c.offset} after ${e.lastOffset} for ${ref.id}`);
    e.lastOffset = c.offset;
    if (e.base === undefined) e.pending.push(c);
    else this.#apply(e, c);
  }

  #apply(e: Entry, c: Contribution): void {
    const base = e.base;
    // The base's offset_end before this epoch (read once: with copyOnWrite off, base.doc is the
    // working document, whose offset_end moves as contributions are applied).
    if (e.baseEnd < 0) e.baseEnd = base ? base.doc.logsift.offset_end : 0;
    const offsetEnd = e.baseEnd;
    if (c.offset < offsetEnd) {
      // Counted before (a replay after a crash between the write and the offset commit).
      if (c.kind === 'summary') this.#skipped += c.cr.record.units;
      else if (c.kind === 'dlq') this.#skipped += 1;
      return;
    }
    if (e.working === null) {
      e.working = base
        ? this.#state.copyOnWrite
          ? cloneJson(base.doc)
          : (base.doc as SummaryDoc | StatsDoc)
        : e.seed();
      if (e.working.logsift.kind !== 'stats') {
        e.firstSeenMs = Date.parse(e.working.logsift.first_seen);
        e.lastSeenMs = Date.parse(e.working.logsift.last_seen);
      }
    }
    e.changed = true;
    const w = e.working;
    if (c.kind === 'stats') {
      applyStats(w as StatsDoc, c);
    } else if (c.kind === 'lost') {
      const l = (w as StatsDoc).logsift;
      l.lost_by_retention = (l.lost_by_retention ?? 0) + c.count;
    } else if (c.kind === 'summary') {
      applySummary(w as SummaryDoc, c.cr, c.eventFlag, this.#cfg);
      if (c.eventMs < e.firstSeenMs) e.firstSeenMs = c.eventMs;
      if (c.eventMs > e.lastSeenMs) e.lastSeenMs = c.eventMs;
      e.countedUnits += c.cr.record.units;
    } else {
      applyDeadLetter(w as SummaryDoc, c.dl, this.#cfg);
      const t = c.dl.position.timestampMs;
      if (t < e.firstSeenMs) e.firstSeenMs = t;
      if (t > e.lastSeenMs) e.lastSeenMs = t;
      this.#deadLettered += 1;
      e.countedUnits += 1;
    }
    w.logsift.offset_end = c.offset + 1;
  }
}

function cap(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

function newSummary(
  cr: ClassifiedRecord,
  bucket: Bucket,
  group: string,
  eventMs: number,
  cfg: AggregateConfig,
): SummaryDoc {
  const { record: r, classification: c } = cr;
  const k = r.kubernetes;
  const doc: SummaryDoc = {
    '@timestamp': iso(bucket.startMs),
    message: cap(r.text, cfg.caps.sampleChars),
    event: { dataset: `calico.${r.component}`, kind: 'metric' },
    log: { level: r.level.toLowerCase() },
    calico: { component: r.component },
    kafka: { topic: r.position.topic, partition: r.position.partition },
    logsift: {
      kind: 'summary',
      fingerprint: c.fingerprint,
      template: cap(c.template, cfg.caps.templateChars),
      category: c.category,
      ruleset_version: cfg.rulesetVersion,
      count: 0,
      records: 0,
      bytes: 0,
      offset_first: r.position.offset,
      offset_end: 0,
      bucket: {
        start: iso(bucket.startMs),
        end: iso(bucket.startMs + bucket.lengthMs),
        length_s: bucket.lengthMs / 1000,
        late: bucket.late,
      },
      first_seen: iso(eventMs),
      last_seen: iso(eventMs),
      samples: { first: cap(r.text, cfg.caps.sampleChars), last: cap(r.text, cfg.caps.sampleChars) },
      params: {},
      flags: {},
      group,
    },
  };
  if (c.pattern !== undefined) doc.logsift.pattern = c.pattern;
  if (r.originFile !== null) {
    doc.log.origin = {
      file: r.originLine !== null ? { name: r.originFile, line: r.originLine } : { name: r.originFile },
    };
  }
  if (k.node) doc.host = { name: k.node };
  if (k.node || k.namespace || k.pod) {
    doc.kubernetes = {};
    if (k.node) doc.kubernetes.node = { name: k.node };
    if (k.namespace) doc.kubernetes.namespace = k.namespace;
    if (k.pod) doc.kubernetes.pod = { name: k.pod };
  }
  if (k.container) doc.container = { name: k.container };
  return doc;
}

function applySummary(
  d: SummaryDoc,
  cr: ClassifiedRecord,
  eventFlag: string | null,
  cfg: AggregateConfig,
): void {
  const { record: r, classification: c } = cr;
  const l = d.logsift;
  l.count += r.units;
  l.records += 1;
  l.bytes += r.bytes;
  l.samples.last = cap(r.text, cfg.caps.sampleChars);
  for (const name in c.params) {
    const value = c.params[name];
    if (value === undefined) continue;
    let tv: TopValues | undefined = l.params[name];
    if (tv === undefined) {
      if (Object.keys(l.params).length >= cfg.caps.params) continue;
      tv = { values: {}, other: 0 };
      l.params[name] = tv;
    }
    addTop(tv, value, r.units, cfg.caps.topValues);
  }
  for (const f of r.flags) l.flags[f] = (l.flags[f] ?? 0) + 1;
  // How the event time was chosen (time-from-kafka, time-implausible), when not the record's own.
  if (eventFlag !== null) l.flags[eventFlag] = (l.flags[eventFlag] ?? 0) + 1;
}

/** Bounded top-k: the first `cap` distinct values in offset order keep exact counts, the rest go to `other`. */
function addTop(tv: TopValues, value: string, n: number, capValues: number): void {
  const cur = tv.values[value];
  if (cur !== undefined) tv.values[value] = cur + n;
  else if (Object.keys(tv.values).length < capValues) tv.values[value] = n;
  else tv.other += n;
}

function newDeadLetterSummary(dl: DeadLetter, bucket: Bucket, cfg: AggregateConfig): SummaryDoc {
  const { topic, partition, offset, timestampMs } = dl.position;
  return {
    '@timestamp': iso(bucket.startMs),
    message: `dead-lettered: ${dl.reason}`,
    event: { dataset: 'logsift.dlq', kind: 'metric' },
    log: { level: 'unknown' },
    calico: { component: 'dead-letter' },
    kafka: { topic, partition },
    logsift: {
      kind: 'dlq',
      fingerprint: deadLetterFingerprint(dl.reason),
      template: `dead-letter: ${dl.reason}`,
      category: 'dead-letter',
      ruleset_version: cfg.rulesetVersion,
      count: 0,
      records: 0,
      bytes: 0,
      offset_first: offset,
      offset_end: 0,
      bucket: {
        start: iso(bucket.startMs),
        end: iso(bucket.startMs + bucket.lengthMs),
        length_s: bucket.lengthMs / 1000,
        late: bucket.late,
      },
      first_seen: iso(timestampMs),
      last_seen: iso(timestampMs),
      samples: { first: '', last: '' },
      params: {},
      flags: {},
      group: 'dlq',
    },
  };
}

function applyDeadLetter(d: SummaryDoc, dl: DeadLetter, cfg: AggregateConfig): void {
  const l = d.logsift;
  l.count += 1;
  l.records += 1;
  l.bytes += dl.bytes;
  const ref = `${dl.position.topic}/${dl.position.partition}/${dl.position.offset}`;
  if (l.samples.first === '') l.samples.first = ref;
  l.samples.last = ref;
  let tv = l.params.source;
  if (tv === undefined) {
    tv = { values: {}, other: 0 };
    l.params.source = tv;
  }
  addTop(tv, `${dl.position.topic}/${dl.position.partition}`, 1, cfg.caps.topValues);
}

function newStats(
  topic: string,
  partition: number,
  component: string,
  sk: StatsKey,
  cfg: AggregateConfig,
): StatsDoc {
  return {
    '@timestamp': iso(sk.bucket.startMs),
    event: { dataset: 'logsift.stats', kind: 'metric' },
    calico: { component },
    kafka: { topic, partition },
    logsift: {
      kind: 'stats',
      ruleset_version: cfg.rulesetVersion,
      bucket: {
        start: iso(sk.bucket.startMs),
        end: iso(sk.bucket.startMs + sk.bucket.lengthMs),
        length_s: sk.bucket.lengthMs / 1000,
      },
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

function applyStats(d: StatsDoc, c: Extract<Contribution, { kind: 'stats' }>): void {
  const l = d.logsift;
  l.records_in += c.units;
  l.bytes_in += c.bytes;
  if (c.deadLetter) l.dead_lettered += c.units;
  l.by_category[c.category] = (l.by_category[c.category] ?? 0) + c.units;
  l.by_level[c.level] = (l.by_level[c.level] ?? 0) + c.units;
  if (c.late) l.late += c.units;
}
