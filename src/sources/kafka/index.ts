/**
 * The Kafka source of `logsift run`: the only importer of kafkajs (the client stays behind
 * one folder, so another client is a one-folder change). It hands the pipeline plain batches and
 * a small control surface; kafkajs types never leave this folder.
 */
import {
  type Admin,
  type ConfigResourceTypes,
  type Consumer,
  type EachBatchPayload,
  Kafka,
  type KafkaConfig,
  type KafkaMessage,
  Partitioners,
  type Producer,
} from 'kafkajs';
import type { Config } from '../../config/index.ts';
import type { DeadLetter, SourceUnit } from '../../domain/record.ts';
import { LogsiftError } from '../../errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { dlqMessage, dlqTopic } from './dlq.ts';
import { kafkaLogCreator, kafkaLogLevel } from './logging.ts';
import { kafkaClientOptions, kafkaConsumerOptions, kafkaRunOptions } from './options.ts';
import { TOPIC_CONFIG_NAMES, type TopicConfig } from './topic-check.ts';

export { dlqKey, dlqMessage, dlqTopic } from './dlq.ts';

/** ConfigResourceTypes.TOPIC: kafkajs is CommonJS and Node's ESM loader does not see that named export. */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

export { heartbeatFreshnessMs } from './options.ts';
export { topicConfigProblems } from './topic-check.ts';

export interface SourceBatch {
  readonly topic: string;
  readonly partition: number;
  /** The batch's records as units of this partition (value: the message's bytes, not copied). */
  readonly units: readonly SourceUnit[];
  /** Offset of the batch's last record, control records included (kafkajs batch.lastOffset()). */
  readonly lastOffset: number;
  readonly highWatermark: number;
  /** The offset the batch was fetched from (kafkajs Batch.fetchedOffset; absent if kafkajs lacks it). */
  readonly fetchedOffset?: number;
}

/** What the handler may do with its batch (a thin view of the kafkajs eachBatch payload). */
export interface BatchControl {
  /** Next fetch of this partition, while this consumer owns it, starts after `offset` (kafkajs adds 1). */
  resolve(offset: number): void;
  /**
   * Commit exactly `offset` (= the next offset to read) for this partition. Goes straight to the
   * group coordinator and works while stopping (docs/EXACTNESS.md F14c).
   */
  commit(offset: number): Promise<void>;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  /** Stop fetching this partition until the next group join (halt on a permanent error). */
  pause(): void;
}

export interface JoinInfo {
  readonly memberId: string;
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

export interface SourceEvents {
  onJoin(info: JoinInfo): void;
  onHeartbeat(): void;
  onCrash(error: Error, restart: boolean): void;
  onStop(): void;
}

export type BatchHandler = (batch: SourceBatch, control: BatchControl) => Promise<void>;

const EMPTY = new Uint8Array(0);

/** One record as a unit: the Buffer itself is the value (a Uint8Array; no view, no copy). */
function toUnit(topic: string, partition: number, m: KafkaMessage): SourceUnit {
  return {
    position: { topic, partition, offset: Number(m.offset), timestampMs: Number(m.timestamp) },
    value: m.value ?? EMPTY,
    key: m.key === null ? null : m.key.toString('utf8'),
  };
}

export class KafkaSource {
  readonly #config: Config['kafka'];
  readonly #log: Logger;
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  readonly #producer: Producer;
  readonly #admin: Admin;
  #producerConnected = false;
  readonly #dlqTopicsEnsured = new Set<string>();

  constructor(config: Config['kafka'], log: Logger) {
    this.#config = config;
    this.#log = log;
    const c = kafkaClientOptions(config);
    this.#kafka = new Kafka({
      ...c,
      sasl: c.sasl as KafkaConfig['sasl'],
      logLevel: kafkaLogLevel(log),
      logCreator: kafkaLogCreator(log),
    });
    this.#consumer = this.#kafka.consumer({ ...kafkaConsumerOptions(config) });
    // Idempotent producer (F6b): a retried produce after a lost ack is not duplicated by the broker.
    // Retries are bounded here: the pipeline's own loop retries with Kafka heartbeats in between.
    this.#producer = this.#kafka.producer({
      idempotent: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
      retry: { retries: 3, initialRetryTime: 200 },
    });
    this.#admin = this.#kafka.admin();
  }

  async connect(): Promise<void> {
    try {
      await this.#admin.connect();
      await this.#consumer.connect();
    } catch (err) {
      throw new LogsiftError(
        'KAFKA_CONNECT',
        `cannot connect to Kafka ${this.#config.brokers.join(',')}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  /** Subscribe and run. Returns once the consumer is running (batches arrive on `handler`). */
  async run(handler: BatchHandler, events: SourceEvents): Promise<void> {
    const ev = this.#consumer.events;
    this.#consumer.on(ev.GROUP_JOIN, (e) => {
      const p = e.payload as { memberId: string; memberAssignment: Record<string, number[]> };
      events.onJoin({ memberId: p.memberId, assignment: p.memberAssignment });
    });
    this.#consumer.on(ev.HEARTBEAT, () => events.onHeartbeat());
    this.#consumer.on(ev.CRASH, (e) => {
      const p = e.payload as { error: Error; restart: boolean };
      events.onCrash(p.error, p.restart);
    });
    this.#consumer.on(ev.STOP, () => events.onStop());

    const topics = this.#config.topics;
    await this.#consumer.subscribe({
      topics: topics instanceof RegExp ? [topics] : [...topics],
      fromBeginning: this.#config.fromBeginning,
    });
    await this.#consumer.run({
      ...kafkaRunOptions(this.#config),
      eachBatch: async (payload: EachBatchPayload) => {
        const b = payload.batch;
        const batch: SourceBatch = {
          topic: b.topic,
          partition: b.partition,
          units: b.messages.map((m) => toUnit(b.topic, b.partition, m)),
          lastOffset: Number(b.lastOffset()),
          highWatermark: Number(b.highWatermark),
          ...fetchedOffset(b),
        };
        const control: BatchControl = {
          resolve: (offset) => payload.resolveOffset(String(offset)),
          commit: async (offset) => {
            await payload.commitOffsetsIfNecessary({
              topics: [{ topic: b.topic, partitions: [{ partition: b.partition, offset: String(offset) }] }],
            });
          },
          heartbeat: () => payload.heartbeat(),
          isRunning: () => payload.isRunning(),
          pause: () => {
            payload.pause();
          },
        };
        await handler(batch, control);
      },
    });
  }

  /** Resume every given partition (on each group join: pause state survives rebalances, F13a). */
  resume(assignment: Readonly<Record<string, readonly number[]>>): void {
    const list = Object.entries(assignment).map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions],
    }));
    if (list.length > 0) this.#consumer.resume(list);
  }

  /** The group's committed offset per partition of `topic` (-1 = none). */
  async committedOffsets(topic: string): Promise<Map<number, number>> {
    const res = await this.#admin.fetchOffsets({ groupId: this.#config.groupId, topics: [topic] });
    const out = new Map<number, number>();
    for (const t of res) for (const p of t.partitions) out.set(p.partition, Number(p.offset));
    return out;
  }

  /**
   * cleanup.policy and retention.ms of every input topic that exists now (a /regex/ is matched
   * against the current topic list). Topics the broker does not describe are left out.
   */
  async inputTopicConfigs(): Promise<TopicConfig[]> {
    const want = this.#config.topics;
    const existing = await this.#admin.listTopics();
    const names =
      want instanceof RegExp
        ? existing.filter((t) => want.test(t))
        : want.filter((t) => existing.includes(t));
    if (names.length === 0) return [];
    const res = await this.#admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({
        type: TOPIC_RESOURCE,
        name,
        configNames: [...TOPIC_CONFIG_NAMES],
      })),
    });
    return res.resources
      .filter((r) => r.errorCode === 0)
      .map((r) => ({
        topic: r.resourceName,
        entries: new Map(
          r.configEntries
            .filter((e) => e.configValue !== null && e.configValue !== undefined)
            .map((e) => [e.configName, String(e.configValue)]),
        ),
      }));
  }

  /** Log start (low) offset per partition of `topic`. */
  async logStartOffsets(topic: string): Promise<Map<number, number>> {
    const res = await this.#admin.fetchTopicOffsets(topic);
    return new Map(res.map((p) => [p.partition, Number(p.low)]));
  }

  /**
   * Produce dead letters, awaited (before the commit that covers them). Key topic/partition/offset;
   * the DLQ topic is created on first use if missing. Throws on failure (the caller retries).
   */
  async produceDeadLetters(dls: readonly DeadLetter[]): Promise<void> {
    if (dls.length === 0) return;
    if (!this.#producerConnected) {
      await this.#producer.connect();
      this.#producerConnected = true;
    }
    const byTopic = new Map<string, DeadLetter[]>();
    for (const dl of dls) {
      const t = dlqTopic(dl.position.topic, this.#config.dlqSuffix);
      let l = byTopic.get(t);
      if (!l) {
        l = [];
        byTopic.set(t, l);
      }
      l.push(dl);
    }
    for (const t of byTopic.keys()) await this.#ensureTopic(t);
    await this.#producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((dl) => {
          const m = dlqMessage(dl);
          return { key: m.key, value: m.value, headers: m.headers };
        }),
      })),
    });
  }

  async #ensureTopic(topic: string): Promise<void> {
    if (this.#dlqTopicsEnsured.has(topic)) return;
    try {
      if ((await this.#admin.listTopics()).includes(topic)) {
        this.#dlqTopicsEnsured.add(topic);
        return;
      }
      await this.#admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    } catch (err) {
      // TOPIC_ALREADY_EXISTS is fine; anything else shows up on the produce.
      if (!/already exists/i.test(String((err as Error).message))) {
        this.#log.warn({ topic, err: (err as Error).message }, 'creating the DLQ topic failed');
      }
    }
    this.#dlqTopicsEnsured.add(topic);
  }

  /** Stop consuming (waits for the in-flight batches) and close every connection. */
  async disconnect(): Promise<void> {
    const results = await Promise.allSettled([
      this.#consumer.disconnect(),
      this.#producerConnected ? this.#producer.disconnect() : Promise.resolve(),
    ]);
    await this.#admin.disconnect().catch(() => undefined);
    for (const r of results)
      if (r.status === 'rejected') this.#log.warn({ err: String(r.reason) }, 'kafka disconnect');
  }
}

/** kafkajs's Batch carries the offset its fetch asked for, untyped in its .d.ts. */
function fetchedOffset(b: object): { fetchedOffset?: number } {
  const v = (b as { fetchedOffset?: unknown }).fetchedOffset;
  const n = typeof v === 'string' || typeof v === 'number' ? Number(v) : Number.NaN;
  return Number.isSafeInteger(n) ? { fetchedOffset: n } : {};
}
