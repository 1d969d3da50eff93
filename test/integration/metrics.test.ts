// /metrics of a real `logsift run` child process (bin/logsift, built dist/) on the test stack's
// Kafka and Elasticsearch: after it counted a mixed corpus exactly, every metric family is there,
// the pipeline counters agree with what was produced, the stage counters collected at scrape time
// (assembler, document cache, memo caches) show the work done, and the default process metrics
// are sane. /healthz and /readyz answer 200.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMixed, withTrailer } from '../../bench/gen-mixed.ts';
import { Harness } from './exactness/lib/harness.ts';
import type { Processor } from './exactness/lib/processor.ts';
import { type Scrape, scrape, sum, telemetryPort, until } from './helpers/telemetry.ts';

const LINES = 6_000;
const PARTITIONS = 3;

describe('/metrics of logsift run (prom-client)', () => {
  let h: Harness;
  let p: Processor;
  let topic: string;
  let units: number;
  let port: number;
  let s: Scrape;

  beforeAll(async () => {
    h = await Harness.create();
    ({ topic, units } = await h.topicWith(
      'metrics',
      PARTITIONS,
      withTrailer(generateMixed({ lines: LINES, seed: 11 }), PARTITIONS),
    ));
    const { groupId, prefix } = h.scope('metrics');
    p = h.processor({ name: 'metrics', topic, groupId, indexPrefix: prefix });
    p.start();
    port = await until('the telemetry port in the log', () => telemetryPort(p.logFile), 60_000);
    await h.assertExact({ topic, groupId, prefix, units, label: 'metrics' }, [p]);
    // A second round of the same sources: its epochs find their documents in the partition caches.
    units += await h.produce(topic, withTrailer(generateMixed({ lines: LINES / 2, seed: 11 }), PARTITIONS));
    await h.assertExact({ topic, groupId, prefix, units, label: 'metrics, second round' }, [p]);
    // The counters are updated after the commit the invariant check waited for; the last epoch's
    // metrics are in once records_in and units_counted both reached the units.
    s = await until(
      'the metrics of the last epoch',
      async () => {
        const x = await scrape(port);
        return sum(x, 'logsift_units_counted_total') >= units && sum(x, 'logsift_records_in_total') >= units
          ? x
          : undefined;
      },
      30_000,
    );
  });

  afterAll(async () => {
    await h?.close();
  });

  it('serves the Prometheus text format with every logsift family', () => {
    expect(s.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const expected: Record<string, string> = {
      logsift_records_in_total: 'counter',
      logsift_units_counted_total: 'counter',
      logsift_units_skipped_total: 'counter',
      logsift_summaries_indexed_total: 'counter',
      logsift_dead_lettered_total: 'counter',
      logsift_epoch_flush_seconds: 'histogram',
      logsift_epochs_total: 'counter',
      logsift_es_retries_total: 'counter',
      logsift_conflicts_total: 'counter',
      logsift_cache_evictions_total: 'counter',
      logsift_consumer_lag: 'gauge',
      logsift_reduction_ratio: 'gauge',
      logsift_offset_gaps_total: 'counter',
      logsift_commits_total: 'counter',
      logsift_partitions_halted: 'gauge',
      logsift_partitions_assigned: 'gauge',
      logsift_topic_config_problems: 'gauge',
      logsift_rebalances_total: 'counter',
      logsift_metric_label_overflow_total: 'counter',
      logsift_assembler_groups_closed_total: 'counter',
      logsift_assembler_partials_unterminated_total: 'counter',
      logsift_assembler_span_history_capped_total: 'counter',
      logsift_assembler_offset_regressions_total: 'counter',
      logsift_assembler_open_groups: 'gauge',
      logsift_document_cache_hits_total: 'counter',
      logsift_document_cache_misses_total: 'counter',
      logsift_document_cache_docs: 'gauge',
      logsift_memo_cache_hits_total: 'counter',
      logsift_memo_cache_misses_total: 'counter',
      logsift_memo_cache_evictions_total: 'counter',
      logsift_memo_cache_entries: 'gauge',
      logsift_memo_cache_capacity: 'gauge',
      logsift_document_id_memo_clears_total: 'counter',
    };
    for (const [name, type] of Object.entries(expected)) expect(s.types.get(name), name).toBe(type);
  });

  it('pipeline counters agree with what Kafka holds', () => {
    expect(sum(s, 'logsift_records_in_total')).toBe(units);
    // One process from an empty group: every unit counted once, none skipped.
    expect(sum(s, 'logsift_units_counted_total')).toBe(units);
    expect(sum(s, 'logsift_units_skipped_total')).toBe(0);
    expect(sum(s, 'logsift_commits_total')).toBeGreaterThanOrEqual(PARTITIONS);
    // An epoch commits only when its safe offset moved (a multi-line group can hold it back).
    expect(sum(s, 'logsift_epochs_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(
      sum(s, 'logsift_commits_total'),
    );
    expect(sum(s, 'logsift_epoch_flush_seconds_count')).toBe(
      sum(s, 'logsift_epochs_total', { outcome: 'committed' }),
    );
    expect(sum(s, 'logsift_summaries_indexed_total')).toBeGreaterThan(0);
    expect(sum(s, 'logsift_partitions_assigned')).toBe(PARTITIONS);
    expect(sum(s, 'logsift_partitions_halted')).toBe(0);
    expect(sum(s, 'logsift_offset_gaps_total')).toBe(0);
    expect(sum(s, 'logsift_metric_label_overflow_total')).toBe(0);
    const ratio = sum(s, 'logsift_reduction_ratio');
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    // Lag is per partition, all caught up.
    const lag = s.samples.filter((x) => x.name === 'logsift_consumer_lag');
    expect(lag.map((x) => x.labels.partition).sort()).toEqual(['0', '1', '2']);
    for (const x of lag) expect(x.labels.topic).toBe(topic);
    expect(lag.reduce((n, x) => n + x.value, 0)).toBe(0);
  });

  it('stage counters collected at scrape time show the work done', () => {
    // The mixed corpus has Go panics, the Felix health table and CRI partials: groups closed.
    const closed = s.samples.filter((x) => x.name === 'logsift_assembler_groups_closed_total');
    expect(closed.map((x) => x.labels.reason).sort()).toEqual([
      'gap',
      'held_back_cap',
      'lines_or_bytes_cap',
      'open_keys_cap',
      'open_units_cap',
    ]);
    for (const x of closed) expect(x.value).toBeGreaterThanOrEqual(0);
    expect(sum(s, 'logsift_assembler_offset_regressions_total')).toBe(0);
    // Every unit ended in a closed record: nothing is open after the trailer lines.
    expect(sum(s, 'logsift_assembler_open_groups')).toBe(0);
    // Documents: the second round found documents of the first in the caches.
    const hits = sum(s, 'logsift_document_cache_hits_total');
    const misses = sum(s, 'logsift_document_cache_misses_total');
    expect(misses).toBeGreaterThan(0);
    expect(hits).toBeGreaterThan(0);
    const docs = sum(s, 'logsift_document_cache_docs');
    expect(docs).toBeGreaterThan(0);
    expect(docs).toBeLessThanOrEqual(PARTITIONS * 4000);
    // Memo caches: the mask-text cache answered, and no cache is over its capacity.
    expect(sum(s, 'logsift_memo_cache_hits_total', { cache: 'mask-text' })).toBeGreaterThan(0);
    expect(sum(s, 'logsift_memo_cache_misses_total', { cache: 'mask-text' })).toBeGreaterThan(0);
    const caches = s.samples.filter((x) => x.name === 'logsift_memo_cache_capacity');
    expect(caches.map((x) => x.labels.cache)).toEqual(
      expect.arrayContaining(['mask-text', 'fingerprint', 'netlink-errno', 'envelope-kubernetes-meta']),
    );
    for (const c of caches) {
      expect(c.value).toBeGreaterThan(0);
      expect(sum(s, 'logsift_memo_cache_entries', { cache: c.labels.cache! })).toBeLessThanOrEqual(c.value);
    }
  });

  it('default process, heap, GC and event-loop metrics are sane', () => {
    const rss = sum(s, 'process_resident_memory_bytes');
    expect(rss).toBeGreaterThan(20 * 1024 * 1024);
    expect(rss).toBeLessThan(2 * 1024 * 1024 * 1024);
    expect(sum(s, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    const heapUsed = sum(s, 'nodejs_heap_size_used_bytes');
    expect(heapUsed).toBeGreaterThan(0);
    expect(heapUsed).toBeLessThanOrEqual(sum(s, 'nodejs_heap_size_total_bytes'));
    expect(s.types.get('nodejs_gc_duration_seconds')).toBe('histogram');
    expect(sum(s, 'nodejs_gc_duration_seconds_count')).toBeGreaterThan(0);
    const lag = sum(s, 'nodejs_eventloop_lag_p99_seconds');
    expect(lag).toBeGreaterThan(0);
    expect(lag).toBeLessThan(5);
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await until(
      '/readyz 200',
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined),
      20_000,
    );
    expect(ready).toBe(true);
    expect(await p.stop()).toBe(0);
  });
});
