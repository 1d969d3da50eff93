/**
 * A realistic day of Calico logs from one cluster (default: 6 h, 20 nodes, ~450k lines), as Fluent
 * Bit ships them to Kafka, at the rates a real cluster logs them. Every line is a statement of
 * test/fixtures/calico-templates.tsv with the values of this cluster (its nodes, pods, veths, pod
 * addresses, Typha connections) and fresh counters, ids and durations (bench/gen-lib.ts).
 *
 * Sources and rates (per node unless said; "Poisson m" = exponential gaps of mean m, a range = the
 * mean drawn per node and statement, log-uniform):
 * - calico-kube-controllers (one pod, v3.29.1 ensureTierExists): `Tier default already exists.
 *   error=resource already exists: Tier(default)` and the adminnetworkpolicy one every 10 s, exactly;
 *   IPAM sync every 2m30s; node labels Poisson 40 min per node; namespace/policy updates Poisson
 *   10 min; IPAM leak GC Poisson 90 min; watch errors Poisson 20 min.
 * - felix: the dataplane summary every 60 s; `Received *proto.X update from calculation graph`
 *   Poisson 2-10 s; 30 routine statements (ipsets, iptables, endpoint status, VXLAN FDB, throttling,
 *   conntrack, ...) Poisson 30 s - 5 min each; warnings (iptables retry, ipset resync, health flaps)
 *   Poisson 2-3 h.
 * - pod churn: Poisson 60 s - 6 min per node, half ADD (16 CNI/IPAM lines in the host's cni.log +
 *   11 felix lines), half DEL (9 + 7), over a per-node pool of pods.
 * - Typha (3 pods): connection re-balancing Poisson 10 min per pod (the close on one Typha, the
 *   accept on another, the client felix's status updates), watch resyncs Poisson 15 min, connection
 *   limits Poisson 5 min.
 * - BGP: a cluster-wide change Poisson 15 min re-renders confd and reconfigures BIRD on every node
 *   (5-6 lines per node); a BGP session flap Poisson 3 h per node.
 * - calico-apiserver (2 pods): logrus `Tier default already exists` every 5 min, klog `Starting
 *   watch extension` Poisson 20 min.
 * - netlink burst (`--netlink-onset HH:MM`, default 3 h 20 min into the window, on `--netlink-nodes K`
 *   nodes, default a third, for `--netlink-minutes`, default 40): felix runs out of descriptors and
 *   the netlink socket overflows, ~4 lines/s per node: route_table's `Encountered some errors when
 *   trying to update routes ... file exists` (v3.29's route_table.go has no "Failed to add route":
 *   a failed route add is logged by that summary, felix/routetable/route_table.go 1522), `Failed to
 *   connect to netlink. error=too many open files`, `no buffer space available` from the interface
 *   monitor and the VXLAN FDB, BIRD's netlink errors, felix's `... dropped N logs ...`; then
 *   recovery lines, and on the first of those nodes a PANIC, its Go stack and a restart (startup
 *   lines, the Felix health table).
 * - one more felix restart (a configuration change) on another node, with its health table.
 *
 * Envelopes (`--envelope`): fluentbit (default: out_kafka JSON, `@timestamp` double, the CRI
 * parser's `time`/`stream`/`_p`/`log`, the kubernetes filter's pod_name, namespace_name, pod_id,
 * labels, host, pod_ip, container_name, docker_id, container_hash, container_image
 * `docker.io/calico/node:v3.29.1`; the CNI host file through tail without Kubernetes metadata),
 * raw (the text only), cri (containerd's files: long lines split into P + F; the CNI file stays raw).
 *
 *   node --import tsx bench/gen-day.ts --out bench/.data/day.log [--messages day.messages.txt]
 *     [--nodes 20] [--hours 6] [--seed 20250114] [--envelope fluentbit|raw|cri]
 *     [--netlink-onset 09:20 --netlink-nodes 7 --netlink-minutes 40] [--start 2025-01-14T06:00:00Z]
 *
 * `--out FILE` is gzipped when it ends in .gz (default: stdout); `--messages FILE` gets the inner
 * text of every output line (Drain3's input: the same lines, unwrapped). Per-source line counts go to
 * stderr. Deterministic: the same options give the same bytes.
 */
import { utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type Cluster,
  CRI_SPLIT,
  calicoTs,
  type Envelope,
  freshWorkload,
  type LineCtx,
  LineWriter,
  loadStatements,
  makeCluster,
  makePodMeta,
  type NodeInfo,
  type PodMeta,
  panicStack,
  Rng,
  renderStatement,
  type Statement,
  statementIndex,
  subSeed,
  type Workload,
  wrap,
} from './gen-lib.ts';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

export type DayEnvelope = 'fluentbit' | 'raw' | 'cri';

export interface DayOptions {
  readonly nodes?: number;
  readonly hours?: number;
  readonly seed?: number;
  readonly envelope?: DayEnvelope;
  /** Start of the window (ms). Default 2025-01-14T06:00Z. */
  readonly startMs?: number;
  /** Event time of the netlink burst's onset, `HH:MM` (UTC, on the window's first day). */
  readonly netlinkOnset?: string;
  readonly netlinkNodes?: number;
  readonly netlinkMinutes?: number;
}

/** Which part of the cluster's behaviour a line comes from (stderr stats and the unit test). */
export type Source =
  | 'tier'
  | 'kube-controllers'
  | 'felix-summary'
  | 'felix-proto'
  | 'felix-routine'
  | 'felix-warning'
  | 'churn-cni'
  | 'churn-felix'
  | 'typha'
  | 'bgp'
  | 'apiserver'
  | 'netlink'
  | 'recovery'
  | 'panic'
  | 'restart';

export interface DayLine {
  readonly line: string;
  readonly text: string;
  readonly ms: number;
  readonly source: Source;
  /** Node name, or '' for cluster-level pods. */
  readonly node: string;
  readonly partial: boolean;
}

interface Ev {
  readonly t: number;
  readonly seq: number;
  readonly text: string;
  readonly meta: PodMeta | null;
  readonly source: Source;
  readonly node: string;
  readonly stream: 'stdout' | 'stderr';
}

/** Felix routine statements besides the summary and the calculation-graph updates. */
const FELIX_ROUTINE = [
  'felix/ipsets.go 614',
  'felix/ipsets.go 175',
  'felix/ipsets.go 225',
  'felix/ipsets.go 1020',
  'felix/ipsets.go 344',
  'felix/table.go 1030',
  'felix/int_dataplane.go 2007',
  'felix/int_dataplane.go 1966',
  'felix/vxlan_fdb.go 236',
  'felix/event_sequencer.go 273',
  'felix/ratelimitedlogger.go 216',
  'felix/route_table.go 1201',
  'felix/route_table.go 1149',
  'felix/iface_monitor.go 436',
  'felix/conntrack.go 90',
  'felix/endpoint_mgr.go 605',
  'felix/endpoint_mgr.go 546',
  'felix/endpoint_mgr.go 1370',
  'felix/endpoint_mgr.go 1439',
  'felix/int_dataplane.go 2097',
  'felix/int_dataplane.go 2124',
  'felix/int_dataplane.go 1430',
  'felix/int_dataplane.go 1474',
  'felix/int_dataplane.go 1510',
  'felix/daemon.go 1366',
  'felix/health.go 206',
  'felix/vxlan_mgr.go 598',
  'felix/int_dataplane.go 2091',
  'felix/route_table.go 865',
  'felix/table.go 694',
] as const;

const CNI_ADD = [
  'cni-plugin/k8s.go 77',
  'ipam/ipam_plugin.go 225',
  'ipam/ipam_plugin.go 353',
  'ipam/ipam_plugin.go 368',
  'ipam/ipam.go 107',
  'ipam/ipam.go 660',
  'ipam/ipam.go 489',
  'ipam/ipam.go 155',
  'ipam/ipam.go 232',
  'ipam/ipam.go 847',
  'ipam/ipam_plugin.go 374',
  'ipam/ipam_plugin.go 283',
  'cni-plugin/k8s.go 387',
  'cni-plugin/dataplane_linux.go 390',
  'cni-plugin/k8s.go 414',
  'cni-plugin/k8s.go 500',
] as const;
const FELIX_ADD = [
  'felix/int_dataplane.go 2097',
  'felix/int_dataplane.go 1430',
  'felix/int_dataplane.go 2124',
  'felix/int_dataplane.go 1474',
  'felix/endpoint_mgr.go 719',
  'felix/endpoint_mgr.go 751',
  'felix/endpoint_mgr.go 546',
  'felix/endpoint_mgr.go 429',
  'felix/endpoint_mgr.go 1370',
  'felix/endpoint_mgr.go 605',
  'felix/ratelimitedlogger.go 216',
] as const;
const CNI_DEL = [
  'cni-plugin/k8s.go 608',
  'cni-plugin/k8s.go 615',
  'ipam/ipam_plugin.go 353',
  'ipam/ipam_plugin.go 368',
  'ipam/ipam_plugin.go 412',
  'ipam/ipam_plugin.go 431',
  'ipam/ipam_plugin.go 374',
  'cni-plugin/dataplane_linux.go 559',
  'cni-plugin/k8s.go 621',
] as const;
const FELIX_DEL = [
  'felix/int_dataplane.go 2097',
  'felix/int_dataplane.go 1430',
  'felix/endpoint_mgr.go 806',
  'felix/endpoint_mgr.go 673',
  'felix/route_table.go 1201',
  'felix/iface_monitor.go 436',
  'felix/conntrack.go 90',
] as const;

/** The netlink burst's statements, weight, and the errno they carry (null: the statement's own). */
const NETLINK_MIX: readonly (readonly [readonly [string, string | null], number])[] = [
  [['felix/route_table.go 1522', 'file exists'], 26],
  [['felix/route_table.go 911', 'too many open files'], 14],
  [['felix/handle_manager.go 111', 'too many open files'], 9],
  [['felix/route_table.go 931', 'no buffer space available'], 7],
  [['felix/route_table.go 857', 'too many open files'], 5],
  [['felix/route_table.go 863', 'too many open files'], 4],
  [['felix/netlink_real.go 53', 'too many open files'], 4],
  [['felix/netlink_real.go 50', 'no buffer space available'], 4],
  [['felix/iface_monitor.go 416', 'too many open files'], 4],
  [['felix/iface_monitor.go 390', 'no buffer space available'], 4],
  [['felix/route_table.go 1504', 'file exists'], 3],
  [['felix/route_table.go 1628', 'too many open files'], 3],
  [['felix/int_dataplane.go 1506', 'too many open files'], 2],
  [['felix/route_rule.go 240', 'too many open files'], 2],
  [['felix/vxlan_fdb.go 334', 'no buffer space available'], 2],
  [['felix/int_dataplane.go 2303', 'no buffer space available'], 2],
  [['felix/int_dataplane.go 2318', null], 2],
  [['felix/route_table.go 1097', 'resource temporarily unavailable'], 1],
  [['bird: Netlink: File exists', null], 1],
  [['bird: Kernel dropped some netlink messages, will resync on next scan.', null], 1],
  [['bird: Netlink recvmsg: No buffer space available', null], 1],
  [['... dropped', null], 0.5],
];

const RESTART = [
  'startup/startup.go 95',
  'startup/startup.go 444',
  'startup/startup.go 105',
  'monitor-addresses/autodetection_methods.go 103',
  'felix/daemon.go 132',
  'felix/int_dataplane.go 1903',
  'felix/int_dataplane.go 2017',
  'felix/int_dataplane.go 2049',
  'felix/int_dataplane.go 1997',
  'felix/int_dataplane.go 2091',
  'felix/health.go 206',
  'felix/sync_client.go 360',
  'felix/sync_client.go 483',
  'felix/health.go 336',
  'felix/usagerep.go 205',
] as const;

function hhmmToMs(startMs: number, hhmm: string): number {
  const m = /^(\d\d?):(\d\d)$/.exec(hhmm);
  if (!m) throw new Error(`gen-day: --netlink-onset must be HH:MM, got '${hhmm}'`);
  const day = startMs - (startMs % (24 * HOUR));
  let t = day + Number(m[1]) * HOUR + Number(m[2]) * MIN;
  if (t < startMs) t += 24 * HOUR;
  return t;
}

/** The day's lines in event-time order. */
export function* generateDay(opts: DayOptions = {}): Generator<DayLine> {
  const seed = opts.seed ?? 20250114;
  const nodeCount = opts.nodes ?? 20;
  const hours = opts.hours ?? 6;
  const startMs = opts.startMs ?? Date.UTC(2025, 0, 14, 6);
  const endMs = startMs + hours * HOUR;
  const envelope = opts.envelope ?? 'fluentbit';
  const cluster: Cluster = makeCluster(nodeCount, seed);
  const st = statementIndex(loadStatements());
  const S = (key: string): Statement => {
    const s = st.get(key);
    if (!s) throw new Error(`gen-day: no corpus statement ${key}`);
    return s;
  };
  const bird = (text: string): Statement => {
    const s = [...st.values()].find((x) => x.format === 'plain' && x.key.startsWith(text.slice(0, 40)));
    if (!s) throw new Error(`gen-day: no BIRD statement ${text}`);
    return s;
  };

  const events: Ev[] = [];
  let seq = 0;
  const push = (e: Omit<Ev, 'seq'>): void => {
    if (e.t >= startMs && e.t < endMs) events.push({ ...e, seq: seq++ });
  };

  // ---------------------------------------------------------------- pods
  const podRng = new Rng(subSeed(seed, 'pods'));
  const control = cluster.nodes.filter((n) => n.name.startsWith('k8s-control'));
  const workers = cluster.nodes.filter((n) => !n.name.startsWith('k8s-control'));
  const ctl = (i: number): NodeInfo => control[i % control.length] ?? cluster.nodes[0]!;
  const deploy = (name: string, ns: string, image: string, node: NodeInfo): PodMeta =>
    makePodMeta(podRng, {
      pod: `${name}-${podRng.int(5, 9)}${podRng.hex(1)}${podRng.alnum(7)}-${podRng.alnum(5)}`,
      namespace: ns,
      container: name,
      node,
      image,
      app: name,
      owner: `ReplicaSet/${name}`,
    });
  const calicoNode = cluster.nodes.map((node) =>
    makePodMeta(podRng, {
      pod: `calico-node-${podRng.alnum(5)}`,
      namespace: 'calico-system',
      container: 'calico-node',
      node,
      image: 'docker.io/calico/node:v3.29.1',
      app: 'calico-node',
      owner: 'DaemonSet/calico-node',
    }),
  );
  const typhaNodes = cluster.typhaIps.map((ip) => cluster.nodes.find((n) => n.ip === ip)!);
  const typha = typhaNodes.map((n) =>
    deploy('calico-typha', 'calico-system', 'docker.io/calico/typha:v3.29.1', n),
  );
  const kc = deploy(
    'calico-kube-controllers',
    'calico-system',
    'docker.io/calico/kube-controllers:v3.29.1',
    ctl(0),
  );
  const apiserver = [1, 2].map((i) =>
    deploy('calico-apiserver', 'calico-apiserver', 'docker.io/calico/apiserver:v3.29.1', ctl(i)),
  );

  /** Poisson arrivals of mean `mean` over the window, from a random phase. */
  const poisson = (rng: Rng, mean: number, each: (t: number) => void, from = startMs, to = endMs): void => {
    for (let t = from + rng.exp(mean); t < to; t += rng.exp(mean)) each(Math.floor(t));
  };
  const line = (
    rng: Rng,
    key: string | Statement,
    t: number,
    node: NodeInfo,
    extra: Partial<Omit<LineCtx, 'rng' | 'cluster' | 'node'>> = {},
  ): string => renderStatement(typeof key === 'string' ? S(key) : key, { rng, cluster, node, ...extra }, t);

  // ---------------------------------------------------------------- kube-controllers
  {
    const rng = new Rng(subSeed(seed, 'kube-controllers'));
    const tierLine = (t: number, name: string): string =>
      `${calicoTs(t)} [INFO][1] kube-controllers/client.go 414: Tier ${name} already exists. error=resource already exists: Tier(${name})`;
    const kcNode = ctl(0);
    const ev = (t: number, text: string, source: Source = 'kube-controllers'): void =>
      push({ t, text, meta: kc, source, node: '', stream: 'stdout' });
    for (let t = startMs + 3 * SEC + 137; t < endMs; t += 10 * SEC) {
      ev(t, tierLine(t, 'default'), 'tier');
      ev(t + rng.int(1, 4), tierLine(t, 'adminnetworkpolicy'), 'tier');
    }
    for (let t = startMs + 41 * SEC + 552; t < endMs; t += 150 * SEC) {
      ev(t, line(rng, 'kube-controllers/ipam.go 315', t, kcNode));
    }
    for (const n of cluster.nodes) {
      poisson(rng, 40 * MIN, (t) => ev(t, line(rng, 'kube-controllers/labels.go 211', t, n)));
    }
    poisson(rng, 10 * MIN, (t) => {
      const ns = rng.chance(0.5);
      ev(
        t,
        line(
          rng,
          ns ? 'kube-controllers/namespace_controller.go 228' : 'kube-controllers/policy_controller.go 223',
          t,
          kcNode,
        ),
      );
      ev(
        t + 40,
        line(
          rng,
          ns ? 'kube-controllers/namespace_controller.go 257' : 'kube-controllers/policy_controller.go 252',
          t + 40,
          kcNode,
        ),
      );
      if (rng.chance(0.3)) ev(t + 90, line(rng, 'kube-controllers/cache.go 287', t + 90, kcNode));
    });
    poisson(rng, 90 * MIN, (t) => {
      const n = rng.pick(cluster.nodes);
      const w = freshWorkload(rng, n);
      ev(t, line(rng, 'kube-controllers/ipam_allocation.go 175', t, n, { workload: w }));
      ev(
        t + 15 * MIN,
        line(rng, 'kube-controllers/ipam_allocation.go 196', t + 15 * MIN, n, { workload: w }),
      );
      ev(t + 15 * MIN + 8, line(rng, 'kube-controllers/ipam.go 1038', t + 15 * MIN + 8, n, { workload: w }));
    });
    poisson(rng, 20 * MIN, (t) => ev(t, line(rng, 'kube-controllers/watchercache.go 125', t, kcNode)));
  }

  // ---------------------------------------------------------------- calico-apiserver
  {
    const rng = new Rng(subSeed(seed, 'apiserver'));
    const all = [...st.values()];
    const logrusTier = all.find((x) => x.format === 'logrus' && x.component === 'calico-apiserver')!;
    const watchExtension = all.find((x) => x.format === 'klog' && x.key.includes('run_server.go:66'))!;
    for (const [i, pod] of apiserver.entries()) {
      const ev = (t: number, text: string): void =>
        push({ t, text, meta: pod, source: 'apiserver', node: '', stream: 'stderr' });
      const n = ctl(i + 1);
      for (let t = startMs + rng.int(0, 300) * SEC; t < endMs; t += 5 * MIN + rng.int(-500, 500)) {
        ev(t, line(rng, logrusTier, t, n));
      }
      poisson(rng, 20 * MIN, (t) => ev(t, line(rng, watchExtension, t, n)));
    }
  }

  // ---------------------------------------------------------------- typha
  {
    const rng = new Rng(subSeed(seed, 'typha'));
    let conn = 0x40;
    for (const [i, pod] of typha.entries()) {
      const tn = typhaNodes[i]!;
      const ev = (t: number, text: string, p = pod): void =>
        push({ t, text, meta: p, source: 'typha', node: '', stream: 'stdout' });
      poisson(rng, 5 * MIN, (t) => {
        ev(t, line(rng, 'typha/rebalance.go 77', t, tn));
        if (rng.chance(0.5)) ev(t + 3, line(rng, 'typha/sync_server.go 532', t + 3, tn));
      });
      poisson(rng, 15 * MIN, (t) => {
        ev(t, line(rng, 'typha/watchercache.go 125', t, tn));
        ev(t + 2, line(rng, 'typha/watchercache.go 181', t + 2, tn));
        ev(t + 900, line(rng, 'typha/watchercache.go 294', t + 900, tn));
        ev(
          t + 905,
          line(rng, 'typha/watchersyncer.go 130', t + 905, tn, {
            fixed: { 'wait-for-ready|resync|in-sync': 'in-sync' },
          }),
        );
      });
      // Re-balancing: this Typha sheds a client; the client (a node's felix or confd) reconnects to another.
      poisson(rng, 10 * MIN, (t) => {
        const client = rng.pick(cluster.nodes);
        const type = rng.chance(0.6) ? '"felix"' : '"bgp"';
        const port = rng.int(32768, 60999);
        const oldConn = `0x${(conn++).toString(16)}`;
        const newConn = `0x${(conn++).toString(16)}`;
        const cl = `${client.ip}:${port}`;
        const fixedOld = { 'IP:PORT': cl, HEX: oldConn, SYNCER_TYPE: type };
        ev(t, line(rng, 'typha/sync_server.go 631', t, tn, { fixed: fixedOld }));
        ev(t + 2, line(rng, 'typha/sync_server.go 717', t + 2, tn, { fixed: fixedOld }));
        ev(t + 3, line(rng, 'typha/sync_server.go 855', t + 3, tn, { fixed: fixedOld }));
        const j = (i + 1 + rng.int(0, typha.length - 2)) % typha.length;
        const other = typha[j]!;
        const on = typhaNodes[j]!;
        const cl2 = `${client.ip}:${rng.int(32768, 60999)}`;
        const fixedNew = { 'IP:PORT': cl2, HEX: newConn, SYNCER_TYPE: type, PORT: '5473' };
        const t2 = t + rng.int(200, 1500);
        ev(t2, line(rng, 'typha/sync_server.go 424', t2, on, { fixed: fixedNew }), other);
        ev(t2 + 1, line(rng, 'typha/sync_server.go 433', t2 + 1, on, { fixed: fixedNew }), other);
        ev(t2 + 2, line(rng, 'typha/sync_server.go 721', t2 + 2, on, { fixed: fixedNew }), other);
        ev(t2 + 30, line(rng, 'typha/sync_server.go 1219', t2 + 30, on, { fixed: fixedNew }), other);
        ev(t2 + 60, line(rng, 'typha/sync_server.go 989', t2 + 60, on, { fixed: fixedNew }), other);
        if (type === '"felix"') {
          const addr = `${on.ip}:5473`;
          const f = { 'IP:PORT': addr, IP: on.ip, HEX: `0x${rng.int(1, 4)}`, SYNCER_TYPE: type };
          const cev = (tt: number, key: string, status?: string): void =>
            push({
              t: tt,
              text: line(rng, key, tt, client, {
                fixed: status ? { ...f, 'wait-for-ready|resync|in-sync': status } : f,
              }),
              meta: calicoNode[client.index]!,
              source: 'typha',
              node: client.name,
              stream: 'stdout',
            });
          cev(t2 - 5, 'felix/sync_client.go 360');
          cev(t2 + 10, 'felix/sync_client.go 483', 'wait-for-ready');
          cev(t2 + 31, 'felix/sync_client.go 483', 'resync');
          cev(t2 + 32, 'felix/sync_client.go 483', 'in-sync');
        }
      });
    }
  }

  // ---------------------------------------------------------------- per node: felix, churn, BGP
  const burstNodes: NodeInfo[] = [];
  {
    const rng = new Rng(subSeed(seed, 'netlink-nodes'));
    const k = Math.min(workers.length, opts.netlinkNodes ?? Math.round(nodeCount / 3));
    const pool = [...workers];
    for (let i = 0; i < k; i++) burstNodes.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
    burstNodes.sort((a, b) => a.index - b.index);
  }
  // The pods on each node (the churn adds and deletes them; felix's lines name their veths).
  const nodePods = new Map<NodeInfo, Workload[]>();
  for (const node of cluster.nodes) {
    const rng = new Rng(subSeed(seed, `pods-${node.name}`));
    nodePods.set(
      node,
      Array.from({ length: rng.int(15, 40) }, () => freshWorkload(rng, node)),
    );
  }
  for (const node of cluster.nodes) {
    const rng = new Rng(subSeed(seed, `node-${node.name}`));
    const meta = calicoNode[node.index]!;
    const ev = (t: number, text: string, source: Source, stream: 'stdout' | 'stderr' = 'stdout'): void => {
      for (const l of text.split('\n')) push({ t, text: l, meta, source, node: node.name, stream });
    };
    const pods = nodePods.get(node)!;
    const podCtx = (): Workload => rng.pick(pods);

    for (let t = startMs + rng.int(0, 59_999); t < endMs; t += MIN + rng.int(-1500, 1500)) {
      ev(t, line(rng, 'felix/summary.go 100', t, node), 'felix-summary');
    }
    poisson(rng, rng.logUniform(2 * SEC, 10 * SEC), (t) =>
      ev(t, line(rng, 'felix/int_dataplane.go 2040', t, node), 'felix-proto'),
    );
    for (const key of FELIX_ROUTINE) {
      poisson(rng, rng.logUniform(30 * SEC, 5 * MIN), (t) =>
        ev(t, line(rng, key, t, node, { workload: podCtx() }), 'felix-routine'),
      );
    }
    poisson(rng, 2 * HOUR, (t) => {
      ev(t, line(rng, 'felix/table.go 1082', t, node), 'felix-warning');
      ev(t + 1100, line(rng, 'felix/table.go 1101', t + 1100, node), 'felix-warning');
    });
    poisson(rng, 3 * HOUR, (t) => {
      ev(t, line(rng, 'felix/ipsets.go 353', t, node), 'felix-warning');
      ev(t + 20, line(rng, 'felix/ipsets.go 367', t + 20, node), 'felix-warning');
    });
    poisson(rng, 3 * HOUR, (t) => {
      const f = {
        'live|non-live': 'live',
        'ready|non-ready': 'non-ready',
        REPORTER: 'InternalDataplaneMainLoop',
      };
      ev(t, line(rng, 'felix/health.go 292', t, node), 'felix-warning');
      ev(t + 30, line(rng, 'felix/health.go 206', t + 30, node, { fixed: f }), 'felix-warning');
    });

    // Pod churn: the CNI plugin (host file /var/log/calico/cni/cni.log) and felix programming it.
    poisson(rng, rng.logUniform(60 * SEC, 6 * MIN), (t) => {
      const add = rng.chance(0.5) || pods.length < 5;
      const w = add ? freshWorkload(rng, node) : pods.splice(rng.int(0, pods.length - 1), 1)[0]!;
      if (add) pods.push(w);
      const pid = rng.int(100_000, 4_000_000);
      const cni = add ? CNI_ADD : CNI_DEL;
      let tt = t;
      for (const key of cni) {
        tt += rng.int(2, 40);
        const ipamPid = key.startsWith('ipam/') ? pid + 27 : pid;
        push({
          t: tt,
          text: line(rng, key, tt, node, {
            workload: w,
            pid: ipamPid,
            fixed: { 'up|down': add ? 'up' : 'down' },
          }),
          meta: null,
          source: 'churn-cni',
          node: node.name,
          stream: 'stdout',
        });
      }
      for (const key of add ? FELIX_ADD : FELIX_DEL) {
        tt += rng.int(5, 120);
        ev(
          tt,
          line(rng, key, tt, node, { workload: w, fixed: { 'up|down': add ? 'up' : 'down' } }),
          'churn-felix',
        );
      }
    });

    // BGP session flaps (rare, per node).
    poisson(rng, 3 * HOUR, (t) => {
      const peer = rng.pick(cluster.nodes);
      const proto = `Mesh_${peer.ip.replaceAll('.', '_')}`;
      const s = bird('bird: Mesh_10_0_1_22: State changed to up');
      const flap = (tt: number, state: string): void =>
        ev(
          tt,
          line(rng, s, tt, node, { fixed: { PROTO: proto, 'start|feed|up|stop|down|flush': state } }),
          'bgp',
        );
      ev(
        t,
        line(rng, bird('bird: Mesh_10_0_1_22: Received: Hold timer expired'), t, node, {
          fixed: { PROTO: proto },
        }),
        'bgp',
      );
      flap(t + 1, 'stop');
      flap(t + 2, 'down');
      flap(t + 5000, 'start');
      flap(t + 9000, 'up');
    });
  }

  // Cluster-wide BGP changes: every node's confd re-renders, BIRD reconfigures.
  {
    const rng = new Rng(subSeed(seed, 'bgp'));
    const reconf = [
      'bird: Reconfiguration requested by SIGHUP',
      'bird: Reconfiguring',
      'bird: direct1: Reconfigured',
      'bird: Reconfigured',
    ].map(bird);
    poisson(rng, 15 * MIN, (t) => {
      const changed = rng.pick(cluster.nodes);
      for (const node of cluster.nodes) {
        const meta = calicoNode[node.index]!;
        const tt = t + rng.int(20, 2500);
        const ev = (t3: number, text: string): void =>
          push({ t: t3, text, meta, source: 'bgp', node: node.name, stream: 'stdout' });
        const key = `/calico/bgp/v1/host/${changed.name}/ip_addr_v4`;
        ev(tt, line(rng, 'confd/resource.go 290', tt, node, { fixed: { KEY: key }, pid: 68 }));
        if (rng.chance(0.25)) ev(tt + 5, line(rng, 'confd/client.go 1036', tt + 5, node, { pid: 68 }));
        for (const [k, s] of reconf.entries()) ev(tt + 80 + k * 3, line(rng, s, tt + 80 + k * 3, node));
      }
    });
  }

  // ---------------------------------------------------------------- the netlink burst
  const onset = hhmmToMs(startMs, opts.netlinkOnset ?? hhmm(startMs + (hours >= 4 ? 200 : hours * 33) * MIN));
  const burstMs = (opts.netlinkMinutes ?? 40) * MIN;
  const restart = (rng: Rng, node: NodeInfo, t0: number): void => {
    const meta = calicoNode[node.index]!;
    let t = t0;
    for (const key of RESTART) {
      t += rng.int(50, 1500);
      const text =
        key === 'felix/sync_client.go 483'
          ? line(rng, key, t, node, { fixed: { 'wait-for-ready|resync|in-sync': 'in-sync' } })
          : key === 'felix/health.go 336'
            ? line(rng, key, t, node, { fixed: { BOOL: 'true' } })
            : line(rng, key, t, node, {
                pid: key.startsWith('startup/') ? 9 : key.startsWith('monitor-') ? 70 : undefined,
              });
      for (const l of text.split('\n'))
        push({ t, text: l, meta, source: 'restart', node: node.name, stream: 'stdout' });
    }
    // felix logs its full configuration on start: one long line (containerd splits it past 16 KiB).
    t += 30;
    const cidrs: string[] = [];
    for (let len = 0; len < CRI_SPLIT + 2000; ) {
      const c = `10.${rng.int(1, 250)}.${rng.int(0, 255)}.0/24`;
      cidrs.push(c);
      len += c.length + 1;
    }
    push({
      t,
      text: `${calicoTs(t)} [INFO][${node.felixPid}] felix/event_sequencer.go 273: Possible config update. global=map[string]string{"ExternalNodesCIDRList":"${cidrs.join(',')}","LogSeverityScreen":"Info"} host=map[string]string{"IpInIpTunnelAddr":"192.168.${node.blockThird}.${node.blockBase}"}`,
      meta,
      source: 'restart',
      node: node.name,
      stream: 'stdout',
    });
  };
  for (const [i, node] of burstNodes.entries()) {
    const rng = new Rng(subSeed(seed, `netlink-${node.name}`));
    const meta = calicoNode[node.index]!;
    const from = onset + rng.int(0, 120_000);
    const to = from + Math.floor(burstMs * rng.logUniform(0.9, 1.1));
    const ev = (
      t: number,
      text: string,
      source: Source = 'netlink',
      stream: 'stdout' | 'stderr' = 'stdout',
    ): void => push({ t, text, meta, source, node: node.name, stream });
    poisson(
      rng,
      250,
      (t) => {
        const [key, errno] = rng.weighted(NETLINK_MIX);
        if (key.startsWith('bird:')) ev(t, line(rng, bird(key), t, node));
        else if (key === '... dropped') ev(t, `... dropped ${rng.int(20, 900)} logs ...`);
        else {
          const workload = rng.pick(nodePods.get(node)!);
          ev(t, line(rng, key, t, node, errno === null ? { workload } : { workload, errno }));
        }
      },
      from,
      to,
    );
    if (i === 0) {
      // The first node's felix gives up: PANIC, the Go stack on stderr, a restart.
      const t = to + 2000;
      ev(t, line(rng, 'felix/handle_manager.go 104', t, node, { fixed: { N: '10' } }), 'panic', 'stderr');
      for (const l of panicStack(rng)) ev(t + 1, l, 'panic', 'stderr');
      restart(rng, node, t + 9000);
    } else {
      const t = to + rng.int(1000, 20_000);
      ev(t, line(rng, 'felix/handle_manager.go 95', t, node), 'recovery');
      ev(t + 300, line(rng, 'felix/route_rule.go 206', t + 300, node), 'recovery');
      ev(t + 900, line(rng, 'felix/route_table.go 865', t + 900, node), 'recovery');
    }
  }
  // One more felix restart: a configuration change that needs one, on a node outside the burst.
  {
    const rng = new Rng(subSeed(seed, 'config-restart'));
    const others = cluster.nodes.filter((n) => !burstNodes.includes(n));
    const node = others.length > 0 ? rng.pick(others) : cluster.nodes[0]!;
    const t = startMs + Math.floor(hours * HOUR * rng.logUniform(0.1, 0.4));
    push({
      t,
      text: line(rng, 'felix/daemon.go 1366', t, node),
      meta: calicoNode[node.index]!,
      source: 'restart',
      node: node.name,
      stream: 'stdout',
    });
    restart(rng, node, t + 3000);
  }

  // ---------------------------------------------------------------- render
  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const wr = (env: Envelope, e: Ev, text: string, tail: number, partial = false): DayLine => ({
    line: wrap(env, { text, ms: e.t, tail, stream: e.stream, meta: e.meta, partial }),
    text,
    ms: e.t,
    source: e.source,
    node: e.node,
    partial,
  });
  for (const e of events) {
    const tail = e.seq % 1_000_000;
    if (envelope === 'raw' || (envelope === 'cri' && e.meta === null)) {
      if (e.text !== '') yield wr('raw', e, e.text, tail);
    } else if (envelope === 'cri') {
      if (e.text.length <= CRI_SPLIT) yield wr('cri', e, e.text, tail);
      else
        for (let off = 0; off < e.text.length; off += CRI_SPLIT) {
          yield wr('cri', e, e.text.slice(off, off + CRI_SPLIT), tail, off + CRI_SPLIT < e.text.length);
        }
    } else {
      yield wr('fluentbit', e, e.text, tail);
    }
  }
}

function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '20' },
      hours: { type: 'string', default: '6' },
      seed: { type: 'string', default: '20250114' },
      envelope: { type: 'string', default: 'fluentbit' },
      start: { type: 'string', default: '2025-01-14T06:00:00Z' },
      'netlink-onset': { type: 'string' },
      'netlink-nodes': { type: 'string' },
      'netlink-minutes': { type: 'string' },
      out: { type: 'string' },
      messages: { type: 'string' },
    },
  });
  const env = values.envelope as DayEnvelope;
  if (!['fluentbit', 'raw', 'cri'].includes(env)) throw new Error(`--envelope must be fluentbit, raw or cri`);
  const startMs = Date.parse(values.start);
  if (Number.isNaN(startMs)) throw new Error(`--start must be an ISO time, got '${values.start}'`);
  const out = new LineWriter(values.out ?? null);
  const msgs = values.messages ? new LineWriter(values.messages) : null;
  const bySource = new Map<string, number>();
  let last = 0;
  for (const l of generateDay({
    nodes: Number(values.nodes),
    hours: Number(values.hours),
    seed: Number(values.seed),
    envelope: env,
    startMs,
    ...(values['netlink-onset'] ? { netlinkOnset: values['netlink-onset'] } : {}),
    ...(values['netlink-nodes'] ? { netlinkNodes: Number(values['netlink-nodes']) } : {}),
    ...(values['netlink-minutes'] ? { netlinkMinutes: Number(values['netlink-minutes']) } : {}),
  })) {
    await out.write(l.line);
    if (msgs) await msgs.write(l.text);
    bySource.set(l.source, (bySource.get(l.source) ?? 0) + 1);
    last = l.ms;
  }
  await out.close();
  if (msgs) await msgs.close();
  if (values.out && values.out !== '-') {
    const t = new Date(last + 5000);
    utimesSync(values.out, t, t);
  }
  process.stderr.write(
    `gen-day: ${out.lines} lines; ${[...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}\n`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`gen-day: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
