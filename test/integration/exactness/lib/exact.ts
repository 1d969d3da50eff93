/**
 * The exact-count invariant, measured on the real servers (docs/EXACTNESS.md, "How the invariant is tested"):
 *  - Σ logsift.count over ALL summary documents of the prefix (dead letters included, as
 *    `logsift.kind: dlq` summaries) == units in the input topic, exactly;
 *  - the dead-letter topic holds each dead-lettered payload once per source offset: distinct
 *    message keys == Σ of the dlq summaries;
 *  - the group's committed offsets reach the end of every partition (commit after ack);
 *  - Σ stats `records_in` == units (when stats documents exist).
 * Sums use ES aggregations after `_refresh`. Waits are bounded and print progress.
 */
import type { Client } from '@elastic/elasticsearch';
import type { Admin, Kafka } from 'kafkajs';
import { searchAllocated } from '../../helpers/stack.ts';

export interface Sums {
  total: number;
  summary: number;
  dlq: number;
  docs: number;
  dlqByReason: Record<string, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

export function log(msg: string): void {
  process.stderr.write(`[exactness ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Σ logsift.count over `<prefix>-summaries-*`, by kind and dlq reason. Throws when ES is down. */
export async function sumCounts(es: Client, prefix: string): Promise<Sums> {
  const index = `${prefix}-summaries-*`;
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const r = await searchAllocated(es, {
    index,
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    track_total_hits: true,
    aggs: {
      total: { sum: { field: 'logsift.count' } },
      kinds: {
        terms: { field: 'logsift.kind', size: 10 },
        aggs: {
          n: { sum: { field: 'logsift.count' } },
          fp: {
            terms: { field: 'logsift.fingerprint', size: 50, include: 'dlq:.*' },
            aggs: { n: { sum: { field: 'logsift.count' } } },
          },
        },
      },
    },
  });
  if (!r.aggregations) return { total: 0, summary: 0, dlq: 0, docs: 0, dlqByReason: {} };
  const aggs = r.aggregations as unknown as {
    total: { value: number };
    kinds: {
      buckets: {
        key: string;
        n: { value: number };
        fp: { buckets: { key: string; n: { value: number } }[] };
      }[];
    };
  };
  const kinds = new Map(aggs.kinds.buckets.map((b) => [b.key, b]));
  const dlqByReason: Record<string, number> = {};
  for (const b of kinds.get('dlq')?.fp.buckets ?? []) dlqByReason[b.key] = b.n.value;
  const total = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
  return {
    total: aggs.total.value,
    summary: kinds.get('summary')?.n.value ?? 0,
    dlq: kinds.get('dlq')?.n.value ?? 0,
    docs: total,
    dlqByReason,
  };
}

/** Σ stats records_in over `<prefix>-stats-*` (null when there are no stats documents). */
export async function sumStats(es: Client, prefix: string): Promise<number | null> {
  const index = `${prefix}-stats-*`;
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const r = await searchAllocated(es, {
    index,
    size: 0,
    ignore_unavailable: true,
    allow_no_indices: true,
    track_total_hits: true,
    aggs: { n: { sum: { field: 'logsift.records_in' } } },
  });
  const hits = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
  if (hits === 0 || !r.aggregations) return null;
  return (r.aggregations as unknown as { n: { value: number } }).n.value;
}

/** Units Kafka holds in a topic: Σ (high watermark − log start) over partitions. */
export async function topicUnits(
  admin: Admin,
  topic: string,
): Promise<{ total: number; byPartition: number[] }> {
  const offs = await admin.fetchTopicOffsets(topic);
  const byPartition: number[] = [];
  for (const o of offs) byPartition[o.partition] = Number(o.high) - Number(o.low);
  return { total: byPartition.reduce((a, b) => a + b, 0), byPartition };
}

/** Σ over partitions of (high watermark − committed offset) for a group (no commit = whole partition). */
export async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [high, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const c = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  let lag = 0;
  for (const h of high) {
    const co = c.get(h.partition) ?? -1;
    lag += Number(h.high) - (co < 0 ? Number(h.low) : co);
  }
  return lag;
}

/** Σ committed offsets of a group on a topic (progress indicator; -1 partitions count 0). */
export async function committedSum(admin: Admin, groupId: string, topic: string): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (committed[0]?.partitions ?? []).reduce((a, p) => a + Math.max(0, Number(p.offset)), 0);
}

export interface DlqRead {
  messages: number;
  distinctKeys: number;
  byReason: Record<string, number>;
  keysWithoutHeaders: number;
  /** Distinct keys per reason. */
  distinctByReason: Record<string, number>;
}

/** Reads the whole dead-letter topic (a fresh group, from the beginning, up to the high watermarks). */
export async function readDlq(
  kafka: Kafka,
  admin: Admin,
  dlqTopic: string,
  timeoutMs = 60_000,
): Promise<DlqRead> {
  const empty: DlqRead = {
    messages: 0,
    distinctKeys: 0,
    byReason: {},
    keysWithoutHeaders: 0,
    distinctByReason: {},
  };
  if (!(await admin.listTopics()).includes(dlqTopic)) return empty;
  const offs = await admin.fetchTopicOffsets(dlqTopic);
  const target = new Map(
    offs.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]),
  );
  if (target.size === 0) return empty;
  const keys = new Map<string, string>();
  const out = { ...empty, byReason: {} as Record<string, number> };
  const consumer = kafka.consumer({
    groupId: `dlq-reader-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
  const done = new Promise<void>((ok) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          out.messages++;
          const reason = m.headers?.['logsift.reason']?.toString() ?? '';
          if (reason === '') out.keysWithoutHeaders++;
          out.byReason[reason] = (out.byReason[reason] ?? 0) + 1;
          keys.set(m.key?.toString() ?? `(null@${batch.partition}/${m.offset})`, reason);
          if (Number(m.offset) + 1 >= (target.get(batch.partition) ?? 0)) target.delete(batch.partition);
        }
        if (target.size === 0) ok();
      },
    });
  });
  const timer = sleep(timeoutMs).then(() => {
    throw new Error(`reading ${dlqTopic}: timed out with partitions ${[...target.keys()]} unread`);
  });
  try {
    await Promise.race([done, timer]);
  } finally {
    await consumer.disconnect();
  }
  out.distinctKeys = keys.size;
  for (const r of keys.values()) out.distinctByReason[r] = (out.distinctByReason[r] ?? 0) + 1;
  return out;
}

export interface ConvergeOptions {
  es: Client;
  admin: Admin;
  prefix: string;
  topic: string;
  groupId: string;
  expected: number;
  timeoutMs: number;
  label: string;
  /** Called on every poll (e.g. to check that processors are alive). */
  onTick?: (s: Sums | null) => void | Promise<void>;
}

/**
 * Waits until Σ count == expected AND the group's lag is 0, then checks once more that the sum is
 * still exact (no late double count). Fails at once if the sum ever exceeds `expected` (counts never
 * go down, so that is a permanent double count).
 */
export async function waitExact(o: ConvergeOptions): Promise<Sums> {
  const t0 = Date.now();
  let last: Sums | null = null;
  let lastPrint = 0;
  let lag = -1;
  for (;;) {
    let s: Sums | null = null;
    try {
      s = await sumCounts(o.es, o.prefix);
      lag = await groupLag(o.admin, o.groupId, o.topic);
    } catch (e) {
      if (Date.now() - lastPrint > 5_000)
        log(`${o.label}: poll failed (${(e as Error).message.slice(0, 80)})`);
    }
    await o.onTick?.(s);
    if (s) {
      last = s;
      if (s.total > o.expected) {
        throw new Error(`${o.label}: OVER-COUNT Σ=${s.total} > ${o.expected} (${JSON.stringify(s)})`);
      }
      if (s.total === o.expected && lag === 0) break;
    }
    if (Date.now() - lastPrint > 5_000) {
      lastPrint = Date.now();
      log(
        `${o.label}: Σ=${last?.total ?? '?'} / ${o.expected} (docs ${last?.docs ?? '?'}, dlq ${last?.dlq ?? '?'}), lag ${lag}, ${((Date.now() - t0) / 1000).toFixed(0)}s`,
      );
    }
    if (Date.now() - t0 > o.timeoutMs) {
      throw new Error(
        `${o.label}: no convergence in ${o.timeoutMs / 1000}s: Σ=${last?.total} expected ${o.expected}, lag ${lag} (${JSON.stringify(last)})`,
      );
    }
    await sleep(1_000);
  }
  // Settle: a straggling writer (zombie, replay) must not add anything afterwards.
  await sleep(3_000);
  const final = await sumCounts(o.es, o.prefix);
  log(
    `${o.label}: exact after ${((Date.now() - t0) / 1000).toFixed(1)}s: Σ=${final.total}, ${final.docs} docs`,
  );
  return final;
}
