/**
 * `logsift run`: Kafka batches -> the epoch runner (src/pipeline/epoch-runner.ts) -> Elasticsearch,
 * and each partition's offset committed only after Elasticsearch acknowledged every document below
 * it. docs/EXACTNESS.md says why the counts stay exact.
 *
 * Per partition one open epoch, fed by as many kafkajs batches as arrive until it is due (time
 * `epoch.maxMs`, `epoch.maxDirtyDocs` documents, `epoch.maxDeltaBytes`, `epoch.maxRecords` units)
 * or the process stops. Taking a batch into the open epoch resolves its offsets, so kafkajs fetches
 * on; the commit waits for the acknowledgement. A batch that continues the taken ones is taken
 * ahead: eachBatch returns at once and the partition's loop processes it, so the next fetch overlaps
 * this one's parsing and the flushes. An epoch is flushed when a batch makes it due, or by a timer
 * when the partition's batches stop coming.
 *
 * What this adapter adds to the runner (Kafka only): the Kafka flush policy (heartbeats before each
 * send and between retries, backoff, a retry budget, ownership: an epoch of a partition revoked by a
 * group join is dropped, never flushed), the fetch position (an aborted epoch rewinds it to the
 * end of the last acknowledged epoch through resolveOffset, never seek()), offset gaps (F9), the
 * ruleset version check (F1), halts, and the /metrics counters (from the runner's one hook).
 * The handler never throws to retry (F2, F13).
 */
import type { CounterStore, ForeignVersionEnd } from '../aggregate/store.ts';
import { RULESET_VERSION } from '../classify/index.ts';
import type { Config } from '../config/index.ts';
import type { DeadLetter, SourcePosition, SourceUnit } from '../domain/record.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { PartitionCountersView, RunMetrics } from '../telemetry/metrics.ts';
import {
  AbortEpoch,
  type EpochCause,
  EpochRunner,
  type FlushAborted,
  type FlushControl,
  type FlushResult,
  type Observation,
  type PartitionRun,
} from './epoch-runner.ts';

export { projection } from './epoch-runner.ts';

// ---------------------------------------------------------------------------------------------
// What the pipeline needs from its source (implemented by src/sources/kafka; tests pass their own).

export interface PipelineBatch {
  readonly topic: string;
  readonly partition: number;
  /** The batch's records as units of this partition, in offset order (the source builds them once). */
  readonly units: readonly SourceUnit[];
  readonly lastOffset: number;
  readonly highWatermark: number;
  /**
   * The offset this batch was fetched from (kafkajs Batch.fetchedOffset). When the source tells it,
   * batches are taken ahead of processing (see handleBatch), and a batch fetched before a rewind is
   * recognised and dropped.
   */
  readonly fetchedOffset?: number;
}

export interface PipelineControl {
  /** The next fetch of this partition starts at `offset + 1` (also backwards: a rewind). */
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
  /** One flush may block on Elasticsearch/DLQ retries this long, then the epoch is aborted. */
  readonly maxBlockMs?: number;
  /** Whether the heap is short (default: the epoch runner's V8 heap check; tests pass their own). */
  readonly heapPressure?: () => boolean;
  /** How often the timer looks for epochs due by time (default: a quarter of epoch.maxMs or half of epoch.idleMs, at most 1 s; 0 = no timer). */
  readonly tickMs?: number;
}

interface PartitionCtx {
  readonly key: string;
  readonly topic: string;
  readonly partition: number;
  readonly label: { topic: string; partition: number };
  /** Created on the first batch of the assignment (when the start offset is known). */
  run: PartitionRun | null;
  /** The control of the last batch: the timer's and the shutdown's flushes heartbeat and commit with it. */
  control: PipelineControl | null;
  /** A flush or batch in progress (one at a time per partition). */
  busy: Promise<void> | null;
  /** Revoked by a group join: nothing of this context may be written or committed any more. */
  dropped: boolean;
  halted: boolean;
  /** An epoch aborted outside this partition's eachBatch: its next batch moves the fetch position back. */
  rewinding: boolean;
  /** Where kafkajs fetches this partition next, as last resolved (-1: not resolved yet). */
  nextFetch: number;
  /** Batches taken ahead of processing, in fetch order (at most MAX_AHEAD wait here). */
  ahead: { batch: PipelineBatch; control: PipelineControl }[];
  /** The loop working through `ahead`, while it runs. */
  aheadLoop: Promise<void> | null;
  /** Handlers waiting for room in `ahead`. */
  roomWaiters: (() => void)[];
  /** After a rewind: the offset the next fresh fetch starts at; batches fetched elsewhere are stale (-1: none). */
  refetch: number;
  /** Stale batches dropped since the rewind (bounded: see MAX_STALE). */
  staleDrops: number;
  /** An unexpected error of the ahead loop, thrown by this partition's next handler (as a batch's own would be). */
  failure: unknown;
}

/**
 * Batches per partition that may wait, taken, while another is processed. One is enough for the
 * next fetch to overlap processing; each holds up to kafka.maxBytesPerPartition.
 */
const MAX_AHEAD = 1;

/**
 * After a rewind, batches fetched from another position than the rewound one are dropped as
 * stale: at most one per fetcher can be in flight or queued in kafkajs then. Past this many, the
 * position really moved (kafkajs reset an out-of-range offset) and the batch goes to the gap check.
 */
const MAX_STALE = 8;

export class KafkaPipeline {
  readonly #cfg: Config;
  readonly #source: PipelineSource;
  readonly #store: CounterStore;
  readonly #log: Logger;
  readonly #m: RunMetrics;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #runner: EpochRunner;
  readonly #tickMs: number;
  #parts = new Map<string, PartitionCtx>();
  /** Contexts of earlier generations still flushing: the next owner context waits for them. */
  readonly #retired = new Map<string, PartitionCtx>();
  #committedByTopic = new Map<string, Promise<Map<number, number> | null>>();
  #member: string;
  #joined = false;
  #lastHeartbeat = 0;
  #stopping = false;
  #deadline = Number.POSITIVE_INFINITY;
  #summaryWrites = 0;
  #unitsCounted = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(o: KafkaPipelineOptions) {
    this.#cfg = o.config;
    this.#source = o.source;
    this.#store = o.store;
    this.#log = o.log;
    this.#m = o.metrics;
    this.#now = o.now ?? Date.now;
    this.#sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.#member = o.instanceId;
    const ep = o.config.epoch;
    this.#tickMs =
      o.tickMs ??
      Math.max(
        50,
        Math.min(1_000, Math.floor(ep.maxMs / 4), ep.idleMs > 0 ? Math.floor(ep.idleMs / 2) : 1_000),
      );
    this.#runner = new EpochRunner({
      config: o.config,
      store: o.store,
      mode: 'kafka',
      log: o.log,
      now: this.#now,
      sleep: this.#sleep,
      ...(o.maxBlockMs !== undefined ? { maxBlockMs: o.maxBlockMs } : {}),
      ...(o.heapPressure !== undefined ? { heapPressure: o.heapPressure } : {}),
      member: () => this.#member,
      observe: (ob) => this.#observe(ob),
    });
  }

  get joined(): boolean {
    return this.#joined;
  }

  get haltedPartitions(): string[] {
    return [...this.#parts.values()].filter((p) => p.halted).map((p) => `${p.topic}/${p.partition}`);
  }

  /** Live counters of the assigned partitions (assembler caps, document cache), read by /metrics. */
  get partitionCounters(): PartitionCountersView[] {
    const out: PartitionCountersView[] = [];
    for (const p of this.#parts.values()) {
      const run = p.run;
      if (run === null) continue;
      out.push({
        topic: p.topic,
        partition: p.partition,
        assembler: run.assembler.counters,
        openGroups: run.assembler.openGroups,
        state: run.state.counters,
        cacheDocs: run.state.cacheSize,
      });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Group membership

  /**
   * Every group join: every open epoch is dropped (its partition may now belong to another member,
   * and kafkajs fetches again from the committed offsets), every cache and buffer with it; every
   * assigned partition is resumed (pause state survives rebalances, F13a).
   */
  onJoin(memberId: string, assignment: Readonly<Record<string, readonly number[]>>): void {
    this.#member = memberId;
    this.#joined = true;
    this.#lastHeartbeat = this.#now();
    for (const ctx of this.#parts.values()) {
      ctx.dropped = true;
      ctx.ahead.length = 0;
      this.#wakeRoom(ctx);
      if (ctx.busy === null) ctx.run?.drop();
      else this.#retired.set(ctx.key, ctx); // its flush aborts at its next check
    }
    this.#parts = new Map();
    this.#committedByTopic = new Map();
    this.#source.resume(assignment);
    this.#m.rebalances.inc();
    this.#m.consumerLag.reset();
    this.#m.halted.set(0);
    let n = 0;
    for (const ps of Object.values(assignment)) n += ps.length;
    this.#m.assigned.set(n);
    this.#log.info({ memberId, assignment }, 'joined the consumer group');
    if (this.#timer === undefined && this.#tickMs > 0) {
      this.#timer = setInterval(() => this.tick(), this.#tickMs);
      this.#timer.unref();
    }
  }

  onHeartbeat(): void {
    this.#lastHeartbeat = this.#now();
  }

  /** The consumer left the group (crash with restart, stop). */
  onLeave(): void {
    this.#joined = false;
  }

  /** SIGTERM: take no new batch; drain() flushes the open epochs; retries end at `deadline`. */
  stop(deadline: number): void {
    this.#stopping = true;
    this.#deadline = deadline;
  }

  /** Flush every open epoch (shutdown, before the consumer leaves the group: the commits need it). */
  async drain(): Promise<void> {
    const all = [...this.#parts.values()].map((ctx) =>
      this.#exclusive(ctx, async () => {
        if (ctx.run?.open && ctx.control !== null && !ctx.halted && !ctx.dropped) {
          await this.#flush(ctx, 'shutdown');
        }
      }),
    );
    await Promise.allSettled(all);
  }

  /** Resolves when no batch or flush is in progress. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stop the timer. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Flush the epochs due by time whose partitions are idle (their batches stopped coming, or come
   * rarely). Called by the timer; returns when those flushes are done.
   */
  async tick(): Promise<void> {
    const now = this.#now();
    const work: Promise<unknown>[] = [];
    for (const ctx of this.#parts.values()) {
      const run = ctx.run;
      if (ctx.busy !== null || run === null || !run.open || ctx.control === null || ctx.halted) continue;
      const cause = run.due(now);
      if (cause === null) continue;
      work.push(
        this.#exclusive(ctx, async () => {
          if (ctx.dropped || !ctx.run?.open) return;
          const r = await this.#flush(ctx, cause);
          if (r.outcome === 'aborted') {
            // Not in this partition's eachBatch: a fetch may be under way from the old position.
            ctx.rewinding = true;
            this.#rewind(ctx, ctx.run, ctx.control!);
          }
        }).catch((err: unknown) => {
          this.#log.error({ err: String((err as Error).stack ?? err) }, 'timer flush failed');
        }),
      );
    }
    await Promise.all(work);
  }

  // -------------------------------------------------------------------------------------------
  // Batches

  async handleBatch(batch: PipelineBatch, control: PipelineControl): Promise<void> {
    if (this.#stopping) {
      // Nothing more is taken; the fetcher need not spin on this partition while we drain.
      control.pause();
      return;
    }
    const ctx = this.#ctx(batch.topic, batch.partition);
    const old = this.#retired.get(ctx.key);
    if (old !== undefined) await this.#waitRetired(old, control);
    this.#throwIfFailed(ctx);
    if (this.#takesAhead(ctx, batch)) {
      // Taken: kafkajs fetches the next batch while this one is processed. The commit still
      // waits for the acknowledgement of the epoch that counts it.
      this.#advance(ctx, control, batchEnd(batch));
      ctx.ahead.push({ batch, control });
      if (ctx.aheadLoop === null) this.#startAhead(ctx);
      if (ctx.ahead.length > MAX_AHEAD) {
        this.#m.aheadFull.inc();
        while (ctx.ahead.length > MAX_AHEAD) await new Promise<void>((r) => ctx.roomWaiters.push(r));
        this.#throwIfFailed(ctx);
      }
      return;
    }
    // Not contiguous with what was taken (the first batch, a rewind, a reset): after those, here.
    while (ctx.aheadLoop !== null) await ctx.aheadLoop;
    this.#throwIfFailed(ctx);
    await this.#exclusive(ctx, () => this.#handle(ctx, batch, control));
  }

  /** Whether the batch continues exactly where the partition's last taken batch ended. */
  #takesAhead(ctx: PartitionCtx, batch: PipelineBatch): boolean {
    return (
      batch.fetchedOffset !== undefined &&
      batch.fetchedOffset === ctx.nextFetch &&
      ctx.run !== null &&
      ctx.refetch < 0 &&
      !ctx.rewinding &&
      !ctx.halted &&
      !ctx.dropped
    );
  }

  /** Work through the batches taken ahead, one at a time, after kafkajs has sent its next fetch. */
  #startAhead(ctx: PartitionCtx): void {
    const loop = (async () => {
      try {
        while (ctx.ahead.length > 0) {
          const next = ctx.ahead.shift()!;
          this.#wakeRoom(ctx);
          // Let the handler just woken return first: kafkajs sends its next fetch before this
          // batch's (synchronous) processing starts.
          await new Promise<void>((r) => setImmediate(r));
          await this.#exclusive(ctx, () => this.#handle(ctx, next.batch, next.control));
        }
      } catch (err) {
        ctx.failure = err;
        ctx.ahead.length = 0;
        this.#log.error(
          { topic: ctx.topic, partition: ctx.partition, err: String((err as Error).stack ?? err) },
          'batch handling failed; the partition fails its next batch',
        );
      } finally {
        ctx.aheadLoop = null;
        this.#wakeRoom(ctx);
      }
    })();
    ctx.aheadLoop = loop;
    this.#inFlight.add(loop);
    void loop.finally(() => this.#inFlight.delete(loop));
  }

  #wakeRoom(ctx: PartitionCtx): void {
    const waiters = ctx.roomWaiters;
    ctx.roomWaiters = [];
    for (const w of waiters) w();
  }

  #throwIfFailed(ctx: PartitionCtx): void {
    if (ctx.failure === null) return;
    const err = ctx.failure;
    ctx.failure = null;
    throw err;
  }

  /** kafkajs fetches from `end` next, unless it was told a later position already. */
  #advance(ctx: PartitionCtx, control: PipelineControl, end: number): void {
    if (end <= ctx.nextFetch) return;
    ctx.nextFetch = end;
    control.resolve(end - 1);
  }

  /** One handler of one partition at a time: batches, timer and shutdown flushes queue up here. */
  async #exclusive<T>(ctx: PartitionCtx, fn: () => Promise<T>): Promise<T> {
    while (ctx.busy !== null) await ctx.busy;
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    ctx.busy = gate;
    const p = fn();
    this.#inFlight.add(p);
    try {
      return await p;
    } finally {
      this.#inFlight.delete(p);
      ctx.busy = null;
      release();
    }
  }

  /** A context of the previous generation is still flushing: wait (with heartbeats) until it gave up. */
  async #waitRetired(old: PartitionCtx, control: PipelineControl): Promise<void> {
    while (old.busy !== null) {
      const tick = this.#sleep(this.#cfg.kafka.heartbeatIntervalMs);
      await Promise.race([old.busy, tick]);
      await control.heartbeat().catch(() => undefined);
    }
    if (this.#retired.get(old.key) === old) this.#retired.delete(old.key);
    old.run?.drop();
  }

  async #handle(ctx: PartitionCtx, batch: PipelineBatch, control: PipelineControl): Promise<void> {
    if (ctx.dropped || this.#stopping) return;
    ctx.control = control;
    if (ctx.halted) {
      control.pause();
      return;
    }
    const units = batch.units;
    const lastMsg = units[units.length - 1]?.position;
    if (lastMsg !== undefined) {
      this.#m.consumerLag.set(Math.max(0, batch.highWatermark - (lastMsg.offset + 1)), ctx.label);
    }
    let run = ctx.run;
    if (run === null) {
      const first = units[0]?.position;
      if (first === undefined) return;
      if (!(await this.#checkVersions(ctx, first.offset, control))) return;
      const { expected, committed } = await this.#startOffset(ctx);
      run = this.#runner.partition(ctx.topic, ctx.partition, first.offset, committed);
      ctx.run = run;
      if (expected !== null && first.offset > expected) await this.#gap(ctx, run, expected, first);
    } else if (ctx.refetch >= 0 && batch.fetchedOffset !== undefined) {
      if (batch.fetchedOffset !== ctx.refetch && ctx.staleDrops < MAX_STALE) {
        // Fetched before the rewind, from a position past the acknowledged end: drop it.
        ctx.staleDrops += 1;
        this.#m.staleBatches.inc();
        control.resolve(ctx.refetch - 1);
        return;
      }
      ctx.refetch = -1;
      ctx.rewinding = false;
    } else if (ctx.rewinding) {
      ctx.rewinding = false;
      const first = units[0]?.position;
      if (first === undefined || first.offset > run.end) {
        // Fetched from the position an aborted epoch had reached: drop it, fetch from its start.
        this.#m.staleBatches.inc();
        control.resolve(run.end - 1);
        return;
      }
    }
    // kafkajs fetches from our resolved offset; anything below `end` was pushed already.
    const from = run.end;
    let k = 0;
    while (k < units.length && units[k]!.position.offset < from) k += 1;
    const first = units[k]?.position;
    if (first === undefined) {
      // Only control records (transaction markers) or nothing new: the epoch's end moves past them.
      if (batch.lastOffset + 1 > run.end) {
        run.extendEnd(batch.lastOffset + 1);
        this.#advance(ctx, control, run.end);
      }
      await this.#flushIfDue(ctx, run, control);
      return;
    }
    if (first.offset > from) await this.#gap(ctx, run, from, first);
    run.highWatermark = batch.highWatermark;
    let i = k;
    while (i < units.length) {
      if (this.#stopping || ctx.dropped) return;
      i = run.push(units, i);
      if (i < units.length) {
        // Due by volume in the middle of the batch.
        const r = await this.#flush(ctx, run.due() ?? 'documents');
        if (r.outcome === 'aborted') return this.#rewind(ctx, run, control);
      }
    }
    // Past the batch's last record there are only control records: the epoch ends after them.
    run.extendEnd(batchEnd(batch));
    // Taken into the open epoch: kafkajs may fetch on (the commit waits for the acknowledgement).
    this.#advance(ctx, control, run.end);
    if (run.loadDue()) {
      const loaded = await run.load(this.#control(ctx));
      if (loaded !== null) {
        this.#aborted(ctx, loaded);
        return this.#rewind(ctx, run, control);
      }
    }
    await this.#flushIfDue(ctx, run, control);
  }

  async #flushIfDue(ctx: PartitionCtx, run: PartitionRun, control: PipelineControl): Promise<void> {
    const cause = run.due();
    if (cause === null) return;
    const r = await this.#flush(ctx, cause);
    if (r.outcome === 'aborted') this.#rewind(ctx, run, control);
  }

  /**
   * After an abort: fetch again from the last acknowledged end. Batches taken ahead are dropped,
   * and so is any batch fetched before this (see MAX_STALE).
   */
  #rewind(ctx: PartitionCtx, run: PartitionRun, control: PipelineControl): void {
    ctx.nextFetch = run.end;
    ctx.refetch = run.end;
    ctx.staleDrops = 0;
    ctx.ahead.length = 0;
    this.#wakeRoom(ctx);
    control.resolve(run.end - 1);
  }

  #ctx(topic: string, partition: number): PartitionCtx {
    const key = `${topic}\0${partition}`;
    let ctx = this.#parts.get(key);
    if (ctx === undefined) {
      ctx = {
        key,
        topic,
        partition,
        label: { topic, partition },
        run: null,
        control: null,
        busy: null,
        dropped: false,
        halted: false,
        rewinding: false,
        nextFetch: -1,
        ahead: [],
        aheadLoop: null,
        roomWaiters: [],
        refetch: -1,
        staleDrops: 0,
        failure: null,
      };
      this.#parts.set(key, ctx);
    }
    return ctx;
  }

  /**
   * Where this assignment's counting should start: the group's committed offset, or (none, or
   * replaced by kafkajs after an out-of-range fetch, kafkajs #1119) where the last acknowledged
   * epoch ended according to Elasticsearch (the stats documents' offset_end).
   */
  async #startOffset(ctx: PartitionCtx): Promise<{ expected: number | null; committed: number }> {
    let p = this.#committedByTopic.get(ctx.topic);
    if (p === undefined) {
      p = this.#source.committedOffsets(ctx.topic).catch((err: unknown) => {
        this.#log.debug({ topic: ctx.topic, err: String(err) }, 'fetching committed offsets failed');
        return null;
      });
      this.#committedByTopic.set(ctx.topic, p);
    }
    const committed = (await p)?.get(ctx.partition) ?? -1;
    if (committed >= 0) return { expected: committed, committed };
    if (this.#store.partitionEnd === undefined) return { expected: null, committed };
    const end = await this.#store.partitionEnd(ctx.topic, ctx.partition).catch((err: unknown) => {
      this.#log.warn(
        { topic: ctx.topic, partition: ctx.partition, err: String(err) },
        'could not read where the last epoch ended; an offset gap here would go unrecorded',
      );
      return null;
    });
    return { expected: end, committed };
  }

  /** A batch starting above the expected offset: records were removed unseen (retention, F9). */
  async #gap(ctx: PartitionCtx, run: PartitionRun, expected: number, first: SourcePosition): Promise<void> {
    // Offsets below the log start were deleted by retention; the others held no data record
    // (transaction markers, compaction). Unknown log start: assume the whole gap was lost.
    const low = await this.#source
      .logStartOffsets(ctx.topic)
      .then((m) => m.get(ctx.partition))
      .catch(() => undefined);
    const lostTo = low === undefined ? first.offset : Math.min(first.offset, low);
    const gap = Math.max(0, lostTo - expected);
    if (gap > 0) {
      this.#m.offsetGaps.inc(undefined, gap);
      this.#log.error(
        {
          topic: ctx.topic,
          partition: ctx.partition,
          expected,
          firstOffset: first.offset,
          logStart: low,
          gap,
        },
        'offset gap: records were removed before they were read (retention); they are not counted, and are recorded as lost_by_retention',
      );
      // In the open epoch, at the first offset read after the gap: an abort drops it with the
      // epoch, and the refetch from the last acknowledged end finds the same gap again.
      run.recordLost(first.offset, first.timestampMs, gap);
    } else {
      this.#log.debug(
        { topic: ctx.topic, partition: ctx.partition, expected, firstOffset: first.offset, logStart: low },
        'offsets without data records skipped (transaction markers or compaction)',
      );
      run.extendEnd(first.offset);
    }
  }

  /**
   * Ruleset version switch (DESIGN.md "a version switch happens at a committed offset recorded per
   * partition"; docs/EXACTNESS.md F1). Summary keys contain the ruleset version, so the `offset_end`
   * skip rule cannot see records counted under another version: re-reading them would count them
   * twice. The switch point is the offset this assignment starts counting at (the committed offset,
   * or the first fetched one): if no summary of another version ends above it, no record at or above
   * it was counted under another version, and counting under ours is exact. If one does, the records
   * in between may already be counted (a crashed epoch of the other version acknowledged documents
   * but did not commit), and ours cannot tell which: the partition halts with instructions.
   * Returns false when the batch must not be processed (halted, or the check could not be made).
   */
  async #checkVersions(ctx: PartitionCtx, from: number, control: PipelineControl): Promise<boolean> {
    if (this.#store.foreignVersionEnd === undefined) return true;
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

  // -------------------------------------------------------------------------------------------
  // Flushes

  async #flush(ctx: PartitionCtx, cause: EpochCause): Promise<FlushResult> {
    const run = ctx.run!;
    const r = await run.flush(this.#control(ctx), cause);
    if (r.outcome === 'aborted') this.#aborted(ctx, r);
    return r;
  }

  #aborted(ctx: PartitionCtx, r: FlushAborted): void {
    const fields = { topic: ctx.topic, partition: ctx.partition, why: r.why, from: ctx.run?.ackedEnd };
    if (r.why === 'halt') {
      ctx.halted = true;
      ctx.control?.pause();
      this.#m.halted.set(this.haltedPartitions.length);
      this.#log.error(fields, `partition halted: ${r.message}`);
    } else if (r.why === 'stopping') this.#log.info(fields, `epoch abandoned at shutdown: ${r.message}`);
    else this.#log.warn(fields, `epoch aborted: ${r.message}`);
  }

  /** The Kafka flush policy for one partition. */
  #control(ctx: PartitionCtx): FlushControl {
    return {
      retries: true,
      deadline: this.#deadline,
      alive: (giveUpAt) => this.#alive(ctx, giveUpAt),
      commit: async (offset) => {
        // Checked right before the request: a join makes the context dropped synchronously.
        if (ctx.dropped) throw new Error('partition revoked by a group join');
        await ctx.control!.commit(offset);
      },
      deadLetters: (dls) => this.#source.produceDeadLetters(dls),
    };
  }

  /** Before each send and between retries: heartbeat; abort if membership may be lost (F7). */
  async #alive(ctx: PartitionCtx, giveUpAt: number): Promise<void> {
    if (ctx.dropped) throw new AbortEpoch('liveness', 'partition revoked by a group join');
    if (this.#now() > giveUpAt) {
      throw new AbortEpoch(this.#stopping ? 'stopping' : 'timeout', 'retry budget spent');
    }
    const control = ctx.control!;
    if (!this.#stopping && !control.isRunning()) throw new AbortEpoch('liveness', 'consumer not running');
    try {
      await control.heartbeat();
    } catch (err) {
      throw new AbortEpoch('liveness', `heartbeat failed: ${(err as Error).message}`);
    }
    if (ctx.dropped) throw new AbortEpoch('liveness', 'partition revoked by a group join');
    const age = this.#now() - this.#lastHeartbeat;
    const limit = this.#cfg.kafka.sessionTimeoutMs - 2 * this.#cfg.kafka.heartbeatIntervalMs;
    if (age > limit) throw new AbortEpoch('liveness', `last heartbeat ${age} ms ago (limit ${limit} ms)`);
  }

  // -------------------------------------------------------------------------------------------
  // Instrumentation: the runner's observations -> /metrics

  #observe(o: Observation): void {
    const m = this.#m;
    switch (o.kind) {
      case 'units':
        m.recordsIn.inc(undefined, o.n);
        return;
      case 'epoch':
        m.epochs.inc({ outcome: o.outcome });
        if (o.outcome === 'aborted') return;
        m.epochCauses.inc({ cause: o.cause });
        m.unitsCounted.inc(undefined, o.counted);
        m.unitsSkipped.inc(undefined, o.skipped);
        m.cacheEvictions.inc(undefined, o.evictions);
        m.summariesIndexed.inc(undefined, o.writes);
        for (const dl of o.deadLetters) m.deadLettered.inc({ reason: dl.reason });
        m.epochFlush.observe(o.seconds);
        this.#unitsCounted += o.counted;
        this.#summaryWrites += o.summaryWrites;
        if (this.#unitsCounted > 0) m.reductionRatio.set(1 - this.#summaryWrites / this.#unitsCounted);
        this.#log.debug(
          {
            topic: o.topic,
            partition: o.partition,
            cause: o.cause,
            units: o.units,
            documents: o.documents,
            writes: o.writes,
            deadLetters: o.deadLetters.length,
            seconds: o.seconds,
          },
          'epoch',
        );
        return;
      case 'commit':
        m.commits.inc();
        this.#log.debug({ topic: o.topic, partition: o.partition, offset: o.offset }, 'committed');
        return;
      case 'commit-failed':
        this.#log.warn(
          { topic: o.topic, partition: o.partition, offset: o.offset, err: o.error },
          'offset commit failed after an acknowledged epoch; the next owner replays it',
        );
        return;
      case 'retry':
        m.esRetries.inc({ kind: o.what }, o.n);
        return;
      case 'conflict':
        m.conflicts.inc({ resolution: o.resolution });
        return;
      case 'stages':
        return;
    }
  }
}

/** The offset after a batch: past its last record and any control records behind it. */
function batchEnd(batch: PipelineBatch): number {
  const last = batch.units[batch.units.length - 1]?.position.offset ?? -1;
  return Math.max(last, batch.lastOffset) + 1;
}
