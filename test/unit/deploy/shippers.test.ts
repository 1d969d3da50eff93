// The shipper examples (deploy/shippers, docs/SHIPPERS.md): each config sends Calico pod logs to
// the topic logsift reads, keyed so one container stays on one partition, and the sample envelope
// it documents (a record as that shipper writes it to Kafka) parses in logsift to the right pod,
// namespace, node and container, through the public parse API (PartitionAssembler, unwrap).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { PartitionAssembler, unwrap } from '../../../src/parse/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const read = (p: string): string => readFileSync(resolve(ROOT, p), 'utf8');

interface DaemonSetSpec {
  template: {
    spec: { tolerations: unknown[]; containers: Array<{ volumeMounts: Array<{ mountPath: string }> }> };
  };
}

/** The topic logsift reads by default: the chart's config.kafka.topics and the compose stack's. */
function logsiftTopic(): string {
  const chart = parseYaml(read('deploy/helm/calico-logsift/values.yaml')) as {
    config: { kafka: { topics: string[] } };
  };
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: { logsift: { environment: Record<string, string> } };
  };
  expect(chart.config.kafka.topics).toEqual([compose.services.logsift.environment.LOGSIFT_TOPICS]);
  return chart.config.kafka.topics[0]!;
}

/** Sections of a Fluent Bit classic config: [NAME] followed by `Key Value` lines (comments skipped). */
function fluentBitSections(conf: string): Array<{ section: string; props: Map<string, string> }> {
  const out: Array<{ section: string; props: Map<string, string> }> = [];
  for (const raw of conf.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const s = /^\[([A-Z]+)\]$/.exec(line);
    if (s) {
      out.push({ section: s[1]!, props: new Map() });
      continue;
    }
    const kv = /^(\S+)\s+(.*)$/.exec(line);
    if (!kv || out.length === 0) throw new Error(`fluent-bit.conf: cannot read ${line}`);
    out.at(-1)!.props.set(kv[1]!.toLowerCase(), kv[2]!.trim());
  }
  return out;
}

/** A shell-style glob (`*` within a path segment, `**` across segments) as a RegExp. */
function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The record logsift assembles from one Kafka message. */
function parseOne(value: string) {
  const a = new PartitionAssembler();
  a.push({
    position: { topic: 'calico-logs', partition: 0, offset: 0, timestampMs: Date.UTC(2025, 0, 14, 9, 30, 2) },
    value,
  });
  a.flush();
  const { records, deadLetters } = a.drain();
  expect(deadLetters).toEqual([]);
  expect(records).toHaveLength(1);
  return records[0]!;
}

describe('Fluent Bit DaemonSet (deploy/shippers/fluent-bit)', () => {
  const docs = parseAllDocuments(read('deploy/shippers/fluent-bit/fluent-bit.yaml')).map(
    (d) => d.toJS() as { kind: string; data?: Record<string, string>; spec?: DaemonSetSpec },
  );
  const conf = docs.find((d) => d.kind === 'ConfigMap')!.data!['fluent-bit.conf']!;
  const sections = fluentBitSections(conf);
  const input = sections.find((s) => s.section === 'INPUT')!.props;
  const filter = sections.find((s) => s.section === 'FILTER')!.props;
  const output = sections.find((s) => s.section === 'OUTPUT')!.props;
  const sampleText = read('deploy/shippers/fluent-bit/sample-envelope.json').trim();
  const sample = JSON.parse(sampleText) as Record<string, unknown>;

  it('tails the Calico containers, adds Kubernetes metadata, writes JSON to the topic logsift reads', () => {
    expect(input.get('name')).toBe('tail');
    expect(input.get('path')).toBe('/var/log/containers/calico-*.log');
    expect(input.get('multiline.parser')).toBe('cri, docker');
    expect(filter.get('name')).toBe('kubernetes');
    expect(filter.get('match')).toBe(input.get('tag'));
    expect(output.get('name')).toBe('kafka');
    expect(output.get('match')).toBe(input.get('tag'));
    expect(output.get('topics')).toBe(logsiftTopic());
    expect(output.get('format')).toBe('json');
    const pod = docs.find((d) => d.kind === 'DaemonSet')!.spec!.template.spec;
    expect(pod.containers[0]!.volumeMounts.map((m) => m.mountPath)).toContain('/var/log');
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('the sample envelope has the keys this config produces', () => {
    // Timestamp_Key first (out_kafka writes it before the record), the CRI parser's fields, the
    // Path_Key field that is also the message key, the kubernetes filter's object last.
    const keys = Object.keys(sample);
    expect(keys[0]).toBe(output.get('timestamp_key'));
    expect(typeof sample[output.get('timestamp_key')!]).toBe('number'); // Timestamp_Format double
    expect(output.get('timestamp_format')).toBe('double');
    for (const k of ['time', 'stream', '_p', 'log']) expect(keys).toContain(k);
    expect(input.get('path_key')).toBe(output.get('message_key_field'));
    expect(String(sample[output.get('message_key_field')!])).toMatch(
      globRegExp(input.get('path')!.replace('calico-*', 'calico-**')),
    );
    expect(keys.at(-1)).toBe('kubernetes');
  });

  it('parses in logsift to the pod, namespace, node and container', () => {
    const u = unwrap(sampleText);
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'fluentbit',
      stream: 'stdout',
      kubernetes: {
        pod: 'calico-node-x7k2p',
        namespace: 'calico-system',
        node: 'k8s-worker-2',
        container: 'calico-node',
      },
    });
    const r = parseOne(sampleText);
    expect(r.wrapper).toBe('fluentbit');
    expect(r.kubernetes).toEqual({
      pod: 'calico-node-x7k2p',
      namespace: 'calico-system',
      node: 'k8s-worker-2',
      container: 'calico-node',
      image: 'docker.io/calico/node:v3.29.2',
    });
    expect(r.format).toBe('calico');
    expect(r.component).toBe('felix');
    expect(r.level).toBe('INFO');
    expect(r.message).toBe('Dataplane updates throttled');
    expect(r.parsedTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 0, 137));
    expect(r.envelopeTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 0, 137));
  });
});

describe('Vector agent (deploy/shippers/vector)', () => {
  const cfg = parseYaml(read('deploy/shippers/vector/vector.yaml')) as {
    sources: Record<string, { type: string; include_paths_glob_patterns: string[] }>;
    sinks: Record<
      string,
      { type: string; inputs: string[]; topic: string; key_field: string; encoding: { codec: string } }
    >;
  };
  const sampleText = read('deploy/shippers/vector/sample-envelope.json').trim();
  const sample = JSON.parse(sampleText) as { file: string; kubernetes: Record<string, unknown> };

  it('reads the Calico pod logs (kubernetes_logs) and writes JSON to the topic logsift reads, keyed by pod', () => {
    const [name, source] = Object.entries(cfg.sources)[0]!;
    expect(source.type).toBe('kubernetes_logs');
    const sink = Object.values(cfg.sinks)[0]!;
    expect(sink.type).toBe('kafka');
    expect(sink.inputs).toEqual([name]);
    expect(sink.topic).toBe(logsiftTopic());
    expect(sink.encoding.codec).toBe('json');
    // The key field exists in what the source produces.
    expect(sink.key_field).toBe('.kubernetes.pod_name');
    expect(sample.kubernetes.pod_name).toBeTypeOf('string');
    // The sample's file is one the source includes; another namespace's non-Calico pod is not.
    const globs = source.include_paths_glob_patterns.map(globRegExp);
    expect(globs.some((g) => g.test(sample.file))).toBe(true);
    expect(globs.some((g) => g.test('/var/log/pods/default_nginx-7c5ddbdf54-abcde_1234/nginx/0.log'))).toBe(
      false,
    );
    expect(
      globs.some((g) => g.test('/var/log/pods/kube-system_calico-node-8dkq2_5678/calico-node/0.log')),
    ).toBe(true);
  });

  it('parses in logsift to the pod, namespace, node and container', () => {
    const u = unwrap(sampleText);
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'vector',
      stream: 'stdout',
      kubernetes: {
        pod: 'calico-typha-6f9d8c7b5-q2m4x',
        namespace: 'calico-system',
        node: 'k8s-worker-5',
        container: 'calico-typha',
      },
    });
    const r = parseOne(sampleText);
    expect(r.wrapper).toBe('vector');
    expect(r.kubernetes).toEqual({
      pod: 'calico-typha-6f9d8c7b5-q2m4x',
      namespace: 'calico-system',
      node: 'k8s-worker-5',
      container: 'calico-typha',
      image: 'docker.io/calico/typha:v3.29.2',
    });
    expect(r.component).toBe('typha');
    expect(r.message).toBe('New connection from peer');
    expect(r.fields).toEqual([
      ['connID', '0x1a2'],
      ['peerAddress', '10.0.1.7:45812'],
    ]);
    expect(r.envelopeTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 1, 482));
  });
});
