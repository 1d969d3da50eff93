import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

const attrs = [
  { key: 'k8s.pod.name', value: { stringValue: 'calico-node-x' } },
  { key: 'k8s.namespace.name', value: { stringValue: 'calico-system' } },
  { key: 'k8s.node.name', value: { stringValue: 'n1' } },
  { key: 'k8s.container.name', value: { stringValue: 'calico-node' } },
];
const meta = { pod: 'calico-node-x', namespace: 'calico-system', node: 'n1', container: 'calico-node' };

describe('OTel collector JSON', () => {
  it('OTLP/JSON resourceLogs with one record', () => {
    const u = unwrap(
      JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: attrs },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1768039200123456789',
                    body: { stringValue: 'bird: Netlink: File exists' },
                    attributes: [{ key: 'log.iostream', value: { stringValue: 'stderr' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'otel',
      text: 'bird: Netlink: File exists',
      envelopeTimeMs: 1768039200123,
      stream: 'stderr',
      kubernetes: meta,
    });
  });

  it('flat record: string body, attribute object, observedTimeUnixNano fallback', () => {
    const u = unwrap(
      JSON.stringify({
        body: 'bird: Started',
        timeUnixNano: '0',
        observedTimeUnixNano: 1768039200000000000,
        resource: {
          'k8s.pod.name': 'calico-node-x',
          'k8s.namespace.name': 'calico-system',
          'k8s.node.name': 'n1',
          'k8s.container.name': 'calico-node',
        },
      }),
    );
    expect(u).toMatchObject({ ok: true, wrapper: 'otel', text: 'bird: Started', kubernetes: meta });
    expect(u.ok && u.envelopeTimeMs).toBe(1768039200000);
  });

  it('OTLP without any record body is broken', () => {
    expect(unwrap(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [] }] }] })).ok).toBe(false);
  });
});
