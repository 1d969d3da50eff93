/**
 * Records of prefixed / re-wrapped lines (kubectl, stern, syslog, svlogd, logrus-in-logrus,
 * tigera-operator JSON), SourceUnit.meta and the container image, through PartitionAssembler.
 */
import { describe, expect, it } from 'vitest';
import type { KubernetesMeta, LogRecord, SourceUnit } from '../../../src/domain/record.ts';
import { PartitionAssembler } from '../../../src/parse/assembler.ts';
import { assemble, one, T0 } from './helpers.ts';

const CAL =
  '2025-01-14 09:30:00.137 [WARNING][63] felix/route_table.go 303: Syncing routes ifaceName="eth0" table=254';
const AT = Date.UTC(2025, 0, 14, 9, 30, 0, 137);
const PANIC = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '',
  'goroutine 1 [running]:',
  'main.main()',
  '\t/go/src/main.go:12 +0x25',
];

/** The fields that must not depend on how the line arrived. */
const same = (r: LogRecord) => ({
  format: r.format,
  message: r.message,
  level: r.level,
  component: r.component,
  fields: r.fields,
  parsedTimeMs: r.parsedTimeMs,
  originFile: r.originFile,
  originLine: r.originLine,
  text: r.text,
});

function metaUnit(offset: number, value: string, meta?: KubernetesMeta): SourceUnit {
  const position = { topic: 't', partition: 0, offset, timestampMs: T0 };
  return meta === undefined ? { position, value } : { position, value, meta };
}

function run(units: SourceUnit[]): LogRecord[] {
  const a = new PartitionAssembler();
  for (const u of units) a.push(u);
  a.flush();
  return a.drain().records;
}

describe('prefixed lines give the bare line record, with the prefix meta', () => {
  const bare = one(CAL);

  it.each([
    ['kubectl --timestamps', `2025-01-14T09:30:00.137000001Z ${CAL}`, 'kubectl', {}],
    [
      'kubectl --prefix',
      `[pod/calico-node-x7k2p/calico-node] ${CAL}`,
      'kubectl',
      { pod: 'calico-node-x7k2p', container: 'calico-node' },
    ],
    [
      'kubectl --prefix --timestamps',
      `[pod/calico-node-x7k2p/calico-node] 2025-01-14T09:30:00.137Z ${CAL}`,
      'kubectl',
      { pod: 'calico-node-x7k2p', container: 'calico-node' },
    ],
    [
      'stern',
      `calico-node-x7k2p calico-node ${CAL}`,
      'stern',
      { pod: 'calico-node-x7k2p', container: 'calico-node' },
    ],
    [
      'stern --all-namespaces, coloured',
      `\u001b[36mcalico-system\u001b[0m \u001b[36mcalico-node-x7k2p\u001b[0m \u001b[32mcalico-node\u001b[0m ${CAL}`,
      'stern',
      { namespace: 'calico-system', pod: 'calico-node-x7k2p', container: 'calico-node' },
    ],
    ['syslog', `Jan 14 09:30:00 node-1 calico-node[4242]: ${CAL}`, 'syslog', { node: 'node-1' }],
    [
      'journalctl short-iso',
      `2025-01-14T09:30:00+0000 node-1 calico-node[4242]: ${CAL}`,
      'syslog',
      { node: 'node-1' },
    ],
    ['svlogd -tt', `2025-01-14_09:30:00.13712 ${CAL}`, 'svlogd', {}],
    ['svlogd -ttt', `2025-01-14T09:30:00.13712 ${CAL}`, 'svlogd', {}],
  ])('%s', (_name, line, wrapper, meta) => {
    const r = one(line);
    expect(same(r)).toEqual(same(bare));
    expect(r.wrapper).toBe(wrapper);
    expect(r.kubernetes).toEqual(meta);
    expect(r.pid).toBe(63); // the line's own pid wins over syslog's
  });

  it('a logrus wrapper that re-logged the line: the inner line is the record, text included', () => {
    const quoted = CAL.replace(/"/g, '\\"');
    const r = one(`time="2025-01-14T09:31:00Z" level=error msg="${quoted}" wrapper=relay`);
    expect(same(r)).toEqual(same(bare));
  });

  it('a BIRD line (no time): the prefix time is the record time', () => {
    const r = one('2016-03-30_19:46:40.88778 bird: Netlink: File exists');
    expect(r).toMatchObject({ format: 'bird', component: 'bird', level: 'ERROR', wrapper: 'svlogd' });
    expect(r.parsedTimeMs).toBe(Date.UTC(2016, 2, 30, 19, 46, 40, 887));
  });
});

describe('syslog form and header facts', () => {
  it("Calico's syslog form: component from the tag, pid and time from the header (year from the unit)", () => {
    const r = one(
      'Jan 14 09:30:00 node-1 calico-felix[4242]: WARNING route_table.go 303: Syncing routes ifaceName="eth0"',
    );
    expect(r).toMatchObject({
      format: 'calico',
      wrapper: 'syslog',
      component: 'felix',
      level: 'WARNING',
      pid: 4242,
      originFile: 'route_table.go',
      originLine: 303,
      message: 'Syncing routes',
      parsedTimeMs: Date.UTC(2025, 0, 14, 9, 30),
      kubernetes: { node: 'node-1' },
    });
    expect(one('2025-01-14T09:30:00+0000 n calico-typha[1]: INFO sync_server.go 1: m').component).toBe(
      'typha',
    );
    // An unknown tag names no component.
    expect(one('Jan 14 09:30:00 n myapp[1]: INFO x.go 1: m').component).toBe('unknown');
  });

  it('syslog text that is not a Calico line stays unparsed, with the header time', () => {
    const r = one('Jan 14 09:30:00 node-1 kernel: eth0: link up');
    expect(r).toMatchObject({
      format: 'unparsed',
      message: 'eth0: link up',
      parsedTimeMs: Date.UTC(2025, 0, 14, 9, 30),
    });
  });
});

describe('tigera-operator and the CNI installer', () => {
  it('zap JSON lines are records of component tigera-operator (not broken envelopes)', () => {
    const { records, deadLetters } = assemble([
      '{"level":"info","ts":1736847000.5,"logger":"controller_installation","msg":"Reconciling Installation.operator.tigera.io","Request.Namespace":"","Request.Name":"default"}',
    ]);
    expect(deadLetters).toEqual([]);
    expect(records[0]).toMatchObject({
      format: 'zap',
      component: 'tigera-operator',
      level: 'INFO',
      message: 'Reconciling Installation.operator.tigera.io',
      parsedTimeMs: 1736847000500,
      flags: [],
    });
  });

  it('a zap panic absorbs the Go trace that follows', () => {
    const { records } = assemble(['{"level":"panic","ts":1736847000,"msg":"boom"}', ...PANIC.slice(2)]);
    expect(records.map((r) => [r.format, r.units])).toEqual([['zap', 4]]);
  });

  it('logrus lines of the install-cni container are component cni-installer', () => {
    const r = run([
      metaUnit(0, 'time="2021-02-17T10:14:41Z" level=info msg="Installed /host/opt/cni/bin/calico"', {
        namespace: 'kube-system',
        pod: 'calico-node-x',
        container: 'install-cni',
      }),
    ]);
    expect(r[0]!.component).toBe('cni-installer');
    expect(
      one('time="2021-02-17T10:14:40Z" level=info msg="Running as a Kubernetes pod" source="install.go:140"')
        .component,
    ).toBe('cni-installer');
  });
});

describe('grouping by the prefix meta', () => {
  it('interleaved containers of kubectl --prefix --all-containers do not mix; a blank trace line stays in its record', () => {
    const k = (c: string, l: string) => `[pod/calico-node-x/${c}] ${l}`;
    const recs = assemble([
      k('calico-node', PANIC[0]!),
      k('install-cni', 'time="2021-02-17T10:14:41Z" level=info msg="Installed /host/opt/cni/bin/calico"'),
      k('calico-node', PANIC[1]!),
      k('calico-node', PANIC[2]!),
      k(
        'install-cni',
        'time="2021-02-17T10:14:42Z" level=info msg="Installed /host/opt/cni/bin/calico-ipam"',
      ),
      k('calico-node', PANIC[3]!),
      k('calico-node', PANIC[4]!),
    ]).records;
    expect(recs.map((r) => [r.kubernetes.container, r.format, r.units])).toEqual([
      ['calico-node', 'gopanic', 5],
      ['install-cni', 'logrus', 1],
      ['install-cni', 'logrus', 1],
    ]);
    expect(recs[0]!.text).toBe(PANIC.join('\n'));
  });

  it('stern: a Go trace is one record per pod', () => {
    const s = (p: string, l: string) => `${p} calico-node ${l}`;
    const recs = assemble([
      s('calico-node-a', PANIC[0]!),
      s('calico-node-b', CAL),
      s('calico-node-a', PANIC[1]!),
      s('calico-node-a', PANIC[2]!),
      s('calico-node-a', PANIC[3]!),
      s('calico-node-a', PANIC[4]!),
    ]).records;
    expect(recs.map((r) => [r.kubernetes.pod, r.format, r.units])).toEqual([
      ['calico-node-a', 'gopanic', 5],
      ['calico-node-b', 'calico', 1],
    ]);
  });

  it("a raw file's blank line inside a trace stays in it when the units carry the file's meta", () => {
    const meta = { namespace: 'calico-system', pod: 'calico-node-x', container: 'calico-node' };
    const recs = run(PANIC.map((l, i) => metaUnit(i, l, meta)));
    expect(recs.map((r) => [r.format, r.units])).toEqual([['gopanic', 5]]);
    expect(recs[0]!.kubernetes).toEqual(meta);
  });
});

describe('SourceUnit.meta and the container image', () => {
  const fileMeta = { namespace: 'calico-system', pod: 'calico-node-file', container: 'calico-node' };

  it('fills what the envelope left empty; envelope values win', () => {
    const [raw] = run([metaUnit(0, CAL, fileMeta)]);
    expect(raw!.kubernetes).toEqual(fileMeta);
    const fb = JSON.stringify({ log: CAL, kubernetes: { pod_name: 'calico-node-env', host: 'n1' } });
    const [r] = run([metaUnit(0, fb, fileMeta)]);
    expect(r!.kubernetes).toEqual({
      namespace: 'calico-system',
      pod: 'calico-node-env',
      container: 'calico-node',
      node: 'n1',
    });
    const [s] = run([metaUnit(0, `calico-node-stern calico-node ${CAL}`, fileMeta)]);
    expect(s!.kubernetes.pod).toBe('calico-node-stern');
    // Units without meta are untouched.
    expect(run([metaUnit(0, CAL)])[0]!.kubernetes).toEqual({});
  });

  it('image from Fluent Bit, Vector, Filebeat (name + tag) and OTel (name + tag)', () => {
    const image = 'docker.io/calico/node:v3.29.1';
    const fb = JSON.stringify({
      date: 1736847000.1,
      time: '2025-01-14T09:30:00.1Z',
      stream: 'stderr',
      _p: 'F',
      log: CAL,
      kubernetes: { pod_name: 'p', container_name: 'calico-node', container_image: image },
    });
    expect(one(fb).kubernetes.image).toBe(image);
    const vector = JSON.stringify({
      message: CAL,
      timestamp: '2025-01-14T09:30:00.1Z',
      kubernetes: { pod_name: 'p', container_image: image },
    });
    expect(one(vector).kubernetes.image).toBe(image);
    const filebeat = JSON.stringify({
      '@timestamp': '2025-01-14T09:30:00.1Z',
      message: CAL,
      container: { name: 'calico-node', image: { name: 'docker.io/calico/node', tag: ['v3.29.1'] } },
    });
    expect(one(filebeat).kubernetes.image).toBe(image);
    const filebeatFull = JSON.stringify({
      message: CAL,
      'container.image.name': image,
      'container.image.tag': ['v3.29.1'],
    });
    expect(one(filebeatFull).kubernetes.image).toBe(image);
    const otel = JSON.stringify({
      resourceLogs: [
        {
          resource: {
            attributes: [
              { key: 'container.image.name', value: { stringValue: 'docker.io/calico/node' } },
              { key: 'container.image.tag', value: { stringValue: 'v3.29.1' } },
            ],
          },
          scopeLogs: [{ logRecords: [{ timeUnixNano: '1736847000100000000', body: { stringValue: CAL } }] }],
        },
      ],
    });
    expect(one(otel).kubernetes.image).toBe(image);
    // A digest is kept as it is.
    const digest = 'docker.io/calico/node@sha256:0123';
    expect(
      one(
        JSON.stringify({
          message: CAL,
          '@timestamp': 'x',
          'container.image.name': digest,
          'container.image.tag': 'v1',
        }),
      ).kubernetes.image,
    ).toBe(digest);
  });

  it('the time of a kubectl --timestamps line is the envelope time, like CRI (same instant as the bare line)', () => {
    const r = one(`2025-01-14T09:30:00.137999999Z ${CAL}`);
    expect(r.envelopeTimeMs).toBe(AT);
    expect(r.flags).toEqual(['time-from-envelope']);
  });
});
