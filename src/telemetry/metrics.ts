/**
 * A tiny Prometheus registry (text exposition format 0.0.4), no dependency: counters, gauges and
 * histograms with low-cardinality labels (STYLE.md habit 3: never a template, pod or fingerprint as a
 * label). Label sets per metric are capped; a new label set past the cap is folded into
 * `{...,overflow="true"}` and counted in logsift_metric_label_overflow_total.
 */

export type Labels = Readonly<Record<string, string | number>>;

const MAX_SERIES_PER_METRIC = 1000;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelKey(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '';
  return keys.map((k) => `${k}="${escapeLabel(String(labels[k]))}"`).join(',');
}

/** Numbers as Prometheus prints them: +Inf, -Inf, NaN, else JS's shortest round-trip form. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected readonly registry: Registry;

  constructor(registry: Registry, name: string, help: string) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    this.registry = registry;
    this.name = name;
    this.help = help;
  }

  protected key(labels: Labels | undefined, size: number, has: (k: string) => boolean): string {
    const k = labelKey(labels);
    if (has(k) || size < MAX_SERIES_PER_METRIC) return k;
    this.registry.labelOverflow.inc();
    return 'overflow="true"';
  }

  abstract render(): string[];
}

export class Counter extends Metric {
  readonly type = 'counter';
  readonly #values = new Map<string, number>();

  inc(labels?: Labels, by = 1): void {
    if (!(by >= 0)) return; // counters never go down
    const k = this.key(labels, this.#values.size, (x) => this.#values.has(x));
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }

  get(labels?: Labels): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }

  render(): string[] {
    if (this.#values.size === 0) return [`${this.name} 0`];
    return [...this.#values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${formatValue(v)}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  readonly #values = new Map<string, number>();

  set(value: number, labels?: Labels): void {
    const k = this.key(labels, this.#values.size, (x) => this.#values.has(x));
    this.#values.set(k, value);
  }

  inc(labels?: Labels, by = 1): void {
    const k = this.key(labels, this.#values.size, (x) => this.#values.has(x));
    this.#values.set(k, (this.#values.get(k) ?? 0) + by);
  }

  /** Forget one series (a partition no longer assigned). */
  remove(labels?: Labels): void {
    this.#values.delete(labelKey(labels));
  }

  /** Forget every series. */
  reset(): void {
    this.#values.clear();
  }

  get(labels?: Labels): number | undefined {
    return this.#values.get(labelKey(labels));
  }

  render(): string[] {
    if (this.#values.size === 0) return [];
    return [...this.#values].map(([k, v]) => `${this.name}${k ? `{${k}}` : ''} ${formatValue(v)}`);
  }
}

interface HistogramSeries {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(registry: Registry, name: string, help: string, buckets: readonly number[]) {
    super(registry, name, help);
    const sorted = [...buckets].sort((a, b) => a - b);
    if (sorted.length === 0 || sorted.some((b, i) => i > 0 && b === sorted[i - 1]))
      throw new Error(`histogram ${name}: buckets must be distinct and non-empty`);
    this.buckets = sorted;
  }

  observe(value: number, labels?: Labels): void {
    const k = this.key(labels, this.#series.size, (x) => this.#series.has(x));
    let s = this.#series.get(k);
    if (s === undefined) {
      s = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(k, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
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

  count(labels?: Labels): number {
    return this.#series.get(labelKey(labels))?.count ?? 0;
  }

  render(): string[] {
    const out: string[] = [];
    const series: Array<[string, HistogramSeries]> =
      this.#series.size > 0
        ? [...this.#series]
        : [['', { counts: this.buckets.map(() => 0), sum: 0, count: 0 }]];
    for (const [k, s] of series) {
      const sep = k ? `${k},` : '';
      for (let i = 0; i < this.buckets.length; i++) {
        out.push(`${this.name}_bucket{${sep}le="${formatValue(this.buckets[i]!)}"} ${s.counts[i]}`);
      }
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${formatValue(s.sum)}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`);
    }
    return out;
  }
}

export class Registry {
  readonly #metrics = new Map<string, Metric>();
  readonly labelOverflow: Counter;

  constructor() {
    this.labelOverflow = this.counter(
      'logsift_metric_label_overflow_total',
      'Label sets folded into overflow="true" because a metric reached its series cap.',
    );
  }

  #add<M extends Metric>(m: M): M {
    if (this.#metrics.has(m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.#metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(this, name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.#add(new Gauge(this, name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.#add(new Histogram(this, name, help, buckets));
  }

  /** The whole registry in the Prometheus text format (ends with a newline). */
  render(): string {
    const lines: string[] = [];
    for (const m of this.#metrics.values()) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      lines.push(`# TYPE ${m.name} ${m.type}`);
      lines.push(...m.render());
    }
    return `${lines.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The metrics of `logsift run` (the fixed vocabulary; see docs/EXACTNESS.md "Metrics"). */
export function createRunMetrics(registry = new Registry()) {
  return {
    registry,
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
    ),
    epochFlush: registry.histogram(
      'logsift_epoch_flush_seconds',
      'Time from the first load to the offset commit of one epoch.',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    epochs: registry.counter('logsift_epochs_total', 'Epochs finished, by outcome (committed, aborted).'),
    esRetries: registry.counter(
      'logsift_es_retries_total',
      'Elasticsearch and DLQ retries, by kind (bulk_item, bulk_request, mget, mget_item, dlq, versions).',
    ),
    conflicts: registry.counter(
      'logsift_conflicts_total',
      'Bulk items answered 409, by resolution (adopted = our own earlier write, foreign = another writer).',
    ),
    cacheEvictions: registry.counter(
      'logsift_cache_evictions_total',
      'Clean documents evicted from a partition cache (cap aggregate.caps.cacheDocs).',
    ),
    consumerLag: registry.gauge(
      'logsift_consumer_lag',
      'Messages behind the high watermark at the last processed batch.',
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
    halted: registry.gauge(
      'logsift_partitions_halted',
      'Partitions paused after a permanent error (alert: counts stop there).',
    ),
    assigned: registry.gauge('logsift_partitions_assigned', 'Partitions assigned to this member.'),
    topicConfigProblems: registry.gauge(
      'logsift_topic_config_problems',
      'Input topic settings that lose lines before they are counted (cleanup.policy=compact, short retention.ms), by topic; checked at start-up.',
    ),
    rebalances: registry.counter('logsift_rebalances_total', 'Consumer group joins.'),
    findings: registry.gauge(
      'logsift_findings',
      'Findings in the last findings run, by kind (new, spread, rising, reset-on-restart, known-issue, noise; docs/FINDINGS.md).',
    ),
    findingNodes: registry.gauge(
      'logsift_findings_nodes',
      'Distinct nodes named by the findings of the last run, by kind.',
    ),
    knownIssueLines: registry.gauge(
      'logsift_known_issue_lines',
      'Lines in the findings window matching a known Calico problem, by issue id (src/findings/known-issues.json).',
    ),
    findingsLastRun: registry.gauge(
      'logsift_findings_last_run_timestamp_seconds',
      'When findings were last computed and indexed (alert when it stops moving).',
    ),
    findingsRuns: registry.counter(
      'logsift_findings_runs_total',
      'Findings runs, by outcome (ok, truncated = the point cap bit, failed).',
    ),
  };
}

export type RunMetrics = ReturnType<typeof createRunMetrics>;
