import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configWarnings, loadConfig, normalizeFingerprint, Secret } from '../../../src/config/index.ts';
import type { LogsiftError } from '../../../src/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'logsift-sec-config-'));
function tmp(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect((err as LogsiftError).exitCode).toBe(2);
    return [...(err as LogsiftError).details];
  }
  throw new Error('expected a configuration error');
}

describe('Secret', () => {
  it('redacts itself in every text form and reveals only on request', () => {
    const s = new Secret('hunter2', { from: 'env', name: 'ES_PASSWORD' });
    expect(String(s)).toBe('**REDACTED**');
    expect(`${s}`).toBe('**REDACTED**');
    expect(JSON.stringify({ s })).toBe('{"s":"**REDACTED**"}');
    expect(inspect({ s })).not.toContain('hunter2');
    expect(s.reveal()).toBe('hunter2');
  });
});

describe('secrets from files and env', () => {
  it('reads *_FILE, trims the trailing newline, and keeps the source without the value', () => {
    const f = tmp('pw', 's3cret\n');
    const c = loadConfig({
      env: {
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: f,
        KAFKA_TLS: 'true',
      },
    });
    expect(c.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(c.kafka.sasl?.password.reveal()).toBe('s3cret');
    expect(c.kafka.sasl?.password.source).toEqual({
      from: 'file',
      name: 'KAFKA_SASL_PASSWORD_FILE',
      path: f,
    });
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(c.kafka.tls.enabled).toBe(true);
  });

  it('a missing secret file names the variable and the path; both forms at once is an error', () => {
    const p = problems(() => loadConfig({ env: { ES_USERNAME: 'u', ES_PASSWORD_FILE: '/nope/pw' } }));
    expect(p.join('\n')).toMatch(/ES_PASSWORD_FILE: cannot read \/nope\/pw \(no such file\)/);
    const both = problems(() => loadConfig({ env: { ES_API_KEY: 'k', ES_API_KEY_FILE: '/x' } }));
    expect(both.join('\n')).toContain('ES_API_KEY and ES_API_KEY_FILE are both set');
  });

  it('warns about clear-text credentials and disabled certificate checks', () => {
    const c = loadConfig({
      env: {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_TLS_INSECURE_SKIP_VERIFY: 'true',
      },
    });
    const w = configWarnings(c).join('\n');
    expect(w).toContain('insecureSkipVerify is ON');
    expect(
      configWarnings(
        loadConfig({
          env: { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
        }),
      ).join(),
    ).toContain('PLAIN without TLS');
  });

  it('CA files must be readable PEM; fingerprints are normalised', () => {
    const p = problems(() => loadConfig({ env: { KAFKA_TLS_CA_FILE: tmp('ca.der', 'binary') } })).join('\n');
    expect(p).toContain('is not a PEM file');
    expect(normalizeFingerprint('sha256 Fingerprint=ab:CD' + ':00'.repeat(30))).toBe(
      `AB:CD${':00'.repeat(30)}`,
    );
    expect(normalizeFingerprint('abc')).toBeNull();
  });

  it('credentials in a URL are refused without echoing them', () => {
    const p = problems(() => loadConfig({ env: { ES_URL: 'https://u:topsecret@es:9200' } })).join('\n');
    expect(p).toContain('contains credentials');
    expect(p).not.toContain('topsecret');
  });
});

describe('forgiving YAML, plain words', () => {
  it('one broker or topic as a string is a one-item list', () => {
    const c = loadConfig({
      env: {},
      configFile: tmp('a.yaml', 'kafka:\n  brokers: kafka-0:9092\n  topics: calico\n'),
    });
    expect(c.kafka.brokers).toEqual(['kafka-0:9092']);
    expect(c.kafka.topics).toEqual(['calico']);
  });

  it('says what was expected and what was found, all problems at once', () => {
    const p = problems(() =>
      loadConfig({
        env: {},
        configFile: tmp(
          'b.yaml',
          'kafka:\n  brokers: 9092\n  sessionTimeoutMs: abc\nhttp:\n  port: 99999\nelasticsearch:\n  password: 12345\n',
        ),
      }),
    );
    const text = p.join('\n');
    expect(text).toContain('kafka.brokers: expected a list of host:port, got a number (9092)');
    expect(text).toContain('kafka.sessionTimeoutMs: expected a whole number, got "abc"');
    expect(text).toContain('http.port: must be at most 65535, got a number (99999)');
    expect(text).toContain('elasticsearch.password: expected text, got a number (quote it in YAML)');
    expect(text).not.toContain('12345');
    expect(text).not.toMatch(/must be array|must be integer/);
  });

  it('a broker without a port is named', () => {
    const p = problems(() => loadConfig({ env: { KAFKA_BROKERS: 'kafka-0' } })).join('\n');
    expect(p).toContain('kafka.brokers[0]: "kafka-0" is not host:port');
  });
});
