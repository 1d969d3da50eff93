/**
 * Per-test-file harness: clients, topics, processors, the final invariant check, cleanup.
 * Names are random per test (topic, group, index prefix) so tests never see each other's data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { ensureTopic, type ProduceMessage, produceMessages } from '../../../../bench/gen-mixed.ts';
import {
  esClient,
  kafkaClient,
  REPO_ROOT,
  randomName,
  STACK_SCRIPTS,
  stackEnv,
} from '../../helpers/stack.ts';
import { log, readDlq, type Sums, sumStats, topicUnits, waitExact } from './exact.ts';
import { Processor, type ProcessorSpec } from './processor.ts';

/** LOGSIFT_IT_SCALE multiplies the input sizes (default 1 = the stated minimums). */
export const SCALE = Math.max(0.05, Number(process.env.LOGSIFT_IT_SCALE ?? '1') || 1);

export const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
export const jitter = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo));

/** dist/ must be built from the current src/cli/run.ts (npm test builds first). */
export function assertBuilt(): void {
  const dist = resolve(REPO_ROOT, 'dist/cli/run.js');
  if (!existsSync(dist)) throw new Error('dist/cli/run.js missing: run `npm run build` first');
  const src = resolve(REPO_ROOT, 'src/cli/run.ts');
  if (statSync(src).mtimeMs > statSync(dist).mtimeMs + 1_000) {
    log('WARNING: src/cli/run.ts is newer than dist/cli/run.js — run `npm run build`');
  }
}

export class Harness {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly es: Client;
  readonly brokers: readonly string[];
  readonly esUrl: string;
  readonly logDir: string;
  readonly processors: Processor[] = [];
  readonly #topics: string[] = [];
  readonly #prefixes: string[] = [];

  private constructor() {
    const env = stackEnv();
    this.brokers = env.kafkaBrokers;
    this.esUrl = env.esUrl;
    this.kafka = kafkaClient('logsift-exactness');
    this.admin = this.kafka.admin();
    this.es = esClient({ requestTimeout: 20_000, maxRetries: 0 });
    this.logDir = mkdtempSync(join(tmpdir(), 'logsift-exactness-'));
  }

  static async create(): Promise<Harness> {
    assertBuilt();
    const h = new Harness();
    await h.admin.connect();
    log(`processor logs in ${h.logDir}`);
    return h;
  }

  /** A fresh topic with `partitions` partitions, filled with `messages`; returns the units Kafka holds. */
  async topicWith(
    name: string,
    partitions: number,
    messages: Iterable<ProduceMessage>,
  ): Promise<{ topic: string; units: number }> {
    const topic = randomName(name);
    this.#topics.push(topic, `${topic}.dlq`);
    await ensureTopic(this.brokers, topic, partitions);
    const t0 = Date.now();
    const sent = await produceMessages(this.brokers, topic, messages);
    const { total, byPartition } = await topicUnits(this.admin, topic);
    log(
      `${topic}: produced ${sent} (Kafka holds ${total}: ${byPartition.join('/')}) in ${((Date.now() - t0) / 1000).toFixed(1)}s`,
    );
    expect(total, 'idempotent producer: Kafka holds exactly what was sent').toBe(sent);
    return { topic, units: total };
  }

  async produce(topic: string, messages: Iterable<ProduceMessage>): Promise<number> {
    return produceMessages(this.brokers, topic, messages);
  }

  /** A new test scope: its own consumer group and index prefix. */
  scope(label: string): { groupId: string; prefix: string } {
    const prefix = randomName(`lx-${label}`);
    this.#prefixes.push(prefix);
    return { groupId: `${prefix}-g`, prefix };
  }

  processor(spec: Omit<ProcessorSpec, 'brokers' | 'esUrl' | 'logDir'> & { esUrl?: string }): Processor {
    const p = new Processor({ brokers: this.brokers, esUrl: this.esUrl, logDir: this.logDir, ...spec });
    this.processors.push(p);
    return p;
  }

  /** Fails the test when a processor exited on its own (a crash), printing its log. */
  assertAlive(...ps: Processor[]): void {
    for (const p of ps) {
      if (!p.running) throw new Error(`${p.spec.name} exited unexpectedly:\n${p.tail(60)}`);
    }
  }

  /**
   * The invariant: Σ count == units (waits, bounded), lag 0, Σ dlq summaries == distinct DLQ keys,
   * stats records_in == units when stats exist. Returns the final sums.
   */
  async assertExact(
    o: { topic: string; groupId: string; prefix: string; units: number; label: string; timeoutMs?: number },
    alive: Processor[] = [],
  ): Promise<Sums> {
    let final: Sums;
    try {
      final = await waitExact({
        es: this.es,
        admin: this.admin,
        prefix: o.prefix,
        topic: o.topic,
        groupId: o.groupId,
        expected: o.units,
        timeoutMs: o.timeoutMs ?? 8 * 60_000,
        label: o.label,
        onTick: () => this.assertAlive(...alive),
      });
    } catch (e) {
      for (const p of this.processors) log(`--- ${p.spec.name} (tail) ---\n${p.tail(30)}`);
      throw e;
    }
    expect(final.total).toBe(o.units);
    const dlq = await readDlq(this.kafka, this.admin, `${o.topic}.dlq`);
    log(
      `${o.label}: dlq summaries ${final.dlq} ${JSON.stringify(final.dlqByReason)}; dlq topic ${dlq.messages} messages, ${dlq.distinctKeys} distinct keys ${JSON.stringify(dlq.distinctByReason)}`,
    );
    expect(dlq.distinctKeys, 'distinct DLQ keys == Σ dlq summaries').toBe(final.dlq);
    expect(dlq.keysWithoutHeaders, 'every dead letter carries logsift.reason').toBe(0);
    for (const [fp, n] of Object.entries(final.dlqByReason)) {
      expect(dlq.distinctByReason[fp.replace(/^dlq:/, '')] ?? 0, `DLQ keys for ${fp}`).toBe(n);
    }
    const stats = await sumStats(this.es, o.prefix);
    if (stats === null) log(`${o.label}: no stats documents under ${o.prefix}-stats-* (not checked)`);
    else expect(stats, 'Σ stats records_in == units').toBe(o.units);
    return final;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.kill()));
  }

  async close(): Promise<void> {
    await this.stopAll();
    if (process.env.LOGSIFT_IT_KEEP !== '1') {
      for (const p of this.#prefixes) {
        await this.es.indices
          .delete({ index: `${p}-*`, ignore_unavailable: true, allow_no_indices: true })
          .catch(() => undefined);
      }
      const existing = await this.admin.listTopics().catch(() => [] as string[]);
      const del = this.#topics.filter((t) => existing.includes(t));
      if (del.length > 0) await this.admin.deleteTopics({ topics: del }).catch(() => undefined);
    }
    await this.admin.disconnect();
    await this.es.close();
  }
}

/** Stops or starts only Elasticsearch (scripts/stack/es-ctl.sh), without blocking the event loop. */
export function esCtlAsync(action: 'stop' | 'start'): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn('bash', [resolve(STACK_SCRIPTS, 'es-ctl.sh'), action], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`es-ctl.sh ${action} exited ${code}`))));
    child.once('error', fail);
  });
}
