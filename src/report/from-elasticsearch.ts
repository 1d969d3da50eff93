/**
 * Report backend over Elasticsearch: aggregations only (filter, composite, terms, date_histogram, sum,
 * min/max, value_count, nested/reverse_nested; no scripts, so it runs on the integ-test distribution).
 * Documents are never downloaded, except: one document per listed fingerprint (template and example,
 * via top_hits) and, only when documents lack `logsift.doc_bytes`, a 100-document sample per index kind
 * to estimate bytes out (flagged `sampled_estimate` in the model).
 *
 * Exactness: every list comes from composite aggregations (paged to the end) or from terms aggregations
 * asked for every bucket (size above the distinct count; a non-zero sum_other_doc_count is reported in
 * `notes`). Sums of integer counts are exact in doubles below 2^53.
 *
 * The client is any object with the @elastic/elasticsearch 8.x `search(params)` shape (only
 * src/sinks/elasticsearch and the CLI construct the client).
 */

import { docBytesOf } from '../domain/doc-extras.ts';
import { DEFAULT_FINDINGS_CONFIG } from '../findings/config.ts';
import { FindingsInputBuilder } from '../findings/input.ts';
import { buildModel } from './build.ts';
import {
  type Agg,
  chooseInterval,
  EMFILE,
  emptyIssue,
  type FingerprintDetails,
  type IssueFacts,
  NONE,
  type ReportFacts,
  UNKNOWN,
} from './facts.ts';
import type { BytesOutMethod, ReportModel, ReportOptions, ReportRange } from './model.ts';

/** The part of the @elastic/elasticsearch client used here. */
export interface SearchClient {
  search(params: Record<string, unknown>): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: Elasticsearch response JSON, read by known paths
type Json = Record<string, any>;

/** terms aggregations that must return every bucket ask for this many. */
const ALL_TERMS = 10_000;
const COMPOSITE_PAGE = 2_000;
/** Documents read to estimate the JSON size of documents without logsift.doc_bytes. */
const SIZE_SAMPLE = 100;
const DETAILS_BATCH = 500;
/** Findings points read at most (as the files backend's cap). */
export const MAX_FINDING_POINTS = 2_000_000;

const PV = 'logsift.param_values';

const volume = {
  records: { sum: { field: 'logsift.count' } },
  bytes: { sum: { field: 'logsift.bytes' } },
  db: { sum: { field: 'logsift.doc_bytes' } },
  dbn: { value_count: { field: 'logsift.doc_bytes' } },
};

const termsAll = (field: string, extra: Json = {}): Json => ({ terms: { field, size: ALL_TERMS, ...extra } });
const term = (field: string, value: string): Json => ({ term: { [field]: value } });

export class ElasticsearchReportSource {
  readonly #client: SearchClient;
  readonly #summaries: string;
  readonly #stats: string;
  readonly #range: ReportRange;
  readonly #notes: string[] = [];
  readonly #lookbackMs: number;
  readonly #maxPoints: number;

  constructor(
    client: SearchClient,
    prefix: string,
    range: ReportRange,
    options: { lookbackMs?: number; maxPoints?: number } = {},
  ) {
    this.#client = client;
    this.#summaries = `${prefix}-summaries-*`;
    this.#stats = `${prefix}-stats-*`;
    this.#range = range;
    this.#lookbackMs = options.lookbackMs ?? DEFAULT_FINDINGS_CONFIG.lookbackMs;
    this.#maxPoints = options.maxPoints ?? MAX_FINDING_POINTS;
  }

  #rangeFilter(): Json[] {
    const { from, to } = this.#range;
    if (from === null && to === null) return [];
    const r: Json = { format: 'strict_date_optional_time' };
    if (from !== null) r.gte = from;
    if (to !== null) r.lt = to;
    return [{ range: { '@timestamp': r } }];
  }

  #query(...filters: Json[]): Json {
    return { bool: { filter: [...this.#rangeFilter(), ...filters] } };
  }

  async #search(index: string, body: Json): Promise<Json> {
    return (await this.#client.search({
      index,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 0,
      track_total_hits: false,
      ...body,
    })) as Json;
  }

  #checkTerms(agg: Json | undefined, what: string): void {
    if (agg && typeof agg.sum_other_doc_count === 'number' && agg.sum_other_doc_count > 0) {
      this.#notes.push(`${what}: more than ${ALL_TERMS} distinct values, list truncated`);
    }
  }

  /**
   * Every bucket of several composite aggregations over one query, paged: the first request carries them
   * all; later requests only those with more pages.
   */
  async *#composites(
    index: string,
    query: Json,
    specs: Record<string, { sources: Json[]; aggs: Json }>,
  ): AsyncGenerator<[string, Json]> {
    let pending: Record<string, Json | undefined> = Object.fromEntries(
      Object.keys(specs).map((k) => [k, undefined]),
    );
    while (Object.keys(pending).length > 0) {
      const aggs: Json = {};
      for (const [name, after] of Object.entries(pending)) {
        const { sources, aggs: sub } = specs[name]!;
        aggs[name] = { composite: { size: COMPOSITE_PAGE, sources, ...(after ? { after } : {}) }, aggs: sub };
      }
      const res = await this.#search(index, { query, aggs });
      const next: Record<string, Json | undefined> = {};
      for (const name of Object.keys(pending)) {
        const c = res.aggregations?.[name];
        const buckets: Json[] = c?.buckets ?? [];
        for (const b of buckets) yield [name, b];
        if (buckets.length === COMPOSITE_PAGE && c.after_key) next[name] = c.after_key;
      }
      pending = next;
    }
  }

  async facts(): Promise<ReportFacts> {
    const S = this.#summaries;
    const both = `${this.#summaries},${this.#stats}`;
    const kindSummaryOrDlq = { terms: { 'logsift.kind': ['summary', 'dlq'] } };

    // 1. Span and totals.
    const t = await this.#search(both, {
      query: this.#query(),
      aggs: {
        tmin: { min: { field: '@timestamp' } },
        tmax: { max: { field: '@timestamp' } },
        blen: { max: { field: 'logsift.bucket.length_s' } },
        summary: { filter: term('logsift.kind', 'summary'), aggs: volume },
        dlq: { filter: term('logsift.kind', 'dlq'), aggs: volume },
        stats: {
          filter: term('logsift.kind', 'stats'),
          aggs: {
            records_in: { sum: { field: 'logsift.records_in' } },
            bytes_in: { sum: { field: 'logsift.bytes_in' } },
            lost: { sum: { field: 'logsift.lost_by_retention' } },
            db: volume.db,
            dbn: volume.dbn,
          },
        },
      },
    });
    // No index matched: the same aggregations over nothing.
    const zero = {
      doc_count: 0,
      records: { value: 0 },
      bytes: { value: 0 },
      db: { value: 0 },
      dbn: { value: 0 },
    };
    const ag: Json = t.aggregations ?? {
      summary: zero,
      dlq: zero,
      stats: { ...zero, records_in: { value: 0 }, bytes_in: { value: 0 }, lost: { value: 0 } },
    };
    const dataMin: number | null = ag.tmin?.value ?? null;
    const dataMax: number | null = ag.tmax?.value ?? null;
    const interval = chooseInterval(dataMin, dataMax, (ag.blen?.value ?? 0) * 1000);

    const missingBytes =
      ag.summary.doc_count -
      ag.summary.dbn.value +
      (ag.dlq.doc_count - ag.dlq.dbn.value) +
      (ag.stats.doc_count - ag.stats.dbn.value);
    let method: BytesOutMethod = 'doc_bytes';
    let meanSummary = 0;
    let meanStats = 0;
    if (missingBytes > 0) {
      method = 'sampled_estimate';
      meanSummary = await this.#meanDocBytes(S);
      meanStats = await this.#meanDocBytes(this.#stats);
      this.#notes.push(
        `bytes out estimated: ${missingBytes} document(s) lack logsift.doc_bytes; used the mean JSON size of up to ` +
          `${SIZE_SAMPLE} sampled documents (summaries ${Math.round(meanSummary)} B, stats ${Math.round(meanStats)} B)`,
      );
    }
    const agg = (b: Json, mean = meanSummary): Agg => ({
      records: b.records?.value ?? 0,
      bytes: b.bytes?.value ?? 0,
      docs: b.doc_count,
      docBytes: (b.db?.value ?? 0) + (b.doc_count - (b.dbn?.value ?? 0)) * mean,
    });
    const statsAgg = agg(ag.stats, meanStats);

    const facts: ReportFacts = {
      source: { kind: 'elasticsearch', location: '', index_prefix: null },
      range: this.#range,
      interval,
      dataMin,
      dataMax,
      summary: agg(ag.summary),
      dlq: agg(ag.dlq),
      stats: {
        ...statsAgg,
        recordsIn: ag.stats.records_in.value,
        bytesIn: ag.stats.bytes_in.value,
        lostByRetention: ag.stats.lost?.value ?? 0,
      },
      bytesOutMethod: method,
      series: new Map(),
      breakdowns: { component: new Map(), category: new Map(), node: new Map(), namespace: new Map() },
      fingerprints: new Map(),
      seenBefore: null,
      details: (fps) => this.#details(fps),
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
      notes: this.#notes,
    };
    if (dataMin === null) return facts;

    // 2. One pass over both index kinds for series, Tier-exists, netlink and dead letters; 3. one pass of
    // composite aggregations for the breakdowns and fingerprints; 4. fingerprints before the range.
    // Independent: run concurrently (each request fans out to every daily index).
    const summaryOnly = term('logsift.kind', 'summary');
    await Promise.all([
      (async () => {
        const r = await this.#search(both, {
          query: this.#query(),
          aggs: {
            h: {
              date_histogram: { field: '@timestamp', fixed_interval: interval.name, min_doc_count: 1 },
              aggs: {
                s: { filter: kindSummaryOrDlq, aggs: volume },
                st: { filter: term('logsift.kind', 'stats'), aggs: { db: volume.db, dbn: volume.dbn } },
              },
            },
            tier: this.#tierAggs(),
            netlink: this.#netlinkAggs(interval.name),
            dlq: {
              filter: term('logsift.kind', 'dlq'),
              aggs: {
                r: {
                  ...termsAll('logsift.fingerprint'),
                  aggs: { records: volume.records, bytes: volume.bytes },
                },
              },
            },
          },
        });
        const ra = r.aggregations ?? {};
        for (const b of (ra.h?.buckets ?? []) as Json[]) {
          const a = agg(b.s);
          const st = agg(b.st, meanStats);
          facts.series.set(b.key, {
            records: a.records,
            bytes: a.bytes,
            docs: a.docs + st.docs,
            docBytes: a.docBytes + st.docBytes,
          });
        }
        this.#readTier(ra.tier, facts);
        this.#readNetlink(ra.netlink, facts);
        this.#checkTerms(ra.dlq.r, 'dead-letter reasons');
        for (const b of ra.dlq.r.buckets as Json[]) {
          const fp: string = b.key;
          facts.dlqByReason.set(fp.startsWith('dlq:') ? fp.slice(4) : fp, {
            count: b.records.value,
            bytes: b.bytes.value,
          });
        }
      })(),
      (async () => {
        const dims = {
          component: 'calico.component',
          category: 'logsift.category',
          node: 'kubernetes.node.name',
          namespace: 'kubernetes.namespace',
        } as const;
        const composites: Record<string, { sources: Json[]; aggs: Json }> = {
          // Fingerprints: kind as a second source (summary only is kept), so one query serves all.
          fp: {
            sources: [
              { fp: { terms: { field: 'logsift.fingerprint' } } },
              { kind: { terms: { field: 'logsift.kind' } } },
            ],
            aggs: {
              records: volume.records,
              bytes: volume.bytes,
              first: { min: { field: 'logsift.first_seen' } },
              last: { max: { field: 'logsift.last_seen' } },
            },
          },
        };
        for (const [dim, field] of Object.entries(dims)) {
          composites[dim] = { sources: [{ k: { terms: { field, missing_bucket: true } } }], aggs: volume };
        }
        for await (const [name, b] of this.#composites(S, this.#query(kindSummaryOrDlq), composites)) {
          if (name === 'fp') {
            if (b.key.kind !== 'summary') continue;
            facts.fingerprints.set(b.key.fp, {
              records: b.records.value,
              bytes: b.bytes.value,
              docs: b.doc_count,
              firstSeen: b.first.value,
              lastSeen: b.last.value,
            });
          } else {
            facts.breakdowns[name as keyof typeof dims].set(b.key.k ?? NONE, agg(b));
          }
        }
      })(),
      (async () => {
        if (this.#range.from === null) return;
        const before = new Set<string>();
        const q = {
          bool: {
            filter: [
              { range: { '@timestamp': { lt: this.#range.from, format: 'strict_date_optional_time' } } },
              summaryOnly,
            ],
          },
        };
        const src = { fp: { sources: [{ fp: { terms: { field: 'logsift.fingerprint' } } }], aggs: {} } };
        for await (const [, b] of this.#composites(S, q, src)) before.add(b.key.fp);
        facts.seenBefore = before;
      })(),
      (async () => {
        facts.findings = await this.findingsInput();
      })(),
    ]);
    return facts;
  }

  /**
   * The findings' input: (fingerprint, node, pod, image, bucket) counts from one composite aggregation
   * over the range and the look-back window before it, paged to the end or to the cap. Templates
   * longer than the keyword's ignore_above come from the fingerprint details.
   */
  async findingsInput(): Promise<ReturnType<FindingsInputBuilder['build']>> {
    const { from, to } = this.#range;
    const r: Json = { format: 'strict_date_optional_time' };
    if (from !== null) r.gte = new Date(Date.parse(from) - this.#lookbackMs).toISOString();
    if (to !== null) r.lt = to;
    const window = from === null && to === null ? [] : [{ range: { '@timestamp': r } }];
    const query = { bool: { filter: [...window, { terms: { 'logsift.kind': ['summary', 'dlq'] } }] } };
    const b = new FindingsInputBuilder(this.#maxPoints);
    // The last bucket end without a script (documents no longer carry bucket.end): per bucket
    // length (a handful of values), the latest start; the end is the largest start + length.
    const span = await this.#search(this.#summaries, {
      query,
      aggs: {
        tmin: { min: { field: '@timestamp' } },
        lens: { ...termsAll('logsift.bucket.length_s'), aggs: { tmax: { max: { field: '@timestamp' } } } },
      },
    });
    const tmin = span.aggregations?.tmin?.value ?? null;
    let tend: number | null = null;
    for (const l of span.aggregations?.lens?.buckets ?? []) {
      const t = l.tmax?.value;
      if (typeof t === 'number' && (tend === null || t + l.key * 1000 > tend)) tend = t + l.key * 1000;
    }
    if (tmin === null || tend === null) return b.build();
    b.span(tmin, tend - tmin);
    const k = (field: string) => ({ terms: { field, missing_bucket: true } });
    const spec = {
      p: {
        sources: [
          { fp: { terms: { field: 'logsift.fingerprint' } } },
          { t: { terms: { field: '@timestamp' } } },
          { len: { terms: { field: 'logsift.bucket.length_s' } } },
          { node: k('kubernetes.node.name') },
          { host: k('host.name') },
          { pod: k('kubernetes.pod.name') },
          { image: k('container.image.name') },
          { category: k('logsift.category') },
          { component: k('calico.component') },
          { level: k('log.level') },
          { template: k('logsift.template') },
          { sid: k('logsift.statement.id') },
          { sfmt: k('logsift.statement.format') },
        ],
        aggs: { records: volume.records },
      },
    };
    const q = { bool: { filter: [...window, term('logsift.kind', 'summary')] } };
    const noTemplate = new Set<string>();
    const pending: Array<{ key: Json; count: number }> = [];
    for await (const [, x] of this.#composites(this.#summaries, q, spec)) {
      if (x.key.template === null) noTemplate.add(x.key.fp);
      pending.push({ key: x.key, count: x.records.value });
      if (pending.length > this.#maxPoints) break;
    }
    const templates = noTemplate.size > 0 ? await this.#details([...noTemplate].sort()) : new Map();
    for (const { key, count } of pending) {
      b.add(
        {
          t: key.t,
          len: key.len * 1000,
          fingerprint: key.fp,
          node: key.node ?? key.host ?? null,
          pod: key.pod ?? null,
          image: key.image ?? null,
        },
        count,
        {
          category: key.category ?? '',
          template: key.template ?? templates.get(key.fp)?.template ?? '',
          component: key.component ?? '',
          level: key.level ?? '',
          statement:
            key.sfmt === null || key.sfmt === undefined ? null : { id: key.sid ?? '', format: key.sfmt },
        },
      );
    }
    return { ...b.build(), ...(from === null ? {} : { rangeFrom: Date.parse(from) }) };
  }

  /** Tier-exists summaries: total, per tier, per pod (and its node), per pod and tier, INFO evidence. */
  #tierAggs(): Json {
    const tierValues = {
      nested: { path: PV },
      aggs: {
        f: {
          filter: term(`${PV}.name`, 'tier'),
          aggs: { v: { ...termsAll(`${PV}.value`), aggs: { n: { sum: { field: `${PV}.count` } } } } },
        },
      },
    };
    return {
      filter: {
        bool: { filter: [term('logsift.category', 'tier-exists'), term('logsift.kind', 'summary')] },
      },
      aggs: {
        total: volume.records,
        pv: tierValues,
        pods: {
          ...termsAll('kubernetes.pod.name', { missing: NONE }),
          aggs: {
            records: volume.records,
            // A pod's node: the smallest node name seen with it (the files backend does the same).
            node: { terms: { field: 'kubernetes.node.name', size: 1, order: { _key: 'asc' } } },
            pv: tierValues,
          },
        },
        // Level words may be `INFO` or `info`.
        info: {
          filter: { term: { 'log.level': { value: 'INFO', case_insensitive: true } } },
          aggs: issueAggs(),
        },
      },
    };
  }

  #readTier(a: Json, facts: ReportFacts): void {
    const tier = facts.tier;
    tier.total = a.total.value;
    this.#checkTerms(a.pv.f.v, 'tier values');
    for (const b of a.pv.f.v.buckets as Json[]) tier.byTier.set(b.key, b.n.value);
    this.#checkTerms(a.pods, 'tier-exists pods');
    for (const p of a.pods.buckets as Json[]) {
      tier.byPod.set(p.key, { node: p.node.buckets[0]?.key ?? NONE, count: p.records.value });
      for (const b of p.pv.f.v.buckets as Json[]) {
        let m = tier.byTierPod.get(b.key);
        if (!m) {
          m = new Map();
          tier.byTierPod.set(b.key, m);
        }
        m.set(p.key, b.n.value);
      }
    }
    if (tier.total > 0 && a.pv.doc_count === 0) {
      tier.source = 'unavailable';
      this.#notes.push(
        'tier-exists documents carry no logsift.param_values: the per-tier split is unavailable',
      );
    }
    this.#readIssue(a.info, tier.info, a.info.records.value);
  }

  /** Netlink-error summaries: total, nodes, per errno (with nodes), per operation, over time, EMFILE evidence. */
  #netlinkAggs(interval: string): Json {
    const byName = (name: string, sub: Json = {}): Json => ({
      nested: { path: PV },
      aggs: {
        f: {
          filter: term(`${PV}.name`, name),
          aggs: { v: { ...termsAll(`${PV}.value`), aggs: { n: { sum: { field: `${PV}.count` } }, ...sub } } },
        },
      },
    });
    return {
      filter: {
        bool: { filter: [term('logsift.category', 'netlink-error'), term('logsift.kind', 'summary')] },
      },
      aggs: {
        total: volume.records,
        nodes: termsAll('kubernetes.node.name'),
        errno: byName('errno', {
          rn: { reverse_nested: {}, aggs: { nodes: termsAll('kubernetes.node.name') } },
        }),
        op: byName('operation'),
        h: {
          date_histogram: { field: '@timestamp', fixed_interval: interval, min_doc_count: 1 },
          aggs: { total: volume.records, errno: byName('errno') },
        },
        emfile: {
          nested: { path: PV },
          aggs: {
            f: {
              filter: { bool: { filter: [term(`${PV}.name`, 'errno'), term(`${PV}.value`, EMFILE)] } },
              aggs: { n: { sum: { field: `${PV}.count` } }, rn: { reverse_nested: {}, aggs: issueAggs() } },
            },
          },
        },
      },
    };
  }

  #readNetlink(a: Json, facts: ReportFacts): void {
    const nl = facts.netlink;
    nl.total = a.total.value;
    this.#checkTerms(a.nodes, 'netlink nodes');
    for (const b of a.nodes.buckets as Json[]) nl.nodes.add(b.key);
    this.#checkTerms(a.errno.f.v, 'netlink errnos');
    for (const b of a.errno.f.v.buckets as Json[]) {
      nl.byErrno.set(b.key, {
        count: b.n.value,
        nodes: new Set((b.rn.nodes.buckets as Json[]).map((x) => x.key)),
      });
    }
    for (const b of a.op.f.v.buckets as Json[]) nl.byOperation.set(b.key, b.n.value);
    for (const h of a.h.buckets as Json[]) {
      const m = new Map<string, number>();
      let known = 0;
      for (const b of h.errno.f.v.buckets as Json[]) {
        m.set(b.key, b.n.value);
        known += b.n.value;
      }
      if (h.total.value > known) m.set(UNKNOWN, h.total.value - known);
      nl.series.set(h.key, m);
    }
    if (nl.total > 0 && a.errno.doc_count === 0) {
      nl.source = 'unavailable';
      this.#notes.push(
        'netlink-error documents carry no logsift.param_values: errno and operation are unavailable',
      );
    }
    this.#readIssue(a.emfile.f.rn, nl.emfile, a.emfile.f.n.value);
  }

  #readIssue(b: Json, into: IssueFacts, records: number): void {
    into.records = records;
    if (records === 0) return;
    for (const x of b.fps.buckets as Json[]) into.fingerprints.add(x.key);
    for (const x of b.pods.buckets as Json[]) into.pods.add(x.key);
    for (const x of b.nodes.buckets as Json[]) into.nodes.add(x.key);
    into.firstSeen = b.first.value ?? null;
    into.lastSeen = b.last.value ?? null;
  }

  async #meanDocBytes(index: string): Promise<number> {
    const r = await this.#search(index, { query: this.#query(), size: SIZE_SAMPLE });
    const hits: Json[] = r.hits?.hits ?? [];
    if (hits.length === 0) return 0;
    let total = 0;
    for (const h of hits) total += docBytesOf(h._source);
    return total / hits.length;
  }

  async #details(fps: string[]): Promise<Map<string, FingerprintDetails>> {
    const out = new Map<string, FingerprintDetails>();
    for (let i = 0; i < fps.length; i += DETAILS_BATCH) {
      const batch = fps.slice(i, i + DETAILS_BATCH);
      const r = await this.#search(this.#summaries, {
        query: this.#query(term('logsift.kind', 'summary'), { terms: { 'logsift.fingerprint': batch } }),
        aggs: {
          fp: {
            terms: { field: 'logsift.fingerprint', size: batch.length },
            aggs: {
              doc: {
                top_hits: {
                  size: 1,
                  sort: [
                    { '@timestamp': 'asc' },
                    { 'logsift.first_seen': 'asc' },
                    { 'logsift.offset_first': 'asc' },
                  ],
                  _source: {
                    includes: [
                      'logsift.template',
                      'message',
                      'calico.component',
                      'log.level',
                      'logsift.category',
                    ],
                  },
                },
              },
            },
          },
        },
      });
      for (const b of r.aggregations.fp.buckets as Json[]) {
        const src: Json = b.doc.hits.hits[0]?._source ?? {};
        out.set(b.key, {
          template: String(src.logsift?.template ?? ''),
          example: String(src.message ?? ''),
          component: String(src.calico?.component ?? ''),
          level: String(src.log?.level ?? ''),
          category: String(src.logsift?.category ?? ''),
        });
      }
    }
    return out;
  }
}

/** Evidence of a known issue: fingerprints, pods, nodes, first/last seen. */
function issueAggs(): Json {
  return {
    records: volume.records,
    fps: termsAll('logsift.fingerprint'),
    pods: termsAll('kubernetes.pod.name'),
    nodes: termsAll('kubernetes.node.name'),
    first: { min: { field: 'logsift.first_seen' } },
    last: { max: { field: 'logsift.last_seen' } },
  };
}

/** The report over `<prefix>-summaries-*` and `<prefix>-stats-*`. */
export async function fromElasticsearch(
  client: SearchClient,
  prefix: string,
  range: ReportRange,
  options: ReportOptions & { location?: string } = {},
): Promise<ReportModel> {
  const facts = await new ElasticsearchReportSource(client, prefix, range, {
    lookbackMs: (options.findings ?? DEFAULT_FINDINGS_CONFIG).lookbackMs,
  }).facts();
  facts.source = { kind: 'elasticsearch', location: options.location ?? '', index_prefix: prefix };
  return buildModel(facts, options);
}
