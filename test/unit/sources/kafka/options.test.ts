import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/index.ts';
import type { DeadLetter } from '../../../../src/domain/record.ts';
import { dlqKey, dlqMessage, dlqTopic } from '../../../../src/sources/kafka/dlq.ts';
import {
  heartbeatFreshnessMs,
  kafkaClientOptions,
  kafkaConsumerOptions,
  kafkaRunOptions,
} from '../../../../src/sources/kafka/options.ts';

const env = { KAFKA_BROKERS: 'a:9092, b:9092', LOGSIFT_TOPICS: '/^calico-.*/', ES_URL: 'http://es:9200' };

describe('config -> kafkajs options', () => {
  const c = loadConfig({ env, require: ['kafka', 'elasticsearch'] });

  it('never auto-commits or auto-resolves (F3, F14)', () => {
    expect(kafkaRunOptions(c.kafka)).toEqual({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
    });
  });

  it('brokers, group, session and heartbeat come from config', () => {
    expect(kafkaClientOptions(c.kafka).brokers).toEqual(['a:9092', 'b:9092']);
    const o = kafkaConsumerOptions(c.kafka);
    expect(o.groupId).toBe('logsift');
    expect(o.sessionTimeout).toBe(30_000);
    expect(o.heartbeatInterval).toBe(3_000);
    expect(o.allowAutoTopicCreation).toBe(false);
    expect(o.readUncommitted).toBe(false);
    expect(o.rebalanceTimeout).toBeGreaterThanOrEqual(o.sessionTimeout);
    expect(c.kafka.topics).toBeInstanceOf(RegExp);
    expect(c.kafka.fromBeginning).toBe(true);
  });

  it('a bulk is refused when the last heartbeat is older than session - 2 x interval (F7)', () => {
    expect(heartbeatFreshnessMs(c.kafka)).toBe(24_000);
  });
});

describe('dead-letter messages (F6)', () => {
  const dl: DeadLetter = {
    position: { topic: 'calico', partition: 2, offset: 41, timestampMs: 1_700_000_000_000 },
    reason: 'binary',
    bytes: 4,
    value: new Uint8Array([0, 1, 2, 255]),
  };

  it('key topic/partition/offset, headers with the reason and source', () => {
    expect(dlqTopic('calico', '.dlq')).toBe('calico.dlq');
    expect(dlqKey(dl)).toBe('calico/2/41');
    const m = dlqMessage(dl);
    expect(m.key).toBe('calico/2/41');
    expect([...m.value]).toEqual([0, 1, 2, 255]);
    expect(m.headers).toMatchObject({
      'logsift.reason': 'binary',
      'logsift.source.topic': 'calico',
      'logsift.source.partition': '2',
      'logsift.source.offset': '41',
      'logsift.bytes': '4',
    });
    expect(m.headers['logsift.truncated']).toBeUndefined();
  });

  it('a payload over the cap is truncated and says so', () => {
    const big: DeadLetter = { ...dl, reason: 'oversize', value: 'x'.repeat(2000), bytes: 2000 };
    const m = dlqMessage(big, 1000);
    expect(m.value.length).toBe(1000);
    expect(m.headers['logsift.truncated']).toBe('true');
    expect(m.headers['logsift.bytes']).toBe('2000');
  });
});
