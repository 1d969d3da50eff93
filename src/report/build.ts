/**
 * ReportFacts -> ReportModel: ordering, shares, reductions, caps and the known-issue hints. Shared by
 * both backends so that equal facts give an equal model (test/integration/report-es.test.ts).
 */
import { DEFAULT_FINDINGS_CONFIG } from '../findings/config.ts';
import { computeFindings } from '../findings/detect.ts';
import {
  type Agg,
  addAgg,
  EMFILE,
  emptyAgg,
  type FingerprintDetails,
  type FingerprintFacts,
  type IssueFacts,
  type ReportFacts,
  UNKNOWN,
} from './facts.ts';
import {
  type Breakdown,
  type BreakdownDimension,
  type BreakdownRow,
  type CountRow,
  DEFAULT_ROWS,
  DEFAULT_TOP,
  type FingerprintRow,
  type Hint,
  REPORT_SCHEMA_VERSION,
  type ReportModel,
  type ReportOptions,
} from './model.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Pods / nodes named in a hint's evidence (the totals are always given). */
const EVIDENCE_NAMES = 10;

export const round2 = (x: number): number => Math.round(x * 100) / 100;
const pct = (part: number, whole: number): number => (whole > 0 ? round2((100 * part) / whole) : 0);
const reduction = (out: number, inn: number): number | null =>
  inn > 0 ? round2(100 * (1 - out / inn)) : null;
const nf = new Intl.NumberFormat('en-US');
const int = (n: number): string => nf.format(n);
const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
/** `2025-01-14 09:30 UTC` for advice text. */
const when = (s: string | null): string => (s === null ? '' : `${s.slice(0, 16).replace('T', ' ')} UTC`);

/** Value desc, then key asc (code-unit order: identical in every backend). */
export function byCountThenKey<T>(count: (x: T) => number, key: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => count(b) - count(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

export async function buildModel(facts: ReportFacts, options: ReportOptions = {}): Promise<ReportModel> {
  const top = options.top ?? DEFAULT_TOP;
  const rows = options.rows ?? DEFAULT_ROWS;
  const now = options.now ?? (() => new Date());

  const recordsIn = facts.summary.records + facts.dlq.records;
  const bytesIn = facts.summary.bytes + facts.dlq.bytes;
  const documentsOut = facts.summary.docs + facts.dlq.docs + facts.stats.docs;
  const bytesOut = Math.round(facts.summary.docBytes + facts.dlq.docBytes + facts.stats.docBytes);

  // Fingerprint lists first: their details come from the backend in one call.
  const fpEntries = [...facts.fingerprints.entries()];
  const sortFp = byCountThenKey<[string, FingerprintFacts]>(
    (e) => e[1].records,
    (e) => e[0],
  );
  const topFp = [...fpEntries].sort(sortFp).slice(0, top);
  const seenBefore = facts.seenBefore;
  const newFp = fpEntries.filter(([fp]) => seenBefore === null || !seenBefore.has(fp));
  const newTop = seenBefore === null ? [] : [...newFp].sort(sortFp).slice(0, top);
  const wanted = [...new Set([...topFp, ...newTop].map(([fp]) => fp))].sort();
  const details = wanted.length > 0 ? await facts.details(wanted) : new Map<string, FingerprintDetails>();
  const fpRow = ([fp, f]: [string, FingerprintFacts]): FingerprintRow => {
    const d = details.get(fp);
    return {
      fingerprint: fp,
      template: d?.template ?? '',
      example: d?.example ?? '',
      component: d?.component ?? '',
      level: d?.level ?? '',
      category: d?.category ?? '',
      records_in: f.records,
      bytes_in: f.bytes,
      documents_out: f.docs,
      share_pct: pct(f.records, recordsIn),
      first_seen: new Date(f.firstSeen).toISOString(),
      last_seen: new Date(f.lastSeen).toISOString(),
    };
  };

  const points = seriesPoints(facts);
  const tierTotalKnown = sum(facts.tier.byTier.values());
  const byTier: CountRow[] = [...facts.tier.byTier.entries()].map(([key, count]) => ({ key, count }));
  if (facts.tier.total > tierTotalKnown)
    byTier.push({ key: UNKNOWN, count: facts.tier.total - tierTotalKnown });
  byTier.sort(
    byCountThenKey(
      (r) => r.count,
      (r) => r.key,
    ),
  );

  const errnoRows = [...facts.netlink.byErrno.entries()].map(([errno, v]) => ({
    errno,
    count: v.count,
    nodes: v.nodes.size,
  }));
  const errnoKnown = sum(errnoRows.map((r) => r.count));
  if (facts.netlink.total > errnoKnown)
    errnoRows.push({ errno: UNKNOWN, count: facts.netlink.total - errnoKnown, nodes: 0 });
  errnoRows.sort(
    byCountThenKey(
      (r) => r.count,
      (r) => r.errno,
    ),
  );

  const tierPod: Array<{ tier: string; pod: string; count: number }> = [];
  for (const [tier, pods] of facts.tier.byTierPod)
    for (const [pod, count] of pods) tierPod.push({ tier, pod, count });
  tierPod.sort((a, b) => b.count - a.count || cmp(a.tier, b.tier) || cmp(a.pod, b.pod));

  const findingsConfig = options.findings ?? DEFAULT_FINDINGS_CONFIG;
  const findings = computeFindings(facts.findings, findingsConfig);
  const notes = [...facts.notes];
  if (facts.findings.truncated)
    notes.push(
      `findings: the summary points of the range exceed the cap (${facts.findings.points.length}); findings saw part of the data`,
    );
  const model: ReportModel = {
    schema_version: REPORT_SCHEMA_VERSION,
    generated_at: now().toISOString(),
    findings,
    source: facts.source,
    range: facts.range,
    limits: { top, rows },
    totals: {
      records_in: recordsIn,
      bytes_in: bytesIn,
      summaries_out: facts.summary.docs,
      dlq_docs: facts.dlq.docs,
      stats_docs: facts.stats.docs,
      documents_out: documentsOut,
      bytes_out: bytesOut,
      bytes_out_method: facts.bytesOutMethod,
      reduction_count_pct: reduction(documentsOut, recordsIn),
      reduction_bytes_pct: reduction(bytesOut, bytesIn),
      fingerprints: facts.fingerprints.size,
      dead_lettered: facts.dlq.records,
      stats_records_in: facts.stats.recordsIn,
      stats_bytes_in: facts.stats.bytesIn,
      lost_by_retention: facts.stats.lostByRetention,
      data_from: iso(facts.dataMin),
      data_to: iso(facts.dataMax),
    },
    series: { interval: facts.interval.name, interval_s: facts.interval.ms / 1000, points },
    breakdowns: {
      component: breakdown(facts.breakdowns.component, recordsIn, rows),
      category: breakdown(facts.breakdowns.category, recordsIn, rows),
      node: breakdown(facts.breakdowns.node, recordsIn, rows),
      namespace: breakdown(facts.breakdowns.namespace, recordsIn, rows),
    } satisfies Record<BreakdownDimension, Breakdown>,
    top_fingerprints: topFp.map(fpRow),
    tier_exists: {
      total: facts.tier.total,
      by_tier: byTier,
      by_pod: [...facts.tier.byPod.entries()]
        .map(([pod, v]) => ({ pod, node: v.node, count: v.count }))
        .sort(
          byCountThenKey(
            (r) => r.count,
            (r) => r.pod,
          ),
        )
        .slice(0, rows),
      by_tier_pod: tierPod.slice(0, rows),
      params_source: facts.tier.source,
    },
    netlink: {
      total: facts.netlink.total,
      by_errno: errnoRows,
      by_operation: [...facts.netlink.byOperation.entries()]
        .map(([key, count]) => ({ key, count }))
        .sort(
          byCountThenKey(
            (r) => r.count,
            (r) => r.key,
          ),
        ),
      nodes_affected: facts.netlink.nodes.size,
      series: netlinkSeries(
        facts,
        points.map((p) => p.t),
      ),
      params_source: facts.netlink.source,
    },
    // Without a lower bound every fingerprint is "new": listing them would repeat the top list.
    new_fingerprints: {
      total: newFp.length,
      baseline: seenBefore !== null,
      items: seenBefore === null ? [] : newTop.map(fpRow),
    },
    dead_letters: {
      total: facts.dlq.records,
      by_reason: [...facts.dlqByReason.entries()]
        .map(([reason, v]) => ({ reason, count: v.count, bytes: v.bytes }))
        .sort(
          byCountThenKey(
            (r) => r.count,
            (r) => r.reason,
          ),
        ),
    },
    hints: hints(facts),
    notes: notes.sort(),
  };
  return model;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(xs: Iterable<number>): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function seriesPoints(facts: ReportFacts): ReportModel['series']['points'] {
  if (facts.dataMin === null || facts.dataMax === null) return [];
  const ms = facts.interval.ms;
  const out: ReportModel['series']['points'] = [];
  for (let t = Math.floor(facts.dataMin / ms) * ms; t <= facts.dataMax; t += ms) {
    const a = facts.series.get(t) ?? emptyAgg();
    out.push({
      t: new Date(t).toISOString(),
      records_in: a.records,
      bytes_in: a.bytes,
      documents_out: a.docs,
      bytes_out: Math.round(a.docBytes),
    });
  }
  return out;
}

function netlinkSeries(facts: ReportFacts, times: string[]): ReportModel['netlink']['series'] {
  if (facts.netlink.total === 0) return [];
  return times.map((t) => {
    const m = facts.netlink.series.get(Date.parse(t));
    const counts: Record<string, number> = {};
    if (m) for (const k of [...m.keys()].sort()) counts[k] = m.get(k)!;
    return { t, counts };
  });
}

function breakdown(map: Map<string, Agg>, recordsIn: number, cap: number): Breakdown {
  const all = [...map.entries()].sort(
    byCountThenKey(
      (e) => e[1].records,
      (e) => e[0],
    ),
  );
  const row = (key: string, a: Agg): BreakdownRow => ({
    key,
    records_in: a.records,
    bytes_in: a.bytes,
    documents_out: a.docs,
    bytes_out: Math.round(a.docBytes),
    share_pct: pct(a.records, recordsIn),
    reduction_pct: reduction(a.docs, a.records),
    reduction_bytes_pct: reduction(Math.round(a.docBytes), a.bytes),
  });
  const rest = all.slice(cap);
  let other: Breakdown['other'] = null;
  if (rest.length > 0) {
    const o = emptyAgg();
    for (const [, a] of rest) addAgg(o, a);
    other = {
      rows: rest.length,
      records_in: o.records,
      bytes_in: o.bytes,
      documents_out: o.docs,
      bytes_out: Math.round(o.docBytes),
    };
  }
  return { rows: all.slice(0, cap).map(([k, a]) => row(k, a)), other };
}

function evidence(issue: IssueFacts, perSources: number): Hint['evidence'] {
  const span = issue.firstSeen !== null && issue.lastSeen !== null ? issue.lastSeen - issue.firstSeen : 0;
  const days = Math.max(HOUR_MS, span) / DAY_MS;
  return {
    records: issue.records,
    fingerprints: [...issue.fingerprints].sort(),
    pods: [...issue.pods].sort().slice(0, EVIDENCE_NAMES),
    pods_total: issue.pods.size,
    nodes: [...issue.nodes].sort().slice(0, EVIDENCE_NAMES),
    nodes_total: issue.nodes.size,
    first_seen: iso(issue.firstSeen),
    last_seen: iso(issue.lastSeen),
    per_source_per_day: perSources > 0 ? Math.round(issue.records / perSources / days) : null,
  };
}

/** Known Calico problems recognised from the figures, worded as advice with the version to move to. */
function hints(facts: ReportFacts): Hint[] {
  const out: Hint[] = [];
  const info = facts.tier.info;
  if (info.records > 0) {
    const ev = evidence(info, info.pods.size);
    out.push({
      id: 'tier-exists-spam-v3.29.1',
      title: 'Tier "already exists" INFO spam (Calico v3.29.1)',
      component: 'calico-kube-controllers',
      affected: 'v3.29.1',
      fixed_in: 'v3.29.2',
      advice:
        `Upgrade calico-kube-controllers to v3.29.2 or later. In v3.29.1 it logs "Tier <name> already exists" at INFO ` +
        `about every 10 s per pod and tier; v3.29.2 logs it at DEBUG. Evidence: ${int(ev.records)} lines from ` +
        `${ev.pods_total} pod(s) on ${ev.nodes_total} node(s)` +
        (ev.per_source_per_day !== null ? `, about ${int(ev.per_source_per_day)} per pod per day` : '') +
        (ev.first_seen ? `, ${when(ev.first_seen)} to ${when(ev.last_seen)}.` : '.'),
      evidence: ev,
    });
  }
  const emfile = facts.netlink.emfile;
  if (emfile.records > 0) {
    const ev = evidence(emfile, emfile.nodes.size);
    out.push({
      id: 'felix-netlink-socket-leak-v3.29.0',
      title: 'Felix netlink socket leak: "too many open files" (Calico v3.29.0)',
      component: 'calico-node',
      affected: 'v3.29.0',
      fixed_in: 'v3.29.2',
      advice:
        `Upgrade calico-node to v3.29.2 or later; meanwhile restarting calico-node on the affected nodes frees the ` +
        `sockets. Felix v3.29.0 leaks one netlink socket every 30 s (findHostMTU) until netlink calls fail with ` +
        `"${EMFILE}" and other netlink errors. Evidence: ${int(ev.records)} netlink errors with errno "${EMFILE}" on ` +
        `${ev.nodes_total} node(s)` +
        (ev.first_seen ? `, ${when(ev.first_seen)} to ${when(ev.last_seen)}` : '') +
        `; ${int(facts.netlink.total)} netlink errors in all on ${facts.netlink.nodes.size} node(s).`,
      evidence: ev,
    });
  }
  return out;
}
