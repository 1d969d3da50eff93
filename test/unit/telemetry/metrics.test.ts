import { describe, expect, it } from 'vitest';
import { createRunMetrics, formatValue, Registry } from '../../../src/telemetry/metrics.ts';

describe('Prometheus text format', () => {
  it('renders HELP, TYPE and samples; counters start at 0', () => {
    const r = new Registry();
    const c = r.counter('x_total', 'X things.');
    expect(r.render()).toContain('# HELP x_total X things.\n# TYPE x_total counter\nx_total 0\n');
    c.inc();
    c.inc(undefined, 2);
    expect(r.render()).toContain('\nx_total 3\n');
  });

  it('labels are sorted and escaped', () => {
    const r = new Registry();
    const g = r.gauge('lag', 'Lag.');
    g.set(5, { topic: 'a"b\\c\nd', partition: 1 });
    expect(r.render()).toContain('lag{partition="1",topic="a\\"b\\\\c\\nd"} 5\n');
  });

  it('counters never decrease', () => {
    const r = new Registry();
    const c = r.counter('c_total', 'C.');
    c.inc(undefined, 5);
    c.inc(undefined, -3);
    expect(c.get()).toBe(5);
  });

  it('histograms are cumulative with +Inf, _sum and _count', () => {
    const r = new Registry();
    const h = r.histogram('d_seconds', 'D.', [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const text = r.render();
    expect(text).toContain('d_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('d_seconds_bucket{le="1"} 2\n');
    expect(text).toContain('d_seconds_bucket{le="+Inf"} 3\n');
    expect(text).toContain('d_seconds_sum 5.55\n');
    expect(text).toContain('d_seconds_count 3\n');
  });

  it('caps label sets per metric and counts the overflow', () => {
    const r = new Registry();
    const c = r.counter('many_total', 'Many.');
    for (let i = 0; i < 1005; i++) c.inc({ k: i });
    expect(c.get({ overflow: 'true' })).toBe(5);
    expect(r.labelOverflow.get()).toBe(5);
  });

  it('rejects duplicate names and bad names', () => {
    const r = new Registry();
    r.counter('a_total', 'A.');
    expect(() => r.counter('a_total', 'A.')).toThrow();
    expect(() => r.counter('bad-name', 'B.')).toThrow();
  });

  it('special values', () => {
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('+Inf');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });

  it('the run metrics vocabulary is all there', () => {
    const text = createRunMetrics().registry.render();
    for (const name of [
      'logsift_records_in_total',
      'logsift_units_counted_total',
      'logsift_units_skipped_total',
      'logsift_summaries_indexed_total',
      'logsift_dead_lettered_total',
      'logsift_epoch_flush_seconds',
      'logsift_es_retries_total',
      'logsift_cache_evictions_total',
      'logsift_consumer_lag',
      'logsift_reduction_ratio',
      'logsift_offset_gaps_total',
      'logsift_commits_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // Every line is a comment or `name{labels} value`.
    for (const line of text.trim().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) .+|[a-z_]+(\{[^}]*\})? [-+0-9.eInfNa]+)$/);
    }
  });
});
