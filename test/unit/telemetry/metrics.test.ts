import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/classify/index.ts';
import {
  createRunMetrics,
  formatValue,
  MonotoneTotals,
  type PartitionCountersView,
  Registry,
} from '../../../src/telemetry/metrics.ts';
import { makeRecord } from '../classify/helpers.ts';

/** The value of one sample line (`name{labels} value`) in a rendered registry, or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

function view(over: Partial<PartitionCountersView> & { partition: number }): PartitionCountersView {
  return {
    topic: 't',
    openGroups: 0,
    cacheDocs: 0,
    assembler: {
      unitsPushed: 0,
      recordsEmitted: 0,
      deadLetters: 0,
      groupsCapped: 0,
      partialsUnterminated: 0,
      groupsClosedByGap: 0,
      openUnitsCapped: 0,
      openKeysEvicted: 0,
      heldBackCapped: 0,
      spanHistoryCapped: 0,
      offsetRegressions: 0,
    },
    state: {
      cacheHits: 0,
      cacheMisses: 0,
      cacheEvictions: 0,
      counted: 0,
      skipped: 0,
      deadLettered: 0,
      memoResets: 0,
    },
    ...over,
  };
}

describe('the metrics facade on prom-client', () => {
  it('renders HELP, TYPE and samples; a counter without labels starts at 0', async () => {
    const r = new Registry();
    const c = r.counter('x_total', 'X things.');
    expect(await r.render()).toContain('# HELP x_total X things.\n# TYPE x_total counter\nx_total 0\n');
    c.inc();
    c.inc(undefined, 2);
    expect(sample(await r.render(), 'x_total')).toBe(3);
    expect(c.get()).toBe(3);
  });

  it('labels are escaped; get() finds a series whatever the key order', async () => {
    const r = new Registry();
    const g = r.gauge('lag', 'Lag.', ['topic', 'partition']);
    g.set(5, { topic: 'a"b\\c\nd', partition: 1 });
    const text = await r.render();
    expect(text).toMatch(
      /^lag\{(topic="a\\"b\\\\c\\nd",partition="1"|partition="1",topic="a\\"b\\\\c\\nd")\} 5$/m,
    );
    expect(g.get({ partition: 1, topic: 'a"b\\c\nd' })).toBe(5);
    g.remove({ topic: 'a"b\\c\nd', partition: 1 });
    expect(await r.render()).not.toMatch(/^lag\{/m);
    expect(g.get({ topic: 'a"b\\c\nd', partition: 1 })).toBeUndefined();
  });

  it('counters never decrease (negative and non-finite increments are ignored)', async () => {
    const r = new Registry();
    const c = r.counter('c_total', 'C.');
    c.inc(undefined, 5);
    c.inc(undefined, -3);
    c.inc(undefined, Number.NaN);
    expect(c.get()).toBe(5);
    expect(sample(await r.render(), 'c_total')).toBe(5);
  });

  it('gauges set, inc and reset', async () => {
    const r = new Registry();
    const g = r.gauge('g', 'G.');
    expect(await r.render()).not.toMatch(/^g /m); // nothing before the first set
    g.set(2);
    g.inc(undefined, 3);
    expect(g.get()).toBe(5);
    expect(sample(await r.render(), 'g')).toBe(5);
    g.reset();
    expect(g.get()).toBeUndefined();
  });

  it('histograms are cumulative with +Inf, _sum and _count; an unused one renders zeros', async () => {
    const r = new Registry();
    const h = r.histogram('d_seconds', 'D.', [1, 0.1]);
    expect(sample(await r.render(), 'd_seconds_count')).toBe(0);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const text = await r.render();
    expect(sample(text, 'd_seconds_bucket{le="0.1"}')).toBe(1);
    expect(sample(text, 'd_seconds_bucket{le="1"}')).toBe(2);
    expect(sample(text, 'd_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(sample(text, 'd_seconds_sum')).toBeCloseTo(5.55, 10);
    expect(sample(text, 'd_seconds_count')).toBe(3);
    expect(h.count()).toBe(3);
    let t = 1000;
    const stop = h.startTimer(() => t);
    t = 3500;
    expect(stop()).toBe(2.5);
    expect(h.count()).toBe(4);
  });

  it('caps label sets per metric and counts the overflow', async () => {
    const r = new Registry();
    const c = r.counter('many_total', 'Many.', ['k']);
    for (let i = 0; i < 1005; i++) c.inc({ k: i });
    expect(c.get({ overflow: 'true' })).toBe(5);
    expect(r.labelOverflow.get()).toBe(5);
    const text = await r.render();
    expect(sample(text, 'many_total{overflow="true"}')).toBe(5);
    expect(sample(text, 'logsift_metric_label_overflow_total')).toBe(5);
  });

  it('a label the metric did not declare folds into overflow instead of throwing', () => {
    const r = new Registry();
    const c = r.counter('u_total', 'U.', ['reason']);
    expect(() => c.inc({ pod: 'calico-node-x' })).not.toThrow();
    expect(c.get({ overflow: 'true' })).toBe(1);
    expect(r.labelOverflow.get()).toBe(1);
  });

  it('rejects duplicate names and bad names', () => {
    const r = new Registry();
    r.counter('a_total', 'A.');
    expect(() => r.counter('a_total', 'A.')).toThrow();
    expect(() => r.collectedGauge('a_total', 'A.', [], () => [])).toThrow();
    expect(() => r.counter('bad-name', 'B.')).toThrow();
  });

  it('special values', () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(0.25)).toBe('0.25');
  });

  it('collected metrics are read at scrape time, not before', async () => {
    const r = new Registry();
    let reads = 0;
    let v = 1;
    r.collectedCounter('k_total', 'K.', ['x'], () => {
      reads++;
      return [[{ x: 'a' }, v]];
    });
    expect(reads).toBe(0);
    expect(sample(await r.render(), 'k_total{x="a"}')).toBe(1);
    v = 7;
    expect(sample(await r.render(), 'k_total{x="a"}')).toBe(7);
    expect(reads).toBe(2);
  });
});

describe('MonotoneTotals', () => {
  it('adds what each source gained; a source that goes back starts a new baseline', () => {
    const t = new MonotoneTotals();
    expect(t.update([['p0', 3]])).toBe(3);
    expect(
      t.update([
        ['p0', 5],
        ['p1', 2],
      ]),
    ).toBe(7);
    // p0 restored to a snapshot (abort) then grows again; p1 revoked.
    expect(t.update([['p0', 1]])).toBe(7);
    expect(t.update([['p0', 4]])).toBe(10);
    // p1 assigned again with a fresh state.
    expect(
      t.update([
        ['p0', 4],
        ['p1', 1],
      ]),
    ).toBe(11);
  });
});

describe('createRunMetrics', () => {
  it('the run metrics vocabulary, the stage counters and the default metrics are all there', async () => {
    const m = createRunMetrics();
    const text = await m.registry.render();
    for (const name of [
      'logsift_records_in_total',
      'logsift_units_counted_total',
      'logsift_units_skipped_total',
      'logsift_summaries_indexed_total',
      'logsift_dead_lettered_total',
      'logsift_epoch_flush_seconds',
      'logsift_epochs_total',
      'logsift_es_retries_total',
      'logsift_conflicts_total',
      'logsift_cache_evictions_total',
      'logsift_consumer_lag',
      'logsift_reduction_ratio',
      'logsift_offset_gaps_total',
      'logsift_commits_total',
      'logsift_partitions_halted',
      'logsift_partitions_assigned',
      'logsift_topic_config_problems',
      'logsift_rebalances_total',
      'logsift_metric_label_overflow_total',
      'logsift_assembler_groups_closed_total',
      'logsift_assembler_partials_unterminated_total',
      'logsift_assembler_span_history_capped_total',
      'logsift_assembler_offset_regressions_total',
      'logsift_assembler_open_groups',
      'logsift_document_cache_hits_total',
      'logsift_document_cache_misses_total',
      'logsift_document_cache_docs',
      'logsift_memo_cache_hits_total',
      'logsift_memo_cache_misses_total',
      'logsift_memo_cache_evictions_total',
      'logsift_memo_cache_entries',
      'logsift_memo_cache_capacity',
      'logsift_document_id_memo_clears_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_gc_duration_seconds',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge|histogram)$`, 'm'));
    }
    // Every line is a comment or `name{labels} value`.
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => l !== '')) {
      expect(line).toMatch(/^(# (HELP|TYPE) .+|[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eInfNa]+)$/);
    }
  });

  it('the pipeline metrics keep their synchronous API', () => {
    const m = createRunMetrics(undefined, { defaultMetrics: false });
    m.recordsIn.inc(undefined, 250);
    m.deadLettered.inc({ reason: 'binary' });
    m.consumerLag.set(12, { topic: 't', partition: 0 });
    m.epochFlush.observe(0.2);
    expect(m.recordsIn.get()).toBe(250);
    expect(m.deadLettered.get({ reason: 'binary' })).toBe(1);
    expect(m.consumerLag.get({ partition: 0, topic: 't' })).toBe(12);
    expect(m.epochFlush.count()).toBe(1);
    expect(m.registry.labelOverflow.get()).toBe(0);
  });

  it('partition counters are summed over partitions and stay monotone across a group join', async () => {
    const m = createRunMetrics(undefined, { defaultMetrics: false });
    let parts: PartitionCountersView[] = [
      view({
        partition: 0,
        openGroups: 1,
        cacheDocs: 10,
        assembler: { ...view({ partition: 0 }).assembler, groupsClosedByGap: 2, heldBackCapped: 1 },
        state: { ...view({ partition: 0 }).state, cacheHits: 40, cacheMisses: 4 },
      }),
      view({
        partition: 1,
        cacheDocs: 5,
        assembler: { ...view({ partition: 1 }).assembler, groupsClosedByGap: 3, offsetRegressions: 1 },
        state: { ...view({ partition: 1 }).state, cacheHits: 1, cacheMisses: 6 },
      }),
    ];
    m.observePartitions(() => parts);
    let text = await m.registry.render();
    expect(sample(text, 'logsift_assembler_groups_closed_total{reason="gap"}')).toBe(5);
    expect(sample(text, 'logsift_assembler_groups_closed_total{reason="held_back_cap"}')).toBe(1);
    expect(sample(text, 'logsift_assembler_groups_closed_total{reason="open_keys_cap"}')).toBe(0);
    expect(sample(text, 'logsift_assembler_offset_regressions_total')).toBe(1);
    expect(sample(text, 'logsift_assembler_open_groups')).toBe(1);
    expect(sample(text, 'logsift_document_cache_hits_total')).toBe(41);
    expect(sample(text, 'logsift_document_cache_misses_total')).toBe(10);
    expect(sample(text, 'logsift_document_cache_docs')).toBe(15);
    // A group join: partition 1 moved away, partition 0 starts over with fresh state.
    parts = [
      view({
        partition: 0,
        cacheDocs: 1,
        assembler: { ...view({ partition: 0 }).assembler, groupsClosedByGap: 1 },
        state: { ...view({ partition: 0 }).state, cacheMisses: 1 },
      }),
    ];
    text = await m.registry.render();
    expect(sample(text, 'logsift_assembler_groups_closed_total{reason="gap"}')).toBe(5);
    expect(sample(text, 'logsift_document_cache_misses_total')).toBe(10);
    expect(sample(text, 'logsift_document_cache_docs')).toBe(1);
    parts = [
      view({
        partition: 0,
        assembler: { ...view({ partition: 0 }).assembler, groupsClosedByGap: 4 },
        state: { ...view({ partition: 0 }).state, cacheMisses: 3 },
      }),
    ];
    text = await m.registry.render();
    expect(sample(text, 'logsift_assembler_groups_closed_total{reason="gap"}')).toBe(8);
    expect(sample(text, 'logsift_document_cache_misses_total')).toBe(12);
  });

  it('memo caches report what classify did', async () => {
    const m = createRunMetrics(undefined, { defaultMetrics: false });
    const before =
      sample(await m.registry.render(), 'logsift_memo_cache_misses_total{cache="mask-text"}') ?? 0;
    const text = `felix unique line ${Math.random()} took 3ms`;
    classify(makeRecord({ message: text }));
    classify(makeRecord({ message: text }));
    const after = await m.registry.render();
    expect(sample(after, 'logsift_memo_cache_misses_total{cache="mask-text"}')).toBeGreaterThan(before);
    expect(sample(after, 'logsift_memo_cache_capacity{cache="mask-text"}')).toBeGreaterThan(0);
    expect(sample(after, 'logsift_memo_cache_capacity{cache="fingerprint"}')).toBeGreaterThan(0);
    expect(after).toMatch(/^logsift_memo_cache_entries\{cache="envelope-kubernetes-meta"\} \d+$/m);
  });
});
