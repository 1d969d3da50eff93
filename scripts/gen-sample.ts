/**
 * Generates samples/calico-day.log.gz: one synthetic but realistic day (2025-01-14 UTC) of Calico logs
 * from a 3-node v3.29 cluster, as shippers deliver them. Deterministic: a fixed seed, no clock, no
 * environment; test/unit/e2e-file.test.ts regenerates it in memory and compares the hash.
 *
 *   node --import tsx scripts/gen-sample.ts            # rewrite samples/calico-day.log.gz
 *   node --import tsx scripts/gen-sample.ts --stdout   # print the uncompressed text
 *
 * Content (lines come from test/fixtures/calico-templates.tsv):
 * - calico-kube-controllers (v3.29.1): `Tier default|adminnetworkpolicy already exists` every 10 s
 *   = 17,280 lines (the noise users pay to index);
 * - felix on k8s-worker-2 runs v3.29.0 (the findHostMTU netlink-socket leak): 14:05–14:40 UTC its fds
 *   run out — `too many open files` from many call sites, `no buffer space available` on several
 *   interfaces of worker-1 and worker-2, BIRD netlink errors — then one PANIC, a Go panic stack and a
 *   restart with the Felix health table;
 * - routine felix / typha / bird / confd / ipam / cni noise all day, a few real warnings and errors,
 *   a few unparsed lines;
 * - wrappers: mostly Fluent Bit JSON with kubernetes metadata (calico-node, kube-controllers), CRI
 *   lines for typha (with one P/F partial pair), docker json-file for calico-apiserver, raw lines
 *   for the CNI plugin's log file and a pasted `kubectl logs` of goldmane/whisker.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE_PATH = join(ROOT, 'samples', 'calico-day.log.gz');
export const TEMPLATES_PATH = join(ROOT, 'test', 'fixtures', 'calico-templates.tsv');
const SEED = 20250114;
const DAY_START = Date.UTC(2025, 0, 14);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

// ---------------------------------------------------------------- deterministic randomness
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }
  float(): number {
    return this.#next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.#next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.#next() * xs.length)]!;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.#next() * 16)];
    return s;
  }
  alnum(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.#next() * a.length)];
    return s;
  }
}

// ---------------------------------------------------------------- corpus
interface Row {
  component: string;
  level: string;
  template: string;
  example: string;
}

function unescapeField(s: string): string {
  return s.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

function loadRows(tsv: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of tsv.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const [component, level, , , template, example] = line.split('\t') as string[];
    const row: Row = {
      component: component!,
      level: level!,
      template: unescapeField(template!),
      example: unescapeField(example!),
    };
    // Key: "<component-prefix>/<file> <line>" as printed, e.g. "felix/route_table.go 911".
    const m = /^\S+ \S+ \[\w+\]\[\d+\] (\S+ \d+):/.exec(row.example);
    const key = m ? m[1]! : row.example.slice(0, 60);
    if (!rows.has(key)) rows.set(key, row);
    rows.set(`${key}|${level}`, row);
  }
  return rows;
}

// ---------------------------------------------------------------- cluster
interface Node {
  name: string;
  ip: string;
  podCidr: string; // first three octets of the node's IPAM block
  felixPid: number;
  calicoNodePod: string;
  ifaces: string[];
}

interface Event {
  t: number;
  seq: number;
  text: string; // may contain \n (multi-line: one unit per line)
  wrapper: 'fluentbit' | 'cri' | 'docker' | 'raw';
  pod?: string;
  namespace?: string;
  container?: string;
  node?: string;
  image?: string;
  stream?: 'stdout' | 'stderr';
  partialAt?: number; // CRI: split this line into a P + F pair at this character
}

function iso(ms: number, nanosTail = '000000'): string {
  return `${new Date(ms).toISOString().slice(0, -1)}${nanosTail}Z`;
}

function calicoTs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** The uncompressed sample text. */
export function generateSampleText(templatesTsv = readFileSync(TEMPLATES_PATH, 'utf8')): string {
  const rows = loadRows(templatesTsv);
  const rng = new Rng(SEED);
  const events: Event[] = [];
  let seq = 0;

  const nodes: Node[] = ['k8s-control-1', 'k8s-worker-1', 'k8s-worker-2'].map((name, i) => ({
    name,
    ip: `10.0.1.${[10, 21, 22][i]}`,
    podCidr: `192.168.${[12, 84, 131][i]}`,
    felixPid: [63, 58, 71][i]!,
    calicoNodePod: `calico-node-${rng.alnum(5)}`,
    ifaces: Array.from({ length: 6 }, () => `cali${rng.hex(11)}`),
  }));
  const kcPod = `calico-kube-controllers-7d4c9f8b6-${rng.alnum(5)}`;
  // Drawn so the sequence stays stable; CRI lines read from /var/log/pods carry no pod metadata.
  const _typhaPod = `calico-typha-5f7b8c9d4-${rng.alnum(5)}`;
  const apiserverPod = `calico-apiserver-6b8d7c5f9-${rng.alnum(5)}`;

  const row = (key: string): Row => {
    const r = rows.get(key);
    if (!r) throw new Error(`gen-sample: no corpus row for ${key}`);
    return r;
  };

  /** A Calico-format line from a corpus row: fresh timestamp, node pid, varied values. */
  const calicoLine = (
    key: string,
    t: number,
    node: Node | null,
    vary: (s: string) => string = (s) => s,
  ): string => {
    const r = row(key);
    const m = /^\S+ \S+ \[(\w+)\]\[(\d+)\] (.*)$/s.exec(r.example);
    if (!m) throw new Error(`gen-sample: ${key} is not a Calico-format example`);
    const pid = node && r.component === 'felix' ? node.felixPid : Number(m[2]);
    return `${calicoTs(t)} [${m[1]}][${pid}] ${vary(m[3]!)}`;
  };

  /** Replace the corpus's example values with this node's interfaces, IPs and counters. */
  const varyFor =
    (node: Node) =>
    (s: string): string =>
      s
        .replace(/cali[0-9a-f]{11}/g, () => rng.pick(node.ifaces))
        .replace(/192\.168\.84\.(\d+)/g, () => `${node.podCidr}.${rng.int(2, 62)}`)
        .replace(/\b(numFailures|numErrors|numMissing)=\d+/g, (_, k: string) => `${k}=${rng.int(1, 9)}`)
        .replace(/\bifindex=\d+|Ifindex: \d+/g, (x) => x.replace(/\d+$/, String(rng.int(5, 60))));

  const push = (e: Omit<Event, 'seq'>): void => {
    events.push({ ...e, seq: seq++ });
  };

  const fluent = (node: Node, t: number, text: string, container = 'calico-node'): void =>
    push({
      t,
      text,
      wrapper: 'fluentbit',
      pod: node.calicoNodePod,
      namespace: 'calico-system',
      container,
      node: node.name,
      image: 'docker.io/calico/node:v3.29.1',
      stream: 'stdout',
    });

  // --- kube-controllers: Tier default/adminnetworkpolicy every 10 s (v3.29.1 ensureTierExists) ---
  const tierRow = row('kube-controllers/client.go 414|INFO');
  for (let t = DAY_START + 3 * SEC + 137; t < DAY_START + 24 * HOUR; t += 10 * SEC) {
    for (const [i, tier] of ['default', 'adminnetworkpolicy'].entries()) {
      const ts = t + i * rng.int(1, 4);
      const msg = tierRow.template.replaceAll('<TIER>', tier);
      push({
        t: ts,
        text: `${calicoTs(ts)} [INFO][1] kube-controllers/client.go 414: ${msg}`,
        wrapper: 'fluentbit',
        pod: kcPod,
        namespace: 'calico-system',
        container: 'calico-kube-controllers',
        node: 'k8s-control-1',
        image: 'docker.io/calico/kube-controllers:v3.29.1',
        stream: 'stdout',
      });
    }
  }
  // kube-controllers periodic IPAM sync and node labels.
  for (let t = DAY_START + 40 * SEC; t < DAY_START + 24 * HOUR; t += 150 * SEC) {
    const kc = (key: string, ts: number): void =>
      push({
        t: ts,
        text: calicoLine(key, ts, null),
        wrapper: 'fluentbit',
        pod: kcPod,
        namespace: 'calico-system',
        container: 'calico-kube-controllers',
        node: 'k8s-control-1',
        image: 'docker.io/calico/kube-controllers:v3.29.1',
        stream: 'stdout',
      });
    kc('kube-controllers/ipam.go 315', t);
    if (rng.float() < 0.3) kc('kube-controllers/labels.go 211', t + 900);
    if (rng.float() < 0.02) kc('kube-controllers/ipam.go 279', t + 1700); // Periodic IPAM sync failed
  }

  // --- felix routine noise on every node ---
  for (const node of nodes) {
    const vary = varyFor(node);
    for (let t = DAY_START + rng.int(0, 59) * SEC; t < DAY_START + 24 * HOUR; t += MIN + rng.int(-900, 900)) {
      const loops = rng.int(8, 14);
      const text = `${calicoTs(t)} [INFO][${node.felixPid}] felix/summary.go 100: Summarising ${loops} dataplane reconciliation loops over 1m${rng.int(0, 2)}.${rng.int(1, 9)}s: avg=${rng.int(3, 12)}ms longest=${rng.int(15, 90)}ms (resync-filter-v4,resync-ipsets-v4,resync-mangle-v4,resync-nat-v4,resync-raw-v4,resync-routes-v4,update-filter-v4,update-ipsets-4)`;
      fluent(node, t, text);
      if (rng.float() < 0.5)
        fluent(node, t + 200, calicoLine('felix/int_dataplane.go 2040', t + 200, node, vary));
      if (rng.float() < 0.25) fluent(node, t + 350, calicoLine('felix/ipsets.go 614', t + 350, node, vary));
      if (rng.float() < 0.1) fluent(node, t + 420, calicoLine('felix/table.go 1030', t + 420, node, vary));
    }
    // Pod churn: every ~20 minutes a workload comes or goes on each node.
    for (let t = DAY_START + rng.int(1, 20) * MIN; t < DAY_START + 24 * HOUR; t += rng.int(12, 28) * MIN) {
      for (const [k, key] of [
        'felix/int_dataplane.go 2097',
        'felix/int_dataplane.go 1430',
        'felix/endpoint_mgr.go 719',
        'felix/endpoint_mgr.go 751',
        'felix/endpoint_mgr.go 546',
        'felix/endpoint_mgr.go 1370',
      ].entries()) {
        fluent(node, t + k * 37, calicoLine(key, t + k * 37, node, vary));
      }
      // The CNI plugin logs to /var/log/calico/cni/cni.log on the host: raw lines.
      for (const [k, key] of [
        'cni-plugin/k8s.go 77',
        'ipam/ipam_plugin.go 353',
        'ipam/ipam_plugin.go 368',
        'ipam/ipam.go 847',
        'ipam/ipam_plugin.go 374',
        'cni-plugin/k8s.go 387',
        'cni-plugin/k8s.go 500',
      ].entries()) {
        push({ t: t - 2000 + k * 11, text: calicoLine(key, t - 2000 + k * 11, node, vary), wrapper: 'raw' });
      }
    }
    // BIRD: reconfiguration after confd renders, a few times an hour.
    for (let t = DAY_START + rng.int(0, 600) * SEC; t < DAY_START + 24 * HOUR; t += rng.int(8, 25) * MIN) {
      fluent(node, t, calicoLine('confd/resource.go 290', t, node).replace('k8s-worker-2', node.name));
      for (const [k, text] of [
        'bird: Reconfiguration requested by SIGHUP',
        'bird: Reconfiguring',
        'bird: direct1: Reconfigured',
        'bird: Reconfigured',
      ].entries()) {
        fluent(node, t + 80 + k * 3, text);
      }
    }
  }

  // --- typha: connection churn (CRI lines read from /var/log/pods by a node agent) ---
  const cri = (t: number, text: string, partialAt?: number): void =>
    push({ t, text, wrapper: 'cri', stream: 'stdout', ...(partialAt === undefined ? {} : { partialAt }) });
  let conn = 0x2a;
  for (let t = DAY_START + 5 * MIN; t < DAY_START + 24 * HOUR; t += rng.int(20, 60) * MIN) {
    const client = `${rng.pick(nodes).ip}:${rng.int(32768, 60999)}`;
    const id = `0x${(conn++).toString(16)}`;
    const set = (s: string): string =>
      s
        .replace(/10\.0\.1\.23:41872/g, client)
        .replace(/connID=0x2a/g, `connID=${id}`)
        .replace(/numKeys=\d+/, `numKeys=${rng.int(4700, 4900)}`);
    cri(t, calicoLine('typha/sync_server.go 424', t, null, set));
    cri(t + 3, calicoLine('typha/sync_server.go 433', t + 3, null, set));
    cri(t + 5, calicoLine('typha/sync_server.go 721', t + 5, null, set));
    cri(t + 900, calicoLine('typha/sync_server.go 1219', t + 900, null, set));
  }
  // One very long typha line that containerd split into a P + F pair.
  {
    const t = DAY_START + 9 * HOUR + 12 * MIN + 7 * SEC;
    const keys = Array.from(
      { length: 120 },
      (_, i) => `/calico/resources/v3/projectcalico.org/networkpolicies/default/knp.default.policy-${i}`,
    ).join(',');
    const text = `${calicoTs(t)} [INFO][1] typha/watchercache.go 181: Full resync is required ListRoot="/calico/resources/v3/projectcalico.org/networkpolicies" pendingKeys="${keys}"`;
    cri(t, text, 4096);
  }
  // A real warning: a client fell behind during the afternoon burst.
  for (const t of [DAY_START + 14 * HOUR + 22 * MIN, DAY_START + 14 * HOUR + 31 * MIN]) {
    cri(t, calicoLine('typha/sync_server.go 1143', t, null));
  }

  // --- calico-apiserver: docker json-file, klog + logrus ---
  const docker = (t: number, text: string): void =>
    push({ t, text, wrapper: 'docker', stream: 'stderr', pod: apiserverPod });
  for (let t = DAY_START + 17 * MIN; t < DAY_START + 24 * HOUR; t += rng.int(50, 90) * MIN) {
    const d = new Date(t);
    const hh = d.toISOString().slice(11, 19);
    docker(
      t,
      `I0114 ${hh}.${String(rng.int(0, 999999)).padStart(6, '0')}       1 run_server.go:66] Starting watch extension`,
    );
    docker(
      t + 2,
      `time="${new Date(t + 2).toISOString().slice(0, 19)}Z" level=info msg="Tier default already exists." func="github.com/projectcalico/calico/libcalico-go/lib/clientv3.client.ensureTierExists" file="/go/src/github.com/projectcalico/calico/libcalico-go/lib/clientv3/client.go:414" error="resource already exists: Tier(default)"`,
    );
  }

  // --- the afternoon: worker-2's felix (v3.29.0) runs out of file descriptors ---
  const w1 = nodes[1]!;
  const w2 = nodes[2]!;
  const burstStart = DAY_START + 14 * HOUR + 5 * MIN;
  const burstEnd = DAY_START + 14 * HOUR + 40 * MIN;
  const emfileSites = [
    'felix/route_table.go 911',
    'felix/handle_manager.go 111',
    'felix/route_rule.go 240',
    'felix/iface_monitor.go 416',
    'felix/int_dataplane.go 1506',
    'felix/int_dataplane.go 1117',
    'felix/wireguard.go 659',
    'felix/netlink_real.go 53',
    'felix/route_table.go 1628',
  ];
  const enobufsSites = [
    'felix/route_table.go 931',
    'felix/netlink_real.go 50',
    'felix/iface_monitor.go 390',
    'felix/vxlan_fdb.go 334',
    'felix/int_dataplane.go 2303',
  ];
  for (let t = burstStart; t < burstEnd; t += rng.int(400, 1600)) {
    const vary2 = varyFor(w2);
    fluent(w2, t, calicoLine(rng.pick(emfileSites), t, w2, vary2));
    if (rng.float() < 0.45) {
      const node = rng.float() < 0.6 ? w2 : w1;
      fluent(node, t + 120, calicoLine(rng.pick(enobufsSites), t + 120, node, varyFor(node)));
    }
    if (rng.float() < 0.08) {
      const node = rng.float() < 0.5 ? w2 : w1;
      fluent(
        node,
        t + 300,
        rng.pick([
          'bird: Netlink recvmsg: No buffer space available',
          'bird: Kernel dropped some netlink messages, will resync on next scan.',
        ]),
      );
    }
    if (rng.float() < 0.05) fluent(w2, t + 500, calicoLine('felix/route_table.go 857', t + 500, w2, vary2));
  }
  // The end of it: PANIC, the Go panic, a restart, the health table.
  {
    const t = burstEnd + 3 * SEC;
    const panicLine = calicoLine('felix/handle_manager.go 104', t, w2);
    const stack = [
      panicLine,
      'panic: (*logrus.Entry) 0xc000a1c2a0',
      '',
      'goroutine 218 [running]:',
      'github.com/sirupsen/logrus.(*Entry).log(0xc0004f8a80, 0x0, {0xc0012e4180, 0x2b})',
      '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:260 +0x491',
      'github.com/sirupsen/logrus.(*Entry).Log(0xc0004f8a80, 0x0, {0xc001a3fd10?, 0x1?, 0x1?})',
      '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:304 +0x4f',
      'github.com/sirupsen/logrus.(*Entry).Panicf(0xc0004f8a80, {0x2b4c1e1?, 0x2b?}, {0xc001a3fd10?, 0x1?, 0x1?})',
      '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:355 +0x65',
      'github.com/projectcalico/calico/felix/netlinkshim/handlemgr.(*HandleManager).Handle(0xc000614a20)',
      '\t/go/src/github.com/projectcalico/calico/felix/netlinkshim/handlemgr/handle_manager.go:104 +0x2c5',
      'github.com/projectcalico/calico/felix/routetable.(*RouteTable).getNetlinkHandle(...)',
      '\t/go/src/github.com/projectcalico/calico/felix/routetable/route_table.go:905',
      'github.com/projectcalico/calico/felix/routetable.(*RouteTable).Apply(0xc0003e2b40)',
      '\t/go/src/github.com/projectcalico/calico/felix/routetable/route_table.go:702 +0x1b6',
      'created by github.com/projectcalico/calico/felix/dataplane/linux.(*InternalDataplane).Start in goroutine 1',
      '\t/go/src/github.com/projectcalico/calico/felix/dataplane/linux/int_dataplane.go:1891 +0x5d5',
    ];
    for (const [i, l] of stack.entries()) fluent(w2, t + (i === 0 ? 0 : 1), l);
    const t2 = t + 9 * SEC;
    fluent(w2, t2, calicoLine('felix/daemon.go 132', t2, w2).replace('v3.29.1', 'v3.29.0'));
    fluent(w2, t2 + 2400, calicoLine('felix/health.go 206', t2 + 2400, w2));
    // The health table: one log call, printed over several lines.
    for (const l of calicoLine('felix/health.go 336', t2 + 2600, w2).split('\n')) fluent(w2, t2 + 2600, l);
  }
  // Startup health table on control-1 at midnight rotation-ish (a felix restart after a config change).
  {
    const c1 = nodes[0]!;
    const t = DAY_START + 3 * HOUR + 41 * MIN;
    fluent(c1, t, calicoLine('felix/daemon.go 1366', t, c1));
    fluent(c1, t + 5000, calicoLine('felix/daemon.go 132', t + 5000, c1));
    for (const l of calicoLine('felix/health.go 336', t + 8000, c1).split('\n')) fluent(c1, t + 8000, l);
  }

  // --- a few more real warnings and errors through the day ---
  fluent(
    nodes[1]!,
    DAY_START + 6 * HOUR + 2 * MIN,
    calicoLine('felix/sync_client.go 205', DAY_START + 6 * HOUR + 2 * MIN, nodes[1]!),
  );
  fluent(
    nodes[1]!,
    DAY_START + 6 * HOUR + 2 * MIN + 800,
    calicoLine('felix/sync_client.go 360', DAY_START + 6 * HOUR + 2 * MIN + 800, nodes[1]!),
  );
  fluent(
    nodes[0]!,
    DAY_START + 11 * HOUR + 47 * MIN,
    calicoLine('confd/resource.go 318', DAY_START + 11 * HOUR + 47 * MIN, nodes[0]!),
  );
  fluent(
    nodes[0]!,
    DAY_START + 11 * HOUR + 47 * MIN + 10,
    calicoLine('confd/processor.go 35', DAY_START + 11 * HOUR + 47 * MIN + 10, nodes[0]!),
  );
  for (let i = 0; i < 4; i++) {
    const t = DAY_START + (8 + i * 3) * HOUR + rng.int(0, 59) * MIN;
    fluent(nodes[i % 3]!, t, calicoLine('felix/table.go 1082', t, nodes[i % 3]!));
    fluent(nodes[i % 3]!, t + 900, calicoLine('felix/table.go 1101', t + 900, nodes[i % 3]!));
  }
  {
    const t = DAY_START + 19 * HOUR + 3 * MIN;
    push({ t, text: calicoLine('cni-plugin/dataplane_linux.go 342', t, w1, varyFor(w1)), wrapper: 'raw' });
  }

  // --- a pasted `kubectl logs` of goldmane and whisker, and lines no parser knows ---
  {
    const t = DAY_START + 10 * HOUR;
    push({ t, text: calicoLine('goldmane/daemon.go 210', t, null), wrapper: 'raw' });
    push({ t: t + 200, text: calicoLine('goldmane/aggregator.go 279', t + 200, null), wrapper: 'raw' });
    push({ t: t + 400, text: calicoLine('whisker-backend/app.go 65', t + 400, null), wrapper: 'raw' });
    for (let i = 0; i < 3; i++) {
      push({
        t: t + 600 + i,
        text: calicoLine('goldmane/ratelimitedlogger.go 224', t + 600 + i, null),
        wrapper: 'raw',
      });
    }
    push({ t: t + 1000, text: '+ exec calico-node -felix', wrapper: 'raw' });
    push({ t: t + 1001, text: 'Calico node started successfully', wrapper: 'raw' });
    push({
      t: t + 1002,
      text: 'W0114 10:00:01.002311    5013 warnings.go:70] unknown field "spec.ipipMode"',
      wrapper: 'raw',
    });
    push({
      t: t + 1003,
      text: '{"log":"2025-01-14 10:00:01.003 [INFO][58] felix/summary.go 100: Summarising 9 dataplane',
      wrapper: 'raw',
    });
    push({ t: t + 1004, text: '', wrapper: 'raw' });
  }

  // ---------------------------------------------------------------- render
  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const out: string[] = [];
  for (const e of events) {
    const lines = e.text.split('\n');
    for (const text of lines) {
      switch (e.wrapper) {
        case 'raw':
          out.push(text);
          break;
        case 'docker':
          out.push(
            JSON.stringify({
              log: `${text}\n`,
              stream: e.stream,
              time: iso(e.t, String(e.seq % 1e6).padStart(6, '0')),
            }),
          );
          break;
        case 'cri': {
          const ts = iso(e.t, String(e.seq % 1e6).padStart(6, '0'));
          if (e.partialAt !== undefined && text.length > e.partialAt) {
            out.push(`${ts} ${e.stream} P ${text.slice(0, e.partialAt)}`);
            out.push(`${ts} ${e.stream} F ${text.slice(e.partialAt)}`);
          } else {
            out.push(`${ts} ${e.stream} F ${text}`);
          }
          break;
        }
        case 'fluentbit': {
          const ts = e.t + 2; // the shipper stamps a little after the log call
          out.push(
            JSON.stringify({
              date: ts / 1000,
              time: iso(ts, String(e.seq % 1e6).padStart(6, '0')),
              stream: e.stream,
              _p: 'F',
              log: text,
              kubernetes: {
                pod_name: e.pod,
                namespace_name: e.namespace,
                host: e.node,
                container_name: e.container,
                container_image: e.image,
                labels: { 'k8s-app': e.container },
              },
            }),
          );
          break;
        }
      }
    }
  }
  return `${out.join('\n')}\n`;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** gzip at level 9; the header carries no mtime or name, so equal text gives equal bytes (same zlib). */
export function gzipSample(text: string): Buffer {
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = generateSampleText();
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
  } else {
    const gz = gzipSample(text);
    writeFileSync(SAMPLE_PATH, gz);
    const lines = text.split('\n').length - 1;
    process.stderr.write(
      `wrote ${SAMPLE_PATH}: ${lines} lines, ${text.length} bytes, ${gz.length} gzipped, sha256(text)=${sha256(text)}\n`,
    );
  }
}
