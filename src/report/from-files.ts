/**
 * Report backend over what `logsift replay --out DIR` wrote: DIR/summaries.ndjson and DIR/stats.ndjson.
 * Streams the files (never loads them whole): pass 1 finds the data's time span (to pick the series
 * interval, as the Elasticsearch backend does), which ids were rewritten later in the file, and which
 * fingerprints appear before the range; pass 2 aggregates; `details` re-reads for the listed fingerprints.
 *
 * Each line is a document, or an envelope `{index, id, doc}` / `{_id, _source}`. When ids repeat (a
 * counter register written more than once), the LAST line with that id is the document: the same
 * overwrite-by-id Elasticsearch does.
 */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SummaryDoc } from '../domain/documents.ts';
import { LogsiftError } from '../errors.ts';
import { DEFAULT_FINDINGS_CONFIG } from '../findings/config.ts';
import { FindingsInputBuilder } from '../findings/input.ts';
import { buildModel } from './build.ts';
import {
  type Agg,
  addAgg,
  chooseInterval,
  EMFILE,
  emptyAgg,
  emptyIssue,
  type FingerprintDetails,
  floorTo,
  type IssueFacts,
  mergeIssue,
  NONE,
  OTHER,
  type ReportFacts,
} from './facts.ts';
import type { ReportModel, ReportOptions, ReportRange } from './model.ts';
import { inRange } from './range.ts';

export const SUMMARIES_FILE = 'summaries.ndjson';
export const STATS_FILE = 'stats.ndjson';

/**
 * Memory caps. Memory grows with distinct document ids (only when lines carry ids)
 * and distinct fingerprints, never with lines: ~100 B per id, ~200 B per fingerprint. Past a cap the
 * report stops with CAP_EXCEEDED rather than guess; that much data belongs in Elasticsearch.
 */
export const MAX_DOC_IDS = 5_000_000;
export const MAX_FINGERPRINTS = 1_000_000;
/** (fingerprint, node, pod, bucket) points kept for the findings (~150 B each). */
export const MAX_FINDING_POINTS = 2_000_000;

function capExceeded(what: string, cap: number, dir: string): LogsiftError {
  return new LogsiftError(
    'CAP_EXCEEDED',
    `logsift report: more than ${cap} ${what} in ${dir}; report over Elasticsearch (--es) for data this large`,
  );
}

interface Line {
  lineNo: number;
  id: string | null;
  doc: Record<string, unknown>;
  /** JSON bytes of the document: logsift.doc_bytes when present, else measured. */
  docBytes: number;
  hadDocBytes: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: parsed NDJSON documents, read by known paths with fallbacks
type AnyDoc = Record<string, any>;

/**
 * The file's lines (split at LF; a CR before it is whitespace to trim), read in 1 MiB chunks:
 * readline's per-line events and its CR/LF regex cost more than the JSON.parse of a document.
 */
async function* lines(path: string): AsyncGenerator<string> {
  let rest: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf: Buffer = rest === null ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      yield buf.toString('utf8', start, nl);
      start = nl + 1;
    }
    rest = start < buf.length ? buf.subarray(start) : null;
  }
  if (rest !== null) yield rest.toString('utf8');
}

async function* readDocs(path: string, bad: { lines: number }): AsyncGenerator<Line> {
  let lineNo = 0;
  for await (const raw of lines(path)) {
    lineNo++;
    const text = raw.trim();
    if (text === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      bad.lines++;
      continue;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      bad.lines++;
      continue;
    }
    const o = obj as AnyDoc;
    let id: string | null = null;
    let doc: AnyDoc = o;
    let bare = true;
    if (o.doc && typeof o.doc === 'object' && ('index' in o || 'id' in o)) {
      id = typeof o.id === 'string' ? o.id : null;
      doc = o.doc;
      bare = false;
    } else if (o._source && typeof o._source === 'object') {
      id = typeof o._id === 'string' ? o._id : null;
      doc = o._source;
      bare = false;
    }
    if (!doc.logsift || typeof doc.logsift !== 'object' || typeof doc['@timestamp'] !== 'string') {
      bad.lines++;
      continue;
    }
    const declared = doc.logsift.doc_bytes;
    const hadDocBytes = typeof declared === 'number';
    const docBytes = hadDocBytes
      ? declared
      : bare
        ? Buffer.byteLength(text, 'utf8')
        : Buffer.byteLength(JSON.stringify(doc), 'utf8');
    yield { lineNo, id, doc, docBytes, hadDocBytes };
  }
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

function bump<K>(m: Map<K, number>, k: K, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function bumpAgg<K>(m: Map<K, Agg>, k: K, a: Agg): void {
  let cur = m.get(k);
  if (!cur) {
    cur = emptyAgg();
    m.set(k, cur);
  }
  addAgg(cur, a);
}

function addIssue(
  issue: IssueFacts,
  n: number,
  fp: string,
  pod: string | undefined,
  node: string | undefined,
  doc: AnyDoc,
): void {
  issue.records += n;
  issue.fingerprints.add(fp);
  if (pod) issue.pods.add(pod);
  if (node) issue.nodes.add(node);
  mergeIssue(issue, Date.parse(doc.logsift.first_seen), Date.parse(doc.logsift.last_seen));
}

/** Sort key of the document whose sample and template describe a fingerprint (same as the ES backend). */
function detailKey(doc: AnyDoc): [number, number, number] {
  return [Date.parse(doc['@timestamp']), Date.parse(doc.logsift.first_seen), num(doc.logsift.offset_first)];
}

function lessKey(a: [number, number, number], b: [number, number, number]): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
}

/** Builds the facts from DIR (exported for tests that compare facts). */
export async function factsFromFiles(
  dir: string,
  range: ReportRange,
  /** How far before range.from the findings look for history (config findings.lookback). */
  lookbackMs: number = DEFAULT_FINDINGS_CONFIG.lookbackMs,
): Promise<ReportFacts> {
  const summaries = join(dir, SUMMARIES_FILE);
  const stats = join(dir, STATS_FILE);
  if (!existsSync(summaries)) {
    throw new LogsiftError(
      'INPUT_NOT_FOUND',
      `${summaries} not found (write it with: logsift replay --out ${dir})`,
    );
  }
  const notes: string[] = [];
  const statsExists = existsSync(stats);
  if (!statsExists) notes.push(`${STATS_FILE} not found in ${dir}: stats figures are zero`);
  const files = statsExists ? [summaries, stats] : [summaries];
  const bad = { lines: 0 };

  // Pass 1: last line per id, time span, fingerprints seen before the range.
  const lastLine = files.map(() => new Map<string, number>());
  let dataMin: number | null = null;
  let dataMax: number | null = null;
  let maxBucketMs = 0;
  const from = range.from === null ? null : Date.parse(range.from);
  const seenBefore = from === null ? null : new Set<string>();
  for (const [i, file] of files.entries()) {
    for await (const l of readDocs(file, bad)) {
      if (l.id !== null) {
        lastLine[i]!.set(l.id, l.lineNo);
        if (lastLine[i]!.size > MAX_DOC_IDS) throw capExceeded('document ids', MAX_DOC_IDS, dir);
      }
      const t = Date.parse(l.doc['@timestamp'] as string);
      if (inRange(t, range)) {
        const len = num((l.doc.logsift as AnyDoc).bucket?.length_s) * 1000;
        if (len > maxBucketMs) maxBucketMs = len;
        if (dataMin === null || t < dataMin) dataMin = t;
        if (dataMax === null || t > dataMax) dataMax = t;
      } else if (seenBefore && from !== null && t < from && (l.doc.logsift as AnyDoc).kind === 'summary') {
        seenBefore.add((l.doc.logsift as AnyDoc).fingerprint);
      }
    }
  }
  const badAfterPass1 = bad.lines;
  const interval = chooseInterval(dataMin, dataMax, maxBucketMs);
  const live = (i: number, l: Line): boolean => l.id === null || lastLine[i]!.get(l.id) === l.lineNo;

  const facts: ReportFacts = {
    source: { kind: 'files', location: dir, index_prefix: null },
    range,
    interval,
    dataMin,
    dataMax,
    summary: emptyAgg(),
    dlq: emptyAgg(),
    stats: { ...emptyAgg(), recordsIn: 0, bytesIn: 0, lostByRetention: 0 },
    bytesOutMethod: 'measured',
    series: new Map(),
    breakdowns: { component: new Map(), category: new Map(), node: new Map(), namespace: new Map() },
    fingerprints: new Map(),
    seenBefore,
    details: (fps) => detailsFromFile(summaries, fps, range, lastLine[0]!),
    tier: {
      total: 0,
      byTier: new Map(),
      byPod: new Map(),
      byTierPod: new Map(),
      source: 'exact',
      info: emptyIssue(),
    },
    netlink: {
      total: 0,
      byErrno: new Map(),
      byOperation: new Map(),
      nodes: new Set(),
      series: new Map(),
      source: 'exact',
      emfile: emptyIssue(),
    },
    dlqByReason: new Map(),
    findings: { points: [], meta: new Map(), from: 0, to: 0 },
    notes,
  };
  const findings = new FindingsInputBuilder(MAX_FINDING_POINTS);
  const historyFrom = from === null ? null : from - lookbackMs;
  let withBytes = 0;
  let withoutBytes = 0;

  // Pass 2: aggregate.
  for await (const l of readDocs(summaries, bad)) {
    if (!live(0, l)) continue;
    const doc = l.doc as AnyDoc;
    const t = Date.parse(doc['@timestamp']);
    if ((historyFrom === null || t >= historyFrom) && (range.to === null || t < Date.parse(range.to)))
      findings.addDoc(doc);
    if (!inRange(t, range)) continue;
    l.hadDocBytes ? withBytes++ : withoutBytes++;
    const ls = doc.logsift as SummaryDoc['logsift'];
    const count = num(ls.count);
    const a: Agg = { records: count, bytes: num(ls.bytes), docs: 1, docBytes: l.docBytes };
    const isDlq = ls.kind === 'dlq';
    addAgg(isDlq ? facts.dlq : facts.summary, a);
    bumpAgg(facts.series, floorTo(t, interval.ms), a);
    const component = str(doc.calico?.component) ?? NONE;
    const node = str(doc.kubernetes?.node?.name);
    const pod = str(doc.kubernetes?.pod?.name);
    bumpAgg(facts.breakdowns.component, component, a);
    bumpAgg(facts.breakdowns.category, str(ls.category) ?? NONE, a);
    bumpAgg(facts.breakdowns.node, node ?? NONE, a);
    bumpAgg(facts.breakdowns.namespace, str(doc.kubernetes?.namespace) ?? NONE, a);
    if (isDlq) {
      const reason = ls.fingerprint.startsWith('dlq:') ? ls.fingerprint.slice(4) : ls.fingerprint;
      const r = facts.dlqByReason.get(reason) ?? { count: 0, bytes: 0 };
      r.count += count;
      r.bytes += num(ls.bytes);
      facts.dlqByReason.set(reason, r);
      continue;
    }
    const first = Date.parse(ls.first_seen);
    const last = Date.parse(ls.last_seen);
    const f = facts.fingerprints.get(ls.fingerprint);
    if (f) {
      f.records += count;
      f.bytes += a.bytes;
      f.docs++;
      if (first < f.firstSeen) f.firstSeen = first;
      if (last > f.lastSeen) f.lastSeen = last;
    } else {
      facts.fingerprints.set(ls.fingerprint, {
        records: count,
        bytes: a.bytes,
        docs: 1,
        firstSeen: first,
        lastSeen: last,
      });
      if (facts.fingerprints.size > MAX_FINGERPRINTS)
        throw capExceeded('fingerprints', MAX_FINGERPRINTS, dir);
    }
    const params = (ls.params ?? {}) as SummaryDoc['logsift']['params'];
    if (ls.category === 'tier-exists') {
      const tier = facts.tier;
      tier.total += count;
      const podKey = pod ?? NONE;
      const p = tier.byPod.get(podKey);
      if (p) {
        p.count += count;
        // A pod's node: the smallest node name seen with it (what the ES backend's sorted composite yields).
        if (node && (p.node === NONE || node < p.node)) p.node = node;
      } else tier.byPod.set(podKey, { node: node ?? NONE, count });
      for (const [value, n] of topValueEntries(params.tier)) {
        bump(tier.byTier, value, n);
        let m = tier.byTierPod.get(value);
        if (!m) {
          m = new Map();
          tier.byTierPod.set(value, m);
        }
        bump(m, podKey, n);
      }
      // Level words are compared case-insensitively: documents carry `INFO` or `info`.
      if (String(doc.log?.level ?? '').toUpperCase() === 'INFO')
        addIssue(tier.info, count, ls.fingerprint, pod, node, doc);
    } else if (ls.category === 'netlink-error') {
      const nl = facts.netlink;
      nl.total += count;
      if (node) nl.nodes.add(node);
      const bucket = floorTo(t, interval.ms);
      let sm = nl.series.get(bucket);
      if (!sm) {
        sm = new Map();
        nl.series.set(bucket, sm);
      }
      let known = 0;
      for (const [errno, n] of topValueEntries(params.errno)) {
        known += n;
        const e = nl.byErrno.get(errno) ?? { count: 0, nodes: new Set<string>() };
        e.count += n;
        if (node) e.nodes.add(node);
        nl.byErrno.set(errno, e);
        bump(sm, errno, n);
        if (errno === EMFILE) addIssue(nl.emfile, n, ls.fingerprint, pod, node, doc);
      }
      if (count > known) bump(sm, '(unknown)', count - known);
      for (const [op, n] of topValueEntries(params.operation)) bump(nl.byOperation, op, n);
    }
  }
  // Stats documents.
  if (statsExists) {
    for await (const l of readDocs(stats, bad)) {
      if (!live(1, l)) continue;
      const doc = l.doc as AnyDoc;
      const t = Date.parse(doc['@timestamp']);
      if (!inRange(t, range)) continue;
      l.hadDocBytes ? withBytes++ : withoutBytes++;
      const a: Agg = { records: 0, bytes: 0, docs: 1, docBytes: l.docBytes };
      addAgg(facts.stats, a);
      facts.stats.recordsIn += num(doc.logsift.records_in);
      facts.stats.bytesIn += num(doc.logsift.bytes_in);
      facts.stats.lostByRetention += num(doc.logsift.lost_by_retention);
      bumpAgg(facts.series, floorTo(t, interval.ms), a);
    }
  }
  facts.bytesOutMethod = withoutBytes === 0 ? 'doc_bytes' : withBytes === 0 ? 'measured' : 'mixed';
  facts.findings = { ...findings.build(), ...(from === null ? {} : { rangeFrom: from }) };
  const unreadable = bad.lines - badAfterPass1;
  if (unreadable > 0) notes.push(`${unreadable} unreadable line(s) skipped (not a JSON document)`);
  return facts;
}

/** A TopValues' entries, `other` as `(other)`; nothing for a missing/odd value. */
function topValueEntries(tv: unknown): Array<[string, number]> {
  if (!tv || typeof tv !== 'object') return [];
  const t = tv as { values?: Record<string, unknown>; other?: unknown };
  const out: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(t.values ?? {})) if (num(v) > 0) out.push([k, num(v)]);
  if (num(t.other) > 0) out.push([OTHER, num(t.other)]);
  return out;
}

async function detailsFromFile(
  path: string,
  fps: string[],
  range: ReportRange,
  /** Last line number per id in `path` (pass 1 of factsFromFiles read it already). */
  lastLine: ReadonlyMap<string, number>,
): Promise<Map<string, FingerprintDetails>> {
  const want = new Set(fps);
  const best = new Map<string, { key: [number, number, number]; d: FingerprintDetails }>();
  const bad = { lines: 0 };
  // Ids: the last line of an id wins, as in pass 2.
  for await (const l of readDocs(path, bad)) {
    if (l.id !== null && lastLine.get(l.id) !== l.lineNo) continue;
    const doc = l.doc as AnyDoc;
    const fp = doc.logsift.fingerprint;
    if (!want.has(fp) || doc.logsift.kind !== 'summary' || !inRange(Date.parse(doc['@timestamp']), range))
      continue;
    const key = detailKey(doc);
    const cur = best.get(fp);
    if (cur && !lessKey(key, cur.key)) continue;
    best.set(fp, {
      key,
      d: {
        template: String(doc.logsift.template ?? ''),
        example: String(doc.message ?? ''),
        component: String(doc.calico?.component ?? ''),
        level: String(doc.log?.level ?? ''),
        category: String(doc.logsift.category ?? ''),
      },
    });
  }
  return new Map([...best].map(([fp, v]) => [fp, v.d]));
}

/** The report over DIR. */
export async function fromFiles(
  dir: string,
  range: ReportRange,
  options: ReportOptions = {},
): Promise<ReportModel> {
  return buildModel(
    await factsFromFiles(dir, range, (options.findings ?? DEFAULT_FINDINGS_CONFIG).lookbackMs),
    options,
  );
}
