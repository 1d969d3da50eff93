import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/config/index.ts';
import { esClientOptions } from '../../../../src/sinks/elasticsearch/options.ts';

const env = { KAFKA_BROKERS: 'k:9092', LOGSIFT_TOPICS: 'calico', ES_URL: 'http://es:9200' };

describe('config -> Elasticsearch client options', () => {
  it('bounded request timeout and no transport retries (F7)', () => {
    const c = loadConfig({ env, require: ['kafka', 'elasticsearch'] });
    const o = esClientOptions(c.elasticsearch);
    expect(o.node).toBe('http://es:9200');
    expect(o.maxRetries).toBe(0);
    expect(o.requestTimeout).toBe(10_000);
    expect(o.requestTimeout * 3).toBeLessThanOrEqual(c.kafka.sessionTimeoutMs);
    expect(o.auth).toBeUndefined();
  });

  it('basic auth or API key', () => {
    const basic = loadConfig({ env: { ...env, ES_USERNAME: 'u', ES_PASSWORD: 'p' } });
    expect(esClientOptions(basic.elasticsearch).auth).toEqual({ username: 'u', password: 'p' });
    const key = loadConfig({ env: { ...env, ES_API_KEY: 'abc' } });
    expect(esClientOptions(key.elasticsearch).auth).toEqual({ apiKey: 'abc' });
  });

  it('a CA passes through as tls.ca', () => {
    const c = loadConfig({ env });
    expect(esClientOptions(c.elasticsearch, 'PEM').tls).toEqual({ ca: 'PEM' });
  });
});
