import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

describe('Vector kubernetes_logs', () => {
  it('message + kubernetes.pod_* + timestamp', () => {
    const u = unwrap(
      JSON.stringify({
        message:
          '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists.',
        timestamp: '2026-01-10T10:00:00.123Z',
        stream: 'stdout',
        source_type: 'kubernetes_logs',
        kubernetes: {
          pod_name: 'kc-1',
          pod_namespace: 'calico-system',
          container_name: 'calico-kube-controllers',
          pod_node_name: 'n2',
        },
      }),
    );
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'vector',
      envelopeTimeMs: Date.UTC(2026, 0, 10, 10, 0, 0, 123),
      stream: 'stdout',
      kubernetes: {
        pod: 'kc-1',
        namespace: 'calico-system',
        container: 'calico-kube-controllers',
        node: 'n2',
      },
    });
  });
});
