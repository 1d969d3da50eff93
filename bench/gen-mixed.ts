/**
 * A realistic mixed corpus for Kafka tests and benchmarks: one Kafka message per log line, the way
 * node agents ship Calico logs, with timestamps near a chosen end time (so event times are
 * plausible against the Kafka timestamps) and a stable message key per source pod (so one pod's
 * multi-line groups stay in one partition, in order).
 *
 * Every corpus row of test/fixtures/calico-templates.tsv (felix, typha, kube-controllers, cni,
 * ipam, confd, BIRD, apiserver klog/logrus, goldmane, whisker...) is used, re-stamped, inside a mix
 * of wrappers: raw text, CRI (with P/F partial pairs), docker json-file, Fluent Bit (also with a CRI
 * line inside), Vector, Filebeat/ECS, OTel (flat and OTLP/JSON). Plus the Tier-exists noise, Go
 * panics, the Felix health table and netlink errno bursts. Deterministic for a seed.
 *
 *   node --import tsx bench/gen-mixed.ts --lines 100000 > mixed.ndjson     # {"key","ts","value"} per line
 *   node --import tsx bench/gen-mixed.ts --lines 100000 --raw              # values only
 *   node --import tsx bench/gen-mixed.ts --realistic --raw > realistic.log  # generateRealistic's values (bench:e2e's realistic mix)
 *   node --import tsx bench/gen-mixed.ts --lines 200000 --brokers 127.0.0.1:19092 --topic t [--partitions 3]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES_PATH = join(ROOT, 'test', 'fixtures', 'calico-templates.tsv');

export interface MixedMessage {
  /** Kafka message key: the source pod (null for raw host files, so they spread by the partitioner). */
  readonly key: string | null;
  readonly value: string;
  /** Kafka timestamp (ms): the event time plus a small shipping delay. */
  readonly timestamp: number;
}

export interface MixedOptions {
  /** Exactly this many messages (lines). */
  readonly lines: number;
  readonly seed?: number;
  /** Event time of the last line (ms). Default: now. */
  readonly endMs?: number;
  /** Event-time span the lines cover, ms. Default: 2 h. */
  readonly spanMs?: number;
}

// ------------------------------------------------------------------ randomness (mulberry32)
export class Rng {
  #a: number;
  constructor(seed: number) {
    this.#a = seed >>> 0;
  }
  float(): number {
    this.#a = (this.#a + 0x6d2b79f5) >>> 0;
    let t = this.#a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.float() * xs.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.float() * 16)];
    return s;
  }
  alnum(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.float() * a.length)];
    return s;
  }
}

// ------------------------------------------------------------------ corpus rows
interface Row {
  readonly component: string;
  readonly level: string;
  /** Example line without its leading timestamp (Calico format) or the whole line (others). */
  readonly body: string;
  /** 'calico' = `YYYY-MM-DD hh:mm:ss.mmm <body>`; 'klog' / 'logrus' re-stamped; 'plain' as is. */
  readonly kind: 'calico' | 'klog' | 'logrus' | 'plain';
}

function unescapeField(s: string): string {
  return s.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function loadRows(tsv = readFileSync(TEMPLATES_PATH, 'utf8')): Row[] {
  const rows: Row[] = [];
  for (const line of tsv.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const cols = line.split('\t');
    const example = unescapeField(cols[5] ?? '');
    if (example === '') continue;
    const component = cols[0] ?? 'unknown';
    const level = cols[1] ?? '';
    const m = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (.*)$/s.exec(example);
    if (m) rows.push({ component, level, body: m[1]!, kind: 'calico' });
    else if (/^[IWEF]\d{4} /.test(example)) rows.push({ component, level, body: example, kind: 'klog' });
    else if (example.startsWith('time="')) rows.push({ component, level, body: example, kind: 'logrus' });
    else rows.push({ component, level, body: example, kind: 'plain' });
  }
  return rows;
}

// ------------------------------------------------------------------ time formats
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD hh:mm:ss.mmm` (UTC), the libcalico-go logutils format. */
export function calicoTs(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
}

function isoNanos(ms: number, tail: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}${String(tail % 1_000_000).padStart(6, '0')}Z`;
}

function klogTs(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}000`;
}

function render(row: Row, ms: number): string {
  switch (row.kind) {
    case 'calico':
      return `${calicoTs(ms)} ${row.body}`;
    case 'klog':
      return row.body.replace(/^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d{6}/, (_, l: string) => `${l}${klogTs(ms)}`);
    case 'logrus':
      return row.body.replace(/^time="[^"]*"/, `time="${new Date(ms).toISOString().slice(0, 19)}Z"`);
    default:
      return row.body;
  }
}

// ------------------------------------------------------------------ cluster
interface Source {
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly node: string;
  readonly wrapper: Wrapper;
}

type Wrapper =
  | 'raw'
  | 'cri'
  | 'docker'
  | 'fluentbit'
  | 'fluentbit-cri'
  | 'vector'
  | 'filebeat'
  | 'otel'
  | 'otlp';

/** One line of a source, wrapped as its shipper does. `seq` feeds the nanosecond tails. */
export function wrap(w: Wrapper, s: Source, text: string, ms: number, seq: number, partial = false): string {
  switch (w) {
    case 'raw':
      return text;
    case 'cri':
      return `${isoNanos(ms, seq)} stderr ${partial ? 'P' : 'F'} ${text}`;
    case 'docker':
      return JSON.stringify({ log: `${text}\n`, stream: 'stderr', time: isoNanos(ms, seq) });
    case 'fluentbit':
      return JSON.stringify({
        date: (ms + 2) / 1000,
        time: isoNanos(ms + 2, seq),
        stream: 'stdout',
        _p: 'F',
        log: text,
        kubernetes: {
          pod_name: s.pod,
          namespace_name: s.namespace,
          host: s.node,
          container_name: s.container,
          labels: { 'k8s-app': s.container },
        },
      });
    case 'fluentbit-cri':
      return JSON.stringify({
        log: `${isoNanos(ms, seq)} stdout ${partial ? 'P' : 'F'} ${text}`,
        kubernetes: {
          pod_name: s.pod,
          namespace_name: s.namespace,
          host: s.node,
          container_name: s.container,
        },
      });
    case 'vector':
      return JSON.stringify({
        message: text,
        timestamp: isoNanos(ms + 1, seq),
        stream: 'stderr',
        source_type: 'kubernetes_logs',
        kubernetes: {
          pod_name: s.pod,
          pod_namespace: s.namespace,
          container_name: s.container,
          pod_node_name: s.node,
        },
      });
    case 'filebeat':
      return JSON.stringify({
        '@timestamp': new Date(ms + 3).toISOString(),
        message: text,
        stream: 'stdout',
        kubernetes: {
          pod: { name: s.pod },
          namespace: s.namespace,
          node: { name: s.node },
          container: { name: s.container },
        },
        container: { name: s.container },
        host: { name: s.node },
        ecs: { version: '8.0.0' },
      });
    case 'otel':
      return JSON.stringify({
        body: text,
        timeUnixNano: `${ms}${String(seq % 1_000_000).padStart(6, '0')}`,
        resource: {
          'k8s.pod.name': s.pod,
          'k8s.namespace.name': s.namespace,
          'k8s.node.name': s.node,
          'k8s.container.name': s.container,
        },
      });
    case 'otlp':
      return JSON.stringify({
        resourceLogs: [
          {
            resource: {
              attributes: [
                { key: 'k8s.pod.name', value: { stringValue: s.pod } },
                { key: 'k8s.namespace.name', value: { stringValue: s.namespace } },
                { key: 'k8s.node.name', value: { stringValue: s.node } },
                { key: 'k8s.container.name', value: { stringValue: s.container } },
              ],
            },
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: `${ms}${String(seq % 1_000_000).padStart(6, '0')}`,
                    body: { stringValue: text },
                  },
                ],
              },
            ],
          },
        ],
      });
  }
}

const PANIC_STACK = [
  'panic: (*logrus.Entry) 0xc000a1c2a0',
  '',
  'goroutine 218 [running]:',
  'github.com/sirupsen/logrus.(*Entry).log(0xc0004f8a80, 0x0, {0xc0012e4180, 0x2b})',
  '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:260 +0x491',
  'github.com/sirupsen/logrus.(*Entry).Panicf(0xc0004f8a80, {0x2b4c1e1?, 0x2b?}, {0xc001a3fd10?, 0x1?, 0x1?})',
  '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:355 +0x65',
  'github.com/projectcalico/calico/felix/netlinkshim/handlemgr.(*HandleManager).Handle(0xc000614a20)',
  '\t/go/src/github.com/projectcalico/calico/felix/netlinkshim/handlemgr/handle_manager.go:104 +0x2c5',
  'created by github.com/projectcalico/calico/felix/dataplane/linux.(*InternalDataplane).Start in goroutine 1',
  '\t/go/src/github.com/projectcalico/calico/felix/dataplane/linux/int_dataplane.go:1891 +0x5d5',
];

const ERRNOS = ['too many open files', 'no buffer space available', 'file exists', 'no such process'];

/**
 * The mixed stream: exactly `lines` messages. Chunks (one log call = one or more lines) are emitted
 * whole and in order, so multi-line groups stay contiguous within their source.
 */
export function* generateMixed(opts: MixedOptions): Generator<MixedMessage> {
  const rng = new Rng(opts.seed ?? 20250114);
  const rows = loadRows();
  const felixRows = rows.filter(
    (r) => r.component === 'felix' && r.kind === 'calico' && r.level !== 'PANIC' && r.level !== 'FATAL',
  );
  const felixInfo = felixRows.filter((r) => r.level === 'INFO' || r.level === 'DEBUG');
  const felixWarn = felixRows.filter((r) => r.level === 'WARNING');
  const byComponent = new Map<string, Row[]>();
  for (const r of rows) {
    const list = byComponent.get(r.component) ?? [];
    list.push(r);
    byComponent.set(r.component, list);
  }
  const healthRow = rows.find((r) => r.body.includes('felix/health.go 336') && r.body.includes('\n'));
  const panicRow = rows.find((r) => r.level === 'PANIC' && r.kind === 'calico');
  const tierRow = rows.find((r) => r.body.includes('kube-controllers/client.go 414'))!;

  const nodes = Array.from({ length: 12 }, (_, i) =>
    i < 3 ? `k8s-control-${i + 1}` : `k8s-worker-${i - 2}`,
  );
  const nodeWrappers: Wrapper[] = [
    'fluentbit',
    'fluentbit',
    'vector',
    'filebeat',
    'otel',
    'fluentbit-cri',
    'otlp',
  ];
  const calicoNode: Source[] = nodes.map((node, i) => ({
    pod: `calico-node-${rng.alnum(5)}`,
    namespace: 'calico-system',
    container: 'calico-node',
    node,
    wrapper: nodeWrappers[i % nodeWrappers.length]!,
  }));
  const kc: Source = {
    pod: `calico-kube-controllers-7d4c9f8b6-${rng.alnum(5)}`,
    namespace: 'calico-system',
    container: 'calico-kube-controllers',
    node: 'k8s-control-1',
    wrapper: 'fluentbit',
  };
  const typha: Source[] = [0, 1].map((i) => ({
    pod: `calico-typha-5f7b8c9d4-${rng.alnum(5)}`,
    namespace: 'calico-system',
    container: 'calico-typha',
    node: nodes[i + 3]!,
    wrapper: 'cri',
  }));
  const apiserver: Source = {
    pod: `calico-apiserver-6b8d7c5f9-${rng.alnum(5)}`,
    namespace: 'calico-apiserver',
    container: 'calico-apiserver',
    node: 'k8s-control-2',
    wrapper: 'docker',
  };
  const cniHost = (node: string): Source => ({
    pod: '',
    namespace: '',
    container: '',
    node,
    wrapper: 'raw',
  });

  const endMs = opts.endMs ?? Date.now();
  const spanMs = opts.spanMs ?? 2 * 3_600_000;
  const startMs = endMs - spanMs;
  const total = opts.lines;
  let emitted = 0;
  let seq = 0;

  while (emitted < total) {
    const ms = Math.floor(startMs + (spanMs * emitted) / Math.max(1, total));
    const chunk: { src: Source; lines: string[]; partialSplit?: number } = pick();
    const key = chunk.src.pod === '' ? null : chunk.src.pod;
    for (let i = 0; i < chunk.lines.length && emitted < total; i++) {
      const text = chunk.lines[i]!;
      const w = chunk.src.wrapper;
      if (
        chunk.partialSplit !== undefined &&
        text.length > chunk.partialSplit &&
        (w === 'cri' || w === 'fluentbit-cri')
      ) {
        // containerd splits long lines: a P entry then the F remainder (two messages, two units).
        yield {
          key,
          value: wrap(w, chunk.src, text.slice(0, chunk.partialSplit), ms, seq++, true),
          timestamp: ms + 2,
        };
        emitted++;
        if (emitted >= total) break;
        yield {
          key,
          value: wrap(w, chunk.src, text.slice(chunk.partialSplit), ms, seq++),
          timestamp: ms + 2,
        };
      } else {
        yield { key, value: wrap(w, chunk.src, text, ms, seq++), timestamp: ms + 2 };
      }
      emitted++;
    }
  }

  function pick(): { src: Source; lines: string[]; partialSplit?: number } {
    const ms = Math.floor(startMs + (spanMs * emitted) / Math.max(1, total));
    const x = rng.float();
    if (x < 0.25) {
      // kube-controllers v3.29.1: Tier default / adminnetworkpolicy already exists.
      const tier = rng.float() < 0.5 ? 'default' : 'adminnetworkpolicy';
      const body = tierRow.body.replace(
        /Tier \w+ already exists\. error=resource already exists: Tier\(\w+\)/,
        `Tier ${tier} already exists. error=resource already exists: Tier(${tier})`,
      );
      return { src: kc, lines: [`${calicoTs(ms)} ${body}`] };
    }
    if (x < 0.6) {
      // felix routine lines (all corpus rows), any calico-node shipper.
      // Mostly INFO, as on a real node: warnings and errors are 1-minute buckets, INFO 1 hour.
      const src = rng.pick(calicoNode);
      const y = rng.float();
      const pool = y < 0.9 ? felixInfo : y < 0.97 ? felixWarn : felixRows;
      return { src, lines: render(rng.pick(pool), ms).split('\n') };
    }
    if (x < 0.72) {
      // every other corpus row: typha, cni, ipam, confd, bird, goldmane, whisker, startup...
      const r = rng.pick(rows);
      const src =
        r.component === 'typha'
          ? rng.pick(typha)
          : r.component === 'calico-apiserver'
            ? apiserver
            : r.component === 'cni-plugin' || r.component === 'ipam'
              ? cniHost(rng.pick(nodes))
              : rng.pick(calicoNode);
      return { src, lines: render(r, ms).split('\n') };
    }
    if (x < 0.8) {
      // typha connection churn via CRI; now and then a very long line split P + F.
      const src = rng.pick(typha);
      const long = rng.float() < 0.02;
      const text = long
        ? `${calicoTs(ms)} [INFO][1] typha/watchercache.go 181: Full resync is required ListRoot="/calico/resources/v3/projectcalico.org/networkpolicies" pendingKeys="${Array.from({ length: 60 }, (_, i) => `/calico/resources/v3/projectcalico.org/networkpolicies/default/knp.default.p-${i}`).join(',')}"`
        : `${calicoTs(ms)} [INFO][1] typha/sync_server.go 424: Accepted connection from ${rng.pick(nodes)}:${rng.int(32768, 60999)} connID=0x${rng.hex(3)}`;
      return long ? { src, lines: [text], partialSplit: 2048 } : { src, lines: [text] };
    }
    if (x < 0.86) {
      // calico-apiserver, docker json-file: klog and logrus.
      const hh = new Date(ms).toISOString().slice(11, 19);
      const line =
        rng.float() < 0.5
          ? `I${klogTs(ms).slice(0, 4)} ${hh}.${String(rng.int(0, 999999)).padStart(6, '0')}       1 run_server.go:66] Starting watch extension`
          : `time="${new Date(ms).toISOString().slice(0, 19)}Z" level=info msg="Tier default already exists." func="github.com/projectcalico/calico/libcalico-go/lib/clientv3.client.ensureTierExists" error="resource already exists: Tier(default)"`;
      return { src: apiserver, lines: [line] };
    }
    if (x < 0.93) {
      // BIRD, no timestamp.
      const src = rng.pick(calicoNode);
      const r = rng.pick(byComponent.get('bird') ?? rows);
      return { src, lines: [r.body.startsWith('bird:') ? r.body : 'bird: Reconfigured'] };
    }
    if (x < 0.985) {
      // netlink errors across nodes: errno kept, interfaces and IPs vary.
      const src = rng.pick(calicoNode);
      const errno = rng.pick(ERRNOS);
      return {
        src,
        lines: [
          `${calicoTs(ms)} [WARNING][${rng.int(40, 90)}] felix/route_table.go 911: Failed to list routes ifaceName="cali${rng.hex(11)}" ipVersion=0x4 error=${errno}`,
        ],
      };
    }
    if (x < 0.99) {
      // raw CNI plugin host file lines and lines no parser knows.
      const src = cniHost(rng.pick(nodes));
      return {
        src,
        lines: [
          rng.float() < 0.5
            ? `${calicoTs(ms)} [INFO][${rng.int(1000, 99999)}] cni-plugin/k8s.go 500: Wrote updated endpoint to datastore ContainerID="${rng.hex(64)}" Namespace="default" Pod="web-${rng.alnum(5)}"`
            : `+ exec calico-node -felix ${rng.alnum(6)}`,
        ],
      };
    }
    if (x < 0.995 && healthRow) {
      // The Felix health table: one log call, several lines.
      const src = rng.pick(calicoNode);
      return { src, lines: `${calicoTs(ms)} ${healthRow.body}`.split('\n') };
    }
    // A Go panic: the PANIC line, then the stack (raw lines of the same container).
    const src = rng.pick(calicoNode);
    const head = panicRow
      ? `${calicoTs(ms)} ${panicRow.body.split('\n')[0]}`
      : `${calicoTs(ms)} [PANIC][63] felix/handle_manager.go 104: boom`;
    return { src, lines: [head, ...PANIC_STACK] };
  }
}

export interface RealisticOptions {
  readonly nodes?: number;
  readonly hours?: number;
  /** Event time of the end of the window (ms). Default: now. */
  readonly endMs?: number;
  readonly seed?: number;
  /** Routine felix statements per node (the same statements on every node). */
  readonly statements?: number;
}

/**
 * A cluster logging at a real cluster's rates, for bench:e2e: `nodes` calico-node pods and one
 * calico-kube-controllers pod, `hours` of event time ending at `endMs`, all shipped by Fluent Bit
 * (JSON with the kubernetes filter's metadata), one Kafka key per pod.
 * - kube-controllers: `Tier default already exists` and the adminnetworkpolicy one every 10 s;
 * - felix on every node: `statements` INFO statements of the corpus, each at its own rate, drawn
 *   log-uniform between 1/min and 1/s per node and statement, Poisson arrivals;
 * - a netlink burst on a third of the nodes: 40 minutes from 3 h 20 min into the window, ~4 lines/s
 *   per node of `Failed to list routes ... error=<errno>` (4 errnos; interfaces vary).
 * About 1.3M lines for the defaults. Deterministic for a seed and an end time.
 */
export function* generateRealistic(o: RealisticOptions = {}): Generator<MixedMessage> {
  const rng = new Rng(o.seed ?? 20250114);
  const nodesN = o.nodes ?? 20;
  const hours = o.hours ?? 6;
  const endMs = o.endMs ?? Date.now();
  const startMs = endMs - hours * 3_600_000;
  const rows = loadRows();
  const felixInfo = rows.filter(
    // Routine statements only: an INFO line reporting an error (`error=link not found`) is classified
    // as an error of its kind (1-minute documents), which is the burst's part, not the noise's.
    (r) =>
      r.component === 'felix' &&
      r.kind === 'calico' &&
      r.level === 'INFO' &&
      !r.body.includes('\n') &&
      !/error=|[Ff]ail/.test(r.body),
  );
  const statements: Row[] = [];
  for (let i = 0; statements.length < Math.min(o.statements ?? 12, felixInfo.length); i++) {
    const r = felixInfo[(i * 7) % felixInfo.length]!;
    if (!statements.includes(r)) statements.push(r);
  }
  const tierRow = rows.find((r) => r.body.includes('kube-controllers/client.go 414'))!;
  const nodes: Source[] = Array.from({ length: nodesN }, (_, i) => ({
    pod: `calico-node-${rng.alnum(5)}`,
    namespace: 'calico-system',
    container: 'calico-node',
    node: i < 3 ? `k8s-control-${i + 1}` : `k8s-worker-${i - 2}`,
    wrapper: 'fluentbit',
  }));
  const kc: Source = {
    pod: `calico-kube-controllers-7d4c9f8b6-${rng.alnum(5)}`,
    namespace: 'calico-system',
    container: 'calico-kube-controllers',
    node: 'k8s-control-1',
    wrapper: 'fluentbit',
  };
  // Events as (time, code) pairs, sorted by time: code < 0 is Tier (-1 default, -2 ANP), else
  // node * 1000 + statement (felix), node * 1000 + 900 + errno (netlink).
  const times: number[] = [];
  const codes: number[] = [];
  for (let t = Math.ceil(startMs / 10_000) * 10_000; t < endMs; t += 10_000) {
    times.push(t, t + 1);
    codes.push(-1, -2);
  }
  for (let n = 0; n < nodesN; n++) {
    for (let k = 0; k < statements.length; k++) {
      const perSec = Math.exp(Math.log(1 / 60) + rng.float() * Math.log(60));
      for (
        let t = startMs + rng.float() * 1000;
        t < endMs;
        t += (-Math.log(1 - rng.float()) * 1000) / perSec
      ) {
        times.push(Math.floor(t));
        codes.push(n * 1000 + k);
      }
    }
  }
  const onset = startMs + 200 * 60_000;
  const burstNodes = Math.max(1, Math.round(nodesN / 3));
  for (let n = 0; n < burstNodes; n++) {
    for (let t = onset + rng.float() * 250; t < onset + 40 * 60_000; t += -Math.log(1 - rng.float()) * 250) {
      times.push(Math.floor(t));
      codes.push(n * 1000 + 900 + rng.int(0, 3));
    }
  }
  const order = Array.from({ length: times.length }, (_, i) => i).sort(
    (a, b) => times[a]! - times[b]! || a - b,
  );
  let seq = 0;
  for (const i of order) {
    const ms = times[i]!;
    const code = codes[i]!;
    seq += 1;
    if (code < 0) {
      const body =
        code === -1
          ? tierRow.body
          : tierRow.body
              .replaceAll('Tier default', 'Tier adminnetworkpolicy')
              .replace('Tier(default)', 'Tier(adminnetworkpolicy)');
      yield {
        key: kc.pod,
        value: wrap('fluentbit', kc, `${calicoTs(ms)} ${body}`, ms, seq),
        timestamp: ms + 40,
      };
      continue;
    }
    const src = nodes[Math.floor(code / 1000)]!;
    const k = code % 1000;
    const text =
      k >= 900
        ? `${calicoTs(ms)} [WARNING][${40 + (k % 50)}] felix/route_table.go 911: Failed to list routes ifaceName="cali${rng.hex(11)}" ipVersion=0x4 error=${ERRNOS[(k - 900) % ERRNOS.length]}`
        : `${calicoTs(ms)} ${statements[k]!.body}`;
    yield { key: src.pod, value: wrap('fluentbit', src, text, ms, seq), timestamp: ms + 40 };
  }
}

/**
 * `messages` followed by one plain Tier-exists line per partition, 60 s (Kafka time) after the last
 * message. A multi-line group still open at a partition's tail (a panic, the health table) closes
 * only when a later unit of that partition arrives (by content or Kafka-timestamp gap, never by a
 * timer: docs/EXACTNESS.md F11), so without a trailer a quiet partition's last group stays uncounted.
 */
export function* withTrailer(
  messages: Iterable<MixedMessage>,
  partitions: number,
): Generator<MixedMessage & { partition?: number }> {
  let last = 0;
  for (const m of messages) {
    last = Math.max(last, m.timestamp);
    yield m;
  }
  const t = last + 60_000;
  for (let p = 0; p < partitions; p++) {
    yield {
      key: null,
      partition: p,
      timestamp: t,
      value: `${calicoTs(t)} [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)`,
    };
  }
}

// ------------------------------------------------------------------ Kafka
export interface ProduceMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer;
  readonly timestamp: number;
  readonly partition?: number;
  readonly headers?: Record<string, string>;
}

function kafka(brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId: 'logsift-gen',
    brokers: [...brokers],
    logLevel: logLevel.ERROR,
    retry: { initialRetryTime: 200, retries: 10 },
  });
}

/** Creates the topic when missing (waits for its leaders). */
export async function ensureTopic(
  brokers: readonly string[],
  topic: string,
  partitions: number,
): Promise<void> {
  const admin = kafka(brokers).admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Produces every message (idempotent producer, acks=all, batches of `batch`, a few batches in
 * flight); returns how many were acknowledged. The caller should still read the topic's offsets
 * for the ground truth of what Kafka holds.
 */
export async function produceMessages(
  brokers: readonly string[],
  topic: string,
  messages: Iterable<ProduceMessage>,
  opts: { batch?: number; onProgress?: (n: number) => void } = {},
): Promise<number> {
  const producer = kafka(brokers).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const size = opts.batch ?? 2000;
  let n = 0;
  let buf: {
    key: string | Buffer | null;
    value: string | Buffer;
    timestamp: string;
    partition?: number;
    headers?: Record<string, string>;
  }[] = [];
  const flush = async (): Promise<void> => {
    if (buf.length === 0) return;
    const out = buf;
    buf = [];
    await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: out });
    n += out.length;
    opts.onProgress?.(n);
  };
  try {
    for (const m of messages) {
      buf.push({
        key: m.key,
        value: m.value,
        timestamp: String(m.timestamp),
        ...(m.partition === undefined ? {} : { partition: m.partition }),
        ...(m.headers === undefined ? {} : { headers: m.headers }),
      });
      if (buf.length >= size) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return n;
}

// ------------------------------------------------------------------ CLI
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '100000' },
      seed: { type: 'string', default: '20250114' },
      raw: { type: 'boolean', default: false },
      realistic: { type: 'boolean', default: false },
      brokers: { type: 'string' },
      topic: { type: 'string' },
      partitions: { type: 'string', default: '3' },
    },
  });
  const lines = Number(values.lines);
  const gen: Iterable<MixedMessage> = values.realistic
    ? generateRealistic()
    : generateMixed({ lines, seed: Number(values.seed) });
  if (values.brokers && values.topic) {
    await ensureTopic(values.brokers.split(','), values.topic, Number(values.partitions));
    const n = await produceMessages(values.brokers.split(','), values.topic, gen, {
      onProgress: (k) => process.stderr.write(`\rproduced ${k}/${lines}`),
    });
    process.stderr.write(`\nproduced ${n} messages into ${values.topic}\n`);
    return;
  }
  const out: string[] = [];
  for (const m of gen) {
    out.push(values.raw ? m.value : JSON.stringify(m));
    if (out.length >= 5000) {
      process.stdout.write(`${out.join('\n')}\n`);
      out.length = 0;
    }
  }
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`gen-mixed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
