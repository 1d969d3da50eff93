/**
 * Config -> kafkajs options. Pure but for reading the TLS PEM files (./security.ts). The exactness-relevant choices live here, with their reasons
 * (docs/EXACTNESS.md F2, F3, F7, F9, F13, F14):
 *  - autoCommit: false and eachBatchAutoResolve: false — the pipeline resolves and commits an
 *    offset only after Elasticsearch acknowledged every document below it (F3, F14);
 *  - fromBeginning: true — a group without a commit starts at the earliest offset, and kafkajs
 *    resets an out-of-range offset to the earliest instead of the latest (F9);
 *  - allowAutoTopicCreation: false on the consumer — a typo in a topic name is not a new topic;
 *  - readUncommitted: false (the default), stated.
 */
import type { Config } from '../../config/index.ts';
import { type KafkaSasl, type KafkaTls, kafkaSaslOptions, kafkaTlsOptions } from './security.ts';

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly brokers: string[];
  /** tls.connect options, or false for plaintext (./security.ts reads the PEM files). */
  readonly ssl: KafkaTls;
  readonly sasl?: KafkaSasl;
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly retry: { readonly initialRetryTime: number; readonly retries: number };
}

export interface KafkaConsumerOptions {
  readonly groupId: string;
  readonly sessionTimeout: number;
  readonly rebalanceTimeout: number;
  readonly heartbeatInterval: number;
  readonly maxBytesPerPartition: number;
  readonly allowAutoTopicCreation: false;
  readonly readUncommitted: false;
}

export interface KafkaRunOptions {
  readonly autoCommit: false;
  readonly eachBatchAutoResolve: false;
  readonly partitionsConsumedConcurrently: number;
}

export function kafkaClientOptions(k: Config['kafka']): KafkaClientOptions {
  const sasl = kafkaSaslOptions(k);
  return {
    clientId: k.clientId,
    brokers: [...k.brokers],
    ssl: kafkaTlsOptions(k.tls),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, retries: 8 },
  };
}

export function kafkaConsumerOptions(k: Config['kafka']): KafkaConsumerOptions {
  return {
    groupId: k.groupId,
    sessionTimeout: k.sessionTimeoutMs,
    // A handler blocked on Elasticsearch holds a rebalance at most this long (F13c).
    rebalanceTimeout: Math.max(60_000, k.sessionTimeoutMs),
    heartbeatInterval: k.heartbeatIntervalMs,
    maxBytesPerPartition: k.maxBytesPerPartition,
    allowAutoTopicCreation: false,
    readUncommitted: false,
  };
}

export function kafkaRunOptions(k: Config['kafka']): KafkaRunOptions {
  return {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: k.partitionsConsumedConcurrently,
  };
}

/**
 * The last good heartbeat must be younger than this for a bulk to be sent (F7): past it the
 * coordinator may already have given the partition to another member.
 */
export function heartbeatFreshnessMs(k: Config['kafka']): number {
  return k.sessionTimeoutMs - 2 * k.heartbeatIntervalMs;
}
