import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

describe('unwrap', () => {
  it('raw lines pass through', () => {
    expect(unwrap('bird: Started')).toMatchObject({
      ok: true,
      wrapper: 'raw',
      text: 'bird: Started',
      partial: false,
    });
    expect(unwrap('2025-01-14 09:30:00.137 [INFO][1] a/b.go 1: m')).toMatchObject({
      ok: true,
      wrapper: 'raw',
    });
  });

  it('broken envelopes: bad JSON, non-object, no message field', () => {
    expect(unwrap('{"log": "unterminated')).toMatchObject({ ok: false, reason: 'json-syntax' });
    expect(unwrap('{"lvl":"info","msg":"x"}')).toMatchObject({ ok: false, reason: 'no-message' });
    expect(unwrap('{"level":"info","text":"x"}')).toMatchObject({ ok: false, reason: 'no-message' });
    expect(unwrap('{"log": null}')).toMatchObject({ ok: false, reason: 'no-message' });
    expect(unwrap('  {"log": 5}')).toMatchObject({ ok: false });
  });

  it('a JSON log line (zap: string level and msg, no envelope field) is raw text, not a broken envelope', () => {
    const line = '{"level":"info","ts":1714557600.5,"logger":"controller_installation","msg":"Reconciling"}';
    expect(unwrap(line)).toMatchObject({ ok: true, wrapper: 'raw', text: line });
    expect(unwrap(`  ${line}`)).toMatchObject({ ok: true, wrapper: 'raw' });
  });

  it('a non-string message is kept as JSON text', () => {
    const u = unwrap('{"message":{"a":1},"@timestamp":"2026-01-10T10:00:00Z"}');
    expect(u).toMatchObject({ ok: true, wrapper: 'filebeat', text: '{"a":1}' });
  });

  it('docker json inside a shipper `log` is unwrapped', () => {
    const inner = JSON.stringify({ log: 'bird: Started\n', stream: 'stderr', time: '2026-01-10T10:00:00Z' });
    const u = unwrap(JSON.stringify({ log: inner, kubernetes: { pod_name: 'p' } }));
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'fluentbit',
      innerWrapper: 'docker',
      text: 'bird: Started',
      stream: 'stderr',
    });
  });
});
