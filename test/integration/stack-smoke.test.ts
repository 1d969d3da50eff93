// Smoke test of the test stack itself (scripts/stack/, docs/STACK.md): the real Kafka and
// Elasticsearch answer the calls the product relies on. Random names, cleaned up afterwards.
import { Partitioners } from 'kafkajs';
import { describe, expect, inject, it } from 'vitest';
import { esClient, esCtl, kafkaClient, randomName, stackControllable, stackEnv } from './helpers/stack.ts';

const MESSAGES = 100;
const PARTITIONS = 3;

describe('test stack', () => {
  it('hands KAFKA_BROKERS and ES_URL to test files (inject and process.env)', () => {
    const env = stackEnv();
    expect(env.kafkaBrokers.length).toBeGreaterThan(0);
    expect(env.esUrl).toMatch(/^https?:\/\//);
    expect(inject('KAFKA_BROKERS')).toBe(env.kafkaBrokers.join(','));
    expect(inject('ES_URL')).toBe(env.esUrl);
    expect(process.env.KAFKA_BROKERS).toBe(inject('KAFKA_BROKERS'));
    expect(process.env.ES_URL).toBe(inject('ES_URL'));
  });

  it('kafka: produce 100 messages to 3 partitions, consume them in a group, commit explicitly', async () => {
    const kafka = kafkaClient('logsift-stack-smoke');
    const admin = kafka.admin();
    const topic = randomName('smoke');
    const groupId = randomName('smoke-group');
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
          waitForLeaders: true,
        }),
      ).toBe(true);

      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: MESSAGES }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` })),
      });
      await producer.disconnect();

      const ends = await admin.fetchTopicOffsets(topic);
      expect(ends).toHaveLength(PARTITIONS);
      expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(MESSAGES);
      // Keyed messages spread over every partition (murmur2 of 100 distinct keys).
      for (const p of ends) expect(Number(p.high)).toBeGreaterThan(0);

      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 250, // disconnect waits for the in-flight fetch (default 5 s)
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic, fromBeginning: true });
        const values = new Set<string>();
        const next = new Map<number, bigint>(); // partition -> offset of the next message to read
        await new Promise<void>((resolveAll, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`consumed ${values.size}/${MESSAGES} in 60 s`)),
            60_000,
          );
          consumer
            .run({
              autoCommit: false,
              eachMessage: async ({ partition, message }) => {
                values.add(message.value?.toString() ?? '');
                next.set(partition, BigInt(message.offset) + 1n);
                if (values.size === MESSAGES) {
                  clearTimeout(timer);
                  resolveAll();
                }
              },
            })
            .catch(reject);
        });
        expect(values.size).toBe(MESSAGES);

        // Nothing committed yet: autoCommit is off.
        const before = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of before[0]?.partitions ?? []) expect(p.offset).toBe('-1');

        await consumer.commitOffsets(
          [...next].map(([partition, offset]) => ({ topic, partition, offset: offset.toString() })),
        );
        const after = await admin.fetchOffsets({ groupId, topics: [topic] });
        const committed = new Map((after[0]?.partitions ?? []).map((p) => [p.partition, p.offset]));
        for (const p of ends) expect(committed.get(p.partition)).toBe(p.high);
      } finally {
        await consumer.disconnect();
      }
      await admin.deleteGroups([groupId]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('elasticsearch: create, conditional index with if_seq_no/if_primary_term, stale write gets 409', async () => {
    const es = esClient();
    const index = randomName('smoke');
    try {
      // GET / is missing from the integ-test zip: cluster health is the liveness call.
      const health = await es.cluster.health();
      expect(['green', 'yellow']).toContain(health.status);

      await es.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0 } });
      const created = await es.create({ index, id: 'doc-1', document: { count: 1 } });
      expect(created.result).toBe('created');

      await expect(es.create({ index, id: 'doc-1', document: { count: 99 } })).rejects.toMatchObject({
        meta: { statusCode: 409 },
      });

      const updated = await es.index({
        index,
        id: 'doc-1',
        document: { count: 2 },
        if_seq_no: created._seq_no,
        if_primary_term: created._primary_term,
      });
      expect(updated.result).toBe('updated');

      // The same (now stale) seq_no again: version conflict.
      await expect(
        es.index({
          index,
          id: 'doc-1',
          document: { count: 3 },
          if_seq_no: created._seq_no,
          if_primary_term: created._primary_term,
        }),
      ).rejects.toMatchObject({ meta: { statusCode: 409 } });

      const got = await es.get<{ count: number }>({ index, id: 'doc-1' });
      expect(got._source).toEqual({ count: 2 });
      expect(got._seq_no).toBe(updated._seq_no);
    } finally {
      await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
      await es.close();
    }
  });

  // Servers given by KAFKA_BROKERS/ES_URL are not ours to stop.
  it.skipIf(!stackControllable())(
    'esCtl stops and restarts only Elasticsearch, keeping its data',
    async () => {
      const es = esClient({ maxRetries: 0, requestTimeout: 5_000 });
      const index = randomName('smoke-ctl');
      try {
        await es.index({ index, id: 'kept', document: { n: 1 }, refresh: true });
        await esCtl('stop');
        await expect(es.cluster.health()).rejects.toThrow();
        await esCtl('start');
        const got = await es.get<{ n: number }>({ index, id: 'kept' });
        expect(got._source).toEqual({ n: 1 });
      } finally {
        await es.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
        await es.close();
      }
    },
  );
});
