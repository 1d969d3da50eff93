/**
 * A deterministic synthetic cluster's summary and stats documents, shaped as the aggregator writes them
 * (src/domain/documents.ts), for the report tests and bench/report-es.bench.ts. Not lines: documents.
 *
 * Contents, per node and hour: felix routine noise (2 fingerprints); calico-node BIRD `Netlink: File
 * exists`; from `leakFromDay` on, on every third node, Felix netlink errors `too many open files`
 * (1-min buckets, a few per hour) and `no buffer space available`; kube-controllers Tier-exists INFO spam
 * (2 tiers, ~360 per tier and hour: the v3.29.1 pattern); typha Tier-exists at DEBUG; a warning that
 * first appears on the last day; dead-letter counters. Stats documents: per (hour, component, partition),
 * records_in/bytes_in equal to the summaries' sums, so the invariant holds in the fixture.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Category } from '../../../src/domain/classification.ts';
import { withDocBytes, withSummaryExtras } from '../../../src/domain/doc-extras.ts';
import type { StatsDoc, SummaryDoc, TopValues } from '../../../src/domain/documents.ts';

export interface FixtureOptions {
  nodes?: number;
  days?: number;
  /** First bucket, UTC midnight. */
  start?: string;
  /** Day index (0-based) from which the netlink leak errors appear. */
  leakFromDay?: number;
  /** 1-min netlink buckets per node and hour on leaking nodes. */
  netlinkMinutes?: number;
  topic?: string;
  partitions?: number;
}

export interface Fixture {
  summaries: SummaryDoc[];
  stats: StatsDoc[];
  /** Ids for Elasticsearch (deterministic), index-aligned with summaries / stats. */
  summaryIds: string[];
  statsIds: string[];
}

const HOUR = 3_600_000;
const MIN = 60_000;
const RULESET = 'test-1';

export const fingerprintOf = (component: string, level: string, template: string): string =>
  createHash('sha256').update(`${RULESET}\0${component}\0${level}\0${template}`).digest('hex').slice(0, 16);

const hashId = (...parts: Array<string | number>): string =>
  createHash('sha256').update(parts.join('\0')).digest('base64url').slice(0, 22);

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Spec {
  component: string;
  level: string;
  category: Category | 'dead-letter';
  template: string;
  example: string;
  file?: string;
  line?: number;
  kind?: 'summary' | 'dlq';
  fingerprint?: string;
}

const tv = (values: Record<string, number>, other = 0): TopValues => ({ values, other });

export function buildFixture(opts: FixtureOptions = {}): Fixture {
  const nodes = opts.nodes ?? 6;
  const days = opts.days ?? 3;
  const start = Date.parse(opts.start ?? '2025-01-12T00:00:00Z');
  const leakFromDay = opts.leakFromDay ?? 1;
  const netlinkMinutes = opts.netlinkMinutes ?? 3;
  const topic = opts.topic ?? 'calico-logs';
  const partitions = opts.partitions ?? 3;
  const rand = rng(42);
  const summaries: SummaryDoc[] = [];
  const summaryIds: string[] = [];
  const offsets = new Map<number, number>();

  const add = (
    spec: Spec,
    t: number,
    lengthMs: number,
    count: number,
    where: { node?: string; pod?: string; namespace?: string; container?: string },
    params: Record<string, TopValues> = {},
    late = false,
  ): void => {
    const partition = where.node ? Number(where.node.slice(-3)) % partitions : 0;
    const offFirst = offsets.get(partition) ?? 0;
    offsets.set(partition, offFirst + count);
    const fp = spec.fingerprint ?? fingerprintOf(spec.component, spec.level, spec.template);
    const firstSeen = t + Math.floor(rand() * Math.min(lengthMs, MIN) * 0.5);
    const lastSeen = t + lengthMs - 1 - Math.floor(rand() * Math.min(lengthMs, MIN) * 0.5);
    const group = [spec.component, where.node ?? '', where.namespace ?? '', where.pod ?? ''].join('|');
    const doc: SummaryDoc = {
      '@timestamp': new Date(t).toISOString(),
      message: spec.example,
      event: { dataset: `calico.${spec.component}`, kind: 'metric' },
      log: {
        level: spec.level,
        ...(spec.file ? { origin: { file: { name: spec.file, line: spec.line ?? 1 } } } : {}),
      },
      ...(where.node ? { host: { name: where.node } } : {}),
      calico: { component: spec.component },
      kafka: { topic, partition },
      logsift: {
        kind: spec.kind ?? 'summary',
        fingerprint: fp,
        template: spec.template,
        category: spec.category,
        ruleset_version: RULESET,
        count,
        records: count,
        bytes: count * (spec.example.length + 60),
        offset_first: offFirst,
        offset_end: offFirst + count,
        bucket: {
          start: new Date(t).toISOString(),
          end: new Date(t + lengthMs).toISOString(),
          length_s: lengthMs / 1000,
          late,
        },
        first_seen: new Date(firstSeen).toISOString(),
        last_seen: new Date(Math.max(firstSeen, lastSeen)).toISOString(),
        samples: { first: spec.example, last: spec.example },
        params,
        flags: {},
        group,
      },
    };
    if (where.node || where.pod || where.namespace) {
      doc.kubernetes = {
        ...(where.node ? { node: { name: where.node } } : {}),
        ...(where.namespace ? { namespace: where.namespace } : {}),
        ...(where.pod ? { pod: { name: where.pod } } : {}),
      };
    }
    if (where.container) doc.container = { name: where.container };
    summaries.push(doc);
    summaryIds.push(hashId(topic, partition, fp, group, t));
  };

  const routine1: Spec = {
    component: 'felix',
    level: 'INFO',
    category: 'routine-noise',
    template:
      'Summarising <N> dataplane reconciliation loops over <DURATION>. avgTime=<DURATION> longestTime=<DURATION>',
    example:
      '2025-01-12 00:00:10.120 [INFO][63] felix/summary.go 100: Summarising 11 dataplane reconciliation loops over 1m2.5s. avgTime=12.3ms longestTime=35.1ms (resync-filter-v4)',
    file: 'summary.go',
    line: 100,
  };
  const routine2: Spec = {
    component: 'felix',
    level: 'INFO',
    category: 'routine-noise',
    template: 'Updating IP set membership. ipSetID="<ID>" members=<N>',
    example:
      '2025-01-12 00:00:11.001 [INFO][63] felix/ipsets.go 130: Updating IP set membership. ipSetID="s:abc" members=12',
    file: 'ipsets.go',
    line: 130,
  };
  const birdExists: Spec = {
    component: 'bird',
    level: 'UNKNOWN',
    category: 'netlink-error',
    template: 'Netlink: File exists',
    example: 'bird: Netlink: File exists',
  };
  const emfile: Spec = {
    component: 'felix',
    level: 'ERROR',
    category: 'netlink-error',
    template: 'Failed to connect to netlink. error=too many open files table="<TABLE>"',
    example:
      '2025-01-13 00:01:02.526 [ERROR][63] felix/route_table.go 911: Failed to connect to netlink. error=too many open files table="IPv4:254"',
    file: 'route_table.go',
    line: 911,
  };
  const enobufs: Spec = {
    component: 'felix',
    level: 'ERROR',
    category: 'netlink-error',
    template: 'Failed to list interfaces error=netlink receive: no buffer space available',
    example:
      '2025-01-13 00:01:05.205 [ERROR][63] felix/route_table.go 931: Failed to list interfaces error=netlink receive: no buffer space available',
    file: 'route_table.go',
    line: 931,
  };
  const tierInfo: Spec = {
    component: 'kube-controllers',
    level: 'INFO',
    category: 'tier-exists',
    template: 'Tier <TIER> already exists. error=resource already exists: Tier(<TIER>)',
    example:
      '2025-01-12 00:00:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)',
    file: 'client.go',
    line: 414,
  };
  const tierDebug: Spec = {
    component: 'typha',
    level: 'DEBUG',
    category: 'tier-exists',
    template: 'Tier <TIER> already exists.',
    example:
      '2025-01-12 00:00:04.031 [DEBUG][1] typha/client.go 414: Tier adminnetworkpolicy already exists.',
    file: 'client.go',
    line: 414,
  };
  const newWarning: Spec = {
    component: 'felix',
    level: 'WARNING',
    category: 'warning-other',
    template: 'Failed to auto-detect host MTU - no interfaces matched the MTU interface pattern.',
    example:
      '2025-01-14 10:00:00.000 [WARNING][63] felix/int_dataplane.go 2210: Failed to auto-detect host MTU - no interfaces matched the MTU interface pattern.',
    file: 'int_dataplane.go',
    line: 2210,
  };
  const dlqBinary: Spec = {
    component: 'unknown',
    level: 'UNKNOWN',
    category: 'dead-letter',
    template: 'dead letter: binary',
    example: '',
    kind: 'dlq',
    fingerprint: 'dlq:binary',
  };
  const dlqEnvelope: Spec = {
    ...dlqBinary,
    template: 'dead letter: broken-envelope',
    fingerprint: 'dlq:broken-envelope',
  };

  const nodeName = (i: number): string => `node-${String(i).padStart(3, '0')}`;
  const kcPod = 'calico-kube-controllers-7d9f8b5c6-x2x7q';
  for (let h = 0; h < days * 24; h++) {
    const t = start + h * HOUR;
    const day = Math.floor(h / 24);
    for (let n = 0; n < nodes; n++) {
      const node = nodeName(n);
      const pod = `calico-node-${node.slice(-3)}ab`;
      const where = { node, pod, namespace: 'calico-system', container: 'calico-node' };
      add(routine1, t, HOUR, 55 + Math.floor(rand() * 10), where);
      add(routine2, t, HOUR, 100 + Math.floor(rand() * 50), where);
      if (h % 6 === n % 6) {
        const c = 1 + Math.floor(rand() * 3);
        add(birdExists, t, HOUR, c, where, {
          errno: tv({ 'file exists': c }),
          operation: tv({ RouteAdd: c }),
        });
      }
      if (day >= leakFromDay && n % 3 === 0) {
        for (let m = 0; m < netlinkMinutes; m++) {
          const c = 2 + Math.floor(rand() * 4);
          add(emfile, t + m * 7 * MIN, MIN, c, where, {
            errno: tv({ 'too many open files': c }),
            operation: tv({ connect: c }),
            table: tv({ 'IPv4:254': c }),
          });
        }
        const c = 1 + Math.floor(rand() * 2);
        add(enobufs, t + 30 * MIN, MIN, c, where, {
          errno: tv({ 'no buffer space available': c }),
          operation: tv({ LinkList: c }),
        });
      }
      if (day === days - 1 && h % 24 >= 10 && n < 2) add(newWarning, t, MIN, 1, where);
    }
    // kube-controllers: 1 pod on node-000, 2 tiers, ~360 lines per tier and hour.
    const a = 355 + Math.floor(rand() * 10);
    const b = 350 + Math.floor(rand() * 20);
    add(
      tierInfo,
      t,
      HOUR,
      a + b,
      { node: nodeName(0), pod: kcPod, namespace: 'calico-system', container: 'calico-kube-controllers' },
      {
        tier: tv({ default: a, adminnetworkpolicy: b }),
      },
    );
    if (h % 12 === 0) {
      for (let p = 0; p < Math.min(2, nodes); p++) {
        add(
          tierDebug,
          t,
          HOUR,
          4,
          {
            node: nodeName(p + 1 < nodes ? p + 1 : 0),
            pod: `calico-typha-5c${p}`,
            namespace: 'calico-system',
          },
          {
            tier: tv({ adminnetworkpolicy: 3 }, 1),
          },
        );
      }
    }
    if (h % 8 === 3) add(dlqBinary, t, HOUR, 2, { node: nodeName(1 % nodes) });
    if (h % 24 === 5) add(dlqEnvelope, t, HOUR, 1, {});
  }

  // Stats: per (hour, component, partition) from the summaries; the dlq counters under their component.
  const statsMap = new Map<string, StatsDoc>();
  for (const s of summaries) {
    const hour = Math.floor(Date.parse(s['@timestamp']) / HOUR) * HOUR;
    const key = `${hour}|${s.calico.component}|${s.kafka.partition}`;
    let st = statsMap.get(key);
    if (!st) {
      st = {
        '@timestamp': new Date(hour).toISOString(),
        event: { dataset: 'logsift.stats', kind: 'metric' },
        calico: { component: s.calico.component },
        kafka: { topic, partition: s.kafka.partition },
        logsift: {
          kind: 'stats',
          ruleset_version: RULESET,
          bucket: {
            start: new Date(hour).toISOString(),
            end: new Date(hour + HOUR).toISOString(),
            length_s: 3600,
          },
          offset_end: 0,
          records_in: 0,
          bytes_in: 0,
          dead_lettered: 0,
          by_category: {},
          by_level: {},
          late: 0,
        },
      };
      statsMap.set(key, st);
    }
    const l = st.logsift;
    l.records_in += s.logsift.count;
    l.bytes_in += s.logsift.bytes;
    l.offset_end = Math.max(l.offset_end, s.logsift.offset_end);
    if (s.logsift.kind === 'dlq') l.dead_lettered += s.logsift.count;
    l.by_category[s.logsift.category] = (l.by_category[s.logsift.category] ?? 0) + s.logsift.count;
    l.by_level[s.log.level] = (l.by_level[s.log.level] ?? 0) + s.logsift.count;
  }
  const stats = [...statsMap.values()].map((s) => withDocBytes(s));
  const statsIds = [...statsMap.keys()].map((k) => hashId('stats', k));
  return { summaries: summaries.map((s) => withSummaryExtras(s)), stats, summaryIds, statsIds };
}

/** Writes DIR/summaries.ndjson and DIR/stats.ndjson as the file sink does (one document per line). */
export function writeFixture(dir: string, fx: Fixture): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'summaries.ndjson'), `${fx.summaries.map((d) => JSON.stringify(d)).join('\n')}\n`);
  writeFileSync(join(dir, 'stats.ndjson'), `${fx.stats.map((d) => JSON.stringify(d)).join('\n')}\n`);
}

/** `<prefix>-summaries-YYYY.MM.DD` for a document's @timestamp. */
export function dailyIndex(prefix: string, kind: 'summaries' | 'stats', ts: string): string {
  return `${prefix}-${kind}-${ts.slice(0, 10).replaceAll('-', '.')}`;
}
