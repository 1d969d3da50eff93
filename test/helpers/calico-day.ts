/**
 * A line-level generator of Calico cluster days for the findings tests: deterministic (a seeded PRNG,
 * no clock), realistic lines as Fluent Bit delivers them from calico-node and calico-kube-controllers
 * pods (JSON with kubernetes metadata and the container image), and options for onsets:
 *
 * - felix routine noise on every node (dataplane summaries, calc-graph updates, ipset resyncs, pod
 *   churn), a rare one-off warning;
 * - kube-controllers `Tier default|adminnetworkpolicy already exists` every 10 s from one pod (the
 *   v3.29.1 INFO spam, projectcalico/calico#9531), on unless `tierSpam: false`;
 * - `netlink` onsets: from a time on some nodes Felix runs out of file descriptors (the v3.29.0/1
 *   findHostMTU leak, #9603): `Failed to create netlink handle` every 30 s from monitorHostMTU, and
 *   route-table `Failed to connect to netlink ... too many open files` at a steady or growing rate,
 *   optionally stopping at a calico-node restart (a new pod name) and growing again after it;
 * - `error` onsets: any other new error line on some nodes.
 */

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

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
  alnum(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.#next() * a.length)];
    return s;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.#next() * 16)];
    return s;
  }
}

export interface NetlinkOnset {
  kind: 'netlink';
  /** Minutes after the day's start. */
  atMin: number;
  /** Node indices (0-based). */
  nodes: readonly number[];
  /** steady: the same rate from the onset; ramp: route-table errors grow by one a minute every `rampEveryMin`. */
  shape: 'steady' | 'ramp';
  rampEveryMin?: number;
  /** Restart calico-node on these nodes this many minutes after the onset (new pod name). */
  restartAfterMin?: number;
  /** Minutes without errors after the restart (the fds it freed last that long). */
  quietAfterRestartMin?: number;
}

export interface ErrorOnset {
  kind: 'error';
  atMin: number;
  nodes: readonly number[];
  /** Lines per node per minute. */
  perMin: number;
}

export type Onset = NetlinkOnset | ErrorOnset;

export interface DayOptions {
  /** ISO start of the day (default 2025-01-14T00:00:00Z). */
  start?: string;
  hours?: number;
  nodes?: number;
  seed?: number;
  /** Tag of calico/node (default v3.29.1). */
  nodeVersion?: string;
  /** Tag of calico/kube-controllers (default v3.29.1). */
  kubeControllersVersion?: string;
  /** The v3.29.1 Tier-exists INFO spam from one kube-controllers pod (default true). */
  tierSpam?: boolean;
  onsets?: readonly Onset[];
}

export interface Day {
  lines: string[];
  nodes: string[];
  start: number;
  end: number;
  /** Lines written per onset index (exact). */
  onsetLines: number[];
  tierLines: number;
  kubeControllersPod: string;
}

interface Ev {
  t: number;
  seq: number;
  text: string;
  node: string;
  pod: string;
  container: 'calico-node' | 'calico-kube-controllers';
  image: string;
}

function calicoTs(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

export function generateDay(options: DayOptions = {}): Day {
  const start = Date.parse(options.start ?? '2025-01-14T00:00:00Z');
  const end = start + (options.hours ?? 6) * HOUR;
  const rng = new Rng(options.seed ?? 20250114);
  const nodeVersion = options.nodeVersion ?? 'v3.29.1';
  const kcVersion = options.kubeControllersVersion ?? 'v3.29.1';
  const nodeImage = `docker.io/calico/node:${nodeVersion}`;
  const kcImage = `docker.io/calico/kube-controllers:${kcVersion}`;
  const nodeCount = options.nodes ?? 20;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);
  const felixPid = nodes.map(() => rng.int(40, 90));
  const ifaces = nodes.map(() => Array.from({ length: 5 }, () => `cali${rng.hex(11)}`));
  /** Pod names per node over time: [from, name]. */
  const podNames = nodes.map(() => [{ from: start, name: `calico-node-${rng.alnum(5)}` }]);
  const podAt = (ni: number, t: number): string => {
    const list = podNames[ni]!;
    let name = list[0]!.name;
    for (const p of list) if (p.from <= t) name = p.name;
    return name;
  };
  const events: Ev[] = [];
  let seq = 0;
  const felix = (ni: number, t: number, level: string, msg: string): void => {
    if (t < start || t >= end) return;
    events.push({
      t,
      seq: seq++,
      text: `${calicoTs(t)} [${level}][${felixPid[ni]}] ${msg}`,
      node: nodes[ni]!,
      pod: podAt(ni, t),
      container: 'calico-node',
      image: nodeImage,
    });
  };

  // Restarts first: routine lines after a restart carry the new pod name.
  for (const o of options.onsets ?? []) {
    if (o.kind !== 'netlink' || o.restartAfterMin === undefined) continue;
    for (const ni of o.nodes) {
      podNames[ni]!.push({
        from: start + (o.atMin + o.restartAfterMin) * MIN,
        name: `calico-node-${rng.alnum(5)}`,
      });
    }
  }

  // --- felix routine noise on every node ---
  for (let ni = 0; ni < nodeCount; ni++) {
    for (let t = start + rng.int(0, 59) * SEC; t < end; t += MIN + rng.int(-900, 900)) {
      felix(
        ni,
        t,
        'INFO',
        `felix/summary.go 100: Summarising ${rng.int(8, 14)} dataplane reconciliation loops over 1m${rng.int(0, 2)}.${rng.int(1, 9)}s: avg=${rng.int(3, 12)}ms longest=${rng.int(15, 90)}ms (resync-filter-v4,resync-mangle-v4,resync-nat-v4,update-filter-v4)`,
      );
      if (rng.float() < 0.5)
        felix(
          ni,
          t + 200,
          'INFO',
          `felix/int_dataplane.go 2040: Received *proto.HostMetadataV4V6Update update from calculation graph msg=hostname:"${nodes[rng.int(0, nodeCount - 1)]}" ipv4_addr:"10.0.${ni}.${rng.int(2, 250)}/24"`,
        );
      if (rng.float() < 0.25)
        felix(
          ni,
          t + 350,
          'INFO',
          `felix/ipsets.go 614: Resync of IP sets: ${rng.int(10, 40)} members in ${rng.int(3, 9)} sets family="inet"`,
        );
    }
    // Pod churn: a workload endpoint comes or goes every 12–28 minutes.
    for (let t = start + rng.int(1, 20) * MIN; t < end; t += rng.int(12, 28) * MIN) {
      const iface = rng.pick(ifaces[ni]!);
      felix(
        ni,
        t,
        'INFO',
        `felix/endpoint_mgr.go 719: Updating per-endpoint chains. id=proto.WorkloadEndpointID{OrchestratorId:"k8s", WorkloadId:"default/web-${rng.alnum(5)}", EndpointId:"eth0"}`,
      );
      felix(
        ni,
        t + 37,
        'INFO',
        `felix/endpoint_mgr.go 751: Updating endpoint routes. id=proto.WorkloadEndpointID{OrchestratorId:"k8s", WorkloadId:"default/web-${rng.alnum(5)}", EndpointId:"eth0"}`,
      );
      felix(
        ni,
        t + 74,
        'INFO',
        `felix/int_dataplane.go 2097: Linux interface state changed. ifIndex=${rng.int(5, 60)} ifaceName="${iface}" state="up"`,
      );
    }
  }
  // A one-off warning on one node: one line is no finding.
  felix(
    3 % nodeCount,
    start + 2 * HOUR + 17 * MIN,
    'WARNING',
    'felix/sync_client.go 205: Typha connection closed by server. address="10.96.12.7:5473" connID=0x2a',
  );

  // --- kube-controllers: Tier spam from one pod on node-01 ---
  const kcPod = `calico-kube-controllers-7d4c9f8b6-${rng.alnum(5)}`;
  let tierLines = 0;
  const kc = (t: number, text: string): void => {
    if (t < start || t >= end) return;
    events.push({
      t,
      seq: seq++,
      text,
      node: nodes[0]!,
      pod: kcPod,
      container: 'calico-kube-controllers',
      image: kcImage,
    });
  };
  if (options.tierSpam ?? true) {
    for (let t = start + 3 * SEC + 137; t < end; t += 10 * SEC) {
      for (const [i, tier] of ['default', 'adminnetworkpolicy'].entries()) {
        const ts = t + i * rng.int(5, 9);
        kc(
          ts,
          `${calicoTs(ts)} [INFO][1] kube-controllers/client.go 414: Tier ${tier} already exists. error=resource already exists: Tier(${tier})`,
        );
        if (ts < end) tierLines++;
      }
    }
  }
  for (let t = start + 40 * SEC; t < end; t += 150 * SEC) {
    kc(t, `${calicoTs(t)} [INFO][1] kube-controllers/ipam.go 315: Synchronizing IPAM data`);
  }

  // --- onsets ---
  const onsetLines: number[] = [];
  for (const o of options.onsets ?? []) {
    const before = events.length;
    const t0 = start + o.atMin * MIN;
    for (const ni of o.nodes) {
      if (o.kind === 'error') {
        for (let t = t0 + rng.int(0, 59) * SEC; t < end; t += Math.round(MIN / o.perMin)) {
          felix(
            ni,
            t,
            'ERROR',
            `felix/ipsets.go 1131: Failed to restore IP set, will retry. error=exit status 1 family="inet" setID="s:${rng.hex(8)}"`,
          );
        }
        continue;
      }
      const offset = rng.int(0, 29) * SEC; // nodes do not fail in the same second
      const restartAt = o.restartAfterMin === undefined ? null : t0 + o.restartAfterMin * MIN;
      const quiet = (o.quietAfterRestartMin ?? 20) * MIN;
      const resumeAt = restartAt === null ? null : restartAt + quiet;
      const running = (t: number): boolean =>
        restartAt === null || t < restartAt || (resumeAt !== null && t >= resumeAt);
      const since = (t: number): number => (resumeAt !== null && t >= resumeAt ? t - resumeAt : t - t0);
      // monitorHostMTU: every 30 s, findHostMTU cannot open a netlink socket.
      for (let t = t0 + offset; t < end; t += 30 * SEC) {
        if (!running(t)) continue;
        felix(
          ni,
          t,
          'ERROR',
          'felix/int_dataplane.go 1115: Failed to create netlink handle. Unable to auto-detect MTU. error=too many open files',
        );
        felix(
          ni,
          t + 1,
          'ERROR',
          'felix/int_dataplane.go 1506: Error detecting host MTU error=too many open files',
        );
      }
      // Route-table resyncs fail: a steady rate, or one more a minute every rampEvery minutes.
      for (let m = 0; t0 + m * MIN < end; m++) {
        const tm = t0 + offset + m * MIN;
        if (!running(tm)) continue;
        const perMin = o.shape === 'steady' ? 6 : 1 + Math.floor(since(tm) / MIN / (o.rampEveryMin ?? 4));
        for (let k = 0; k < perMin; k++) {
          const t = tm + Math.floor((k * MIN) / perMin) + rng.int(0, 500);
          felix(
            ni,
            t,
            'ERROR',
            `felix/route_table.go 911: Failed to connect to netlink. error=too many open files table="IPv4:254"`,
          );
        }
      }
    }
    onsetLines.push(events.length - before);
  }

  events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  const lines = events.map((e) => {
    const ts = e.t + 2; // the shipper stamps a little after the log call
    return JSON.stringify({
      date: ts / 1000,
      time: `${new Date(ts).toISOString().slice(0, -1)}000000Z`,
      stream: 'stdout',
      _p: 'F',
      log: e.text,
      kubernetes: {
        pod_name: e.pod,
        namespace_name: 'calico-system',
        host: e.node,
        container_name: e.container,
        container_image: e.image,
        labels: { 'k8s-app': e.container },
      },
    });
  });
  return { lines, nodes, start, end, onsetLines, tierLines, kubeControllersPod: kcPod };
}

/** The onset day of the findings tests: netlink errors on 6 of 20 nodes from 04:00. */
export const NETLINK_NODES = [2, 5, 8, 11, 14, 17] as const;

export function onsetDay(extra: Partial<DayOptions> = {}): Day {
  return generateDay({
    onsets: [{ kind: 'netlink', atMin: 240, nodes: NETLINK_NODES, shape: 'ramp' }],
    ...extra,
  });
}
