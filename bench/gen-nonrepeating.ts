/**
 * The `npm run bench` input: N lines (default 1,000,000) of Calico logs in which no line repeats.
 * Every line is a Calico statement (a row of test/fixtures/calico-templates.tsv, or a line of
 * test/fixtures/real-lines/ when that directory exists) rendered with FRESH variable values: pod
 * addresses, veth names, pod and container ids, ports, counters, durations, Go pointers, errnos drawn
 * from a realistic set (src: bench/gen-lib.ts). So no memo keyed on a line, a value or a message text
 * is warm for long, unlike the bundled one-day sample cycled 30 times.
 *
 * Mix of statements (share of lines; the stated shares are exported and checked by
 * test/unit/bench/generators.test.ts):
 *   routine-noise 58 %, tier-exists 16 %, netlink-error 14 %, warning-other 6 %, error-other 2 %
 *   (a statement drawn uniformly within its category; 80 % of tier-exists lines are kube-controllers'
 *   v3.29.1 `Tier default|adminnetworkpolicy already exists`), the Felix health table (one log call,
 *   9 lines) 1.5 %, Go panics (the PANIC line + its 17-line stack) 1.5 %, lines no Calico parser knows 1 %.
 *   With test/fixtures/real-lines/ present, 25 % of the lines are drawn from it instead (lines Calico
 *   components really printed: the rows of lines.tsv whose wrapper is `raw`, re-stamped where the
 *   format has a timestamp, identifiers refreshed) and the shares above apply to the other 75 %.
 * Mix of envelopes (share of pod log lines; one log call keeps one envelope):
 *   Fluent Bit 40 % (two thirds with out_kafka's `@timestamp` key, a third with `date`), CRI 15 %
 *   (containerd's files shipped unparsed; 1 % of them a > 16 KiB line split into P + F entries),
 *   docker json-file 10 %, Vector 10 %, Filebeat 8 %, OTel 10 % (half flat, half OTLP/JSON), raw 7 %.
 *   CNI / IPAM lines come from the host's /var/log/calico/cni/cni.log: raw 40 %, Fluent Bit without
 *   Kubernetes metadata 40 %, Filebeat 20 %.
 * Cluster: 50 nodes (3 control-plane), one calico-node pod per node, 3 Typha pods, kube-controllers,
 * 2 calico-apiserver pods; envelope metadata is per pod (as a shipper's enrichment gives it). 80 % of
 * the netlink errors come from a third of the nodes; everything else from any node.
 * Event times: 6 h from 2025-01-14T06:00Z (exponential gaps); the output file's mtime is set just
 * after the last event (bench/throughput.ts uses it as the Kafka timestamp).
 *
 *   node --import tsx bench/gen-nonrepeating.ts --lines 1000000 --out bench/.data/nonrep.log \
 *     [--messages bench/.data/nonrep.messages.txt] [--seed 20250114] [--nodes 50] [--hours 6]
 *
 * `--messages FILE`: the inner text of every output line, one per line (what Drain3 is fed: the same
 * lines, already unwrapped). Deterministic: the same options give the same bytes.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import {
  type Cluster,
  CRI_SPLIT,
  calicoTs,
  type Envelope,
  type LineCtx,
  LineWriter,
  loadStatements,
  makeCluster,
  makePodMeta,
  type NodeInfo,
  type PodMeta,
  panicStack,
  Rng,
  refresh,
  renderStatement,
  type Statement,
  subSeed,
  wrap,
} from './gen-lib.ts';

export const REAL_LINES_DIR = join(import.meta.dirname, '..', 'test', 'fixtures', 'real-lines');

export type Kind =
  | 'routine-noise'
  | 'tier-exists'
  | 'netlink-error'
  | 'warning-other'
  | 'error-other'
  | 'health-table'
  | 'panic'
  | 'unparsed'
  | 'real';

/** Share of lines per kind (without real lines). Multi-line kinds are drawn per log call, scaled by their length. */
export const KIND_MIX: Readonly<Record<Exclude<Kind, 'real'>, number>> = {
  'routine-noise': 0.58,
  'tier-exists': 0.16,
  'netlink-error': 0.14,
  'warning-other': 0.06,
  'error-other': 0.02,
  'health-table': 0.015,
  panic: 0.015,
  unparsed: 0.01,
};
export const REAL_SHARE = 0.25;

/** Share of pod log lines per envelope. */
export const ENVELOPE_MIX: readonly (readonly [Envelope, number])[] = [
  ['fluentbit', 0.4 * (2 / 3)],
  ['fluentbit-date', 0.4 / 3],
  ['cri', 0.15],
  ['docker', 0.1],
  ['vector', 0.1],
  ['filebeat', 0.08],
  ['otel', 0.05],
  ['otlp', 0.05],
  ['raw', 0.07],
];
/** Share of host-file (CNI / IPAM) lines per envelope. */
export const HOST_ENVELOPE_MIX: readonly (readonly [Envelope, number])[] = [
  ['raw', 0.4],
  ['fluentbit', 0.4],
  ['filebeat', 0.2],
];
/** Share of CRI log calls rendered as a line longer than containerd's 16 KiB split. */
export const CRI_LONG_SHARE = 0.01;

const HEALTH_LINES = 9;
const PANIC_LINES = 18;

export interface NonRepeatingOptions {
  readonly lines: number;
  readonly seed?: number;
  readonly nodes?: number;
  readonly hours?: number;
  readonly startMs?: number;
  /** Overrides the real-lines directory (tests); null: none. */
  readonly realLinesDir?: string | null;
}

export interface OutLine {
  /** The line as shipped. */
  readonly line: string;
  /** Its inner text (what a shipper carried). */
  readonly text: string;
  readonly envelope: Envelope;
  readonly kind: Kind;
  readonly ms: number;
  readonly partial: boolean;
  /** A pod's log, or the host's CNI log file. */
  readonly origin: 'pod' | 'host';
}

export interface RealLine {
  /** The line (a multi-line record: several lines joined with \n). */
  readonly text: string;
  /** The process that printed it (the fixture's label), when known. */
  readonly component: string;
}

function unescapeTsv(s: string): string {
  return s.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/**
 * The real lines under `dir`: rows of a labelled TSV with a `line` column (test/fixtures/real-lines/
 * lines.tsv: only rows whose `wrapper` is `raw`, i.e. the line as the process printed it, since the
 * generator adds the envelope), else every non-empty line of the other files (`.gz` inflated).
 */
export function readRealLines(dir: string): RealLine[] {
  if (!existsSync(dir)) return [];
  const out: RealLine[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        walk(p);
        continue;
      }
      if (name.startsWith('.') || /\.(md|json|csv)$/i.test(name)) continue;
      const raw = readFileSync(p);
      const text = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      const rows = text.split('\n').map((l) => l.replace(/\r$/, ''));
      const header = name.endsWith('.tsv') ? rows[0]!.split('\t') : [];
      const lineCol = header.indexOf('line');
      if (lineCol >= 0) {
        const wrapperCol = header.indexOf('wrapper');
        const componentCol = header.indexOf('component');
        for (const r of rows.slice(1)) {
          const cols = r.split('\t');
          if (cols.length <= lineCol || (wrapperCol >= 0 && cols[wrapperCol] !== 'raw')) continue;
          out.push({ text: unescapeTsv(cols[lineCol]!), component: cols[componentCol] ?? '' });
        }
      } else if (!name.endsWith('.tsv')) {
        for (const l of rows) if (l.trim() !== '') out.push({ text: l, component: '' });
      }
    }
  };
  walk(dir);
  return out;
}

/** A real line re-stamped at `ms` where its format has a timestamp we know (Calico, klog, logrus, BIRD's file, zap). */
function restamp(l: string, ms: number): string {
  const iso = new Date(ms).toISOString();
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} /.test(l)) return `${calicoTs(ms)}${l.slice(23)}`;
  if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /.test(l)) return `${calicoTs(ms).slice(0, 19)}${l.slice(19)}`;
  const k = /^([IWEF])\d{4} \d\d:\d\d:\d\d\.(\d{6})/.exec(l);
  if (k)
    return `${k[1]}${iso.slice(5, 7)}${iso.slice(8, 10)} ${iso.slice(11, 23)}${k[2]!.slice(3)}${l.slice(k[0].length)}`;
  if (l.startsWith('time="')) return l.replace(/^time="[^"]*"/, `time="${iso.slice(0, 19)}Z"`);
  return l.replace(
    /^\{"level":"(\w+)","ts":[\d.]+/,
    (_, lv: string) => `{"level":"${lv}","ts":${(ms / 1000).toFixed(6)}`,
  );
}

const UNPARSED = [
  (): string => '+ exec calico-node -felix',
  (): string => 'Calico node started successfully',
  (r: Rng): string =>
    `runsv felix: warning: unable to open supervise/ok: file does not exist (pid ${r.int(100, 9999)})`,
  (r: Rng): string =>
    `{"log":"${calicoTs(Date.UTC(2025, 0, 14, 6) + r.int(0, 21_600_000))} [INFO][${r.int(40, 95)}] felix/summary.go 100: Summarising ${r.int(5, 20)} dataplane`,
  (r: Rng): string =>
    `time=${r.int(1_736_800_000, 1_736_900_000)} level=info source=bpf-loader msg=ok ${r.hex(12)}`,
  (r: Rng): string =>
    `Setting log level to ${r.pick(['info', 'warning', 'debug'])}; pid ${r.int(1000, 99999)}`,
];

interface Pods {
  readonly calicoNode: readonly PodMeta[];
  readonly typha: readonly PodMeta[];
  readonly kubeControllers: PodMeta;
  readonly apiserver: readonly PodMeta[];
  readonly goldmane: PodMeta;
  readonly whisker: PodMeta;
  readonly operator: PodMeta;
}

function makePods(rng: Rng, cluster: Cluster): Pods {
  const nodes = cluster.nodes;
  const ds = (node: NodeInfo): PodMeta =>
    makePodMeta(rng, {
      pod: `calico-node-${rng.alnum(5)}`,
      namespace: 'calico-system',
      container: 'calico-node',
      node,
      image: 'docker.io/calico/node:v3.29.1',
      app: 'calico-node',
      owner: 'DaemonSet/calico-node',
    });
  const deploy = (name: string, ns: string, container: string, image: string, node: NodeInfo): PodMeta =>
    makePodMeta(rng, {
      pod: `${name}-${rng.int(5, 9)}${rng.hex(1)}${rng.alnum(7)}-${rng.alnum(5)}`,
      namespace: ns,
      container,
      node,
      image,
      app: name,
      owner: `ReplicaSet/${name}`,
    });
  const control = nodes.filter((n) => n.name.startsWith('k8s-control'));
  const c = (i: number): NodeInfo => control[i % control.length] ?? nodes[0]!;
  return {
    calicoNode: nodes.map(ds),
    typha: cluster.typhaIps.map((ip) =>
      deploy(
        'calico-typha',
        'calico-system',
        'calico-typha',
        'docker.io/calico/typha:v3.29.1',
        nodes.find((n) => n.ip === ip) ?? nodes[0]!,
      ),
    ),
    kubeControllers: deploy(
      'calico-kube-controllers',
      'calico-system',
      'calico-kube-controllers',
      'docker.io/calico/kube-controllers:v3.29.1',
      c(0),
    ),
    apiserver: [1, 2].map((i) =>
      deploy(
        'calico-apiserver',
        'calico-apiserver',
        'calico-apiserver',
        'docker.io/calico/apiserver:v3.29.1',
        c(i),
      ),
    ),
    goldmane: deploy('goldmane', 'calico-system', 'goldmane', 'docker.io/calico/goldmane:v3.30.0', c(1)),
    whisker: deploy(
      'whisker',
      'calico-system',
      'whisker-backend',
      'docker.io/calico/whisker-backend:v3.30.0',
      c(2),
    ),
    operator: deploy(
      'tigera-operator',
      'tigera-operator',
      'tigera-operator',
      'quay.io/tigera/operator:v1.36.2',
      c(0),
    ),
  };
}

/** The pod that logs `component` (null: the host's CNI log file). */
function sourceOf(component: string, node: NodeInfo, pods: Pods, rng: Rng): PodMeta | null {
  switch (component) {
    case 'cni-plugin':
    case 'ipam':
      return null;
    case 'typha':
      return rng.pick(pods.typha);
    case 'kube-controllers':
      return pods.kubeControllers;
    case 'calico-apiserver':
      return rng.pick(pods.apiserver);
    case 'goldmane':
      return pods.goldmane;
    case 'whisker-backend':
      return pods.whisker;
    case 'tigera-operator':
    case 'flannel-migration-controller':
      return pods.operator;
    default:
      return pods.calicoNode[node.index]!;
  }
}

/** A > 16 KiB felix line: its config map with a long ExternalNodesCIDRList (large clusters). */
function longLine(rng: Rng, ms: number, node: NodeInfo): string {
  const cidrs: string[] = [];
  let len = 0;
  while (len < CRI_SPLIT + rng.int(500, 6000)) {
    const c = `10.${rng.int(1, 250)}.${rng.int(0, 255)}.0/24`;
    cidrs.push(c);
    len += c.length + 1;
  }
  return `${calicoTs(ms)} [INFO][${node.felixPid}] felix/event_sequencer.go 273: Possible config update. global=map[string]string{"ExternalNodesCIDRList":"${cidrs.join(',')}","LogSeverityScreen":"Info"} host=map[string]string{"IpInIpTunnelAddr":"192.168.${node.blockThird}.${node.blockBase}"}`;
}

/** The non-repeating stream: exactly `lines` lines, in event-time order. */
export function* generateNonRepeating(opts: NonRepeatingOptions): Generator<OutLine> {
  const seed = opts.seed ?? 20250114;
  const rng = new Rng(subSeed(seed, 'nonrepeating'));
  const cluster = makeCluster(opts.nodes ?? 50, seed);
  const pods = makePods(new Rng(subSeed(seed, 'pods')), cluster);
  const statements = loadStatements();
  const byKind = new Map<string, Statement[]>();
  for (const s of statements) {
    if (s.multiline) continue;
    const list = byKind.get(s.category) ?? [];
    list.push(s);
    byKind.set(s.category, list);
  }
  const tierMain = statements.filter((s) => s.key === 'kube-controllers/client.go 414' && s.level === 'INFO');
  const healthRow = statements.find((s) => s.key === 'felix/health.go 336')!;
  const panicRows = statements.filter((s) => s.level === 'PANIC' && s.component === 'felix');
  const realLines = opts.realLinesDir === null ? [] : readRealLines(opts.realLinesDir ?? REAL_LINES_DIR);

  // Per log call, weights scaled so that the shares hold per line.
  const callMix: (readonly [Exclude<Kind, 'real'>, number])[] = Object.entries(KIND_MIX).map(([k, w]) => [
    k as Exclude<Kind, 'real'>,
    k === 'health-table' ? w / HEALTH_LINES : k === 'panic' ? w / PANIC_LINES : w,
  ]);

  const troubled = cluster.nodes.filter((n) => n.index % 3 === 1);
  const startMs = opts.startMs ?? Date.UTC(2025, 0, 14, 6);
  const spanMs = (opts.hours ?? 6) * 3_600_000;
  const meanGap = spanMs / Math.max(1, opts.lines);
  let ms = startMs;
  let emitted = 0;
  let tail = 0;

  while (emitted < opts.lines) {
    ms = Math.min(startMs + spanMs - 1, ms + rng.exp(meanGap));
    const t = Math.floor(ms);
    const kind: Kind = realLines.length > 0 && rng.chance(REAL_SHARE) ? 'real' : rng.weighted(callMix);
    // Netlink errors come from the troubled nodes (a third of the cluster) as they do in a real one.
    const node = kind === 'netlink-error' && rng.chance(0.8) ? rng.pick(troubled) : rng.pick(cluster.nodes);
    const ctx: LineCtx = { rng, cluster, node };
    let texts: string[];
    let component = 'felix';
    if (kind === 'real') {
      const r = rng.pick(realLines);
      texts = refresh(restamp(r.text, t), ctx).split('\n');
      component = r.component || 'felix';
    } else {
      switch (kind) {
        case 'health-table':
          texts = renderStatement(healthRow, ctx, t).split('\n');
          break;
        case 'panic':
          texts = [renderStatement(rng.pick(panicRows), ctx, t), ...panicStack(rng)];
          break;
        case 'unparsed':
          texts = [rng.pick(UNPARSED)(rng)];
          break;
        default: {
          const st =
            kind === 'tier-exists' && rng.chance(0.8) ? rng.pick(tierMain) : rng.pick(byKind.get(kind)!);
          component = st.component;
          texts = [
            renderStatement(
              st,
              {
                ...ctx,
                ...(st.component === 'cni-plugin' || st.component === 'ipam'
                  ? { pid: rng.int(100_000, 4_000_000) }
                  : {}),
              },
              t,
            ),
          ];
        }
      }
    }
    const meta = sourceOf(component, node, pods, rng);
    const envelope = rng.weighted(meta === null ? HOST_ENVELOPE_MIX : ENVELOPE_MIX);
    const origin = meta === null ? 'host' : 'pod';
    if (envelope === 'cri' && kind === 'routine-noise' && rng.chance(CRI_LONG_SHARE))
      texts = [longLine(rng, t, node)];
    const stream = kind === 'panic' ? 'stderr' : 'stdout';
    for (const text of texts) {
      if (emitted >= opts.lines) return;
      // A raw shipper of lines (a Kafka producer reading a file) sends no empty messages.
      if (text === '' && envelope === 'raw') continue;
      if (envelope === 'cri' && text.length > CRI_SPLIT) {
        for (let off = 0; off < text.length && emitted < opts.lines; off += CRI_SPLIT) {
          const piece = text.slice(off, off + CRI_SPLIT);
          const partial = off + CRI_SPLIT < text.length;
          const line = wrap('cri', { text: piece, ms: t, tail: tail++, stream, meta, partial });
          yield { line, text: piece, envelope, kind, ms: t, partial, origin };
          emitted++;
        }
        continue;
      }
      const line = wrap(envelope, { text, ms: t, tail: tail++, stream, meta });
      yield { line, text, envelope, kind, ms: t, partial: false, origin };
      emitted++;
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '20250114' },
      nodes: { type: 'string', default: '50' },
      hours: { type: 'string', default: '6' },
      out: { type: 'string' },
      messages: { type: 'string' },
    },
  });
  const out = new LineWriter(values.out ?? null);
  const msgs = values.messages ? new LineWriter(values.messages) : null;
  const envCount = new Map<string, number>();
  const kindCount = new Map<string, number>();
  let lastMs = 0;
  for (const l of generateNonRepeating({
    lines: Number(values.lines),
    seed: Number(values.seed),
    nodes: Number(values.nodes),
    hours: Number(values.hours),
  })) {
    await out.write(l.line);
    if (msgs) await msgs.write(l.text);
    envCount.set(l.envelope, (envCount.get(l.envelope) ?? 0) + 1);
    kindCount.set(l.kind, (kindCount.get(l.kind) ?? 0) + 1);
    lastMs = l.ms;
  }
  await out.close();
  if (msgs) await msgs.close();
  if (values.out && values.out !== '-') {
    // The Kafka timestamp bench/throughput.ts gives the lines: just after the last event.
    const t = new Date(lastMs + 5000);
    utimesSync(values.out, t, t);
  }
  const pct = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${((100 * v) / out.lines).toFixed(1)}%`)
      .join(', ');
  process.stderr.write(
    `gen-nonrepeating: ${out.lines} lines; envelopes: ${pct(envCount)}; kinds: ${pct(kindCount)}\n`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`gen-nonrepeating: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
