// Scale-out on real Kafka + Elasticsearch: `logsift run` child processes (bin/logsift, built dist/)
// in one consumer group on a 6-partition topic while a producer writes continuously. One member
// starts; two more join (3 members, 2 partitions each); one leaves on SIGTERM (exit 0); one is
// SIGKILLed mid-stream and a replacement joins. After the producer stops, the totals are exact:
// Σ logsift.count == messages produced, every partition holds data and is committed to its log end
// offset, and the members' own lag gauges are back to zero. Every wait is for a condition, bounded.
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calicoTs, ensureTopic, generateMixed, type ProduceMessage } from '../../bench/gen-mixed.ts';
import { log } from './exactness/lib/exact.ts';
import { Harness, SCALE } from './exactness/lib/harness.ts';
import type { Processor } from './exactness/lib/processor.ts';
import { randomName } from './helpers/stack.ts';
import { lastAssignment, scrape, sum, telemetryPort, until } from './helpers/telemetry.ts';

const PARTITIONS = 6;
/** Producer pace and its upper bound (the phases normally end well before it). */
const LINES_PER_SECOND = Math.round(1_500 * SCALE);
const MAX_LINES = Math.round(400_000 * SCALE);
const CHUNK = 250;
const PHASE_MS = 120_000;

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** Committed offset per partition (-1 = none). */
async function committed(admin: Admin, groupId: string, topic: string): Promise<number[]> {
  const r = await admin.fetchOffsets({ groupId, topics: [topic] });
  const out = Array.from({ length: PARTITIONS }, () => -1);
  for (const p of r[0]?.partitions ?? []) out[p.partition] = Number(p.offset);
  return out;
}

/**
 * A producer that keeps writing the mixed corpus at a steady pace until stopped (or MAX_LINES).
 * `produced` is what Kafka acknowledged.
 */
class ContinuousProducer {
  produced = 0;
  lastTimestamp = 0;
  #stop = false;
  readonly #done: Promise<void>;

  constructor(h: Harness, topic: string) {
    const source = generateMixed({ lines: MAX_LINES, seed: 23 })[Symbol.iterator]();
    this.#done = (async () => {
      const t0 = Date.now();
      for (;;) {
        if (this.#stop) return;
        const chunk: ProduceMessage[] = [];
        for (let i = 0; i < CHUNK; i++) {
          const n = source.next();
          if (n.done) break;
          chunk.push(n.value);
          this.lastTimestamp = Math.max(this.lastTimestamp, n.value.timestamp);
        }
        if (chunk.length === 0) {
          log(`scale-out: producer reached MAX_LINES (${MAX_LINES}) before it was stopped`);
          return;
        }
        this.produced += await h.produce(topic, chunk);
        // Pace: the producer's clock, not a wait for a condition.
        const ahead = t0 + (this.produced / LINES_PER_SECOND) * 1000 - Date.now();
        if (ahead > 0) await sleep(ahead);
      }
    })();
  }

  /** Stops after the chunk in flight. */
  async stop(): Promise<number> {
    this.#stop = true;
    await this.#done;
    return this.produced;
  }
}

describe('scale-out: members join, leave and crash while a 6-partition topic is produced', () => {
  let h: Harness;
  let topic: string;

  beforeAll(async () => {
    h = await Harness.create();
    topic = randomName('scale-out');
    await ensureTopic(h.brokers, topic, PARTITIONS);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('1 -> 3 -> 2 (SIGTERM) -> SIGKILL + replacement: exact totals, every partition committed to its end', async () => {
    const { groupId, prefix } = h.scope('scale');
    const member = (name: string): Processor => h.processor({ name, topic, groupId, indexPrefix: prefix });
    const port = (p: Processor): Promise<number> =>
      until(`${p.spec.name}'s telemetry port`, () => telemetryPort(p.logFile), 60_000);

    /** Waits until the live members' last logged assignments are disjoint, cover all partitions, none empty. */
    const balanced = async (label: string, live: Processor[]): Promise<number[][]> => {
      const assignments = await until(
        `${label}: ${live.map((p) => p.spec.name).join(', ')} own all ${PARTITIONS} partitions`,
        () => {
          h.assertAlive(...live);
          const a = live.map((p) => lastAssignment(p.logFile, topic));
          if (a.some((x) => x === undefined || x.length === 0)) return undefined;
          const all = (a as number[][]).flat().sort((x, y) => x - y);
          const expected = Array.from({ length: PARTITIONS }, (_, i) => i);
          return JSON.stringify(all) === JSON.stringify(expected) ? (a as number[][]) : undefined;
        },
        PHASE_MS,
      );
      log(
        `scale-out ${label}: ${live.map((p, i) => `${p.spec.name}=${assignments[i]!.join(',')}`).join(' ')}`,
      );
      return assignments;
    };

    /** Waits until every partition's committed offset moved past where it was (all owners consume). */
    const allPartitionsAdvance = async (label: string, live: Processor[]): Promise<void> => {
      const from = await committed(h.admin, groupId, topic);
      await until(
        `${label}: every partition commits past ${from.join('/')}`,
        async () => {
          h.assertAlive(...live);
          const now = await committed(h.admin, groupId, topic);
          return now.every((c, i) => c > from[i]!) ? true : undefined;
        },
        PHASE_MS,
      );
    };

    /** Waits until a member's own /metrics shows a commit (it did work since it joined). */
    const commitsSeen = (p: Processor, at: number): Promise<boolean> =>
      until(
        `${p.spec.name} commits`,
        async () => {
          h.assertAlive(p);
          return sum(await scrape(at), 'logsift_commits_total') > 0 ? true : undefined;
        },
        PHASE_MS,
      );

    const producer = new ContinuousProducer(h, topic);
    try {
      // 1 member owns all 6 partitions.
      const a = member('scale-a');
      a.start();
      const portA = await port(a);
      expect((await balanced('1 member', [a]))[0]).toHaveLength(PARTITIONS);
      await allPartitionsAdvance('1 member', [a]);

      // 3 members: 2 partitions each (the group's round-robin assignor), each one consuming.
      const b = member('scale-b');
      const c = member('scale-c');
      b.start();
      c.start();
      const [portB, portC] = await Promise.all([port(b), port(c)]);
      const three = await balanced('3 members', [a, b, c]);
      for (const x of three) expect(x).toHaveLength(2);
      await allPartitionsAdvance('3 members', [a, b, c]);
      await Promise.all([commitsSeen(b, portB), commitsSeen(c, portC)]);
      expect(sum(await scrape(portA), 'logsift_partitions_assigned')).toBe(2);

      // 2 members: B leaves on SIGTERM (commits what is acknowledged, leaves the group, exit 0).
      expect(await b.stop()).toBe(0);
      await balanced('2 members after SIGTERM', [a, c]);
      await allPartitionsAdvance('2 members after SIGTERM', [a, c]);

      // C is SIGKILLed mid-stream (no goodbye: evicted after the session timeout); D replaces it.
      await c.kill();
      log('scale-out: C SIGKILLed; D starts');
      const d = member('scale-d');
      d.start();
      const portD = await port(d);
      await balanced('C killed, D joined', [a, d]);
      await allPartitionsAdvance('C killed, D joined', [a, d]);
      await commitsSeen(d, portD);

      // The producer stops; a plain line per partition, a minute later (Kafka time), closes every
      // multi-line group left open at a partition's tail (groups close by content or gap, never by
      // a timer).
      const streamed = await producer.stop();
      const t = producer.lastTimestamp + 60_000;
      const trailer = Array.from({ length: PARTITIONS }, (_, partition) => ({
        key: null,
        partition,
        timestamp: t,
        value: `${calicoTs(t)} [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)`,
      }));
      const produced = streamed + (await h.produce(topic, trailer));
      log(`scale-out: produced ${produced} lines (${streamed} while scaling)`);

      // Kafka holds exactly what was produced, on every partition.
      const ends = await h.admin.fetchTopicOffsets(topic);
      const held = ends.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
      expect(held, 'idempotent producer: Kafka holds what was produced').toBe(produced);
      for (const o of ends) expect(Number(o.high), `partition ${o.partition} has data`).toBeGreaterThan(100);

      // Σ logsift.count == produced and group lag 0 (waits), DLQ and stats sums checked too.
      const final = await h.assertExact({ topic, groupId, prefix, units: produced, label: 'scale-out' }, [
        a,
        d,
      ]);
      expect(final.total).toBe(produced);

      // Every partition committed to its log end offset.
      const end = new Map(ends.map((o) => [o.partition, Number(o.high)]));
      const offsets = await committed(h.admin, groupId, topic);
      expect(offsets.length).toBe(PARTITIONS);
      offsets.forEach((c, partition) => {
        expect(c, `partition ${partition} committed == log end offset`).toBe(end.get(partition));
      });

      // The members' own lag gauges: every partition reported, all caught up.
      await until(
        'logsift_consumer_lag of A and D: all 6 partitions at 0',
        async () => {
          const samples = [...(await scrape(portA)).samples, ...(await scrape(portD)).samples].filter(
            (x) => x.name === 'logsift_consumer_lag' && x.labels.topic === topic,
          );
          const parts = new Set(samples.map((x) => x.labels.partition));
          return parts.size === PARTITIONS && samples.every((x) => x.value === 0) ? true : undefined;
        },
        60_000,
      );

      expect(await a.stop()).toBe(0);
      expect(await d.stop()).toBe(0);
    } finally {
      await producer.stop();
    }
  });
});
