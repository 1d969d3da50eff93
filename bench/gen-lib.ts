/**
 * Building blocks of the benchmark generators (bench/gen-nonrepeating.ts, bench/gen-day.ts):
 * a seeded random source, the Calico statements of test/fixtures/calico-templates.tsv rendered with
 * fresh variable values, the shipper envelopes, and an output writer. No clock, no environment:
 * the same seed gives the same bytes.
 *
 * A statement is a corpus row split into literal text and slots. The slots come from aligning the
 * row's template (`Failed to connect to netlink. error=<ERR> table="<TABLE>"`) with its example line;
 * each slot keeps the example's value as the shape to imitate, and is filled per line by a generator
 * named after the placeholder (`<IFACE>`: a fresh `cali` + 11 hex, `<ERR>`: the example's error with
 * its errno drawn from a realistic set, ...). A template's `...` (an elided struct or list in the
 * corpus) keeps the example's text with its numbers, addresses and identifiers refreshed.
 */
import { closeSync, createWriteStream, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const TEMPLATES_PATH = join(ROOT, 'test', 'fixtures', 'calico-templates.tsv');

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
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.float() * xs.length)]!;
  }
  /** `[value, weight]` pairs. */
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const x of xs) total += x[1];
    let r = this.float() * total;
    for (const x of xs) {
      r -= x[1];
      if (r < 0) return x[0];
    }
    return xs[xs.length - 1]![0];
  }
  /** Log-uniform in [lo, hi]. */
  logUniform(lo: number, hi: number): number {
    return lo * (hi / lo) ** this.float();
  }
  /** Exponential with this mean (Poisson inter-arrival times). */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.float() * 16)];
    return s;
  }
  /** Kubernetes' random suffix alphabet (k8s.io/apimachinery/pkg/util/rand: no vowels, no 0/1/3). */
  alnum(n: number): string {
    const a = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.float() * a.length)];
    return s;
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${'89ab'[this.int(0, 3)]}${this.hex(3)}-${this.hex(12)}`;
  }
}

/** A seed derived from a seed and a label, so each source draws from its own stream. */
export function subSeed(seed: number, label: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

// ------------------------------------------------------------------ time formats (UTC)
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD hh:mm:ss.mmm`, the libcalico-go logutils format. */
export function calicoTs(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`;
}

/** RFC 3339 with nanoseconds, `tail` (0..999999) the sub-millisecond digits. */
export function isoNanos(ms: number, tail: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}${String(tail % 1_000_000).padStart(6, '0')}Z`;
}

function klogMmdd(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;
}

function klogClock(ms: number, micros: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}${pad3(micros % 1000)}`;
}

// ------------------------------------------------------------------ the cluster
export interface NodeInfo {
  readonly index: number;
  readonly name: string;
  readonly ip: string;
  /** The node's IPAM block, `192.168.<third>.<base>/26`. */
  readonly blockThird: number;
  readonly blockBase: number;
  readonly felixPid: number;
}

export interface Workload {
  readonly namespace: string;
  readonly pod: string;
  readonly containerId: string;
  readonly iface: string;
  readonly ip: string;
  readonly node: NodeInfo;
}

export interface Cluster {
  readonly nodes: readonly NodeInfo[];
  /** Node IPs where the Typha pods run (port 5473). */
  readonly typhaIps: readonly string[];
}

export const NAMESPACES = [
  'default',
  'payments',
  'checkout',
  'catalog',
  'search',
  'monitoring',
  'logging',
  'ingress-nginx',
  'kube-system',
  'cert-manager',
  'batch-jobs',
  'data-pipeline',
] as const;

const APPS = [
  'nginx',
  'api-gateway',
  'orders',
  'cart',
  'frontend',
  'redis',
  'postgres-exporter',
  'prometheus-node-exporter',
  'fluent-bit',
  'coredns',
  'ingress-nginx-controller',
  'cert-manager-webhook',
  'kafka-connect',
  'etl-worker',
  'search-indexer',
  'recommendation',
  'image-resizer',
  'auth',
] as const;

export function makeCluster(nodeCount: number, seed: number): Cluster {
  const rng = new Rng(subSeed(seed, 'cluster'));
  const control = Math.min(3, Math.max(1, Math.floor(nodeCount / 7)));
  const nodes: NodeInfo[] = [];
  for (let i = 0; i < nodeCount; i++) {
    nodes.push({
      index: i,
      name: i < control ? `k8s-control-${i + 1}` : `k8s-worker-${i - control + 1}`,
      ip: `10.0.${1 + Math.floor(i / 200)}.${10 + (i % 200)}`,
      blockThird: 10 + ((i * 7) % 240),
      blockBase: 64 * (i % 4),
      felixPid: rng.int(40, 95),
    });
  }
  const typhaIps = nodes.slice(control, control + 3).map((n) => n.ip);
  return { nodes, typhaIps: typhaIps.length > 0 ? typhaIps : [nodes[0]!.ip] };
}

export function podIp(rng: Rng, node: NodeInfo): string {
  return `192.168.${node.blockThird}.${node.blockBase + rng.int(1, 62)}`;
}

/** A pod of a Deployment (`app-<replicaset hash>-<5>`) on `node`, with its veth and address. */
export function freshWorkload(rng: Rng, node: NodeInfo): Workload {
  const app = rng.pick(APPS);
  return {
    namespace: rng.pick(NAMESPACES),
    pod: `${app}-${rng.int(5, 9)}${rng.hex(1)}${rng.alnum(rng.int(7, 8))}-${rng.alnum(5)}`,
    containerId: rng.hex(64),
    iface: `cali${rng.hex(11)}`,
    ip: podIp(rng, node),
    node,
  };
}

/** Calico's workload endpoint name: `<node>-k8s-<pod>-eth0` with every `-` of node and pod doubled. */
export function wepName(w: Workload): string {
  return `${w.node.name.replaceAll('-', '--')}-k8s-${w.pod.replaceAll('-', '--')}-eth0`;
}

// ------------------------------------------------------------------ values
/**
 * Errnos as Go prints them (syscall.Errno strings) and the netlink library's own errors, weighted by
 * how often they show up in felix's netlink paths: EEXIST on route/neighbour adds, EMFILE when the
 * process runs out of descriptors, ENOBUFS when the netlink socket overflows.
 */
export const ERRNOS: readonly (readonly [string, number])[] = [
  ['file exists', 20],
  ['too many open files', 16],
  ['no buffer space available', 14],
  ['no such process', 8],
  ['no such device', 7],
  ['resource temporarily unavailable', 7],
  ['Link not found', 6],
  ['no such file or directory', 5],
  ['interrupted system call', 3],
  ['operation not permitted', 3],
  ['invalid argument', 2],
  ['network is down', 2],
  ['device or resource busy', 2],
  ['network is unreachable', 1],
  ['numerical result out of range', 1],
  ['bad file descriptor', 1],
  ['protocol not available', 1],
  ['cannot assign requested address', 1],
  ['operation not supported', 1],
  ['permission denied', 1],
];
const ERRNO_STRINGS = ERRNOS.map((e) => e[0]).sort((a, b) => b.length - a.length);
const ERRNO_RE = new RegExp(ERRNO_STRINGS.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));

/** What a line is about: the node, the workload (shared by the lines of one CNI ADD/DEL), forced values. */
export interface LineCtx {
  readonly rng: Rng;
  readonly cluster: Cluster;
  readonly node: NodeInfo;
  /** The pod the lines are about; a fresh one per line when absent. */
  workload?: Workload;
  /** Force this errno into `<ERR>` slots that carry one (a netlink burst). */
  readonly errno?: string;
  /** The process id in the line header (felix: the node's felix pid; CNI: the plugin invocation). */
  readonly pid?: number;
  /** Slot values fixed for a sequence of lines (one Typha connection's client and connID). */
  readonly fixed?: Readonly<Record<string, string>>;
}

function workloadOf(ctx: LineCtx): Workload {
  if (ctx.workload === undefined) ctx.workload = freshWorkload(ctx.rng, ctx.node);
  return ctx.workload;
}

function freshNumber(rng: Rng, ex: string): string {
  const d = ex.length;
  if (d <= 1) return String(rng.int(0, 9));
  return String(rng.int(10 ** (d - 1), 10 ** d - 1));
}

/** A Go time.Duration string with the example's unit and precision, 0.5x-2x its value. */
function goDuration(rng: Rng, ex: string): string {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+(?:\.(\d+))?)(ms|µs|s))?$/.exec(ex);
  if (!m) return ex;
  const unit = m[5] ?? 's';
  const decimals = m[4]?.length ?? 0;
  const scale = unit === 'ms' ? 1e-3 : unit === 'µs' ? 1e-6 : 1;
  const secs =
    (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) * scale) * rng.logUniform(0.5, 2);
  if (unit !== 's' || secs < 60) {
    const v = secs / scale;
    return `${decimals > 0 ? v.toFixed(decimals) : Math.max(1, Math.round(v))}${unit}`;
  }
  const h = Math.floor(secs / 3600);
  const mi = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const sec = decimals > 0 ? s.toFixed(decimals) : String(Math.round(s));
  return `${h > 0 ? `${h}h` : ''}${mi}m${sec}s`;
}

/**
 * The example text with its identifiers refreshed: veths, UUIDs, container ids, pod addresses, node
 * names, Go pointers, interface indexes and long counters. Words, keys and service addresses stay.
 */
export function refresh(s: string, ctx: LineCtx): string {
  const rng = ctx.rng;
  return s
    .replace(/cali[0-9a-f]{11}/g, () => workloadOf(ctx).iface)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, () => rng.uuid())
    .replace(/\b[0-9a-f]{64}\b/g, () => workloadOf(ctx).containerId)
    .replace(/\b192\.168\.\d+\.\d+\b(?!\/2[0-6])/g, () => podIp(rng, ctx.node))
    .replace(/\bk8s-(?:worker|control)-\d+\b/g, () => rng.pick(ctx.cluster.nodes).name)
    .replace(/\b0xc[0-9a-f]{9}\b/g, () => `0xc${rng.hex(9)}`)
    .replace(/\b(Ifindex[=:] ?|ifindex |Index:)\d+/g, (_, k: string) => `${k}${rng.int(4, 220)}`)
    .replace(/(?<![\w.:/+-])\d{4,}(?![\w.:/-])/g, (x) => freshNumber(rng, x));
}

const TIERS = ['default', 'adminnetworkpolicy', 'baselineadminnetworkpolicy'] as const;
const SYNCERS: readonly (readonly [string, number])[] = [
  ['felix', 5],
  ['bgp', 3],
  ['tunnel-ip-allocation', 1],
  ['node-status', 1],
];
const WELL_KNOWN_PORTS = new Set(['5473', '7443', '8080', '179', '443', '9099', '9091', '6443']);

function fillIpv4(ex: string, ctx: LineCtx): string {
  const rng = ctx.rng;
  if (ex.startsWith('192.168.')) return podIp(rng, ctx.node);
  if (ex.startsWith('10.0.')) return rng.pick(ctx.cluster.nodes).ip;
  return ex; // service and host addresses (10.96.0.1) are cluster constants
}

function fillCidr(ex: string, ctx: LineCtx): string {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(ex);
  if (!m) return ex;
  const prefix = Number(m[2]);
  if (!m[1]!.startsWith('192.168.')) return ex;
  if (prefix <= 26) {
    const n = ctx.rng.chance(0.5) ? ctx.node : ctx.rng.pick(ctx.cluster.nodes);
    return `192.168.${n.blockThird}.${n.blockBase}/${prefix}`;
  }
  return `${workloadOf(ctx).ip}/${prefix}`;
}

function fillErr(ex: string, ctx: LineCtx): string {
  const m = ERRNO_RE.exec(ex);
  if (m) {
    const errno = ctx.errno ?? ctx.rng.weighted(ERRNOS);
    return refresh(ex.slice(0, m.index), ctx) + errno + refresh(ex.slice(m.index + m[0].length), ctx);
  }
  return refresh(ex, ctx);
}

/** `<up|down>`-style placeholders: mostly the example's choice, sometimes another. */
function fillAlternatives(name: string, ex: string, ctx: LineCtx, memo: Map<string, string>): string {
  const alts = name.split('|').filter((a) => a !== '...');
  if (ctx.rng.chance(0.7)) return ex;
  const a = ctx.rng.pick(alts);
  if (a === 'nil') return '<nil>';
  if (/^[A-Z_:]+$/.test(a)) return fill(a, ex, ctx, memo);
  return a;
}

/** One slot's fresh value. `memo` holds the values already drawn for this line, by slot name. */
export function fill(name: string, ex: string, ctx: LineCtx, memo: Map<string, string>): string {
  const rng = ctx.rng;
  const fixed = ctx.fixed?.[name];
  if (fixed !== undefined) return fixed;
  switch (name) {
    case 'ERR':
      return fillErr(ex, ctx);
    case 'N':
    case 'NUM':
      // Small counts mostly as in the example ("1 out of 1"); marks and masks (>= 6 digits) are config.
      if (ex.length === 1) return rng.chance(0.6) ? ex : String(rng.int(0, 9));
      return ex === '254' || ex.length >= 6 ? ex : freshNumber(rng, ex);
    case 'HEX':
      return ex.startsWith('0x')
        ? `0x${(rng.int(1, 15)).toString(16)}${rng.hex(Math.max(0, ex.length - 3))}`
        : ex;
    case 'PTR':
      return `0xc${rng.hex(9)}`;
    case 'IFACE':
      return /^cali[0-9a-f]{11}$/.test(ex) ? workloadOf(ctx).iface : ex;
    case 'IP':
      return fillIpv4(ex, ctx);
    case 'IP:PORT':
    case 'HOST:PORT': {
      const i = ex.lastIndexOf(':');
      const host = ex.slice(0, i);
      const port = ex.slice(i + 1);
      if (port === '5473') return `${rng.pick(ctx.cluster.typhaIps)}:5473`;
      return `${fillIpv4(host, ctx)}:${WELL_KNOWN_PORTS.has(port) ? port : rng.int(32768, 60999)}`;
    }
    case 'PORT':
      return WELL_KNOWN_PORTS.has(ex.replace(/^:/, '')) ? ex : String(rng.int(32768, 60999));
    case 'CIDR':
    case 'BLOCKCIDR':
      return fillCidr(ex, ctx);
    case 'DURATION':
      return goDuration(rng, ex);
    case 'IPVER_HEX':
      return rng.chance(0.85) ? '0x4' : '0x6';
    case 'TABLE':
      if (/^IPv[46]:\d+$/.test(ex)) return rng.chance(0.8) ? 'IPv4:254' : 'IPv6:254';
      if (['filter', 'nat', 'mangle', 'raw'].includes(ex))
        return rng.pick(['filter', 'filter', 'nat', 'mangle', 'raw']);
      return ex;
    case 'FAMILY':
      if (ex === '2' || ex === '10') return rng.chance(0.85) ? '2' : '10';
      if (ex === '"inet"' || ex === 'inet') return ex.replace('inet', rng.chance(0.85) ? 'inet' : 'inet6');
      return ex;
    case 'TIER': {
      const key = `TIER:${ex}`;
      const known = memo.get(key);
      if (known !== undefined) return known;
      const t = rng.pick(TIERS);
      memo.set(key, t);
      return t;
    }
    case 'NODE':
      return rng.chance(0.8) ? ctx.node.name : rng.pick(ctx.cluster.nodes).name;
    case 'NS':
      return workloadOf(ctx).namespace;
    case 'POD':
      return workloadOf(ctx).pod;
    case 'CONTAINER_ID':
      return workloadOf(ctx).containerId;
    case 'HANDLE':
      return `k8s-pod-network.${workloadOf(ctx).containerId}`;
    case 'WEP_NAME':
    case 'WORKLOAD':
      return wepName(workloadOf(ctx));
    case 'WEP_ID':
      return `proto.WorkloadEndpointID{OrchestratorId:"k8s", WorkloadId:"${workloadOf(ctx).namespace}/${workloadOf(ctx).pod}", EndpointId:"eth0"}`;
    case 'NETNS_PATH':
      return `/var/run/netns/cni-${rng.uuid()}`;
    case 'BOOL':
      return rng.chance(0.9) ? ex : ex === 'true' ? 'false' : 'true';
    case 'SYNCER_TYPE': {
      if (!/^"?(felix|bgp|tunnel-ip-allocation|node-status)"?$/.test(ex)) return ex;
      const q = ex.startsWith('"');
      const t = rng.weighted(SYNCERS);
      return q ? `"${t}"` : t;
    }
    case 'PROTO': {
      // BIRD protocol names: Mesh_<peer ip>, Node_<peer ip> (explicit BGPPeer), kernel1, direct1.
      const m = /^(Mesh|Node)_(\d+)_(\d+)_(\d+)_(\d+)$/.exec(ex);
      if (!m) return ex;
      if (m[1] === 'Node') return ex;
      return `Mesh_${rng.pick(ctx.cluster.nodes).ip.replaceAll('.', '_')}`;
    }
    case 'PROTO_TYPE': {
      const t = rng.weighted([
        ['*proto.RouteUpdate', 4],
        ['*proto.RouteRemove', 2],
        ['*proto.IPSetDeltaUpdate', 5],
      ] as const);
      memo.set('PROTO_TYPE', t);
      return t;
    }
    case 'PROTO_TEXT': {
      const t = memo.get('PROTO_TYPE') ?? '*proto.RouteUpdate';
      const n = rng.pick(ctx.cluster.nodes);
      if (t === '*proto.IPSetDeltaUpdate') {
        return `id:"s:${rng.alnum(22)}" added_members:"${podIp(rng, n)}/32"`;
      }
      if (t === '*proto.RouteRemove') return `dst:"${podIp(rng, n)}/32"`;
      return refresh(ex, ctx);
    }
    case 'MMDD':
    case 'hh:mm:ss.uuuuuu':
    case 'RFC3339':
    case 'PID_PADDED_7':
      return ex; // filled from the event time by renderStatement
    case 'SHA':
    case 'DATE':
    case 'VERSION':
    case 'CALICOVERSION':
    case 'GITREVISION':
    case 'KUBERNETESVERSION':
    case 'CLUSTERGUID':
    case 'CLUSTERTYPE':
    case 'MTU':
    case 'LIST_ROOT':
    case 'REPORTER':
    case 'ASCII_TABLE_MULTILINE':
      return ex; // build, cluster and configuration constants
    default:
      if (name.includes('|')) return fillAlternatives(name, ex, ctx, memo);
      return refresh(ex, ctx);
  }
}

// ------------------------------------------------------------------ statements
export type Segment = string | { readonly slot: string; readonly ex: string };

export interface Statement {
  /** Row index in the TSV (0 = first data row). */
  readonly row: number;
  readonly component: string;
  readonly level: string;
  readonly category: string;
  /** `felix/route_table.go 1522` (Calico format), else the first 48 characters of the example. */
  readonly key: string;
  readonly format: 'calico' | 'klog' | 'logrus' | 'plain';
  /** Calico format: `[LEVEL]` and the example's pid; the header after the pid (`] felix/x.go 12: `). */
  readonly levelTag: string;
  readonly examplePid: number;
  readonly site: string;
  /** The message (Calico format) or the whole line, as literal text and slots. */
  readonly segments: readonly Segment[];
  readonly multiline: boolean;
}

function unescapeField(s: string): string {
  return s.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

const PLACEHOLDER = /(<(?!nil>)[^<>\s]+>|\.\.\.)/;
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Template `tpl` aligned with the example message `msg`: literal text and slots with the example's values. */
export function align(template: string, msg: string): Segment[] {
  // `[<CIDR>...]`, `set.Set{<IP>,...}`: a list written as its first element; the example shows one.
  let tpl = template.replace(/>,?\.\.\./g, '>');
  let parts = tpl.split(PLACEHOLDER);
  const pattern = (relaxed: boolean): RegExp => {
    let re = '^';
    for (let i = 0; i < parts.length; i++) {
      if (i % 2 === 0) re += escapeRe(parts[i]!);
      else re += parts[i] === '...' || relaxed ? '([\\s\\S]*?)' : '([\\s\\S]+?)';
    }
    return new RegExp(`${re}$`);
  };
  let m = pattern(false).exec(msg);
  if (!m) {
    // An empty list in the example (`IPv6=[]`), or a struct the example prints as `{...}`.
    tpl = tpl.replace(/\{[^{}]*\.\.\.[^{}]*\}/g, '{...}');
    parts = tpl.split(PLACEHOLDER);
    m = pattern(true).exec(msg);
  }
  if (!m) return [{ slot: '...', ex: msg }];
  const out: Segment[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (parts[i] !== '') out.push(parts[i]!);
    } else {
      const p = parts[i]!;
      out.push({ slot: p === '...' ? '...' : p.slice(1, -1), ex: m[(i + 1) / 2]! });
    }
  }
  return out;
}

const CALICO_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (\[\w+\])\[(\d+)\] (\S+ \d+): ([\s\S]*)$/;

export function loadStatements(tsv = readFileSync(TEMPLATES_PATH, 'utf8')): Statement[] {
  const out: Statement[] = [];
  const lines = tsv.split('\n').slice(1);
  for (let row = 0; row < lines.length; row++) {
    const line = lines[row]!;
    if (line.trim() === '') continue;
    const cols = line.split('\t');
    const template = unescapeField(cols[4] ?? '');
    const example = unescapeField(cols[5] ?? '');
    if (example === '') continue;
    const base = {
      row,
      component: cols[0] ?? 'unknown',
      level: cols[1] ?? '',
      category: cols[3] ?? '',
      multiline: example.includes('\n'),
    };
    const c = CALICO_LINE.exec(example);
    if (c) {
      out.push({
        ...base,
        key: c[3]!,
        format: 'calico',
        levelTag: c[1]!,
        examplePid: Number(c[2]),
        site: c[3]!,
        segments: align(template, c[4]!),
      });
      continue;
    }
    const format = /^[IWEF]\d{4} /.test(example) ? 'klog' : example.startsWith('time="') ? 'logrus' : 'plain';
    out.push({
      ...base,
      key: example.slice(0, 48),
      format,
      levelTag: '',
      examplePid: 0,
      site: '',
      segments: align(template, example),
    });
  }
  return out;
}

/** Statements by key (`felix/route_table.go 1522`); a key printed at two levels keeps the first row. */
export function statementIndex(statements: readonly Statement[]): Map<string, Statement> {
  const m = new Map<string, Statement>();
  for (const s of statements) {
    if (!m.has(s.key)) m.set(s.key, s);
    m.set(`${s.key}|${s.level}`, s);
  }
  return m;
}

/** One rendering of `st` at `ms` with fresh values (the text may span several lines). */
export function renderStatement(st: Statement, ctx: LineCtx, ms: number): string {
  const memo = new Map<string, string>();
  let msg = '';
  for (const seg of st.segments) {
    if (typeof seg === 'string') {
      msg += seg;
      continue;
    }
    switch (seg.slot) {
      case 'MMDD':
        msg += klogMmdd(ms);
        break;
      case 'hh:mm:ss.uuuuuu':
        msg += klogClock(ms, ctx.rng.int(0, 999));
        break;
      case 'RFC3339':
        msg += `${new Date(ms).toISOString().slice(0, 19)}Z`;
        break;
      case 'PID_PADDED_7':
        msg += String(ctx.pid ?? 1).padStart(7);
        break;
      default:
        msg += fill(seg.slot, seg.ex, ctx, memo);
    }
  }
  if (st.format !== 'calico') return msg;
  const pid = ctx.pid ?? (st.component === 'felix' ? ctx.node.felixPid : st.examplePid);
  return `${calicoTs(ms)} ${st.levelTag}[${pid}] ${st.site}: ${msg}`;
}

// ------------------------------------------------------------------ Go panic
/** A felix panic: the PANIC line's follow-up, as the Go runtime prints it (each a separate line). */
export function panicStack(rng: Rng): string[] {
  const g = rng.int(100, 900);
  const p = (): string => `0xc${rng.hex(9)}`;
  return [
    `panic: (*logrus.Entry) ${p()}`,
    '',
    `goroutine ${g} [running]:`,
    `github.com/sirupsen/logrus.(*Entry).log(${p()}, 0x0, {${p()}, 0x2b})`,
    '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:260 +0x491',
    `github.com/sirupsen/logrus.(*Entry).Log(${p()}, 0x0, {${p()}?, 0x1?, 0x1?})`,
    '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:304 +0x4f',
    `github.com/sirupsen/logrus.(*Entry).Panicf(${p()}, {0x2b4c1e1?, 0x2b?}, {${p()}?, 0x1?, 0x1?})`,
    '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:355 +0x65',
    `github.com/projectcalico/calico/felix/netlinkshim/handlemgr.(*HandleManager).Handle(${p()})`,
    '\t/go/src/github.com/projectcalico/calico/felix/netlinkshim/handlemgr/handle_manager.go:104 +0x2c5',
    'github.com/projectcalico/calico/felix/routetable.(*RouteTable).getNetlinkHandle(...)',
    '\t/go/src/github.com/projectcalico/calico/felix/routetable/route_table.go:905',
    `github.com/projectcalico/calico/felix/routetable.(*RouteTable).Apply(${p()})`,
    '\t/go/src/github.com/projectcalico/calico/felix/routetable/route_table.go:702 +0x1b6',
    `created by github.com/projectcalico/calico/felix/dataplane/linux.(*InternalDataplane).Start in goroutine 1`,
    '\t/go/src/github.com/projectcalico/calico/felix/dataplane/linux/int_dataplane.go:1891 +0x5d5',
  ];
}

// ------------------------------------------------------------------ envelopes
export type Envelope =
  | 'raw'
  | 'cri'
  | 'docker'
  | 'fluentbit'
  | 'fluentbit-date'
  | 'vector'
  | 'filebeat'
  | 'otel'
  | 'otlp';

/** A pod's identity as the shippers' Kubernetes enrichment reports it. */
export interface PodMeta {
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly node: string;
  readonly image: string;
  readonly podId: string;
  readonly podIp: string;
  readonly dockerId: string;
  readonly imageDigest: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly owner: string;
}

export function makePodMeta(
  rng: Rng,
  p: {
    pod: string;
    namespace: string;
    container: string;
    node: NodeInfo;
    image: string;
    app: string;
    owner: string;
  },
): PodMeta {
  return {
    pod: p.pod,
    namespace: p.namespace,
    container: p.container,
    node: p.node.name,
    image: p.image,
    podId: rng.uuid(),
    podIp: p.owner.startsWith('DaemonSet') ? p.node.ip : podIp(rng, p.node),
    dockerId: rng.hex(64),
    imageDigest: rng.hex(64),
    labels: p.owner.startsWith('DaemonSet')
      ? {
          'app.kubernetes.io/name': p.app,
          'controller-revision-hash': `${rng.int(5, 9)}${rng.alnum(8)}`,
          'k8s-app': p.app,
          'pod-template-generation': String(rng.int(1, 6)),
        }
      : {
          'app.kubernetes.io/name': p.app,
          'k8s-app': p.app,
          'pod-template-hash': `${rng.int(5, 9)}${rng.hex(1)}${rng.alnum(7)}`,
        },
    owner: p.owner,
  };
}

/** Fluent Bit kubernetes filter's object (its key order: flb_kube_meta.c). */
function fluentBitKube(m: PodMeta): string {
  return JSON.stringify({
    pod_name: m.pod,
    namespace_name: m.namespace,
    pod_id: m.podId,
    labels: m.labels,
    host: m.node,
    pod_ip: m.podIp,
    container_name: m.container,
    docker_id: m.dockerId,
    container_hash: `${m.image.replace(/:[^:/]+$/, '')}@sha256:${m.imageDigest}`,
    container_image: m.image,
  });
}

/** Vector kubernetes_logs: its JSON codec writes keys in sorted order. */
function vectorKube(m: PodMeta): Record<string, unknown> {
  return {
    container_id: `containerd://${m.dockerId}`,
    container_image: m.image,
    container_name: m.container,
    namespace_labels: { 'kubernetes.io/metadata.name': m.namespace },
    pod_ip: m.podIp,
    pod_labels: m.labels,
    pod_name: m.pod,
    pod_namespace: m.namespace,
    pod_node_name: m.node,
    pod_owner: m.owner,
    pod_uid: m.podId,
  };
}

const kubeJsonCache = new WeakMap<PodMeta, string>();

export interface EnvelopeLine {
  /** The inner text (one physical line). */
  readonly text: string;
  readonly ms: number;
  /** Sub-millisecond digits for the nanosecond timestamps. */
  readonly tail: number;
  readonly stream: 'stdout' | 'stderr';
  /** The pod, or null for a host file (CNI) or an unknown source. */
  readonly meta: PodMeta | null;
  /** CRI: a partial (`P`) entry. */
  readonly partial?: boolean;
  /** File offset for Filebeat's `log.offset`. */
  readonly offset?: number;
}

const HOST_FILE = '/var/log/calico/cni/cni.log';

/** One line as the shipper `env` puts it on Kafka. */
export function wrap(env: Envelope, l: EnvelopeLine): string {
  const m = l.meta;
  switch (env) {
    case 'raw':
      return l.text;
    case 'cri':
      return `${isoNanos(l.ms, l.tail)} ${l.stream} ${l.partial ? 'P' : 'F'} ${l.text}`;
    case 'docker':
      return `{"log":${JSON.stringify(`${l.text}\n`)},"stream":"${l.stream}","time":"${isoNanos(l.ms, l.tail)}"}`;
    case 'fluentbit':
    case 'fluentbit-date': {
      // out_kafka's Timestamp_Key defaults to @timestamp (double); out_file / forward use `date`.
      const key = env === 'fluentbit' ? '@timestamp' : 'date';
      const ts = ((l.ms + 2) / 1000).toFixed(6);
      if (m === null) {
        // A host file through tail without the kubernetes filter (Path_Key file).
        return `{"${key}":${ts},"log":${JSON.stringify(l.text)},"file":"${HOST_FILE}"}`;
      }
      let kube = kubeJsonCache.get(m);
      if (kube === undefined) {
        kube = fluentBitKube(m);
        kubeJsonCache.set(m, kube);
      }
      return `{"${key}":${ts},"time":"${isoNanos(l.ms, l.tail)}","stream":"${l.stream}","_p":"F","log":${JSON.stringify(l.text)},"kubernetes":${kube}}`;
    }
    case 'vector':
      return JSON.stringify(
        m === null
          ? {
              file: HOST_FILE,
              host: 'vector-agent',
              message: l.text,
              source_type: 'file',
              timestamp: isoNanos(l.ms + 1, l.tail),
            }
          : {
              file: `/var/log/pods/${m.namespace}_${m.pod}_${m.podId}/${m.container}/0.log`,
              kubernetes: vectorKube(m),
              message: l.text,
              source_type: 'kubernetes_logs',
              stream: l.stream,
              timestamp: isoNanos(l.ms + 1, l.tail),
            },
      );
    case 'filebeat':
      return JSON.stringify({
        '@timestamp': new Date(l.ms + 3).toISOString(),
        '@metadata': { beat: 'filebeat', type: '_doc', version: '8.15.3' },
        ...(m === null
          ? { host: { name: 'filebeat' } }
          : {
              container: { id: m.dockerId, image: { name: m.image }, runtime: 'containerd' },
              host: { name: m.node },
              kubernetes: {
                pod: { name: m.pod, uid: m.podId, ip: m.podIp },
                namespace: m.namespace,
                node: { name: m.node },
                container: { name: m.container },
                labels: m.labels,
              },
            }),
        ecs: { version: '8.0.0' },
        input: { type: m === null ? 'filestream' : 'container' },
        message: l.text,
        stream: l.stream,
      });
    case 'otel':
      return JSON.stringify({
        body: l.text,
        timeUnixNano: `${l.ms}${String(l.tail % 1_000_000).padStart(6, '0')}`,
        attributes: { 'log.iostream': l.stream },
        resource:
          m === null
            ? { 'host.name': 'otel-agent', 'log.file.path': HOST_FILE }
            : {
                'k8s.pod.name': m.pod,
                'k8s.pod.uid': m.podId,
                'k8s.namespace.name': m.namespace,
                'k8s.node.name': m.node,
                'k8s.container.name': m.container,
                'container.image.name': m.image.replace(/:[^:/]+$/, ''),
                'container.image.tag': m.image.replace(/^.*:/, ''),
              },
      });
    case 'otlp': {
      const attrs =
        m === null
          ? [{ key: 'log.file.path', value: { stringValue: HOST_FILE } }]
          : [
              { key: 'k8s.pod.name', value: { stringValue: m.pod } },
              { key: 'k8s.pod.uid', value: { stringValue: m.podId } },
              { key: 'k8s.namespace.name', value: { stringValue: m.namespace } },
              { key: 'k8s.node.name', value: { stringValue: m.node } },
              { key: 'k8s.container.name', value: { stringValue: m.container } },
            ];
      return JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: attrs },
            scopeLogs: [
              {
                scope: {},
                logRecords: [
                  {
                    timeUnixNano: `${l.ms}${String(l.tail % 1_000_000).padStart(6, '0')}`,
                    observedTimeUnixNano: `${l.ms + 4}${String(l.tail % 1_000_000).padStart(6, '0')}`,
                    body: { stringValue: l.text },
                    attributes: [{ key: 'log.iostream', value: { stringValue: l.stream } }],
                  },
                ],
              },
            ],
          },
        ],
      });
    }
  }
}

/** containerd splits log lines longer than 16 KiB (max_container_log_line_size) into P entries and a final F. */
export const CRI_SPLIT = 16 * 1024;

// ------------------------------------------------------------------ output
/** Buffered line output to a file (gzip when it ends in .gz) or stdout; `close()` resolves when flushed. */
export class LineWriter {
  #chunks: string[] = [];
  #size = 0;
  #fd: number | null = null;
  #gzip: ReturnType<typeof createGzip> | null = null;
  #done: Promise<void> = Promise.resolve();
  lines = 0;

  constructor(path: string | null) {
    if (path === null || path === '-') {
      this.#fd = 1;
    } else if (path.endsWith('.gz')) {
      this.#gzip = createGzip({ level: 6 });
      const out = createWriteStream(path);
      this.#gzip.pipe(out);
      this.#done = new Promise((resolve, reject) => {
        out.on('finish', () => resolve());
        out.on('error', reject);
      });
    } else {
      this.#fd = openSync(path, 'w');
    }
  }

  async write(line: string): Promise<void> {
    this.#chunks.push(line);
    this.#size += line.length + 1;
    this.lines++;
    if (this.#size >= 1 << 20) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#chunks.length === 0) return;
    const text = `${this.#chunks.join('\n')}\n`;
    this.#chunks = [];
    this.#size = 0;
    if (this.#gzip !== null) {
      if (!this.#gzip.write(text)) await new Promise<void>((r) => this.#gzip!.once('drain', () => r()));
    } else {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(this.#fd!, buf, off, buf.length - off);
    }
  }

  async close(): Promise<void> {
    await this.#flush();
    if (this.#gzip !== null) {
      this.#gzip.end();
      await this.#done;
    } else if (this.#fd !== null && this.#fd !== 1) {
      closeSync(this.#fd);
    }
  }
}
