/**
 * `logsift run`: Kafka batches -> PartitionAssembler -> classify -> Epoch -> Elasticsearch, and the
 * partition's offset committed only after Elasticsearch acknowledged every document below it.
 * docs/EXACTNESS.md says why the counts stay exact; EXACTNESS-REVIEW.md section 3 is the design.
 *
 * Per partition, one epoch at a time, inside kafkajs' eachBatch:
 *   push units (cut at epoch.maxRecords units / epoch.maxDirtyDocs documents / the batch end)
 *   -> dead letters produced to <topic>.dlq (awaited) and counted as dlq:<reason> summaries
 *   -> missing() loaded by realtime mget -> build() -> client.bulk, every item read
 *   -> all 2xx: complete(), resolveOffset, commit safeCommitOffset(end), snapshot the assembler.
 * Anything else aborts the epoch: the delta is dropped (the Epoch object is thrown away), the
 * assembler goes back to its snapshot, and the handler returns WITHOUT resolving, so kafkajs fetches
 * again from the end of the last acknowledged epoch. The handler never throws to retry (F2, F13).
 */
import { randomUUID } from 'node:crypto';
import type { Epoch, Writer } from '../aggregate/epoch.ts';
import { PartitionState } from '../aggregate/epoch.ts';
import {
  type CounterStore,
  type DocRef,
  type ForeignVersionEnd,
  type VersionedDoc,
  type WriteItem,
  type WriteResult,
  withDoc,
} from '../aggregate/store.ts';
import { classifyRecord, RULESET_VERSION } from '../classify/index.ts';
import { type Config, toAggregateConfig } from '../config/index.ts';
import type { CounterDoc } from '../domain/documents.ts';
import type { DeadLetter } from '../domain/record.ts';
import type { AssemblerSnapshot, PartitionAssembler } from '../parse/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { PartitionCountersView, RunMetrics } from '../telemetry/metrics.ts';
import { createAssembler } from './parse-stage.ts';

// ---------------------------------------------------------------------------------------------
// What the pipeline needs from its source and sink (implemented by src/sources/kafka and
// src/sinks/elasticsearch; tests may pass their own).

export interface PipelineMessage {
  readonly offset: number;
  readonly timestampMs: number;
  readonly value: Uint8Array;
  readonly key: string | null;
}

export interface PipelineBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly PipelineMessage[];
  readonly lastOffset: number;
  readonly highWatermark: number;
}

export interface PipelineControl {
  resolve(offset: number): void;
  commit(offset: number): Promise<void>;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  pause(): void;
}

export interface PipelineSource {
  resume(assignment: Readonly<Record<string, readonly number[]>>): void;
  committedOffsets(topic: string): Promise<Map<number, number>>;
  /** Log start (low) offset per partition: below it, retention removed the records. */
  logStartOffsets(topic: string): Promise<Map<number, number>>;
  produceDeadLetters(dls: readonly DeadLetter[]): Promise<void>;
}

export interface KafkaPipelineOptions {
  readonly config: Config;
  readonly source: PipelineSource;
  readonly store: CounterStore;
  readonly log: Logger;
  readonly metrics: RunMetrics;
  /** Identity used as writer.member until the group join tells the member id. */
  readonly instanceId: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** One epoch may block on Elasticsearch/DLQ retries this long, then returns unresolved. */
  readonly maxBlockMs?: number;
}

/** Why an epoch did not commit. */
type Abort = 'liveness' | 'conflict' | 'halt' | 'timeout' | 'stopping';

class AbortEpoch extends Error {
  readonly why: Abort;
  constructor(why: Abort, message: string) {
    super(message);
    this.why = why;
  }
}

interface PartitionCtx {
  readonly topic: string;
  readonly partition: number;
  readonly label: { topic: string; partition: number };
  state: PartitionState;
  assembler: PartitionAssembler;
  /** Assembler state at `expected` (the end of the last acknowledged epoch). */
  snapshot: AssemblerSnapshot;
  /**
   * Dead letters drained from the assembler but not yet added to an epoch: the assembler emits a
   * dead letter at once while it holds records back behind an older open multi-line group, and an
   * Epoch takes units in increasing first-offset order. Part of the state the snapshot restores.
   */
  pendingDls: DeadLetter[];
  snapshotDls: readonly DeadLetter[];
  /** Next offset this partition's fetch position points at; null until the first batch. */
  expected: number | null;
  lastCommitted: number;
  halted: boolean;
  /** The ruleset-version check (#checkVersions) passed for this assignment. */
  versionChecked: boolean;
  /**
   * Offsets lost to retention just below `offset`, not yet in an acknowledged epoch: the next epoch
   * (which starts at `offset`) records them in a stats document; cleared when it commits.
   */
  lost: { offset: number; count: number } | null;
  /** Counter values already added to the metrics (PartitionState counters are cumulative). */
  seen: { counted: number; skipped: number; evictions: number };
}

const BACKOFF_MIN_MS = 200;
const BACKOFF_MAX_MS = 5_000;

export class KafkaPipeline {
  readonly #cfg: Config;
  readonly #source: PipelineSource;
  readonly #store: CounterStore;
  readonly #log: Logger;
  readonly #m: RunMetrics;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #maxBlockMs: number;
  readonly #aggregateConfig;
  readonly #parts = new Map<string, PartitionCtx>();
  #committedByTopic = new Map<string, Promise<Map<number, number> | null>>();
  #member: string;
  #joined = false;
  #lastHeartbeat = 0;
  #stopping = false;
  #deadline = Number.POSITIVE_INFINITY;
  #summaryWrites = 0;
  #unitsCounted = 0;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(o: KafkaPipelineOptions) {
    this.#cfg = o.config;
    this.#source = o.source;
    this.#store = o.store;
    this.#log = o.log;
    this.#m = o.metrics;
    this.#now = o.now ?? Date.now;
    this.#sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#maxBlockMs = o.maxBlockMs ?? 60_000;
    this.#member = o.instanceId;
    this.#aggregateConfig = toAggregateConfig(o.config, RULESET_VERSION);
  }

  get joined(): boolean {
    return this.#joined;
  }

  get haltedPartitions(): string[] {
    return [...this.#parts.values()].filter((p) => p.halted).map((p) => `${p.topic}/${p.partition}`);
  }

  /** Live counters of the assigned partitions (assembler caps, document cache), read by /metrics. */
  get partitionCounters(): PartitionCountersView[] {
    return [...this.#parts.values()].map((p) => ({
      topic: p.topic,
      partition: p.partition,
      assembler: p.assembler.counters,
      openGroups: p.assembler.openGroups,
      state: p.state.counters,
      cacheDocs: p.state.cacheSize,
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Group membership

  /** Every group join: drop every cache and buffer, resume every assigned partition (F13a). */
  onJoin(memberId: string, assignment: Readonly<Record<string, readonly number[]>>): void {
    this.#member = memberId;
    this.#joined = true;
    this.#lastHeartbeat = this.#now();
    this.#parts.clear();
    this.#committedByTopic = new Map();
    this.#source.resume(assignment);
    this.#m.rebalances.inc();
    this.#m.consumerLag.reset();
    this.#m.halted.set(0);
    let n = 0;
    for (const ps of Object.values(assignment)) n += ps.length;
    this.#m.assigned.set(n);
    this.#log.info({ memberId, assignment }, 'joined the consumer group');
  }

  onHeartbeat(): void {
    this.#lastHeartbeat = this.#now();
  }

  /** The consumer left the group (crash with restart, stop). */
  onLeave(): void {
    this.#joined = false;
  }

  /** SIGTERM: take no new epoch; the current one may retry until `deadline`. */
  stop(deadline: number): void {
    this.#stopping = true;
    this.#deadline = deadline;
  }

  /** Resolves when no batch is being handled. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  // -------------------------------------------------------------------------------------------
  // Batches

  async handleBatch(batch: PipelineBatch, control: PipelineControl): Promise<void> {
    const p = this.#handle(batch, control);
    this.#inFlight.add(p);
    try {
      await p;
    } finally {
      this.#inFlight.delete(p);
    }
  }

  async #handle(batch: PipelineBatch, control: PipelineControl): Promise<void> {
    if (this.#stopping) return;
    const ctx = this.#ctx(batch.topic, batch.partition);
    if (ctx.halted) {
      control.pause();
      return;
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last !== undefined) {
      this.#m.consumerLag.set(Math.max(0, batch.highWatermark - (last.offset + 1)), ctx.label);
    }
    // kafkajs fetches from our resolved offset; anything below `expected` was pushed already.
    const expected = ctx.expected;
    const messages = expected === null ? batch.messages : batch.messages.filter((m) => m.offset >= expected);
    const first = messages[0];
    if (first === undefined) {
      // Only control records (transaction markers) or nothing new: move the fetch position on.
      if (expected !== null && batch.lastOffset + 1 > expected) {
        control.resolve(batch.lastOffset);
        ctx.expected = batch.lastOffset + 1;
      }
      return;
    }
    await this.#checkGap(ctx, first.offset);
    if (!ctx.versionChecked && !(await this.#checkVersions(ctx, first.offset, control))) return;
    try {
      let i = 0;
      while (i < messages.length) {
        if (this.#stopping) return;
        i = await this.#epoch(ctx, batch, messages, i, control);
        if (i < 0) return; // aborted: return without resolving
      }
    } catch (err) {
      // A bug (not an infrastructure fault: those are handled in the loops). Undo the epoch's
      // assembler changes and let kafkajs crash the consumer: restart:false exits the process.
      ctx.assembler.restore(ctx.snapshot);
      ctx.pendingDls = [...ctx.snapshotDls];
      ctx.state.clear();
      throw err;
    }
  }

  #ctx(topic: string, partition: number): PartitionCtx {
    const key = `${topic}\0${partition}`;
    let ctx = this.#parts.get(key);
    if (ctx === undefined) {
      const assembler = createAssembler(this.#cfg, 'kafka');
      ctx = {
        topic,
        partition,
        label: { topic, partition },
        state: new PartitionState(topic, partition, this.#aggregateConfig),
        assembler,
        snapshot: assembler.snapshot(),
        pendingDls: [],
        snapshotDls: [],
        expected: null,
        lastCommitted: -1,
        halted: false,
        versionChecked: false,
        lost: null,
        seen: { counted: 0, skipped: 0, evictions: 0 },
      };
      this.#parts.set(key, ctx);
    }
    return ctx;
  }

  /** A batch starting above the expected offset: records were removed unseen (retention, F9). */
  async #checkGap(ctx: PartitionCtx, firstOffset: number): Promise<void> {
    let expected = ctx.expected;
    if (expected === null) {
      // First batch since the join: it should start at the group's committed offset.
      let p = this.#committedByTopic.get(ctx.topic);
      if (p === undefined) {
        p = this.#source.committedOffsets(ctx.topic).catch((err: unknown) => {
          this.#log.debug({ topic: ctx.topic, err: String(err) }, 'fetching committed offsets failed');
          return null;
        });
        this.#committedByTopic.set(ctx.topic, p);
      }
      const committed = (await p)?.get(ctx.partition);
      expected = committed !== undefined && committed >= 0 ? committed : null;
      ctx.lastCommitted = committed ?? -1;
      ctx.expected = firstOffset;
      if (expected === null && this.#store.partitionEnd !== undefined) {
        // No committed offset: a new group, or kafkajs replaced ours after an out-of-range fetch
        // (it commits the reset offset, kafkajs #1119). Where the last acknowledged epoch ended is
        // also in Elasticsearch: the stats documents' offset_end.
        const end = await this.#store.partitionEnd(ctx.topic, ctx.partition).catch((err: unknown) => {
          this.#log.warn(
            { topic: ctx.topic, partition: ctx.partition, err: String(err) },
            'could not read where the last epoch ended; an offset gap here would go unrecorded',
          );
          return null;
        });
        expected = end;
      }
    }
    if (expected !== null && firstOffset > expected) {
      // Offsets below the log start were deleted by retention; the others held no data record
      // (transaction markers, compaction). Unknown log start: assume the whole gap was lost.
      const low = await this.#source
        .logStartOffsets(ctx.topic)
        .then((m) => m.get(ctx.partition))
        .catch(() => undefined);
      const lostTo = low === undefined ? firstOffset : Math.min(firstOffset, low);
      const gap = Math.max(0, lostTo - expected);
      if (gap > 0) {
        this.#m.offsetGaps.inc(undefined, gap);
        this.#log.error(
          { topic: ctx.topic, partition: ctx.partition, expected, firstOffset, logStart: low, gap },
          'offset gap: records were removed before they were read (retention); they are not counted, and are recorded as lost_by_retention',
        );
        ctx.lost = { offset: firstOffset, count: gap };
      } else {
        this.#log.debug(
          { topic: ctx.topic, partition: ctx.partition, expected, firstOffset, logStart: low },
          'offsets without data records skipped (transaction markers or compaction)',
        );
      }
      ctx.expected = firstOffset;
    }
  }

  /**
   * Ruleset version switch (DESIGN.md "a version switch happens at a committed offset recorded per
   * partition"; EXACTNESS-REVIEW F1). Summary keys contain the ruleset version, so the `offset_end`
   * skip rule cannot see records counted under another version: re-reading them would count them
   * twice. The switch point is the offset this assignment starts counting at (the committed offset,
   * or the first fetched one): if no summary of another version ends above it, no record at or above
   * it was counted under another version, and counting under ours is exact. If one does, the records
   * in between may already be counted (a crashed epoch of the other version acknowledged documents
   * but did not commit), and ours cannot tell which: the partition halts with instructions.
   * Returns false when the batch must not be processed (halted, or the check could not be made).
   */
  async #checkVersions(ctx: PartitionCtx, from: number, control: PipelineControl): Promise<boolean> {
    if (this.#store.foreignVersionEnd === undefined) {
      ctx.versionChecked = true;
      return true;
    }
    let foreign: ForeignVersionEnd | null;
    try {
      foreign = await this.#store.foreignVersionEnd(ctx.topic, ctx.partition, RULESET_VERSION);
    } catch (err) {
      this.#log.warn(
        { topic: ctx.topic, partition: ctx.partition, err: String(err) },
        'could not check the ruleset versions of earlier documents; retrying before counting',
      );
      this.#m.esRetries.inc({ kind: 'versions' });
      await control.heartbeat().catch(() => undefined);
      await this.#sleep(1_000);
      return false; // not resolved: kafkajs fetches the same records again
    }
    if (foreign === null || foreign.offsetEnd <= from) {
      if (foreign !== null) {
        this.#log.info(
          {
            topic: ctx.topic,
            partition: ctx.partition,
            from,
            previous: foreign.version,
            version: RULESET_VERSION,
          },
          'ruleset version switch at the committed offset: earlier documents stay as they are',
        );
      }
      ctx.versionChecked = true;
      return true;
    }
    ctx.halted = true;
    control.pause();
    this.#m.halted.set(this.haltedPartitions.length);
    this.#log.error(
      {
        topic: ctx.topic,
        partition: ctx.partition,
        from,
        otherVersion: foreign.version,
        otherEnd: foreign.offsetEnd,
        version: RULESET_VERSION,
      },
      `partition halted: offsets ${from}..${foreign.offsetEnd - 1} may already be counted under ruleset ${foreign.version}, ` +
        `which this release (ruleset ${RULESET_VERSION}) cannot recognise, so counting them again could count them twice. ` +
        `Stop this deployment and run the release with ruleset ${foreign.version} until the group's committed offset of ` +
        `${ctx.topic}/${ctx.partition} reaches ${foreign.offsetEnd}, then start this release again ` +
        `(or move the committed offset to ${foreign.offsetEnd} with kafka-consumer-groups --reset-offsets, accepting that ` +
        `records of that range not yet counted are lost)`,
    );
    return false;
  }

  /**
   * One epoch starting at messages[i]. Returns the index after it when it committed, -1 when it
   * was aborted (the caller returns without resolving).
   */
  async #epoch(
    ctx: PartitionCtx,
    batch: PipelineBatch,
    messages: readonly PipelineMessage[],
    start: number,
    control: PipelineControl,
  ): Promise<number> {
    const t0 = this.#now();
    const writer: Writer = { member: this.#member, attempt: randomUUID() };
    const epoch = ctx.state.beginEpoch(writer);
    if (ctx.lost !== null) {
      const m = messages[start]!;
      epoch.addLost(
        { topic: ctx.topic, partition: ctx.partition, offset: ctx.lost.offset, timestampMs: m.timestampMs },
        ctx.lost.count,
      );
    }
    const deadLetters: DeadLetter[] = [];
    const maxRecords = this.#cfg.epoch.maxRecords;
    const maxDocs = this.#cfg.epoch.maxDirtyDocs;
    let j = start;
    while (j < messages.length && j - start < maxRecords && epoch.documents < maxDocs) {
      const m = messages[j]!;
      ctx.assembler.push({
        position: {
          topic: ctx.topic,
          partition: ctx.partition,
          offset: m.offset,
          timestampMs: m.timestampMs,
        },
        value: m.value,
        key: m.key,
      });
      j += 1;
      this.#take(ctx, epoch, deadLetters);
    }
    this.#m.recordsIn.inc(undefined, j - start);
    const lastMsg = messages[j - 1]!;
    const endOfBatch = j === messages.length;
    // Past the batch's last record there are only control records: the fetch position skips them.
    const end = endOfBatch ? Math.max(lastMsg.offset, batch.lastOffset) + 1 : lastMsg.offset + 1;
    // Every record the assembler emits from now on starts at or above commitAt: dead letters below
    // it can join this epoch; the rest wait (and the commit does not pass them).
    const commitAt = ctx.assembler.safeCommitOffset(end);
    this.#releaseDeadLetters(ctx, epoch, deadLetters, commitAt);

    try {
      await this.#flush(ctx, epoch, writer.attempt, deadLetters, batch, control, t0);
    } catch (err) {
      if (!(err instanceof AbortEpoch)) throw err;
      // Drop the delta (the Epoch object), undo the assembler, keep the clean cache unless the
      // documents may have changed under us.
      ctx.assembler.restore(ctx.snapshot);
      ctx.pendingDls = [...ctx.snapshotDls];
      if (err.why === 'conflict') ctx.state.clear();
      if (err.why === 'halt') {
        ctx.halted = true;
        control.pause();
        this.#m.halted.set(this.haltedPartitions.length);
      }
      this.#m.epochs.inc({ outcome: 'aborted' });
      const fields = { topic: ctx.topic, partition: ctx.partition, why: err.why, from: ctx.expected };
      if (err.why === 'halt') this.#log.error(fields, `partition halted: ${err.message}`);
      else if (err.why === 'stopping') this.#log.info(fields, `epoch abandoned at shutdown: ${err.message}`);
      else this.#log.warn(fields, `epoch aborted: ${err.message}`);
      return -1;
    }

    // Acknowledged: merge, move the fetch position, commit what is safe.
    epoch.complete();
    ctx.lost = null;
    this.#account(ctx, epoch, deadLetters);
    control.resolve(lastMsg.offset);
    ctx.expected = end;
    ctx.snapshot = ctx.assembler.snapshot();
    ctx.snapshotDls = [...ctx.pendingDls];
    if (commitAt > ctx.lastCommitted) {
      try {
        await control.commit(commitAt);
      } catch (err) {
        // Membership lost (rebalance, fenced): the next owner replays from the last commit and the
        // skip rule keeps it exact (F14). Stop handling this batch.
        this.#m.epochs.inc({ outcome: 'committed-not' });
        this.#log.warn(
          { topic: ctx.topic, partition: ctx.partition, offset: commitAt, err: String(err) },
          'offset commit failed after an acknowledged epoch; the next owner replays it',
        );
        return -1;
      }
      ctx.lastCommitted = commitAt;
      this.#m.commits.inc();
      this.#log.debug({ topic: ctx.topic, partition: ctx.partition, offset: commitAt }, 'committed');
    }
    const secs = (this.#now() - t0) / 1000;
    this.#m.epochFlush.observe(secs);
    this.#m.epochs.inc({ outcome: 'committed' });
    this.#log.debug(
      {
        topic: ctx.topic,
        partition: ctx.partition,
        from: messages[start]!.offset,
        end,
        units: epoch.units,
        documents: epoch.documents,
        deadLetters: deadLetters.length,
        commit: commitAt,
        seconds: secs,
      },
      'epoch',
    );
    return j;
  }

  /**
   * Completed records go into the epoch as drained (increasing first offset); a dead letter joins
   * just before the first record above it, or once the assembler's safe frontier passes it
   * (#releaseDeadLetters): the Epoch requires increasing first-offset order.
   */
  #take(ctx: PartitionCtx, epoch: Epoch, deadLetters: DeadLetter[]): void {
    const { records, deadLetters: dls } = ctx.assembler.drain();
    if (dls.length > 0) ctx.pendingDls.push(...dls);
    for (const r of records) {
      if (ctx.pendingDls.length > 0) this.#releaseDeadLetters(ctx, epoch, deadLetters, r.position.offset);
      epoch.add(classifyRecord(r));
    }
  }

  /** Adds the pending dead letters below `below` (they are kept sorted by offset). */
  #releaseDeadLetters(ctx: PartitionCtx, epoch: Epoch, deadLetters: DeadLetter[], below: number): void {
    const pending = ctx.pendingDls;
    let n = 0;
    while (n < pending.length && pending[n]!.position.offset < below) {
      epoch.addDeadLetter(pending[n]!);
      deadLetters.push(pending[n]!);
      n += 1;
    }
    if (n > 0) ctx.pendingDls = pending.slice(n);
  }

  #account(ctx: PartitionCtx, epoch: Epoch, deadLetters: readonly DeadLetter[]): void {
    const c = ctx.state.counters;
    const counted = c.counted + c.deadLettered;
    this.#m.unitsCounted.inc(undefined, counted - ctx.seen.counted);
    this.#unitsCounted += counted - ctx.seen.counted;
    this.#m.unitsSkipped.inc(undefined, c.skipped - ctx.seen.skipped);
    this.#m.cacheEvictions.inc(undefined, c.cacheEvictions - ctx.seen.evictions);
    ctx.seen = { counted, skipped: c.skipped, evictions: c.cacheEvictions };
    for (const dl of deadLetters) this.#m.deadLettered.inc({ reason: dl.reason });
    let writes = 0;
    let summaryWrites = 0;
    for (const w of epoch.written()) {
      writes += 1;
      if (w.doc.logsift.kind !== 'stats') summaryWrites += 1;
    }
    this.#m.summariesIndexed.inc(undefined, writes);
    this.#summaryWrites += summaryWrites;
    if (this.#unitsCounted > 0) this.#m.reductionRatio.set(1 - this.#summaryWrites / this.#unitsCounted);
  }

  // -------------------------------------------------------------------------------------------
  // Flush: DLQ, load, write, acknowledge

  async #flush(
    ctx: PartitionCtx,
    epoch: Epoch,
    attempt: string,
    deadLetters: readonly DeadLetter[],
    batch: PipelineBatch,
    control: PipelineControl,
    t0: number,
  ): Promise<void> {
    const giveUpAt = Math.min(t0 + this.#maxBlockMs, this.#deadline);
    if (deadLetters.length > 0) {
      await this.#retrying('dlq', control, giveUpAt, () => this.#source.produceDeadLetters(deadLetters));
    }
    const missing = epoch.missing();
    if (missing.length > 0) {
      const loaded = await this.#retrying('mget', control, giveUpAt, () => this.#store.load(missing));
      for (const v of loaded.values()) {
        if (v === null) continue;
        this.#checkLoaded(ctx, v, batch);
      }
      epoch.provide(loaded);
    }
    const items = epoch.build();
    const projected = new Set<string>();
    let pending: WriteItem[] = items;
    let backoff = BACKOFF_MIN_MS;
    while (pending.length > 0) {
      await this.#alive(control, giveUpAt);
      let results: WriteResult[];
      try {
        results = await this.#store.write(pending);
      } catch (err) {
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
          this.#log.error(
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
        const v = await this.#retrying('mget', control, giveUpAt, () =>
          this.#store.load(conflicts.map((it) => ({ index: it.index, id: it.id }))),
        );
        for (const item of conflicts) {
          const cur = v.get(item.id) ?? null;
          if (cur !== null && cur.doc.logsift.writer?.attempt === attempt) {
            // Our own earlier write landed (an ambiguous timeout, or ES retried the shard op, F8).
            this.#m.conflicts.inc({ resolution: 'adopted' });
            epoch.acknowledge(item.id, cur.seqNo, cur.primaryTerm);
          } else {
            this.#m.conflicts.inc({ resolution: 'foreign' });
            throw new AbortEpoch('conflict', `document ${item.index}/${item.id} written by another writer`);
          }
        }
      }
      pending = again;
      if (pending.length > 0) {
        this.#m.esRetries.inc({ kind: 'bulk_item' }, pending.length);
        this.#log.warn(
          {
            topic: ctx.topic,
            partition: ctx.partition,
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

  /** F15: a document counted past the log end belongs to an earlier incarnation of the topic. */
  #checkLoaded(ctx: PartitionCtx, v: VersionedDoc, batch: PipelineBatch): void {
    const d = v.doc;
    if (d.kafka.topic !== ctx.topic || d.kafka.partition !== ctx.partition) {
      throw new AbortEpoch(
        'halt',
        `document ${v.id} belongs to ${d.kafka.topic}/${d.kafka.partition} (id collision?)`,
      );
    }
    if (d.logsift.offset_end > batch.highWatermark) {
      throw new AbortEpoch(
        'halt',
        `document ${v.id} has offset_end ${d.logsift.offset_end} > high watermark ${batch.highWatermark}: offsets were reused (topic recreated?)`,
      );
    }
  }

  /** Before each send and between retries: heartbeat; abort if membership may be lost (F7). */
  async #alive(control: PipelineControl, giveUpAt: number): Promise<void> {
    if (this.#now() > giveUpAt) {
      throw new AbortEpoch(this.#stopping ? 'stopping' : 'timeout', 'retry budget spent');
    }
    if (!this.#stopping && !control.isRunning()) throw new AbortEpoch('liveness', 'consumer not running');
    try {
      await control.heartbeat();
    } catch (err) {
      throw new AbortEpoch('liveness', `heartbeat failed: ${(err as Error).message}`);
    }
    const age = this.#now() - this.#lastHeartbeat;
    const limit = this.#cfg.kafka.sessionTimeoutMs - 2 * this.#cfg.kafka.heartbeatIntervalMs;
    if (age > limit) throw new AbortEpoch('liveness', `last heartbeat ${age} ms ago (limit ${limit} ms)`);
  }

  async #pause(ms: number, giveUpAt: number): Promise<void> {
    const wait = Math.max(0, Math.min(ms, giveUpAt - this.#now()));
    if (wait > 0) await this.#sleep(wait);
  }

  async #retrying<T>(
    kind: 'dlq' | 'mget',
    control: PipelineControl,
    giveUpAt: number,
    op: () => Promise<T>,
  ): Promise<T> {
    let backoff = BACKOFF_MIN_MS;
    for (;;) {
      await this.#alive(control, giveUpAt);
      try {
        return await op();
      } catch (err) {
        if (err instanceof AbortEpoch) throw err;
        this.#m.esRetries.inc({ kind });
        this.#log.warn(
          { kind, err: String((err as Error).message ?? err).slice(0, 300), backoffMs: backoff },
          `${kind} failed; retrying`,
        );
        await this.#pause(backoff, giveUpAt);
        backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      }
    }
  }
}

/**
 * The counter part of a document (key fields, count, offset_end, writer): what must survive when
 * Elasticsearch rejects the full document (EXACTNESS-REVIEW F6d).
 */
export function projection(doc: CounterDoc): CounterDoc {
  const p = structuredClone(doc) as CounterDoc & { message?: string };
  if (p.logsift.kind === 'stats') {
    p.logsift.by_category = {};
    p.logsift.by_level = {};
    return p;
  }
  const l = (p as import('../domain/documents.ts').SummaryDoc).logsift;
  l.template = l.template.slice(0, 256);
  l.samples = { first: '', last: '' };
  l.params = {};
  l.flags = {};
  if ('message' in p) p.message = '';
  return p;
}

export type { DocRef };
