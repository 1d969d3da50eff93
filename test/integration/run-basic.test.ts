// `logsift run` as a separate OS process against the real Kafka and Elasticsearch of the test stack:
// every produced line is counted exactly once (Σ logsift.count == produced), offsets are committed
// to the end, poison messages are dead-lettered with headers AND counted as dlq:<reason> summaries,
// a SIGTERM stops it with exit 0 in < 30 s, and restarts (clean and kill -9) never double count.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyIndicesAround } from '../../src/sinks/elasticsearch/setup.ts';
import { esClient, kafkaClient, REPO_ROOT, randomName, searchAllocated, stackEnv } from './helpers/stack.ts';

const TOPIC = randomName('run-basic');
const PREFIX = randomName('rb');
const GROUP = randomName('rb-group');
const DLQ = `${TOPIC}.dlq`;
const COMPACTED = randomName('run-basic-compacted');

const corpus = readFileSync(join(import.meta.dirname, '../fixtures/calico-templates.tsv'), 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => l.split('\t')[5] ?? '')
  .filter((l) => l !== '');

/** Raw Calico line, or wrapped in a Fluent Bit envelope, alternating. */
function line(i: number): string {
  const raw = corpus[i % corpus.length]!;
  if (i % 2 === 0) return raw;
  return JSON.stringify({
    log: `${raw}\n`,
    stream: 'stderr',
    time: '2025-01-14T09:30:00.000Z',
    kubernetes: {
      pod_name: `calico-node-${i % 7}`,
      namespace_name: 'calico-system',
      container_name: 'calico-node',
      host: `node-${i % 3}`,
    },
  });
}

const POISON = [
  { reason: 'binary', value: Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 0, 0, 255, 254, 253, 0, 7, 8, 9]) },
  { reason: 'binary', value: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256)) },
  {
    reason: 'oversize',
    value: Buffer.from(`2025-01-14 09:30:00.137 [INFO][1] felix/x.go 1: ${'y'.repeat(70 * 1024)}`),
  },
  { reason: 'oversize', value: Buffer.from('z'.repeat(100 * 1024)) },
  { reason: 'broken-envelope', value: Buffer.from('{"log": "2025-01-14 09:30:00.137 [INFO][1] felix') },
  { reason: 'broken-envelope', value: Buffer.from('{"kubernetes": {"pod_name": "x"}, "nolog": 1}') },
] as const;

let kafka: Kafka;
let admin: Admin;
let es: Client;
let produced = 0;
const procs: ChildProcess[] = [];

async function produce(from: number, count: number, withPoison: boolean): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const messages: Array<{ key: string; value: string | Buffer }> = [];
  for (let i = from; i < from + count; i++) messages.push({ key: `k${i % 11}`, value: line(i) });
  if (withPoison) {
    POISON.forEach((p, i) => {
      messages.splice(200 + i * 300, 0, { key: `poison${i}`, value: p.value });
    });
  }
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic: TOPIC, messages: messages.slice(i, i + 500) });
  }
  // Multi-line groups (Felix health table, Go panics) close by content or by a gap in Kafka
  // timestamps, never by a timer (docs/EXACTNESS.md F11): a partition whose last message opens a
  // group holds it uncounted until the next message. A plain line per partition, more than
  // parse.groupGapMs (1 s) later, closes every open group so the totals can settle.
  await new Promise((r) => setTimeout(r, 1_500));
  const trailer =
    '2025-01-14 09:31:00.000 [INFO][1] felix/int_dataplane.go 2080: Completed first update to dataplane.';
  await producer.send({
    topic: TOPIC,
    messages: [0, 1, 2].map((partition) => ({ partition, value: trailer })),
  });
  await producer.disconnect();
  produced += messages.length + 3;
  return messages.length + 3;
}

interface Running {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRun(topic = TOPIC): Running {
  const env = stackEnv();
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/logsift'), 'run'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: env.kafkaBrokers.join(','),
      ES_URL: env.esUrl,
      LOGSIFT_TOPICS: topic,
      LOGSIFT_GROUP_ID: GROUP,
      LOGSIFT_INDEX_PREFIX: PREFIX,
      LOGSIFT_HTTP_PORT: '0',
      LOGSIFT_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  procs.push(child);
  let err = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    err = (err + d).slice(-200_000);
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, stderr: () => err, exit };
}

async function sumCounts(): Promise<{ total: number; dlq: Record<string, number>; statsIn: number }> {
  await es.indices.refresh({ index: `${PREFIX}-*`, ignore_unavailable: true, allow_no_indices: true });
  const r = await searchAllocated(es, {
    index: `${PREFIX}-summaries-*`,
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    aggs: {
      total: { sum: { field: 'logsift.count' } },
      dlq: {
        terms: { field: 'logsift.fingerprint', include: 'dlq:.*', size: 20 },
        aggs: { n: { sum: { field: 'logsift.count' } } },
      },
    },
  });
  const aggs = r.aggregations as {
    total: { value: number };
    dlq: { buckets: Array<{ key: string; n: { value: number } }> };
  };
  const s = await searchAllocated(es, {
    index: `${PREFIX}-stats-*`,
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    aggs: { n: { sum: { field: 'logsift.records_in' } } },
  });
  return {
    total: aggs.total.value,
    dlq: Object.fromEntries(aggs.dlq.buckets.map((b) => [b.key, b.n.value])),
    statsIn: (s.aggregations as { n: { value: number } }).n.value,
  };
}

async function committedMatchesEnd(): Promise<boolean> {
  const ends = await admin.fetchTopicOffsets(TOPIC);
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, p.offset]));
  return ends.every((e) => byPartition.get(e.partition) === e.high);
}

async function waitFor<T>(
  what: string,
  ms: number,
  f: () => Promise<T | undefined>,
  run?: Running,
): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(
        `timed out waiting for ${what} (${String(last ?? '')})\n--- run stderr (tail) ---\n${run?.stderr().slice(-6000) ?? ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Σ count reaches `want` and stays there (no late double count) with offsets committed to the end. */
async function settle(want: number, run: Running): Promise<void> {
  await waitFor(
    `Σ logsift.count == ${want}`,
    180_000,
    async () => ((await sumCounts()).total >= want ? true : undefined),
    run,
  );
  await waitFor(
    'committed offsets == end offsets',
    60_000,
    async () => ((await committedMatchesEnd()) ? true : undefined),
    run,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const s = await sumCounts();
  expect(s.total).toBe(want);
  expect(s.statsIn).toBe(want);
}

async function stop(run: Running): Promise<void> {
  const t0 = Date.now();
  run.child.kill('SIGTERM');
  const { code, signal } = await run.exit;
  const ms = Date.now() - t0;
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(ms).toBeLessThan(30_000);
  expect(run.stderr()).toMatch(/"msg":"stopped"/);
}

describe('logsift run (real Kafka + Elasticsearch, separate process)', () => {
  beforeAll(async () => {
    const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`npm run build failed:\n${b.stdout}\n${b.stderr}`);
    kafka = kafkaClient('run-basic-it');
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
    es = esClient();
  });

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await admin?.deleteTopics({ topics: [TOPIC, DLQ, COMPACTED] }).catch(() => undefined);
    await admin?.deleteGroups([GROUP]).catch(() => undefined);
    await admin?.disconnect();
    await es?.indices
      .delete({ index: `${PREFIX}-*`, allow_no_indices: true, ignore_unavailable: true })
      .catch(() => undefined);
    for (const kind of ['summaries', 'stats']) {
      await es?.indices.deleteIndexTemplate({ name: `${PREFIX}-${kind}` }).catch(() => undefined);
    }
    await es?.close();
  });

  it('counts every line once, dead-letters poison with headers, commits to the end, stops on SIGTERM', async () => {
    await produce(0, 3000, true);
    const startedAt = Date.now();
    const run = startRun();
    await settle(produced, run);
    // Today's and tomorrow's daily indices were created at start-up (docs/EXACTNESS.md F10).
    for (const index of dailyIndicesAround(PREFIX, startedAt)) {
      expect(await es.indices.exists({ index }), index).toBe(true);
    }
    expect(run.stderr()).not.toMatch(/cleanup\.policy=|raise retention\.ms/);

    const s = await sumCounts();
    expect(s.dlq).toEqual({ 'dlq:binary': 2, 'dlq:oversize': 2, 'dlq:broken-envelope': 2 });

    // The dead-letter topic holds each poison payload once per key, with its headers.
    const consumer = kafka.consumer({ groupId: randomName('rb-dlq-reader') });
    await consumer.connect();
    await consumer.subscribe({ topic: DLQ, fromBeginning: true });
    const got = new Map<string, Record<string, string>>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
        );
        got.set(String(message.key), headers);
      },
    });
    await waitFor('6 dead letters in the DLQ topic', 30_000, async () => (got.size >= 6 ? true : undefined));
    await consumer.disconnect();
    expect(got.size).toBe(6);
    const reasons = [...got.values()].map((h) => h['logsift.reason']).sort();
    expect(reasons).toEqual([
      'binary',
      'binary',
      'broken-envelope',
      'broken-envelope',
      'oversize',
      'oversize',
    ]);
    for (const [key, h] of got) {
      expect(key).toBe(`${TOPIC}/${h['logsift.source.partition']}/${h['logsift.source.offset']}`);
      expect(h['logsift.source.topic']).toBe(TOPIC);
    }

    await stop(run);
  });

  it('a clean restart resumes from the commit without double counting', async () => {
    await produce(10_000, 2000, false);
    const run = startRun();
    await settle(produced, run);
    await stop(run);
  });

  it('kill -9 mid-stream, then restart: still exact', async () => {
    await produce(20_000, 20_000, false);
    const first = startRun();
    // Wait until part of the new records are counted, then kill without warning.
    const before = produced - 20_000;
    await waitFor(
      'some progress',
      120_000,
      async () => ((await sumCounts()).total > before + 1000 ? true : undefined),
      first,
    );
    first.child.kill('SIGKILL');
    await first.exit;
    const second = startRun();
    await settle(produced, second);
    await stop(second);
  });
  it('a new fingerprint is searchable within seconds of its line, without an explicit refresh', async () => {
    const run = startRun();
    await settle(produced, run);
    const token = `probe${randomName('x').replace(/[^a-z]/g, '')}`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t0 = Date.now();
    await producer.send({
      topic: TOPIC,
      messages: [
        { value: `2025-01-14 09:32:00.000 [WARNING][1] felix/probe.go 7: Never seen before ${token}` },
      ],
    });
    await producer.disconnect();
    produced += 1;
    // No indices.refresh here: the index's own refresh (template refresh_interval) must make it visible.
    const found = await waitFor(
      `a summary with ${token}`,
      60_000,
      async () => {
        const r = await searchAllocated(es, {
          index: `${PREFIX}-summaries-*`,
          size: 1,
          query: { match_phrase: { message: token } },
        });
        return (r.hits.hits.length > 0 ? Date.now() - t0 : undefined) as number | undefined;
      },
      run,
    );
    console.log(`new fingerprint searchable ${found} ms after it was produced`);
    expect(found).toBeLessThan(15_000);
    await settle(produced, run);
    await stop(run);
  });
  it('says at start-up, with what to change, that a compacted or short-retention input topic loses lines', async () => {
    await admin.createTopics({
      topics: [
        {
          topic: COMPACTED,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'retention.ms', value: '3600000' },
          ],
        },
      ],
      waitForLeaders: true,
    });
    const run = startRun(COMPACTED);
    await waitFor(
      'the topic config errors in the log',
      60_000,
      async () => (/raise retention\.ms/.test(run.stderr()) ? true : undefined),
      run,
    );
    expect(run.stderr()).toContain(`set cleanup.policy=delete on ${COMPACTED}`);
    expect(run.stderr()).toContain(`raise retention.ms to at least 86400000 on ${COMPACTED}`);
    await stop(run);
  });
  it('records removed by retention before they were read are counted as lost_by_retention, once', async () => {
    const before = await admin.fetchTopicOffsets(TOPIC);
    await produce(50_000, 1500, false);
    const after = await admin.fetchTopicOffsets(TOPIC);
    // Retention (simulated with DeleteRecords) removes the first half of every partition's new
    // records while logsift is stopped: they can never be counted, and must be reported as lost.
    // kafkajs answers the out-of-range committed offset by committing the reset offset over ours,
    // so the gap is measured from where the last acknowledged epoch ended (the stats documents).
    let lost = 0;
    const cut = after.map((a) => {
      const from = Number(before.find((b) => b.partition === a.partition)!.high);
      const n = Math.floor((Number(a.high) - from) / 2);
      lost += n;
      return { partition: a.partition, offset: String(from + n) };
    });
    await admin.deleteTopicRecords({ topic: TOPIC, partitions: cut });
    produced -= lost;
    const run = startRun();
    await settle(produced, run);
    await es.indices.refresh({ index: `${PREFIX}-stats-*` });
    const r = await searchAllocated(es, {
      index: `${PREFIX}-stats-*`,
      size: 0,
      aggs: { lost: { sum: { field: 'logsift.lost_by_retention' } } },
    });
    expect(run.stderr()).toMatch(/recorded as lost_by_retention/);
    expect((r.aggregations as { lost: { value: number } }).lost.value).toBe(lost);
    await stop(run);
  });

  it('a ruleset version switch happens at the committed offset; documents of another release above it halt the partition', async () => {
    // Summary keys contain the ruleset version, so the skip rule cannot see what another release
    // counted. Simulated here with a copy of a real partition-0 summary, relabelled as written by
    // ruleset 'test-previous' and with count 0 (Σ unchanged): only its offset_end matters.
    const committedOf = async (partition: number): Promise<number> => {
      const c = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      return Number(c[0]!.partitions.find((x) => x.partition === partition)!.offset);
    };
    const seed = async (id: string, offsetEnd: number): Promise<string> => {
      const r = await searchAllocated(es, {
        index: `${PREFIX}-summaries-*`,
        size: 1,
        query: {
          bool: { filter: [{ term: { 'kafka.partition': 0 } }, { term: { 'logsift.kind': 'summary' } }] },
        },
      });
      const hit = r.hits.hits[0]!;
      const doc = structuredClone(hit._source) as { logsift: Record<string, unknown> };
      Object.assign(doc.logsift, {
        ruleset_version: 'test-previous',
        count: 0,
        records: 0,
        offset_end: offsetEnd,
      });
      await es.index({ index: hit._index, id, document: doc, refresh: true });
      return hit._index;
    };

    // (a) Everything the other release wrote ends at the committed offset: a clean switch.
    const c0 = await committedOf(0);
    const cleanIndex = await seed('version-switch-clean', c0);
    await produce(60_000, 600, false);
    let run = startRun();
    await settle(produced, run);
    expect(run.stderr()).toMatch(/ruleset version switch at the committed offset/);
    expect(run.stderr()).not.toMatch(/partition halted/);
    await stop(run);

    // (b) The other release acknowledged documents 5 records past partition 0's committed offset
    // (its epoch crashed before the commit): partition 0 halts, the others go on.
    const c1 = await committedOf(0);
    const skewIndex = await seed('version-switch-skew', c1 + 5);
    const before = await admin.fetchTopicOffsets(TOPIC);
    await produce(61_000, 600, false);
    const after = await admin.fetchTopicOffsets(TOPIC);
    const high = (xs: typeof after, p: number) => Number(xs.find((x) => x.partition === p)!.high);
    const newInP0 = high(after, 0) - high(before, 0);
    expect(newInP0).toBeGreaterThan(5);
    run = startRun();
    await waitFor(
      'partitions 1 and 2 committed to their end',
      120_000,
      async () =>
        (await committedOf(1)) === high(after, 1) && (await committedOf(2)) === high(after, 2)
          ? true
          : undefined,
      run,
    );
    await waitFor(
      'the halt',
      30_000,
      async () => (/partition halted: offsets/.test(run.stderr()) ? true : undefined),
      run,
    );
    expect(run.stderr()).toMatch(/may already be counted under ruleset test-previous/);
    expect(await committedOf(0)).toBe(c1);
    expect((await sumCounts()).total).toBe(produced - newInP0);
    await stop(run);

    // Once nothing of the other release lies above the committed offset, the partition counts again.
    await es.delete({ index: cleanIndex, id: 'version-switch-clean', refresh: true });
    await es.delete({ index: skewIndex, id: 'version-switch-skew', refresh: true });
    run = startRun();
    await settle(produced, run);
    await stop(run);
  });
});
