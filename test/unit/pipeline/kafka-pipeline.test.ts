// The Kafka pipeline's control flow without servers: a compare-and-set store with Elasticsearch's
// semantics (test/unit/aggregate/helpers.ts) and a fake kafkajs batch control. The real Kafka and
// Elasticsearch are exercised by test/integration/run-basic.test.ts.
import { describe, expect, it } from 'vitest';
import type { WriteItem, WriteResult } from '../../../src/aggregate/store.ts';
import { type Config, loadConfig } from '../../../src/config/index.ts';
import type { StatsDoc } from '../../../src/domain/documents.ts';
import type { DeadLetter, SourceUnit } from '../../../src/domain/record.ts';
import {
  KafkaPipeline,
  type PipelineBatch,
  type PipelineControl,
  type PipelineSource,
} from '../../../src/pipeline/kafka-pipeline.ts';
import { silentLogger } from '../../../src/telemetry/logger.ts';
import { createRunMetrics } from '../../../src/telemetry/metrics.ts';
import { CasStore } from '../aggregate/helpers.ts';

const T0 = Date.UTC(2025, 0, 14, 9, 30);
const config = loadConfig({ env: { KAFKA_BROKERS: 'k:1', LOGSIFT_TOPICS: 't', ES_URL: 'http://es:9200' } });
const enc = new TextEncoder();

function calico(i: number): string {
  const ts = new Date(T0 + i * 1000).toISOString().replace('T', ' ').replace('Z', '').slice(0, 23);
  return `${ts} [INFO][7] felix/route_table.go ${100 + (i % 5)}: Syncing routes ifaceName="cali${i % 3}" count=${i}`;
}

function batch(from: number, to: number, extra: Record<number, Uint8Array> = {}): PipelineBatch {
  const units: SourceUnit[] = [];
  for (let o = from; o < to; o++) {
    units.push({
      position: { topic: 't', partition: 0, offset: o, timestampMs: T0 + o * 1000 },
      value: extra[o] ?? enc.encode(calico(o)),
      key: null,
    });
  }
  return { topic: 't', partition: 0, units, lastOffset: to - 1, highWatermark: to };
}

class FakeControl implements PipelineControl {
  resolved: number[] = [];
  commits: number[] = [];
  heartbeats = 0;
  paused = false;
  running = true;
  heartbeatError: Error | null = null;
  resolve(offset: number): void {
    this.resolved.push(offset);
  }
  /** Where kafkajs would fetch this partition next (resolveOffset stores offset + 1). */
  get position(): number | undefined {
    const r = this.resolved[this.resolved.length - 1];
    return r === undefined ? undefined : r + 1;
  }
  async commit(offset: number): Promise<void> {
    this.commits.push(offset);
  }
  async heartbeat(): Promise<void> {
    this.heartbeats += 1;
    if (this.heartbeatError) throw this.heartbeatError;
  }
  isRunning(): boolean {
    return this.running;
  }
  pause(): void {
    this.paused = true;
  }
}

class FakeSource implements PipelineSource {
  produced: DeadLetter[] = [];
  resume(): void {}
  /** Log start offset of partition 0 (retention moved it past records never read). */
  low = 0;
  /** The group's committed offset of partition 0 (-1 = none). */
  committed = -1;
  async committedOffsets(): Promise<Map<number, number>> {
    return new Map([[0, this.committed]]);
  }
  async logStartOffsets(): Promise<Map<number, number>> {
    return new Map([[0, this.low]]);
  }
  async produceDeadLetters(dls: readonly DeadLetter[]): Promise<void> {
    this.produced.push(...dls);
  }
}

/** A clock the tests move. `perCall` > 0 also moves it on every read (an epoch per batch). */
class Clock {
  t = T0;
  perCall = 0;
  now = (): number => {
    const t = this.t;
    this.t += this.perCall;
    return t;
  };
}

interface SetupOptions {
  store?: CasStore;
  /** true (default): every batch ends its epoch (time moves past epoch.maxMs on each clock read). */
  epochPerBatch?: boolean;
  epoch?: Partial<Config['epoch']>;
  cacheDocs?: number;
  heapPressure?: () => boolean;
}

function setup(o: SetupOptions = {}) {
  const store = o.store ?? new CasStore();
  const source = new FakeSource();
  const metrics = createRunMetrics();
  const clock = new Clock();
  const perBatch = o.epochPerBatch ?? true;
  // Per batch: maxMs 1 ms and a clock that moves 1 ms per read, so every batch ends its epoch
  // while the heartbeat stays fresh.
  const cfg = {
    ...config,
    epoch: { ...config.epoch, ...(perBatch ? { maxMs: 1 } : {}), ...o.epoch },
    aggregate: {
      ...config.aggregate,
      caps: { ...config.aggregate.caps, ...(o.cacheDocs !== undefined ? { cacheDocs: o.cacheDocs } : {}) },
    },
  };
  if (perBatch) clock.perCall = 1;
  const pipeline = new KafkaPipeline({
    config: cfg,
    source,
    store,
    log: silentLogger(),
    metrics,
    instanceId: 'test',
    sleep: async () => {},
    now: clock.now,
    tickMs: 0,
    ...(o.heapPressure !== undefined ? { heapPressure: o.heapPressure } : {}),
  });
  pipeline.onJoin('member-1', { t: [0] });
  return { store, source, metrics, pipeline, clock, cfg };
}

/** A compare-and-set store that counts its loads (realtime mgets). */
function countingLoads(): { store: CasStore; loads: { n: number } } {
  const store = new CasStore();
  const loads = { n: 0 };
  const real = store.load.bind(store);
  store.load = async (refs) => {
    loads.n += 1;
    return real(refs);
  };
  return { store, loads };
}

/** A batch as kafkajs delivers it: fetched from `at` (Batch.fetchedOffset, the default: its first offset). */
function fetched(from: number, to: number, at = from): PipelineBatch {
  return { ...batch(from, to), fetchedOffset: at };
}

describe('KafkaPipeline', () => {
  it('counts every unit, resolves each batch as taken and commits the end of each acknowledged epoch', async () => {
    const { store, pipeline, metrics } = setup();
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 100), c);
    await pipeline.handleBatch(batch(100, 250), c);
    expect(store.total()).toBe(250);
    expect(c.resolved).toEqual([99, 249]);
    expect(c.commits).toEqual([100, 250]); // next offset to read, not +1 (F14b)
    expect(metrics.recordsIn.get()).toBe(250);
    expect(metrics.unitsCounted.get()).toBe(250);
    expect(metrics.commits.get()).toBe(2);
  });

  it('an epoch spans fetched batches: offsets resolved as taken, one write per document, one commit', async () => {
    const { store, pipeline, clock, cfg } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    let writes = 0;
    const real = store.write.bind(store);
    store.write = async (items) => {
      writes += items.length;
      return real(items);
    };
    for (let b = 0; b < 10; b++) {
      await pipeline.handleBatch(batch(b * 50, b * 50 + 50), c);
      expect(c.position).toBe(b * 50 + 50); // kafkajs fetches on
    }
    expect(c.commits).toEqual([]);
    expect(store.total()).toBe(0);
    clock.t += cfg.epoch.maxMs;
    await pipeline.handleBatch(batch(500, 510), c); // this batch makes the epoch due by time
    expect(c.commits).toEqual([510]);
    expect(store.total()).toBe(510);
    // 15 summary documents (5 origin lines x 3 interfaces) and one stats document, written once each.
    expect(writes).toBe(store.docs.size);
    expect(writes).toBeLessThanOrEqual(16);
  });

  it('cuts epochs at epoch.maxRecords and commits after each', async () => {
    const { store, pipeline } = setup({ epochPerBatch: false, epoch: { maxRecords: 40 } });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 100), c);
    expect(c.commits).toEqual([40, 80]);
    await pipeline.tick(); // not due yet: 20 units, no time passed
    expect(c.commits).toEqual([40, 80]);
    await pipeline.drain();
    expect(c.commits).toEqual([40, 80, 100]);
    expect(store.total()).toBe(100);
  });

  it('cuts epochs at epoch.maxDirtyDocs in the middle of a batch', async () => {
    const { store, pipeline } = setup({ epochPerBatch: false, epoch: { maxDirtyDocs: 4 } });
    const c = new FakeControl();
    // 12 distinct messages: 12 summary documents (and one stats document) in 1,000 units.
    const words = [
      'alpha',
      'bravo',
      'charlie',
      'delta',
      'echo',
      'foxtrot',
      'golf',
      'hotel',
      'india',
      'juliet',
      'kilo',
      'lima',
    ];
    const extra: Record<number, Uint8Array> = {};
    for (let o = 0; o < 1000; o++) {
      extra[o] = enc.encode(calico(o).replace('Syncing routes', `Syncing ${words[o % words.length]} routes`));
    }
    await pipeline.handleBatch(batch(0, 1000, extra), c);
    expect(c.commits.length).toBeGreaterThan(0);
    await pipeline.drain();
    expect(c.commits[c.commits.length - 1]).toBe(1000);
    expect(store.total()).toBe(1000);
  });

  it('a partition whose batches stop coming is flushed by the timer, with the last batch control', async () => {
    const { store, pipeline, clock, cfg } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 30), c);
    await pipeline.tick();
    expect(c.commits).toEqual([]);
    clock.t += cfg.epoch.maxMs;
    const beats = c.heartbeats;
    await pipeline.tick();
    expect(c.commits).toEqual([30]);
    expect(c.heartbeats).toBeGreaterThan(beats); // liveness checked before the bulk
    expect(store.total()).toBe(30);
  });

  it('an epoch whose partition delivers nothing for epoch.idleMs is flushed (the end of a burst), a steady stream is not', async () => {
    const { store, pipeline, clock, cfg } = setup({
      epochPerBatch: false,
      epoch: { idleMs: 500, maxMs: 60_000 },
    });
    const c = new FakeControl();
    for (let b = 0; b < 5; b++) {
      await pipeline.handleBatch(batch(b * 10, b * 10 + 10), c);
      clock.t += 400; // batches keep coming, each within idleMs of the last
      await pipeline.tick();
    }
    expect(c.commits).toEqual([]);
    clock.t += cfg.epoch.idleMs;
    await pipeline.tick();
    expect(c.commits).toEqual([50]);
    expect(store.total()).toBe(50);
  });

  it('an epoch aborted by the timer rewinds the fetch position at the next batch; the redelivery counts once', async () => {
    const { store, pipeline, clock, cfg } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 20), c);
    await pipeline.drain();
    expect(c.commits).toEqual([20]);
    await pipeline.handleBatch(batch(20, 40), c);
    c.heartbeatError = new Error('REBALANCE_IN_PROGRESS');
    clock.t += cfg.epoch.maxMs;
    await pipeline.tick();
    expect(c.commits).toEqual([20]);
    expect(store.total()).toBe(20);
    c.heartbeatError = null;
    // kafkajs had fetched on from 40: that batch is dropped and the position goes back to 20.
    await pipeline.handleBatch(batch(40, 60), c);
    expect(c.position).toBe(20);
    expect(store.total()).toBe(20);
    await pipeline.handleBatch(batch(20, 60), c);
    clock.t += cfg.epoch.maxMs;
    await pipeline.tick();
    expect(c.commits).toEqual([20, 60]);
    expect(store.total()).toBe(60);
  });

  it('a group join drops the open epoch: nothing written or committed; the new assignment counts once', async () => {
    const { store, pipeline, source, clock, cfg } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 40), c);
    await pipeline.drain();
    await pipeline.handleBatch(batch(40, 70), c);
    pipeline.onJoin('member-2', { t: [0] });
    clock.t += cfg.epoch.maxMs;
    await pipeline.tick();
    await pipeline.drain();
    expect(c.commits).toEqual([40]);
    expect(store.total()).toBe(40);
    // kafkajs fetches from the committed offset after the join.
    source.committed = 40;
    const c2 = new FakeControl();
    await pipeline.handleBatch(batch(40, 70), c2);
    await pipeline.drain();
    expect(c2.commits).toEqual([70]);
    expect(store.total()).toBe(70);
  });

  it('a group join during a flush: the flush writes nothing more and commits nothing; the next owner context waits for it', async () => {
    const store = new CasStore();
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const real = store.write.bind(store);
    let calls = 0;
    store.write = async (items) => {
      calls += 1;
      if (calls === 1) {
        await held; // the bulk is in flight while the group rebalances
        return items.map((it) => ({ ok: false, id: it.id, status: 503, kind: 'retry', reason: 'slow' }));
      }
      return real(items);
    };
    const { pipeline, source } = setup({ store, epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 30), c);
    const flushing = pipeline.drain();
    await new Promise((r) => setImmediate(r));
    pipeline.onJoin('member-2', { t: [0] });
    source.committed = -1;
    const c2 = new FakeControl();
    const next = pipeline.handleBatch(batch(0, 30), c2);
    release();
    await flushing;
    await next;
    expect(c.commits).toEqual([]); // the revoked context never commits
    expect(calls).toBe(1); // and never resends
    await pipeline.drain();
    expect(c2.commits).toEqual([30]);
    expect(store.total()).toBe(30);
  });

  it('shutdown flushes the open epochs and commits them; later batches are not taken', async () => {
    const { store, pipeline } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 25), c);
    pipeline.stop(Date.now() + 10_000);
    await pipeline.drain();
    expect(c.commits).toEqual([25]);
    await pipeline.handleBatch(batch(25, 50), c);
    expect(c.paused).toBe(true);
    expect(c.position).toBe(25);
    expect(store.total()).toBe(25);
  });

  it('a short heap ends the open epoch (cause memory, counted) and cuts the document cache to a quarter of its cap', async () => {
    let short = false;
    const { store, pipeline, metrics } = setup({
      epochPerBatch: false,
      cacheDocs: 8,
      heapPressure: () => short,
    });
    const c = new FakeControl();
    // 600 lines over 5 statements and 10 minutes: 50 documents, cut to 8 cached after each epoch.
    await pipeline.handleBatch(batch(0, 300), c);
    expect(c.commits).toEqual([]);
    expect(metrics.epochCauses.get({ cause: 'memory' })).toBe(0);
    short = true;
    await pipeline.handleBatch(batch(300, 600), c);
    expect(metrics.epochCauses.get({ cause: 'memory' })).toBeGreaterThan(0);
    expect(c.commits.length).toBeGreaterThan(0);
    expect(pipeline.partitionCounters[0]!.cacheDocs).toBeLessThanOrEqual(2);
    short = false;
    await pipeline.drain();
    expect(store.total()).toBe(600);
  });

  it('documents the cache lacks are loaded by the flush in one round trip while the records queued for them are few', async () => {
    const { store, loads } = countingLoads();
    const { pipeline } = setup({ store, epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 20), c);
    await pipeline.handleBatch(batch(20, 40), c);
    expect(loads.n).toBe(0);
    await pipeline.drain();
    expect(loads.n).toBe(1);
    expect(store.total()).toBe(40);
  });

  it('documents the cache lacks are loaded as batches arrive once the records queued for them hold a quarter of epoch.maxDeltaBytes', async () => {
    const { store, loads } = countingLoads();
    // 20 queued records take a few kB (PENDING_OVERHEAD_BYTES each): a quarter of 8 kB is passed.
    const { pipeline } = setup({ store, epochPerBatch: false, epoch: { maxDeltaBytes: 8_192 } });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 20), c);
    expect(loads.n).toBe(1);
    await pipeline.handleBatch(batch(20, 40), c); // same documents: cached in the epoch
    expect(loads.n).toBe(1);
    await pipeline.drain();
    expect(store.total()).toBe(40);
  });

  it('an ambiguous write (applied, answered 503) is adopted on the 409 that follows (F8)', async () => {
    const store = new CasStore();
    const real = store.write.bind(store);
    let first = true;
    store.write = async (items: readonly WriteItem[]): Promise<WriteResult[]> => {
      const results = await real(items);
      if (!first) return results;
      first = false;
      // Every item landed, but the answer was lost.
      return results.map((r) => ({ ok: false, id: r.id, status: 0, kind: 'retry', reason: 'timeout' }));
    };
    const { pipeline, metrics } = setup({ store });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 50), c);
    expect(store.total()).toBe(50);
    expect(c.commits).toEqual([50]);
    expect(metrics.conflicts.get({ resolution: 'adopted' })).toBeGreaterThan(0);
    expect(metrics.conflicts.get({ resolution: 'foreign' })).toBe(0);
  });

  it('a foreign writer aborts the epoch and rewinds the fetch position; the redelivered batch counts once', async () => {
    const store = new CasStore();
    const { pipeline, metrics } = setup({ store });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 20), c);
    // Another writer re-indexes every document (same counts, other attempt): our versions are stale.
    for (const [id, v] of store.docs) {
      const doc = structuredClone(v.doc);
      doc.logsift.writer = { member: 'zombie', attempt: 'other' };
      store.docs.set(id, { ...v, doc, seqNo: v.seqNo + 1000 });
    }
    const c2 = new FakeControl();
    await pipeline.handleBatch(batch(20, 40), c2);
    expect(c2.commits).toEqual([]);
    expect(c2.position).toBe(20); // kafkajs fetches again from the last acknowledged end
    expect(metrics.conflicts.get({ resolution: 'foreign' })).toBeGreaterThan(0);
    await pipeline.handleBatch(batch(20, 40), c2);
    expect(c2.commits).toEqual([40]);
    expect(store.total()).toBe(40);
  });

  it('a failed heartbeat aborts the epoch (membership may be lost, F7); nothing is written, the position goes back', async () => {
    const { store, pipeline } = setup();
    const c = new FakeControl();
    c.heartbeatError = new Error('REBALANCE_IN_PROGRESS');
    await pipeline.handleBatch(batch(0, 30), c);
    expect(store.docs.size).toBe(0);
    expect(c.position).toBe(0);
    expect(c.commits).toEqual([]);
    c.heartbeatError = null;
    await pipeline.handleBatch(batch(0, 30), c);
    expect(store.total()).toBe(30);
    expect(c.commits).toEqual([30]);
  });

  it('a consumer that stopped running sends nothing', async () => {
    const { store, pipeline } = setup();
    const c = new FakeControl();
    c.running = false;
    await pipeline.handleBatch(batch(0, 30), c);
    expect(store.docs.size).toBe(0);
    expect(c.commits).toEqual([]);
  });

  it('retries failed items with heartbeats in between until acknowledged', async () => {
    const store = new CasStore();
    let failures = 4;
    store.failItem = () => failures > 0;
    const real = store.write.bind(store);
    store.write = async (items) => {
      const r = await real(items);
      failures -= 1;
      return r;
    };
    const { pipeline, metrics } = setup({ store });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 25), c);
    expect(store.total()).toBe(25);
    expect(c.commits).toEqual([25]);
    expect(c.heartbeats).toBeGreaterThanOrEqual(5);
    expect(metrics.esRetries.get({ kind: 'bulk_item' })).toBeGreaterThan(0);
  });

  it('a write block (403) halts the partition: paused, nothing committed, not ready', async () => {
    const store = new CasStore();
    store.write = async (items) =>
      items.map((it) => ({
        ok: false,
        id: it.id,
        status: 403,
        kind: 'reject',
        reason: 'cluster_block_exception',
      }));
    const { pipeline } = setup({ store });
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 10), c);
    expect(c.paused).toBe(true);
    expect(c.commits).toEqual([]);
    expect(pipeline.haltedPartitions).toEqual(['t/0']);
    // A new group join resumes and forgets the halt (state is rebuilt from the committed offset).
    pipeline.onJoin('member-2', { t: [0] });
    expect(pipeline.haltedPartitions).toEqual([]);
  });

  it('dead letters are produced (awaited) before the commit and counted as dlq:<reason>', async () => {
    const { store, source, pipeline, metrics } = setup();
    const c = new FakeControl();
    const bin = new Uint8Array([0, 1, 2, 3, 0, 0, 255, 254, 0, 9, 8, 7, 0, 1]);
    await pipeline.handleBatch(batch(0, 10, { 4: bin, 7: enc.encode('{"log": "broken') }), c);
    expect(source.produced.map((d) => [d.position.offset, d.reason])).toEqual([
      [4, 'binary'],
      [7, 'broken-envelope'],
    ]);
    expect(store.total()).toBe(10);
    const dlq = store.summaries().filter((d) => d.logsift.kind === 'dlq');
    expect(dlq.map((d) => [d.logsift.fingerprint, d.logsift.count]).sort()).toEqual([
      ['dlq:binary', 1],
      ['dlq:broken-envelope', 1],
    ]);
    expect(metrics.deadLettered.get({ reason: 'binary' })).toBe(1);
    expect(c.commits).toEqual([10]);
  });

  it('a dead letter inside an open multi-line group waits for the group (Epoch order), counts once', async () => {
    const { store, source, pipeline } = setup();
    const c = new FakeControl();
    const lines = [
      calico(0),
      'panic: runtime error: invalid memory address or nil pointer dereference',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a2b3c]',
      '', // index 3: replaced by a binary unit below
      'goroutine 1 [running]:',
      'main.main()',
      '\t/go/src/github.com/projectcalico/calico/felix/cmd/calico-felix/calico-felix.go:12 +0x1d',
      calico(7),
      calico(8),
    ];
    const extra: Record<number, Uint8Array> = {};
    lines.forEach((l, i) => {
      extra[i] = enc.encode(l);
    });
    extra[3] = new Uint8Array([0, 1, 2, 3, 0, 0, 255, 254, 0, 9, 8, 7, 0, 1]);
    const b = batch(0, lines.length, extra);
    // All units within the group gap, so the panic stays open until the Calico line at 7.
    const units = b.units.map((u, i) => ({ ...u, position: { ...u.position, timestampMs: T0 + i } }));
    await pipeline.handleBatch({ ...b, units }, c);
    expect(source.produced.map((d) => d.position.offset)).toEqual([3]);
    expect(store.total()).toBe(lines.length);
    expect(c.commits).toEqual([lines.length]);
    const panics = store.summaries().filter((d) => d.logsift.category === 'panic');
    expect(panics.reduce((a, d) => a + d.logsift.count, 0)).toBe(5);
  });

  it('offsets removed by retention are recorded once as lost_by_retention in a stats document (F9)', async () => {
    const { store, source, pipeline, metrics } = setup();
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 10), c);
    source.low = 15; // retention deleted 10..14 before they were read
    await pipeline.handleBatch(batch(15, 20), c);
    expect(metrics.offsetGaps.get()).toBe(5);
    expect(c.commits).toEqual([10, 20]);
    const lost = () =>
      [...store.docs.values()]
        .map((v) => v.doc)
        .filter((d): d is StatsDoc => d.logsift.kind === 'stats')
        .reduce((a, d) => a + (d.logsift.lost_by_retention ?? 0), 0);
    expect(lost()).toBe(5);
    expect(store.total()).toBe(15);
    // A new process replaying from the commit before the gap (crash after the write) records it
    // again in the same document, where the skip rule drops it.
    const b = setup({ store });
    b.source.low = 15;
    b.source.committed = 10;
    await b.pipeline.handleBatch(batch(15, 20), new FakeControl());
    expect(b.metrics.offsetGaps.get()).toBe(5); // detected again...
    expect(lost()).toBe(5); // ...and not recorded twice
    expect(store.total()).toBe(15);
  });

  it('offsets that held no data record (transaction markers, compaction) are no gap', async () => {
    const { store, pipeline, metrics } = setup();
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 10), c);
    await pipeline.handleBatch(batch(12, 20), c); // log start still 0: 10 and 11 were markers
    expect(metrics.offsetGaps.get()).toBe(0);
    expect(store.total()).toBe(18);
    expect(c.commits).toEqual([10, 20]);
  });

  it('a redelivered prefix (below the fetch position) is not pushed twice', async () => {
    const { store, pipeline } = setup();
    const c = new FakeControl();
    await pipeline.handleBatch(batch(0, 10), c);
    await pipeline.handleBatch(batch(5, 20), c);
    expect(store.total()).toBe(20);
  });

  it('a restart replays from the commit; the skip rule keeps it exact', async () => {
    const store = new CasStore();
    const a = setup({ store });
    const c = new FakeControl();
    await a.pipeline.handleBatch(batch(0, 60), c);
    // New process (fresh caches), replaying from an older commit (crash after the write).
    const b = setup({ store });
    await b.pipeline.handleBatch(batch(30, 90), new FakeControl());
    expect(store.total()).toBe(90);
    expect(b.metrics.unitsSkipped.get()).toBe(30);
  });

  describe('ruleset version switch (F1)', () => {
    /** A store holding what another release (ruleset 2020.01.1) counted and committed of [0, end). */
    async function countedByPreviousRelease(end: number): Promise<CasStore> {
      const store = new CasStore();
      await setup({ store }).pipeline.handleBatch(batch(0, end), new FakeControl());
      store.relabel('2020.01.1');
      return store;
    }

    it('switches at the committed offset: a new release continues where the other one committed', async () => {
      const store = await countedByPreviousRelease(60);
      const b = setup({ store });
      const c = new FakeControl();
      await b.pipeline.handleBatch(batch(60, 100), c);
      expect(c.paused).toBe(false);
      expect(c.commits).toEqual([100]);
      expect(store.total()).toBe(100);
    });

    it('halts when documents of another release end above the offset it would start counting at', async () => {
      const store = await countedByPreviousRelease(60);
      // Replays from 30: the other release's epoch [30, 60) was acknowledged but not committed.
      const b = setup({ store });
      const c = new FakeControl();
      await b.pipeline.handleBatch(batch(30, 90), c);
      expect(c.paused).toBe(true);
      expect(c.resolved).toEqual([]);
      expect(c.commits).toEqual([]);
      expect(b.pipeline.haltedPartitions).toEqual(['t/0']);
      expect(store.total()).toBe(60); // nothing counted twice
      // Later batches of the halted partition are not processed either.
      await b.pipeline.handleBatch(batch(30, 90), c);
      expect(store.total()).toBe(60);
    });

    it('without the check the same replay counts 30 records twice (what the halt prevents)', async () => {
      const store = await countedByPreviousRelease(60);
      // A store that cannot answer the question (own property shadowing the method).
      Object.defineProperty(store, 'foreignVersionEnd', { value: undefined });
      const b = setup({ store });
      await b.pipeline.handleBatch(batch(30, 90), new FakeControl());
      expect(store.total()).toBe(120);
    });

    it('a failed check counts nothing and resolves nothing; the next delivery checks again', async () => {
      const store = new CasStore();
      let fail = true;
      const real = store.foreignVersionEnd.bind(store);
      store.foreignVersionEnd = async (t, p, v) => {
        if (fail) throw new Error('connection refused');
        return real(t, p, v);
      };
      const { pipeline, metrics } = setup({ store });
      const c = new FakeControl();
      await pipeline.handleBatch(batch(0, 10), c);
      expect(c.resolved).toEqual([]);
      expect(store.total()).toBe(0);
      expect(metrics.esRetries.get({ kind: 'versions' })).toBe(1);
      fail = false;
      await pipeline.handleBatch(batch(0, 10), c);
      expect(c.commits).toEqual([10]);
      expect(store.total()).toBe(10);
    });
  });
});

describe('KafkaPipeline: batches taken ahead of processing (the fetch offset is known)', () => {
  it('a batch fetched where the last one ended is taken: the handler returns before it is processed, the position moves on, counts and commits stay exact', async () => {
    const { store, pipeline, metrics } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 100), c); // the assignment's first batch: handled in place
    expect(metrics.recordsIn.get()).toBe(100);
    await pipeline.handleBatch(fetched(100, 200), c);
    expect(c.position).toBe(200); // kafkajs fetches on at once
    expect(metrics.recordsIn.get()).toBe(100); // not processed yet
    await pipeline.idle();
    expect(metrics.recordsIn.get()).toBe(200);
    await pipeline.drain();
    expect(c.commits).toEqual([200]);
    expect(store.total()).toBe(200);
  });

  it('one batch per partition waits taken; the next handler waits for room, and the wait is counted', async () => {
    const { store, pipeline, metrics } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 50), c);
    await pipeline.handleBatch(fetched(50, 100), c); // processed next
    await pipeline.handleBatch(fetched(100, 150), c); // waits, taken
    let returned = false;
    const fourth = pipeline.handleBatch(fetched(150, 200), c).then(() => {
      returned = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(returned).toBe(false);
    expect(metrics.aheadFull.get()).toBe(1);
    await fourth;
    await pipeline.idle();
    await pipeline.drain();
    expect(store.total()).toBe(200);
    expect(c.commits).toEqual([200]);
  });

  it('an epoch aborted with batches taken behind it: they are dropped, the position goes back, a batch fetched before the rewind is dropped, the refetch counts once', async () => {
    const { store, pipeline, metrics } = setup(); // every batch ends its epoch
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 100), c);
    expect(c.commits).toEqual([100]);
    c.heartbeatError = new Error('REBALANCE_IN_PROGRESS');
    await pipeline.handleBatch(fetched(100, 200), c);
    await pipeline.handleBatch(fetched(200, 300), c);
    await pipeline.idle(); // 100..200's flush aborts: 200..300 is dropped with it
    expect(c.position).toBe(100);
    expect(store.total()).toBe(100);
    c.heartbeatError = null;
    await pipeline.handleBatch(fetched(300, 400), c); // was in flight from the old position
    expect(metrics.staleBatches.get()).toBe(1);
    expect(c.position).toBe(100);
    expect(store.total()).toBe(100);
    await pipeline.handleBatch(fetched(100, 400), c); // the refetch
    await pipeline.idle();
    expect(store.total()).toBe(400);
    expect(c.commits).toEqual([100, 400]);
  });

  it('after a rewind, a batch from a position kafkajs reset to (out of range) is not dropped for ever: it reaches the gap check', async () => {
    const { store, source, pipeline, metrics } = setup();
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 100), c);
    c.heartbeatError = new Error('REBALANCE_IN_PROGRESS');
    await pipeline.handleBatch(fetched(100, 200), c);
    await pipeline.idle();
    expect(c.position).toBe(100);
    c.heartbeatError = null;
    // Retention removed 100..149 meanwhile: every fetch from 100 is reset to the log start, 150.
    source.low = 150;
    for (let k = 0; k < 20 && store.total() === 100; k++) await pipeline.handleBatch(fetched(150, 200), c);
    await pipeline.idle();
    expect(metrics.staleBatches.get()).toBeLessThanOrEqual(8);
    expect(metrics.offsetGaps.get()).toBe(50);
    expect(store.total()).toBe(150);
  });

  it('a group join drops the batches taken ahead: nothing of them is counted; the new generation counts once', async () => {
    const { store, pipeline } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 50), c);
    await pipeline.handleBatch(fetched(50, 100), c);
    await pipeline.handleBatch(fetched(100, 150), c);
    pipeline.onJoin('member-2', { t: [0] });
    await pipeline.idle();
    expect(store.total()).toBe(0);
    expect(c.commits).toEqual([]);
    const c2 = new FakeControl();
    await pipeline.handleBatch(fetched(0, 150), c2);
    await pipeline.drain();
    expect(store.total()).toBe(150);
    expect(c2.commits).toEqual([150]);
  });

  it("an unexpected error while a taken batch is processed fails the partition's next batch, as it would have failed its own", async () => {
    const { pipeline, metrics } = setup({ epochPerBatch: false });
    const c = new FakeControl();
    await pipeline.handleBatch(fetched(0, 50), c);
    metrics.recordsIn.inc = () => {
      throw new Error('boom');
    };
    await pipeline.handleBatch(fetched(50, 100), c);
    await pipeline.idle();
    await expect(pipeline.handleBatch(fetched(100, 150), c)).rejects.toThrow('boom');
  });
});
