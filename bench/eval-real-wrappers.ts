/**
 * Test-input generation for the wrapper-consistency check of bench/eval-real.ts: a bare log line
 * re-wrapped the way a container runtime, a log shipper or a CLI delivers it. Each wrapper is
 * written from that tool's own format, not from logsift's parser (some are not supported yet; the
 * harness reports them). A multi-line record is wrapped line by line, as the runtime writes it.
 */

/** Where the wrapped lines claim to come from (what should land on the record's kubernetes fields). */
export const META = {
  pod: 'calico-node-x7k2p',
  namespace: 'calico-system',
  container: 'calico-node',
  node: 'worker-1',
  podUid: '6b3f2c9e-1d4a-4f7b-9a51-0c2e8d7f4a10',
  containerId: '3f1c9a7e5b2d4c6a8e0f1b3d5c7a9e2f4b6d8c0a1e3f5b7d9c2a4e6f8b0d1c3a',
  image: 'quay.io/calico/node:v3.29.1',
} as const;

const NANOS = '2026-01-10T10:00:00.123456789Z';
const MILLIS = '2026-01-10T10:00:00.123Z';
const EPOCH_MS = Date.UTC(2026, 0, 10, 10, 0, 0, 123);

/**
 * Go's encoding/json string encoding, which docker's json-file driver and most Go shippers use:
 * like JSON.stringify, plus `<`, `>`, `&`, U+2028 and U+2029 as \u escapes.
 */
export function goJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** JSON object text with Go string escaping, keys in the given order. */
function goJson(o: Record<string, unknown>): string {
  const enc = (v: unknown): string => {
    if (typeof v === 'string') return goJsonString(v);
    if (Array.isArray(v)) return `[${v.map(enc).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      return `{${Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${goJsonString(k)}:${enc(x)}`)
        .join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return enc(o);
}

const podLogPath = `/var/log/pods/${META.namespace}_${META.pod}_${META.podUid}/${META.container}/0.log`;
const containerLogPath = `/var/log/containers/${META.pod}_${META.namespace}_${META.container}-${META.containerId}.log`;

export interface Wrapper {
  readonly name: string;
  /** What the wrapper carries about the pod, so the harness knows which fields should land on the record. */
  readonly carries: { readonly pod: boolean; readonly namespace: boolean };
  /** The units (Kafka messages / file lines) this wrapper turns ONE physical log line into. */
  wrap(line: string): string;
}

export const WRAPPERS: readonly Wrapper[] = [
  {
    // Kubernetes CRI logging format (kubelet / containerd / CRI-O): `<RFC3339Nano> <stream> <P|F> <log>`.
    name: 'cri',
    carries: { pod: false, namespace: false },
    wrap: (l) => `${NANOS} stderr F ${l}`,
  },
  {
    // docker json-file driver: one JSON object per line, the line with its newline in "log".
    name: 'docker-json',
    carries: { pod: false, namespace: false },
    wrap: (l) => goJson({ log: `${l}\n`, stream: 'stderr', time: NANOS }),
  },
  {
    // Fluent Bit: tail input + docker parser + kubernetes filter, kafka output (Timestamp_Key @timestamp, double).
    name: 'fluentbit',
    carries: { pod: true, namespace: true },
    wrap: (l) =>
      JSON.stringify({
        '@timestamp': EPOCH_MS / 1000,
        log: `${l}\n`,
        stream: 'stderr',
        time: NANOS,
        kubernetes: {
          pod_name: META.pod,
          namespace_name: META.namespace,
          pod_id: META.podUid,
          labels: { 'k8s-app': 'calico-node' },
          host: META.node,
          container_name: META.container,
          docker_id: META.containerId,
          container_image: META.image,
        },
      }),
  },
  {
    // Fluent Bit without a parser on a containerd node: "log" holds the raw CRI line.
    name: 'fluentbit-cri',
    carries: { pod: true, namespace: true },
    wrap: (l) =>
      JSON.stringify({
        '@timestamp': EPOCH_MS / 1000,
        log: `${NANOS} stderr F ${l}`,
        kubernetes: {
          pod_name: META.pod,
          namespace_name: META.namespace,
          pod_id: META.podUid,
          host: META.node,
          container_name: META.container,
        },
      }),
  },
  {
    // Vector kubernetes_logs source, kafka sink with the json codec (the event as Vector logs it).
    name: 'vector',
    carries: { pod: true, namespace: true },
    wrap: (l) =>
      JSON.stringify({
        file: podLogPath,
        kubernetes: {
          container_id: `containerd://${META.containerId}`,
          container_image: META.image,
          container_name: META.container,
          namespace_labels: { 'kubernetes.io/metadata.name': META.namespace },
          node_labels: { 'kubernetes.io/hostname': META.node },
          pod_ip: '10.0.0.5',
          pod_ips: ['10.0.0.5'],
          pod_labels: { 'k8s-app': 'calico-node' },
          pod_name: META.pod,
          pod_namespace: META.namespace,
          pod_node_name: META.node,
          pod_owner: 'DaemonSet/calico-node',
          pod_uid: META.podUid,
        },
        message: l,
        source_type: 'kubernetes_logs',
        stream: 'stderr',
        timestamp: NANOS,
      }),
  },
  {
    // Filebeat container input + add_kubernetes_metadata, kafka output with codec.json (ECS fields).
    name: 'filebeat',
    carries: { pod: true, namespace: true },
    wrap: (l) =>
      JSON.stringify({
        '@timestamp': MILLIS,
        '@metadata': { beat: 'filebeat', type: '_doc', version: '8.14.0' },
        log: { offset: 1024, file: { path: containerLogPath } },
        stream: 'stderr',
        message: l,
        input: { type: 'container' },
        kubernetes: {
          pod: { name: META.pod, uid: META.podUid, ip: '10.0.0.5' },
          namespace: META.namespace,
          namespace_uid: '0f7d3c1a-5b2e-4a6c-8d9e-1f2a3b4c5d6e',
          node: { name: META.node, hostname: META.node },
          labels: { 'k8s-app': 'calico-node' },
          container: { name: META.container },
        },
        container: { id: META.containerId, runtime: 'containerd', image: { name: META.image } },
        ecs: { version: '8.0.0' },
        host: { name: META.node },
        agent: { type: 'filebeat', version: '8.14.0', name: META.node },
      }),
  },
  {
    // OpenTelemetry collector: filelog receiver (container parser) + k8sattributes, OTLP/JSON encoding.
    name: 'otel',
    carries: { pod: true, namespace: true },
    wrap: (l) =>
      JSON.stringify({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'k8s.pod.name', value: { stringValue: META.pod } },
                { key: 'k8s.namespace.name', value: { stringValue: META.namespace } },
                { key: 'k8s.container.name', value: { stringValue: META.container } },
                { key: 'k8s.node.name', value: { stringValue: META.node } },
                { key: 'k8s.pod.uid', value: { stringValue: META.podUid } },
              ],
            },
            scopeLogs: [
              {
                scope: {},
                logRecords: [
                  {
                    timeUnixNano: `${EPOCH_MS}456789`,
                    observedTimeUnixNano: `${EPOCH_MS + 5}000000`,
                    body: { stringValue: l },
                    attributes: [
                      { key: 'log.iostream', value: { stringValue: 'stderr' } },
                      { key: 'logtag', value: { stringValue: 'F' } },
                      { key: 'log.file.path', value: { stringValue: podLogPath } },
                    ],
                    traceId: '',
                    spanId: '',
                  },
                ],
              },
            ],
          },
        ],
      }),
  },
  {
    // kubectl logs --timestamps: the kubelet's RFC 3339 (nanoseconds) timestamp and a space.
    name: 'kubectl-timestamps',
    carries: { pod: false, namespace: false },
    wrap: (l) => `${NANOS} ${l}`,
  },
  {
    // kubectl logs --prefix: `[pod/<name>/<container>] `.
    name: 'kubectl-prefix',
    carries: { pod: true, namespace: false },
    wrap: (l) => `[pod/${META.pod}/${META.container}] ${l}`,
  },
  {
    // kubectl logs --prefix --timestamps: the prefix first, then the timestamp.
    name: 'kubectl-prefix-timestamps',
    carries: { pod: true, namespace: false },
    wrap: (l) => `[pod/${META.pod}/${META.container}] ${NANOS} ${l}`,
  },
  {
    // stern, default template without colour: `<pod> <container> <message>`.
    name: 'stern',
    carries: { pod: true, namespace: false },
    wrap: (l) => `${META.pod} ${META.container} ${l}`,
  },
  {
    // journald / syslog short format (journalctl -o short, RFC 3164 header): `Mon dd hh:mm:ss host ident[pid]: `.
    name: 'journald',
    carries: { pod: false, namespace: false },
    wrap: (l) => `Jan 10 10:00:00 ${META.node} calico-node[4242]: ${l}`,
  },
];
