/**
 * The epoch runner: the one loop behind `logsift replay`, `logsift run`, the benchmarks and the
 * tests. Per (topic, partition), one open epoch at a time:
 *
 *   push units -> PartitionAssembler -> classify -> Epoch (records and dead letters in first-offset
 *   order, one way: a dead letter waits until the records before it are out) -> load documents the
 *   cache lacks (as batches arrive, so queued records stay few) -> ... more units, from any number
 *   of source batches ... -> the epoch is due (documents, delta bytes, units; time for Kafka) ->
 *   dead letters stored (Kafka: the DLQ topic) -> build -> bulk-write, every item read ->
 *   acknowledged: the built documents become the bases, the assembler is snapshotted, the source
 *   commits `safeCommitOffset(end)` | aborted: the delta is dropped and the assembler goes back to
 *   its snapshot at the end of the last acknowledged epoch.
 *
 * What differs per source is a FlushControl: retries with liveness checks between them (Kafka:
 * heartbeats, backoff, a retry budget, ownership) or none (files: a failed write ends the run),
 * and what "commit" means. docs/EXACTNESS.md says why the counts stay exact.
 *
 * Instrumentation: the runner reports what happened at its stage boundaries through one hook
 * (`observe`); the stages (assembler, classifier, epoch) never count themselves.
 */
import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import { type Epoch, PartitionState, type Writer } from '../aggregate/epoch.ts';
import type { CounterStore, VersionedDoc, WriteItem, WriteResult } from '../aggregate/store.ts';
import { withDoc } from '../aggregate/store.ts';
import { classify, RULESET_VERSION } from '../classify/index.ts';
import { type Config, toAggregateConfig } from '../config/index.ts';
import type { Classification } from '../domain/classification.ts';
import type { CounterDoc, SummaryDoc } from '../domain/documents.ts';
import type { DeadLetter, LogRecord, SourceUnit } from '../domain/record.ts';
import { LogsiftError } from '../errors.ts';
import type { AssemblerSnapshot, PartitionAssembler } from '../parse/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { createAssembler, type ParseMode } from './parse-stage.ts';
import { shippedStatementFormat } from './statement-formats.ts';

/** Why an epoch did not commit. */
export type AbortReason = 'liveness' | 'conflict' | 'halt' | 'timeout' | 'stopping';

/** Thrown inside a flush to abort the epoch (never escapes the runner). */
export class AbortEpoch extends Error {
  readonly why: AbortReason;
  constructor(why: AbortReason, message: string) {
    super(message);
    this.why = why;
  }
}

/** What ended an epoch. */
export type EpochCause = 'documents' | 'bytes' | 'units' | 'time' | 'idle' | 'memory' | 'end' | 'shutdown';

/** What one flush needs from its source. */
export interface FlushControl {
  /** false (files): the first failure ends the run — one writer and one local store cannot be busy. */
  readonly retries: boolean;
  /** Before each send and between retries; throws AbortEpoch when the epoch must stop (Kafka liveness, ownership). */
  alive(giveUpAt: number): Promise<void>;
  /** `offset` is the next offset to read: make it durable (Kafka commit; files: nothing). */
  commit(offset: number): Promise<void>;
  /** Store the epoch's dead letters before the commit (Kafka: the DLQ topic). */
  deadLetters?(dls: readonly DeadLetter[]): Promise<void>;
  /** No retry past this time (shutdown). */
  readonly deadline?: number;
}

/** The file policy: no retries, nothing to commit. */
export const FILE_CONTROL: FlushControl = {
  retries: false,
  alive: async () => {},
  commit: async () => {},
};

/** What the runner reports (the one instrumentation hook). */
export type Observation =
  | { readonly kind: 'units'; readonly topic: string; readonly partition: number; readonly n: number }
  | {
      readonly kind: 'epoch';
      readonly topic: string;
      readonly partition: number;
      /** committed-not: acknowledged, but the offset commit failed (the next owner replays it). */
      readonly outcome: 'committed' | 'committed-not' | 'aborted';
      readonly cause: EpochCause;
      readonly why?: AbortReason;
      readonly units: number;
      readonly documents: number;
      readonly writes: number;
      readonly summaryWrites: number;
      readonly counted: number;
      readonly skipped: number;
      readonly evictions: number;
      readonly deadLetters: readonly DeadLetter[];
      readonly seconds: number;
    }
  | { readonly kind: 'commit'; readonly topic: string; readonly partition: number; readonly offset: number }
  | {
      readonly kind: 'commit-failed';
      readonly topic: string;
      readonly partition: number;
      readonly offset: number;
      readonly error: string;
    }
  | { readonly kind: 'retry'; readonly what: 'bulk_item' | 'mget' | 'dlq'; readonly n: number }
  | { readonly kind: 'conflict'; readonly resolution: 'adopted' | 'foreign' }
  | {
      readonly kind: 'stages';
      readonly parseUs: number;
      readonly classifyUs: number;
      readonly aggregateUs: number;
    };

export type Observer = (o: Observation) => void;

export interface RunnerOptions {
  readonly config: Config;
  readonly store: CounterStore;
  /** `file`: the file dead-letter policy, no time cut; `kafka`: the Kafka policy, epochs also end on time. */
  readonly mode: ParseMode;
  readonly observe?: Observer;
  readonly log?: Logger;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** One flush may block on retries this long, then aborts ('timeout'). */
  readonly maxBlockMs?: number;
  /** writer.member of the documents (Kafka: the group member id, which changes on every join). */
  readonly member?: () => string | undefined;
  /** Sample each stage's CPU time per chunk (process.cpuUsage) and report 'stages': benchmarks. */
  readonly timeStages?: boolean;
  /** Whether the heap is short (default: past HEAP_DUE_SHARE of the V8 heap limit; tests pass their own). */
  readonly heapPressure?: () => boolean;
}

export type FlushAborted = {
  readonly outcome: 'aborted';
  readonly why: AbortReason;
  readonly message: string;
};
export type FlushResult =
  | { readonly outcome: 'committed'; readonly commitAt: number; readonly committed: boolean }
  | FlushAborted;

/** Units pushed between drains: the granularity of the volume cuts (and of stage timing). */
const CHUNK = 256;

/**
 * The document caps are per partition (epoch.maxDirtyDocs, aggregate.caps.cacheDocs), and a
 * process may own many partitions, or documents far larger than the caps' sizing assumed (many
 * params). Past this share of the heap limit the open epoch is due ('memory') and, once it is
 * acknowledged, the clean-document cache is cut to HEAP_SHED_SHARE of its cap (evictions counted):
 * memory stays bounded whatever the caps multiply to, at the price of more loads and writes.
 */
const HEAP_DUE_SHARE = 0.7;
const HEAP_SHED_SHARE = 0.25;

function heapShort(): boolean {
  const h = getHeapStatistics();
  return h.used_heap_size > HEAP_DUE_SHARE * h.heap_size_limit;
}
const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5_000;

export class EpochRunner {
  readonly config: Config;
  readonly store: CounterStore;
  readonly mode: ParseMode;
  readonly #opts: RunnerOptions;
  readonly #aggregateConfig;

  constructor(o: RunnerOptions) {
    this.config = o.config;
    this.store = o.store;
    this.mode = o.mode;
    this.#opts = o;
    this.#aggregateConfig = Object.freeze({
      ...toAggregateConfig(o.config, RULESET_VERSION),
      statementFormat: shippedStatementFormat,
    });
  }

  /** A new partition run (fresh cache and assembler) starting at `offset`. */
  partition(topic: string, partition: number, offset = 0, committed = -1): PartitionRun {
    return new PartitionRun(this.#opts, this.#aggregateConfig, topic, partition, offset, committed);
  }
}

export class PartitionRun {
  readonly topic: string;
  readonly partition: number;
  readonly state: PartitionState;
  readonly #o: RunnerOptions;
  readonly #cfg: Config;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #observe: Observer;
  readonly #maxBlockMs: number;
  readonly #maxUnits: number;
  readonly #timed: boolean;
  readonly #heapPressure: () => boolean;
  #assembler: PartitionAssembler;
  /** Assembler state at `ackedEnd`. */
  #snapshot: AssemblerSnapshot;
  /**
   * Dead letters drained from the assembler but not yet added to an epoch: the assembler emits a
   * dead letter at once while it holds records back behind an older open multi-line group, and an
   * Epoch takes units in increasing first-offset order. Part of the state the snapshot restores.
   */
  #pendingDls: DeadLetter[] = [];
  #snapshotDls: readonly DeadLetter[] = [];
  #epoch: Epoch | null = null;
  #openedAt = 0;
  #lastPushAt = 0;
  #classes: Classification[] = [];
  #evictionsSeen = 0;
  /** Next offset to push (the end of the open epoch). */
  end: number;
  /** End of the last acknowledged epoch: where the assembler snapshot is, and where a replay starts. */
  ackedEnd: number;
  /** Last offset committed by this run (-1: none). */
  lastCommitted: number;
  /** Loaded documents counted past this offset are impossible in this topic's incarnation (F15). */
  highWatermark = Number.POSITIVE_INFINITY;

  constructor(
    o: RunnerOptions,
    agg: ReturnType<typeof toAggregateConfig>,
    topic: string,
    partition: number,
    offset: number,
    committed: number,
  ) {
    this.#o = o;
    this.#cfg = o.config;
    this.topic = topic;
    this.partition = partition;
    this.#now = o.now ?? Date.now;
    this.#sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#observe = o.observe ?? (() => {});
    this.#maxBlockMs = o.maxBlockMs ?? 60_000;
    this.#maxUnits = o.mode === 'file' ? o.config.epoch.fileRecords : o.config.epoch.maxRecords;
    this.#timed = o.timeStages === true;
    this.#heapPressure = o.heapPressure ?? heapShort;
    this.state = new PartitionState(topic, partition, agg);
    this.#assembler = createAssembler(o.config, o.mode);
    this.#snapshot = this.#assembler.snapshot();
    this.end = offset;
    this.ackedEnd = offset;
    this.lastCommitted = committed;
  }

  get assembler(): PartitionAssembler {
    return this.#assembler;
  }

  /** The open epoch has taken units (or moved the end) since the last acknowledged one. */
  get open(): boolean {
    return this.#epoch !== null;
  }

  /** Time the open epoch took its first unit. */
  get openedAt(): number {
    return this.#openedAt;
  }

  get units(): number {
    return this.#epoch?.units ?? 0;
  }

  /** Touched documents of the open epoch still to be loaded (call load()). */
  get pendingLoads(): number {
    return this.#epoch?.pendingLoads ?? 0;
  }

  /**
   * Why the open epoch should be flushed now, or null. Time counts only for Kafka: the epoch's age
   * (`epoch.maxMs`), and how long it has received nothing (`epoch.idleMs`: the end of a burst, or
   * of a backlog, is written at once instead of waiting for maxMs).
   */
  due(now = this.#now()): EpochCause | null {
    const e = this.#epoch;
    if (e === null) return null;
    const ep = this.#cfg.epoch;
    if (e.documents >= ep.maxDirtyDocs) return 'documents';
    if (e.deltaBytes >= ep.maxDeltaBytes) return 'bytes';
    if (e.units >= this.#maxUnits) return 'units';
    if (this.#heapPressure()) return 'memory';
    if (this.#o.mode === 'kafka') {
      if (now - this.#openedAt >= ep.maxMs) return 'time';
      if (ep.idleMs > 0 && now - this.#lastPushAt >= ep.idleMs) return 'idle';
    }
    return null;
  }

  #volumeDue(): boolean {
    const e = this.#epoch;
    if (e === null) return false;
    const ep = this.#cfg.epoch;
    return (
      e.documents >= ep.maxDirtyDocs ||
      e.deltaBytes >= ep.maxDeltaBytes ||
      e.units >= this.#maxUnits ||
      this.#heapPressure()
    );
  }

  #open(): Epoch {
    let e = this.#epoch;
    if (e === null) {
      e = this.state.beginEpoch();
      this.#epoch = e;
      this.#openedAt = this.#now();
    }
    return e;
  }

  /**
   * Push units[from, to) (increasing offsets of this partition). Stops early, at a chunk boundary,
   * when the epoch is due by volume (documents, bytes, units): flush, then push again from the
   * returned index. Returns the index after the last unit pushed.
   */
  push(units: readonly SourceUnit[], from = 0, to = units.length): number {
    let i = from;
    const a = this.#assembler;
    while (i < to) {
      const epoch = this.#open();
      // Chunks end where the units cap would be reached, so that cut is exact (one unit per record).
      const n = Math.min(to, i + CHUNK, i + Math.max(1, this.#maxUnits - epoch.units));
      const t0 = this.#timed ? cpuUs() : 0;
      const first = i;
      for (; i < n; i++) a.push(units[i]!);
      const { records, deadLetters } = a.drain();
      const t1 = this.#timed ? cpuUs() : 0;
      const cls = this.#classes;
      cls.length = records.length;
      for (let k = 0; k < records.length; k++) cls[k] = classify(records[k]!);
      const t2 = this.#timed ? cpuUs() : 0;
      this.#take(epoch, records, cls, deadLetters);
      if (this.#timed) {
        const t3 = cpuUs();
        this.#observe({ kind: 'stages', parseUs: t1 - t0, classifyUs: t2 - t1, aggregateUs: t3 - t2 });
      }
      if (this.#o.mode === 'kafka') this.#lastPushAt = this.#now();
      const last = units[n - 1]!.position.offset + 1;
      if (last > this.end) this.end = last;
      this.#observe({ kind: 'units', topic: this.topic, partition: this.partition, n: n - first });
      if (this.#volumeDue()) break;
    }
    return i;
  }

  /** Offsets up to `end` held no data (control records, compaction) or were lost: the epoch ends there at least. */
  extendEnd(end: number): void {
    if (end > this.end) {
      this.#open();
      this.end = end;
    }
  }

  /**
   * `count` offsets below `offset` were removed before they were read (retention, F9): recorded in
   * the open epoch (see Epoch.addLost), and the end moves past them.
   */
  recordLost(offset: number, timestampMs: number, count: number): void {
    this.#open().addLost({ topic: this.topic, partition: this.partition, offset, timestampMs }, count);
    this.extendEnd(offset);
  }

  /** End of input (files): close every open group; its records join the open epoch. */
  finishInput(): void {
    const epoch = this.#open();
    this.#assembler.flush();
    const { records, deadLetters } = this.#assembler.drain();
    const cls = records.map((r) => classify(r));
    this.#take(epoch, records, cls, deadLetters);
    this.#releaseDls(epoch, Number.POSITIVE_INFINITY);
  }

  /**
   * Completed records go into the epoch as drained (increasing first offset); a dead letter joins
   * just before the first record above it, or once the assembler's safe frontier passes it
   * (#releaseDls at the flush): the Epoch requires increasing first-offset order per document.
   */
  #take(
    epoch: Epoch,
    records: readonly LogRecord[],
    cls: readonly Classification[],
    dls: readonly DeadLetter[],
  ): void {
    if (dls.length > 0) this.#pendingDls.push(...dls);
    for (let k = 0; k < records.length; k++) {
      const r = records[k]!;
      if (this.#pendingDls.length > 0) this.#releaseDls(epoch, r.position.offset);
      epoch.addRecord(r, cls[k]!);
    }
  }

  /** Adds the pending dead letters below `below` (they are kept in offset order). */
  #releaseDls(epoch: Epoch, below: number): void {
    const pending = this.#pendingDls;
    let n = 0;
    while (n < pending.length && pending[n]!.position.offset < below) {
      epoch.addDeadLetter(pending[n]!);
      n += 1;
    }
    if (n > 0) this.#pendingDls = pending.slice(n);
  }

  /**
   * Whether a load between batches pays: documents are missing and the records queued for them
   * hold a quarter of `epoch.maxDeltaBytes`. Below that the flush's own load fetches them in the
   * same round trip as every other missing document, and the partition's handler does not wait on
   * Elasticsearch after each fetched batch (which holds kafkajs's next fetch).
   */
  loadDue(): boolean {
    const e = this.#epoch;
    return e !== null && e.pendingLoads > 0 && e.deltaBytes >= this.#cfg.epoch.maxDeltaBytes / 4;
  }

  /**
   * Load the open epoch's documents the cache lacks (one realtime mget), so that queued records
   * are applied and memory stays bounded between flushes. Returns an abort result when the epoch
   * had to be dropped (liveness, halt), else null.
   */
  async load(ctl: FlushControl): Promise<FlushAborted | null> {
    const epoch = this.#epoch;
    if (epoch === null || epoch.pendingLoads === 0) return null;
    try {
      await this.#loadMissing(epoch, ctl, this.#giveUpAt(ctl));
      return null;
    } catch (err) {
      return this.#aborted(err, 'documents');
    }
  }

  /** Abort the open epoch from outside (ownership lost, halt): the delta is dropped. */
  drop(): void {
    this.#undo(false);
  }

  /** Flush the open epoch: dead letters, load, build, write every item, acknowledge, commit. */
  async flush(ctl: FlushControl, cause: EpochCause): Promise<FlushResult> {
    const epoch = this.#open();
    const end = this.end;
    const commitAt = this.#assembler.safeCommitOffset(end);
    // Every record the assembler emits from now on starts at or above commitAt: dead letters below
    // it can join this epoch; the rest wait (and the commit does not pass them).
    this.#releaseDls(epoch, commitAt);
    const t0 = this.#openedAt;
    try {
      const giveUpAt = this.#giveUpAt(ctl);
      const dls = epoch.deadLetters;
      if (dls.length > 0 && ctl.deadLetters !== undefined) {
        const store = ctl.deadLetters.bind(ctl);
        await this.#retrying('dlq', ctl, giveUpAt, () => store(dls));
      }
      await this.#loadMissing(epoch, ctl, giveUpAt);
      const member = this.#o.member?.();
      const writer: Writer | undefined = member !== undefined ? { member, attempt: randomUUID() } : undefined;
      const items = epoch.build(writer);
      await this.#write(epoch, items, ctl, giveUpAt, writer?.attempt);
    } catch (err) {
      return this.#aborted(err, cause);
    }
    // Acknowledged: merge, snapshot, commit what is safe.
    epoch.complete();
    if (cause === 'memory' || this.#heapPressure()) {
      this.state.evict(Math.max(1, Math.floor(this.state.cacheCap * HEAP_SHED_SHARE)));
    }
    this.#epoch = null;
    this.ackedEnd = end;
    this.#snapshot = this.#assembler.snapshot();
    this.#snapshotDls = [...this.#pendingDls];
    let committed = false;
    let commitOk = true;
    if (commitAt > this.lastCommitted) {
      try {
        await ctl.commit(commitAt);
        this.lastCommitted = commitAt;
        committed = true;
        this.#observe({ kind: 'commit', topic: this.topic, partition: this.partition, offset: commitAt });
      } catch (err) {
        // Membership lost (rebalance, fenced): the next owner replays from the last commit and the
        // skip rule keeps it exact (F14).
        commitOk = false;
        this.#observe({
          kind: 'commit-failed',
          topic: this.topic,
          partition: this.partition,
          offset: commitAt,
          error: String((err as Error).message ?? err),
        });
      }
    }
    const ev = this.state.counters.cacheEvictions;
    this.#observe({
      kind: 'epoch',
      topic: this.topic,
      partition: this.partition,
      outcome: commitOk ? 'committed' : 'committed-not',
      cause,
      units: epoch.units,
      documents: epoch.documents,
      writes: epoch.writes,
      summaryWrites: epoch.summaryWrites,
      counted: epoch.counted,
      skipped: epoch.skipped,
      evictions: ev - this.#evictionsSeen,
      deadLetters: epoch.deadLetters,
      seconds: (this.#now() - t0) / 1000,
    });
    this.#evictionsSeen = ev;
    return { outcome: 'committed', commitAt, committed };
  }

  #giveUpAt(ctl: FlushControl): number {
    return Math.min(this.#now() + this.#maxBlockMs, ctl.deadline ?? Number.POSITIVE_INFINITY);
  }

  #aborted(err: unknown, cause: EpochCause): FlushAborted {
    const epoch = this.#epoch;
    if (!(err instanceof AbortEpoch)) {
      // A bug or (files) a failed write: undo and let it end the run / crash the consumer.
      this.#undo(true);
      throw err;
    }
    this.#undo(err.why === 'conflict');
    this.#observe({
      kind: 'epoch',
      topic: this.topic,
      partition: this.partition,
      outcome: 'aborted',
      cause,
      why: err.why,
      units: epoch?.units ?? 0,
      documents: epoch?.documents ?? 0,
      writes: 0,
      summaryWrites: 0,
      counted: 0,
      skipped: 0,
      evictions: 0,
      deadLetters: [],
      seconds: (this.#now() - this.#openedAt) / 1000,
    });
    return { outcome: 'aborted', why: err.why, message: err.message };
  }

  /** Drop the delta (the documents may have changed under us: also the cache), undo the assembler. */
  #undo(clearCache: boolean): void {
    this.#epoch?.abort();
    this.#epoch = null;
    if (clearCache) this.state.clear();
    this.#assembler.restore(this.#snapshot);
    this.#pendingDls = [...this.#snapshotDls];
    this.end = this.ackedEnd;
  }

  async #loadMissing(epoch: Epoch, ctl: FlushControl, giveUpAt: number): Promise<void> {
    const missing = epoch.missing();
    if (missing.length === 0) return;
    const loaded = await this.#retrying('mget', ctl, giveUpAt, () => this.#o.store.load(missing));
    for (const v of loaded.values()) if (v !== null) this.#checkLoaded(v);
    epoch.provide(loaded);
  }

  /** F15 / F17: a loaded document must be this partition's, counted below the log end. */
  #checkLoaded(v: VersionedDoc): void {
    const d = v.doc;
    if (d.kafka.topic !== this.topic || d.kafka.partition !== this.partition) {
      throw new AbortEpoch(
        'halt',
        `document ${v.id} belongs to ${d.kafka.topic}/${d.kafka.partition} (id collision?)`,
      );
    }
    if (d.logsift.offset_end > this.highWatermark) {
      throw new AbortEpoch(
        'halt',
        `document ${v.id} has offset_end ${d.logsift.offset_end} > high watermark ${this.highWatermark}: offsets were reused (topic recreated?)`,
      );
    }
  }

  async #write(
    epoch: Epoch,
    items: WriteItem[],
    ctl: FlushControl,
    giveUpAt: number,
    attempt: string | undefined,
  ): Promise<void> {
    const store = this.#o.store;
    const log = this.#o.log;
    const projected = new Set<string>();
    let pending: WriteItem[] = items;
    let backoff = BACKOFF_MIN_MS;
    while (pending.length > 0) {
      await ctl.alive(giveUpAt);
      let results: WriteResult[];
      try {
        results = await store.write(pending);
      } catch (err) {
        if (!ctl.retries) throw err;
        // Nothing can be said per item: resend them all.
        results = pending.map((it) => ({
          ok: false as const,
          id: it.id,
          status: 0,
          kind: 'retry' as const,
          reason: String(err),
        }));
      }
      const byId = new Map(pending.map((it) => [it.id, it]));
      const again: WriteItem[] = [];
      const conflicts: WriteItem[] = [];
      let lastReason = '';
      for (const r of results) {
        const item = byId.get(r.id)!;
        if (r.ok) {
          epoch.acknowledge(r.id, r.seqNo, r.primaryTerm);
          continue;
        }
        if (!ctl.retries) {
          // One writer, one store: a conflict or rejection here is a bug, not a condition to retry.
          throw new LogsiftError('STORE_CONFLICT', `store refused document ${r.id}: ${r.reason}`);
        }
        lastReason = r.reason;
        if (r.kind === 'retry') {
          again.push(item);
        } else if (r.kind === 'conflict') {
          conflicts.push(item);
        } else if (r.status === 403) {
          throw new AbortEpoch('halt', `write blocked on ${item.index}: ${r.reason}`);
        } else if (!projected.has(item.id)) {
          // A document Elasticsearch rejects for good (mapping, size): keep the counter part only.
          projected.add(item.id);
          log?.error(
            { index: item.index, id: item.id, status: r.status, reason: r.reason },
            'document rejected; resending its counter projection',
          );
          again.push(withDoc(item, projection(item.doc)));
        } else {
          throw new AbortEpoch('halt', `document ${item.index}/${item.id} rejected: ${r.status} ${r.reason}`);
        }
      }
      if (conflicts.length > 0) {
        // One realtime mget for every conflict of this round (a resent bulk after an ambiguous
        // timeout conflicts on every item it had applied: reading them one by one collapses
        // throughput, F8). Ours (same attempt id) are adopted; any other writer aborts the epoch.
        const v = await this.#retrying('mget', ctl, giveUpAt, () =>
          store.load(conflicts.map((it) => ({ index: it.index, id: it.id }))),
        );
        for (const item of conflicts) {
          const cur = v.get(item.id) ?? null;
          if (cur !== null && attempt !== undefined && cur.doc.logsift.writer?.attempt === attempt) {
            // Our own earlier write landed (an ambiguous timeout, or ES retried the shard op, F8).
            this.#observe({ kind: 'conflict', resolution: 'adopted' });
            epoch.acknowledge(item.id, cur.seqNo, cur.primaryTerm);
          } else {
            this.#observe({ kind: 'conflict', resolution: 'foreign' });
            throw new AbortEpoch('conflict', `document ${item.index}/${item.id} written by another writer`);
          }
        }
      }
      pending = again;
      if (pending.length > 0) {
        this.#observe({ kind: 'retry', what: 'bulk_item', n: pending.length });
        log?.warn(
          {
            topic: this.topic,
            partition: this.partition,
            items: pending.length,
            reason: lastReason.slice(0, 300),
            backoffMs: backoff,
          },
          'bulk items not acknowledged; resending',
        );
        await this.#pause(backoff, giveUpAt);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
    if (!epoch.acknowledged) throw new Error('epoch: every item answered but not acknowledged');
  }

  async #pause(ms: number, giveUpAt: number): Promise<void> {
    const wait = Math.max(0, Math.min(ms, giveUpAt - this.#now()));
    if (wait > 0) await this.#sleep(wait);
  }

  async #retrying<T>(
    what: 'dlq' | 'mget',
    ctl: FlushControl,
    giveUpAt: number,
    op: () => Promise<T>,
  ): Promise<T> {
    let backoff = BACKOFF_MIN_MS;
    for (;;) {
      await ctl.alive(giveUpAt);
      try {
        return await op();
      } catch (err) {
        if (err instanceof AbortEpoch || !ctl.retries) throw err;
        this.#observe({ kind: 'retry', what, n: 1 });
        this.#o.log?.warn(
          { what, err: String((err as Error).message ?? err).slice(0, 300), backoffMs: backoff },
          `${what} failed; retrying`,
        );
        await this.#pause(backoff, giveUpAt);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }
}

function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * The counter part of a document (key fields, count, offset_end, writer): what must survive when
 * Elasticsearch rejects the full document (docs/EXACTNESS.md F6d).
 */
export function projection(doc: CounterDoc): CounterDoc {
  const p = structuredClone(doc) as CounterDoc;
  if (p.logsift.kind === 'stats') {
    p.logsift.by_category = {};
    p.logsift.by_level = {};
    return p;
  }
  const s = p as SummaryDoc;
  const l = s.logsift;
  l.template = l.template.slice(0, 256);
  l.params = {};
  l.param_values = [];
  l.flags = {};
  s.message = '';
  return p;
}
