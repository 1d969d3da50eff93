/**
 * The metrics of `logsift run`, exposed through prom-client (Prometheus text format 0.0.4).
 *
 * A thin facade over prom-client keeps the calls the pipeline makes small and synchronous
 * (`inc`, `set`, `observe`, and `get`/`count` for tests) and adds what prom-client does not do:
 * a cap on label sets per metric. Labels stay low-cardinality (topic, partition, reason, kind:
 * never a template, pod or fingerprint). A label set past the cap of a metric, or a label name the
 * metric did not declare, is folded into `{overflow="true"}` and counted in
 * `logsift_metric_label_overflow_total` instead of throwing inside the pipeline.
 *
 * Counters that the parse, classify and aggregate stages keep themselves (caps biting, memo caches,
 * evictions) are read at scrape time through prom-client `collect` callbacks: no cost per line.
 * Default metrics (process CPU and memory, V8 heap spaces, GC durations, event-loop lag) come from
 * prom-client's `collectDefaultMetrics`.
 */
import * as client from 'prom-client';
import type { PartitionCounters } from '../aggregate/epoch.ts';
import { idMemoStats } from '../aggregate/keys.ts';
import { classifyCacheStats, fingerprintCacheStats } from '../classify/index.ts';
import type { AssemblerCounters } from '../parse/assembler.ts';
import { fastPathMetaCacheStats, META_CACHE_MAX } from '../parse/envelopes/fast.ts';

export type Labels = Readonly<Record<string, string | number>>;

const MAX_SERIES_PER_METRIC = 1000;
const OVERFLOW: Labels = Object.freeze({ overflow: 'true' });

/** Identity of a label set for the facade's own series map (sorted, so key order does not matter). */
function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  if (keys.length > 1) keys.sort();
  let k = '';
  for (const name of keys) k += `${name}=${JSON.stringify(String(labels[name]))},`;
  return k;
}

/** Numbers as Prometheus prints them: +Inf, -Inf, NaN, else JS's shortest round-trip form. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly registry: Registry;
  /** The facade's series: the label-set cap, and synchronous reads for tests. */
  protected readonly series = new Map<string, S>();

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    this.registry = registry;
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** The key and labels a sample is recorded under: its own, or the overflow series. */
  protected fit(labels: Labels | undefined): { key: string; labels: Labels } {
    const l = labels ?? {};
    const key = labelKey(l);
    if (this.series.has(key)) return { key, labels: l };
    let declared = true;
    for (const name in l) if (!this.labelNames.includes(name)) declared = false;
    if (declared && this.series.size < MAX_SERIES_PER_METRIC) return { key, labels: l };
    this.registry.labelOverflow.inc();
    return { key: labelKey(OVERFLOW), labels: OVERFLOW };
  }
}

/** prom-client needs every label name up front: the declared ones plus `overflow`. */
function promLabels(labelNames: readonly string[]): string[] {
  return [...labelNames, 'overflow'];
}

export class Counter extends Metric<number> {
  readonly type = 'counter';
  readonly #prom: client.Counter<string>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[] = []) {
    super(registry, name, help, labelNames);
    this.#prom = new client.Counter({
      name,
      help,
      labelNames: promLabels(labelNames),
      registers: [registry.prom],
    });
    // A counter without labels is exported as 0 before its first increment (an alert on
    // increase() needs the series to exist).
    if (labelNames.length === 0) this.#prom.inc({}, 0);
  }

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) return; // counters never go down
    const f = this.fit(labels);
    this.series.set(f.key, (this.series.get(f.key) ?? 0) + by);
    this.#prom.inc(f.labels, by);
  }

  get(labels?: Labels): number {
    return this.series.get(labelKey(labels)) ?? 0;
  }
}

export class Gauge extends Metric<number> {
  readonly type = 'gauge';
  readonly #prom: client.Gauge<string>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[] = []) {
    super(registry, name, help, labelNames);
    this.#prom = new client.Gauge({
      name,
      help,
      labelNames: promLabels(labelNames),
      registers: [registry.prom],
    });
  }

  set(value: number, labels?: Labels): void {
    const f = this.fit(labels);
    this.series.set(f.key, value);
    this.#prom.set(f.labels, value);
  }

  inc(labels?: Labels, by = 1): void {
    const f = this.fit(labels);
    const v = (this.series.get(f.key) ?? 0) + by;
    this.series.set(f.key, v);
    this.#prom.set(f.labels, v);
  }

  /** Forget one series (a partition no longer assigned). */
  remove(labels?: Labels): void {
    const key = labelKey(labels);
    if (!this.series.delete(key)) return;
    this.#prom.remove(labels ?? {});
  }

  /** Forget every series. */
  reset(): void {
    this.series.clear();
    this.#prom.reset();
  }

  get(labels?: Labels): number | undefined {
    return this.series.get(labelKey(labels));
  }
}

export class Histogram extends Metric<number> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  readonly #prom: client.Histogram<string>;

  constructor(
    registry: Registry,
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ) {
    super(registry, name, help, labelNames);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => i > 0 && b === sorted[i - 1]))
      throw new Error(`histogram ${name}: buckets must be distinct and non-empty`);
    this.buckets = sorted;
    this.#prom = new client.Histogram({
      name,
      help,
      buckets: sorted,
      labelNames: promLabels(labelNames),
      registers: [registry.prom],
    });
    if (labelNames.length === 0) this.#prom.zero({});
  }

  observe(value: number, labels?: Labels): void {
    if (Number.isNaN(value)) return;
    const f = this.fit(labels);
    this.series.set(f.key, (this.series.get(f.key) ?? 0) + 1);
    this.#prom.observe(f.labels, value);
  }

  /** Starts a timer; call the returned function to observe the elapsed seconds. */
  startTimer(now: () => number, labels?: Labels): () => number {
    const t0 = now();
    return () => {
      const secs = (now() - t0) / 1000;
      this.observe(secs, labels);
      return secs;
    };
  }

  /** Observations recorded under `labels`. */
  count(labels?: Labels): number {
    return this.series.get(labelKey(labels)) ?? 0;
  }
}

/** One sample of a collected metric: its labels and its current value. */
export type Sample = readonly [Labels, number];

export class Registry {
  /** The prom-client registry behind the facade (render, content type, default metrics). */
  readonly prom = new client.Registry();
  readonly #names = new Set<string>();
  readonly labelOverflow: Counter;

  constructor() {
    this.labelOverflow = this.counter(
      'logsift_metric_label_overflow_total',
      'Label sets folded into overflow="true": a metric reached its series cap (1000) or got a label it did not declare.',
    );
  }

  #claim(name: string): void {
    if (this.#names.has(name)) throw new Error(`metric ${name} registered twice`);
    this.#names.add(name);
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    this.#claim(name);
    return new Counter(this, name, help, labelNames);
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    this.#claim(name);
    return new Gauge(this, name, help, labelNames);
  }

  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly string[] = [],
  ): Histogram {
    this.#claim(name);
    return new Histogram(this, name, help, buckets, labelNames);
  }

  /**
   * A counter whose value is read at scrape time: `read()` returns the cumulative totals (they must
   * never decrease; see MonotoneTotals for sources that can).
   */
  collectedCounter(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Iterable<Sample>,
  ): void {
    this.#claim(name);
    new client.Counter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.prom],
      collect() {
        this.reset();
        for (const [labels, v] of read()) if (v >= 0 && Number.isFinite(v)) this.inc(labels, v);
      },
    });
  }

  /** A gauge whose value is read at scrape time. */
  collectedGauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Iterable<Sample>,
  ): void {
    this.#claim(name);
    new client.Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.prom],
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.set(labels, v);
      },
    });
  }

  /** prom-client's default metrics: process_*, nodejs_heap_*, nodejs_gc_duration_seconds, nodejs_eventloop_lag_*. */
  collectDefaultMetrics(): void {
    client.collectDefaultMetrics({ register: this.prom });
  }

  /** The whole registry in the Prometheus text format (ends with a newline). */
  async render(): Promise<string> {
    const text = await this.prom.metrics();
    return text.endsWith('\n') ? text : `${text}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = client.Registry.PROMETHEUS_CONTENT_TYPE;

/**
 * Cumulative totals over sources that can go back: the pipeline builds a new PartitionState and
 * PartitionAssembler on every group join, and an aborted epoch restores the assembler's counters
 * to its snapshot. Each scrape adds what every source (keyed by topic/partition) gained since the
 * previous scrape; a source that went back starts a new baseline. So the total never decreases;
 * it misses what a partition gained between the last scrape and its revocation, and counts again
 * what a replay after an abort makes happen again (a cap that bites twice bit twice).
 */
export class MonotoneTotals {
  readonly #last = new Map<string, number>();
  #total = 0;

  /** Reads the current values of the live sources; returns the running total. */
  update(current: Iterable<readonly [string, number]>): number {
    const seen = new Set<string>();
    for (const [key, v] of current) {
      seen.add(key);
      const prev = this.#last.get(key);
      if (prev !== undefined && v >= prev) this.#total += v - prev;
      else if (prev === undefined) this.#total += v;
      this.#last.set(key, v);
    }
    for (const key of this.#last.keys()) if (!seen.has(key)) this.#last.delete(key);
    return this.#total;
  }
}

/** What the pipeline shows of one assigned partition (read at scrape time). */
export interface PartitionCountersView {
  readonly topic: string;
  readonly partition: number;
  readonly assembler: Readonly<AssemblerCounters>;
  readonly openGroups: number;
  readonly state: Readonly<PartitionCounters>;
  readonly cacheDocs: number;
}

/** Assembler counters exported as `logsift_assembler_groups_closed_total{reason}`. */
const GROUP_CLOSE_REASONS = [
  ['gap', 'groupsClosedByGap'],
  ['lines_or_bytes_cap', 'groupsCapped'],
  ['open_units_cap', 'openUnitsCapped'],
  ['open_keys_cap', 'openKeysEvicted'],
  ['held_back_cap', 'heldBackCapped'],
] as const satisfies ReadonlyArray<readonly [string, keyof AssemblerCounters]>;

type PartitionField =
  | { readonly source: 'assembler'; readonly field: keyof AssemblerCounters }
  | { readonly source: 'state'; readonly field: keyof PartitionCounters };

function registerPartitionCollectors(
  registry: Registry,
  partitions: () => readonly PartitionCountersView[],
): void {
  const totals = new Map<string, MonotoneTotals>();
  const total = (id: string, f: PartitionField): number => {
    let t = totals.get(id);
    if (t === undefined) {
      t = new MonotoneTotals();
      totals.set(id, t);
    }
    return t.update(
      partitions().map((p) => [
        `${p.topic}\u0000${p.partition}`,
        f.source === 'assembler' ? p.assembler[f.field] : p.state[f.field],
      ]),
    );
  };
  registry.collectedCounter(
    'logsift_assembler_groups_closed_total',
    'Multi-line groups (Go panics, Felix tables) closed by a timestamp gap (parse.groupGapMs) or by a cap: maxGroupLines/maxGroupBytes, open units, open keys, hold-back buffer.',
    ['reason'],
    () =>
      GROUP_CLOSE_REASONS.map(([reason, field]) => [
        { reason },
        total(`groups:${reason}`, { source: 'assembler', field }),
      ]),
  );
  const assemblerCounter = (name: string, help: string, field: keyof AssemblerCounters): void =>
    registry.collectedCounter(name, help, [], () => [[{}, total(name, { source: 'assembler', field })]]);
  assemblerCounter(
    'logsift_assembler_partials_unterminated_total',
    'CRI partial lines (P) closed without their final F line (cap, gap or flush).',
    'partialsUnterminated',
  );
  assemblerCounter(
    'logsift_assembler_span_history_capped_total',
    'Record spans forgotten because the span history cap was reached (the committed offset may stay further behind).',
    'spanHistoryCapped',
  );
  assemblerCounter(
    'logsift_assembler_offset_regressions_total',
    'Units whose offset was not above the previous unit of the partition (input out of order).',
    'offsetRegressions',
  );
  registry.collectedGauge(
    'logsift_assembler_open_groups',
    'Multi-line groups open now, over the assigned partitions (their units are not counted yet).',
    [],
    () => [[{}, partitions().reduce((n, p) => n + p.openGroups, 0)]],
  );
  const stateCounter = (name: string, help: string, field: keyof PartitionCounters): void =>
    registry.collectedCounter(name, help, [], () => [[{}, total(name, { source: 'state', field })]]);
  stateCounter(
    'logsift_document_cache_hits_total',
    'Counter documents found in a partition cache of acknowledged versions (no mget needed).',
    'cacheHits',
  );
  stateCounter(
    'logsift_document_cache_misses_total',
    'Counter documents not in the partition cache (loaded with a realtime mget, or new).',
    'cacheMisses',
  );
  registry.collectedGauge(
    'logsift_document_cache_docs',
    'Acknowledged documents cached now, over the assigned partitions (cap aggregate.caps.cacheDocs per partition).',
    [],
    () => [[{}, partitions().reduce((n, p) => n + p.cacheDocs, 0)]],
  );
}

function registerProcessCaches(registry: Registry): void {
  const caches = (): Array<{
    name: string;
    size: number;
    capacity: number;
    hits: number;
    misses: number;
    evictions: number;
  }> => {
    const meta = fastPathMetaCacheStats();
    return [
      ...classifyCacheStats(),
      { name: 'fingerprint', ...fingerprintCacheStats() },
      // Cleared as a whole when full: `clears` times its capacity entries left it.
      {
        name: 'envelope-kubernetes-meta',
        size: meta.size,
        capacity: META_CACHE_MAX,
        hits: meta.hits,
        misses: meta.misses,
        evictions: meta.clears,
      },
    ];
  };
  const counter = (name: string, help: string, pick: (c: ReturnType<typeof caches>[number]) => number) =>
    registry.collectedCounter(name, help, ['cache'], () => caches().map((c) => [{ cache: c.name }, pick(c)]));
  counter(
    'logsift_memo_cache_hits_total',
    'Memo cache hits (classify masks and rules, fingerprints, envelope metadata), by cache.',
    (c) => c.hits,
  );
  counter('logsift_memo_cache_misses_total', 'Memo cache misses, by cache.', (c) => c.misses);
  counter(
    'logsift_memo_cache_evictions_total',
    'Memo cache evictions because the cache was full (its cap biting), by cache; envelope-kubernetes-meta counts whole clears.',
    (c) => c.evictions,
  );
  const gauge = (name: string, help: string, pick: (c: ReturnType<typeof caches>[number]) => number) =>
    registry.collectedGauge(name, help, ['cache'], () => caches().map((c) => [{ cache: c.name }, pick(c)]));
  registry.collectedCounter(
    'logsift_document_id_memo_clears_total',
    'Times the memo of document ids (topic, partition, key -> _id) reached its cap and was cleared.',
    [],
    () => [[{}, idMemoStats.clears]],
  );
  gauge('logsift_memo_cache_entries', 'Entries in each memo cache now.', (c) => c.size);
  gauge('logsift_memo_cache_capacity', 'Capacity (cap) of each memo cache.', (c) => c.capacity);
}

export interface RunMetricsOptions {
  /** prom-client's process, heap, GC and event-loop metrics (default true). */
  readonly defaultMetrics?: boolean;
}

/** The metrics of `logsift run` (the fixed vocabulary; see docs/EXACTNESS.md "Metrics"). */
export function createRunMetrics(registry = new Registry(), options: RunMetricsOptions = {}) {
  if (options.defaultMetrics ?? true) registry.collectDefaultMetrics();
  registerProcessCaches(registry);
  let partitions: () => readonly PartitionCountersView[] = () => [];
  registerPartitionCollectors(registry, () => partitions());
  return {
    registry,
    /** Where the per-partition counters come from at scrape time (the pipeline's live partitions). */
    observePartitions(read: () => readonly PartitionCountersView[]): void {
      partitions = read;
    },
    recordsIn: registry.counter('logsift_records_in_total', 'Kafka messages (units) read.'),
    unitsCounted: registry.counter(
      'logsift_units_counted_total',
      'Units counted into acknowledged summary or dead-letter documents.',
    ),
    unitsSkipped: registry.counter(
      'logsift_units_skipped_total',
      'Units skipped by the offset_end rule (counted before a crash or rebalance).',
    ),
    summariesIndexed: registry.counter(
      'logsift_summaries_indexed_total',
      'Counter documents (summaries, dead-letter counters, stats) acknowledged by Elasticsearch.',
    ),
    deadLettered: registry.counter(
      'logsift_dead_lettered_total',
      'Units dead-lettered (produced to <topic>.dlq and counted as dlq:<reason>), by reason.',
      ['reason'],
    ),
    epochFlush: registry.histogram(
      'logsift_epoch_flush_seconds',
      'Time from the first load to the offset commit of one epoch.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    epochs: registry.counter(
      'logsift_epochs_total',
      'Epochs finished, by outcome (committed, aborted, committed-not: the commit failed).',
      ['outcome'],
    ),
    epochCauses: registry.counter(
      'logsift_epoch_causes_total',
      'Acknowledged epochs by what ended them: time, idle, documents, bytes, units, memory (the heap passed 70 % of its limit: the document cache is cut to a quarter of its cap), shutdown.',
      ['cause'],
    ),
    esRetries: registry.counter(
      'logsift_es_retries_total',
      'Elasticsearch and DLQ retries, by kind (bulk_item, bulk_request, mget, mget_item, dlq, versions).',
      ['kind'],
    ),
    conflicts: registry.counter(
      'logsift_conflicts_total',
      'Bulk items answered 409, by resolution (adopted = our own earlier write, foreign = another writer).',
      ['resolution'],
    ),
    cacheEvictions: registry.counter(
      'logsift_cache_evictions_total',
      'Clean documents evicted from a partition cache (cap aggregate.caps.cacheDocs).',
    ),
    consumerLag: registry.gauge(
      'logsift_consumer_lag',
      'Messages behind the high watermark at the last processed batch.',
      ['topic', 'partition'],
    ),
    reductionRatio: registry.gauge(
      'logsift_reduction_ratio',
      '1 - summary documents written / units counted, since start (how much indexing the aggregation saves).',
    ),
    offsetGaps: registry.counter(
      'logsift_offset_gaps_total',
      'Offsets skipped between the expected next offset and a batch start (retention, reset).',
    ),
    commits: registry.counter('logsift_commits_total', 'Kafka offset commits after an acknowledged epoch.'),
    aheadFull: registry.counter(
      'logsift_fetch_ahead_full_total',
      'A fetched batch waited because its partition already had a batch taken ahead of processing (the cap of one queued batch per partition bit).',
    ),
    staleBatches: registry.counter(
      'logsift_stale_batches_total',
      'Fetched batches dropped because they were fetched before an aborted epoch moved the position back.',
    ),
    halted: registry.gauge(
      'logsift_partitions_halted',
      'Partitions paused after a permanent error (alert: counts stop there).',
    ),
    assigned: registry.gauge('logsift_partitions_assigned', 'Partitions assigned to this member.'),
    topicConfigProblems: registry.gauge(
      'logsift_topic_config_problems',
      'Input topic settings that lose lines before they are counted (cleanup.policy=compact, short retention.ms), by topic; checked at start-up.',
      ['topic'],
    ),
    rebalances: registry.counter('logsift_rebalances_total', 'Consumer group joins.'),
    findings: registry.gauge(
      'logsift_findings',
      'Findings in the last findings run, by kind (new, spread, rising, reset-on-restart, known-issue, noise; docs/FINDINGS.md).',
      ['kind'],
    ),
    findingNodes: registry.gauge(
      'logsift_findings_nodes',
      'Distinct nodes named by the findings of the last run, by kind.',
      ['kind'],
    ),
    knownIssueLines: registry.gauge(
      'logsift_known_issue_lines',
      'Lines in the findings window matching a known Calico problem, by issue id (src/findings/known-issues.json).',
      ['issue'],
    ),
    findingsLastRun: registry.gauge(
      'logsift_findings_last_run_timestamp_seconds',
      'When findings were last computed and indexed (alert when it stops moving).',
    ),
    findingsRuns: registry.counter(
      'logsift_findings_runs_total',
      'Findings runs, by outcome (ok, truncated = the point cap bit, failed).',
      ['outcome'],
    ),
  };
}

export type RunMetrics = ReturnType<typeof createRunMetrics>;
