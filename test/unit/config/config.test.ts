import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, loadConfig, parseBucketFlag, parseDuration } from '../../../src/config/index.ts';
import { LogsiftError } from '../../../src/errors.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LogsiftError);
    expect((err as LogsiftError).exitCode).toBe(2);
    return [...(err as LogsiftError).details];
  }
  throw new Error('expected a configuration error');
}

function tmpFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'logsift-config-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('durations', () => {
  it('parses s, m, h, d and ms', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('1m')).toBe(60_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('250ms')).toBe(250);
  });
  it('rejects everything else', () => {
    for (const bad of ['', '1', 'h', '1.5h', '-1h', '1 h', '1w', '0s', '1h30m'])
      expect(parseDuration(bad)).toBeNull();
  });
  it('formats exactly', () => {
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_000)).toBe('90s');
  });
});

describe('loadConfig', () => {
  it('fills every default from the schema, frozen', () => {
    const c = loadConfig({ env: {} });
    expect(c.parse.maxUnitBytes).toBe(65536);
    expect(c.aggregate.bucketMs['tier-exists']).toBe(3_600_000);
    expect(c.aggregate.bucketMs['netlink-error']).toBe(60_000);
    expect(c.aggregate.indexPrefix).toBe('logsift');
    expect(c.kafka.groupId).toBe('logsift');
    expect(c.kafka.sessionTimeoutMs).toBe(30_000);
    expect(c.kafka.dlqSuffix).toBe('.dlq');
    expect(c.elasticsearch.requestTimeoutMs).toBe(10_000);
    expect(c.elasticsearch.maxBulkBytes).toBe(4 * 1024 * 1024);
    expect(c.http.port).toBe(9464);
    expect(c.shutdownTimeoutMs).toBe(30_000);
    expect(c.log.level).toBe('info');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.aggregate.bucketMs)).toBe(true);
  });

  it('maps environment variables', () => {
    const c = loadConfig({
      env: {
        KAFKA_BROKERS: 'a:9092, b:9092',
        LOGSIFT_TOPICS: 'calico,felix',
        LOGSIFT_GROUP_ID: 'g1',
        ES_URL: 'http://es:9200',
        ES_API_KEY: 'k',
        LOGSIFT_INDEX_PREFIX: 'sift',
        LOGSIFT_HTTP_PORT: '9000',
        LOGSIFT_LOG_LEVEL: 'DEBUG',
      },
      require: ['kafka', 'elasticsearch'],
    });
    expect(c.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(c.kafka.topics).toEqual(['calico', 'felix']);
    expect(c.kafka.groupId).toBe('g1');
    expect(c.elasticsearch.url).toBe('http://es:9200');
    expect(c.elasticsearch.apiKey?.reveal()).toBe('k');
    expect(String(c.elasticsearch.apiKey)).toBe('**REDACTED**');
    expect(c.aggregate.indexPrefix).toBe('sift');
    expect(c.http.port).toBe(9000);
    expect(c.log.level).toBe('debug');
    expect(c.provenance.env).toContain('KAFKA_BROKERS');
  });

  it('accepts a /regex/ for topics', () => {
    const c = loadConfig({ env: { LOGSIFT_TOPICS: '/^calico-.*/' } });
    expect(c.kafka.topics).toBeInstanceOf(RegExp);
    expect((c.kafka.topics as RegExp).test('calico-node')).toBe(true);
  });

  it('env wins over --config, --config over defaults (YAML and JSON)', () => {
    const yaml = tmpFile(
      'c.yaml',
      'kafka:\n  groupId: from-file\n  brokers: [f:9092]\nhttp:\n  port: 1234\n',
    );
    const c = loadConfig({ env: { LOGSIFT_GROUP_ID: 'from-env' }, configFile: yaml });
    expect(c.kafka.groupId).toBe('from-env');
    expect(c.kafka.brokers).toEqual(['f:9092']);
    expect(c.http.port).toBe(1234);
    const json = tmpFile('c.json', JSON.stringify({ aggregate: { buckets: { 'tier-exists': '1d' } } }));
    expect(loadConfig({ env: {}, configFile: json }).aggregate.bucketMs['tier-exists']).toBe(86_400_000);
  });

  it('--bucket flags win over the file', () => {
    const yaml = tmpFile('c.yaml', 'aggregate:\n  buckets:\n    tier-exists: 1d\n');
    const c = loadConfig({ env: {}, configFile: yaml, buckets: ['tier-exists=10m', 'netlink-error=10s'] });
    expect(c.aggregate.bucketMs['tier-exists']).toBe(600_000);
    expect(c.aggregate.bucketMs['netlink-error']).toBe(10_000);
  });

  it('reports every problem at once, each saying what to change', () => {
    const yaml = tmpFile(
      'bad.yaml',
      'kafka:\n  sessionTimeoutMs: 100\n  bogus: 1\naggregate:\n  buckets:\n    tier-exists: 7x\n    routine-noise: 7h\nlog:\n  level: loud\n',
    );
    const p = problems(() =>
      loadConfig({
        env: { LOGSIFT_HTTP_PORT: 'eighty', ES_URL: 'ftp://x' },
        configFile: yaml,
        buckets: ['nonsense=1h'],
        require: ['kafka', 'elasticsearch'],
      }),
    );
    const text = p.join('\n');
    expect(text).toContain('kafka.bogus: unknown key');
    expect(text).toContain('kafka.sessionTimeoutMs');
    expect(text).toMatch(/aggregate\.buckets\.tier-exists: bad duration/);
    expect(text).toMatch(/aggregate\.buckets\.routine-noise: .*divide a day/);
    expect(text).toMatch(/log\.level: must be one of/);
    expect(text).toMatch(/http\.port: .*LOGSIFT_HTTP_PORT/);
    expect(text).toMatch(/elasticsearch\.url: .*ES_URL/);
    expect(text).toContain(
      'kafka.brokers: required — set KAFKA_BROKERS=kafka-0:9092,kafka-1:9092 or kafka.brokers in --config',
    );
    expect(text).toMatch(/unknown category "nonsense" — valid categories: tier-exists, netlink-error/);
    expect(p.length).toBeGreaterThanOrEqual(9);
  });

  it('requires Kafka and Elasticsearch only when the command needs them', () => {
    expect(() => loadConfig({ env: {} })).not.toThrow();
    const p = problems(() => loadConfig({ env: {}, require: ['kafka', 'elasticsearch'] }));
    expect(p.join('\n')).toContain('kafka.brokers: required');
    expect(p.join('\n')).toContain('kafka.topics: required');
    expect(p.join('\n')).toContain('elasticsearch.url: required');
  });

  it('rejects unreadable and malformed config files with exit 2', () => {
    expect(problems(() => loadConfig({ env: {}, configFile: '/nonexistent/x.yaml' }))[0]).toContain(
      '/nonexistent/x.yaml',
    );
    expect(
      problems(() => loadConfig({ env: {}, configFile: tmpFile('x.yaml', 'kafka: [unclosed') }))[0],
    ).toContain('fix the syntax');
    expect(problems(() => loadConfig({ env: {}, configFile: tmpFile('x.yaml', '- a\n- b\n') }))[0]).toContain(
      'mapping',
    );
  });

  it('rejects an unknown time zone and mutually exclusive ES credentials', () => {
    const yaml = tmpFile('z.yaml', 'parse:\n  defaultZone: Mars/Olympus\n');
    const p = problems(() => loadConfig({ env: { ES_API_KEY: 'k', ES_USERNAME: 'u' }, configFile: yaml }));
    const text = p.join('\n');
    expect(text).toContain('parse.defaultZone');
    expect(text).toContain('not both');
    const lone = problems(() => loadConfig({ env: { ES_USERNAME: 'u' } })).join('\n');
    expect(lone).toContain('elasticsearch.password: required with elasticsearch.username');
  });
});

describe('parseBucketFlag', () => {
  it('parses and explains', () => {
    expect(parseBucketFlag('tier-exists=1d')).toEqual({
      category: 'tier-exists',
      text: '1d',
      ms: 86_400_000,
    });
    expect(parseBucketFlag('tier-exists')).toMatch(/expected CATEGORY=DURATION/);
    expect(parseBucketFlag('tier=1h')).toMatch(/valid categories: .*dead-letter/);
    expect(parseBucketFlag('panic=soon')).toMatch(/bad duration "soon"/);
  });
});
