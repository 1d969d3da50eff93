import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

const expected = { pod: 'p1', namespace: 'calico-system', node: 'n3', container: 'calico-node' };

describe('Filebeat / ECS', () => {
  it('nested keys', () => {
    const u = unwrap(
      JSON.stringify({
        '@timestamp': '2026-01-10T10:00:00.000Z',
        message: 'bird: Started',
        stream: 'stderr',
        kubernetes: {
          pod: { name: 'p1' },
          namespace: 'calico-system',
          node: { name: 'n3' },
          container: { name: 'calico-node' },
        },
        host: { name: 'h' },
      }),
    );
    expect(u).toMatchObject({ ok: true, wrapper: 'filebeat', stream: 'stderr', kubernetes: expected });
    expect(u.ok && u.envelopeTimeMs).toBe(Date.UTC(2026, 0, 10, 10));
  });

  it('the ECS `log` object of the container and filestream inputs (offset, file path) is metadata, not text', () => {
    const u = unwrap(
      JSON.stringify({
        '@timestamp': '2026-01-10T10:00:00.000Z',
        log: { offset: 1234, file: { path: '/var/log/containers/p1_calico-system_calico-node-0a.log' } },
        message: 'bird: Started',
        stream: 'stderr',
        kubernetes: {
          pod: { name: 'p1' },
          namespace: 'calico-system',
          node: { name: 'n3' },
          container: { name: 'calico-node' },
        },
      }),
    );
    expect(u).toMatchObject({ ok: true, wrapper: 'filebeat', text: 'bird: Started', kubernetes: expected });
    // An object `log` without a message is still no envelope we know.
    expect(unwrap(JSON.stringify({ log: { offset: 1 }, stream: 'stderr' })).ok).toBe(false);
  });

  it('dotted keys, container.name and host.name fallbacks', () => {
    const u = unwrap(
      JSON.stringify({
        '@timestamp': '2026-01-10T10:00:00Z',
        message: 'x',
        'kubernetes.pod.name': 'p1',
        'kubernetes.namespace': 'calico-system',
        'container.name': 'calico-node',
        'host.name': 'n3',
      }),
    );
    expect(u).toMatchObject({ ok: true, wrapper: 'filebeat', kubernetes: expected });
  });
});
