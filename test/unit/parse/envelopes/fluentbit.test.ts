import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

const K = {
  pod_name: 'calico-node-abc',
  namespace_name: 'calico-system',
  container_name: 'calico-node',
  host: 'node-1',
};

describe('Fluent Bit / Fluentd', () => {
  it('log + kubernetes metadata', () => {
    const u = unwrap(
      JSON.stringify({
        log: 'bird: Started\n',
        stream: 'stderr',
        time: '2026-01-10T10:00:00Z',
        kubernetes: K,
      }),
    );
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'fluentbit',
      innerWrapper: null,
      text: 'bird: Started',
      stream: 'stderr',
      kubernetes: {
        pod: 'calico-node-abc',
        namespace: 'calico-system',
        container: 'calico-node',
        node: 'node-1',
      },
    });
  });

  it('a CRI line inside `log` is unwrapped too (twice wrapped)', () => {
    const u = unwrap(
      JSON.stringify({
        log: '2026-01-10T10:00:01.25Z stdout P 2025-01-14 09:30:00.137 [INFO]',
        kubernetes: K,
      }),
    );
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'fluentbit',
      innerWrapper: 'cri',
      text: '2025-01-14 09:30:00.137 [INFO]',
      partial: true,
      stream: 'stdout',
      envelopeTimeMs: Date.UTC(2026, 0, 10, 10, 0, 1, 250),
    });
  });

  it('epoch-seconds `date` field', () => {
    const u = unwrap(JSON.stringify({ log: 'x', date: 1736847000.5, kubernetes: K }));
    expect(u.ok && u.envelopeTimeMs).toBe(1736847000500);
  });
});
