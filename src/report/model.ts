/**
 * The ReportModel: every figure a `logsift report` shows, in one typed value built by either backend
 * (fromFiles, fromElasticsearch) and rendered by table / json / md / html. JSON Schema:
 * schemas/report.schema.json (kept in step by test/unit/report/schema.test.ts).
 *
 * Conventions: counts are units (Kafka messages / file lines) as in `logsift.count`; "documents out"
 * are the documents logsift writes instead of the lines (summaries + dead-letter counters + stats);
 * every list is sorted deterministically (value desc, key asc) so both backends give equal models.
 */

import type { FindingsConfig } from '../findings/config.ts';
import type { Finding } from '../findings/types.ts';

export const REPORT_SCHEMA_VERSION = 2;

/** How `bytes_out` was obtained. */
export type BytesOutMethod =
  /** Σ logsift.doc_bytes of every document (exact). */
  | 'doc_bytes'
  /** Files: each document's JSON byte length as written (exact). */
  | 'measured'
  /** Some documents carry doc_bytes, the rest measured (files, exact). */
  | 'mixed'
  /** Elasticsearch without doc_bytes: Σ doc_bytes where present + missing × mean JSON size of a sample. */
  | 'sampled_estimate';

export interface ReportRange {
  /** Inclusive lower bound on a document's @timestamp (bucket start), ISO; null = unbounded. */
  from: string | null;
  /** Exclusive upper bound, ISO; null = unbounded. */
  to: string | null;
}

export interface Totals {
  /** Σ logsift.count of summaries and dead-letter counters: lines read. */
  records_in: number;
  /** Σ logsift.bytes: bytes read, as received. */
  bytes_in: number;
  /** Summary documents (logsift.kind = summary). */
  summaries_out: number;
  /** Dead-letter counter documents (logsift.kind = dlq). */
  dlq_docs: number;
  /** Stats documents. */
  stats_docs: number;
  /** summaries_out + dlq_docs + stats_docs: what is indexed instead of the lines. */
  documents_out: number;
  /** Bytes of documents_out as JSON (see bytes_out_method). */
  bytes_out: number;
  bytes_out_method: BytesOutMethod;
  /** 100 × (1 − documents_out / records_in); null when nothing was read. */
  reduction_count_pct: number | null;
  /** 100 × (1 − bytes_out / bytes_in); null when nothing was read. */
  reduction_bytes_pct: number | null;
  /** Distinct summary fingerprints (exact). */
  fingerprints: number;
  /** Σ logsift.count of dead-letter counters. */
  dead_lettered: number;
  /** Cross-check: Σ records_in / bytes_in of the stats documents in the same range. */
  stats_records_in: number;
  stats_bytes_in: number;
  /** Kafka offsets removed by retention before they were read: lines never counted (docs/EXACTNESS.md F9). */
  lost_by_retention: number;
  /** First and last document @timestamp in the range (null when empty). */
  data_from: string | null;
  data_to: string | null;
}

/** One time bucket of the volume series. */
export interface SeriesPoint {
  t: string;
  records_in: number;
  bytes_in: number;
  documents_out: number;
  bytes_out: number;
}

export interface BreakdownRow {
  key: string;
  records_in: number;
  bytes_in: number;
  /** Summary + dead-letter documents with this key. */
  documents_out: number;
  bytes_out: number;
  /** Share of all records_in, percent. */
  share_pct: number;
  /** 100 × (1 − documents_out / records_in): fewer documents than lines (a count, not bytes). */
  reduction_pct: number | null;
  /** 100 × (1 − bytes_out / bytes_in). */
  reduction_bytes_pct: number | null;
}

export interface Breakdown {
  rows: BreakdownRow[];
  /** Rows beyond the cap, merged (null when nothing was cut). */
  other: {
    rows: number;
    records_in: number;
    bytes_in: number;
    documents_out: number;
    bytes_out: number;
  } | null;
}

export type BreakdownDimension = 'component' | 'category' | 'node' | 'namespace';

export interface FingerprintRow {
  fingerprint: string;
  template: string;
  /** First sample message of the earliest document. */
  example: string;
  component: string;
  level: string;
  category: string;
  records_in: number;
  bytes_in: number;
  documents_out: number;
  share_pct: number;
  first_seen: string;
  last_seen: string;
}

export interface CountRow {
  key: string;
  count: number;
}

export interface TierExists {
  /** Σ count of tier-exists summaries. */
  total: number;
  /** Per tier (from logsift.params.tier top values); `(other)` = past the top-k cap, `(unknown)` = no tier param. */
  by_tier: CountRow[];
  by_pod: Array<{ pod: string; node: string; count: number }>;
  by_tier_pod: Array<{ tier: string; pod: string; count: number }>;
  /** Where per-tier numbers came from; `unavailable` when the documents carry no per-value list. */
  params_source: 'exact' | 'unavailable';
}

export interface NetlinkErrors {
  total: number;
  /** `(unknown)`: netlink summaries without an errno parameter. */
  by_errno: Array<{ errno: string; count: number; nodes: number }>;
  by_operation: CountRow[];
  nodes_affected: number;
  /** Per time bucket, count per errno (errnos as in by_errno). */
  series: Array<{ t: string; counts: Record<string, number> }>;
  params_source: 'exact' | 'unavailable';
}

export interface NewFingerprints {
  /** Fingerprints with documents in the range and none before it. */
  total: number;
  /**
   * False when the range has no lower bound: then nothing is "new" against anything, `items` is empty
   * and `total` is every fingerprint (the `new` findings judge onsets within the data instead).
   */
  baseline: boolean;
  items: FingerprintRow[];
}

export interface DeadLetters {
  total: number;
  by_reason: Array<{ reason: string; count: number; bytes: number }>;
}

export interface Hint {
  id: 'tier-exists-spam-v3.29.1' | 'felix-netlink-socket-leak-v3.29.0';
  title: string;
  /** Calico component to upgrade. */
  component: string;
  affected: string;
  fixed_in: string;
  advice: string;
  evidence: {
    records: number;
    fingerprints: string[];
    pods: string[];
    pods_total: number;
    nodes: string[];
    nodes_total: number;
    first_seen: string | null;
    last_seen: string | null;
    /** records / pods / days of data (tier-exists) or / nodes / days (netlink). */
    per_source_per_day: number | null;
  };
}

export interface ReportModel {
  schema_version: typeof REPORT_SCHEMA_VERSION;
  generated_at: string;
  /**
   * What to look at first (src/findings): new, spreading, rising errors, known Calico problems, noise
   * worth dropping. Every number is an exact count from the summaries.
   */
  findings: Finding[];
  source: { kind: 'files' | 'elasticsearch'; location: string; index_prefix: string | null };
  range: ReportRange;
  limits: { top: number; rows: number };
  totals: Totals;
  series: { interval: string; interval_s: number; points: SeriesPoint[] };
  breakdowns: Record<BreakdownDimension, Breakdown>;
  top_fingerprints: FingerprintRow[];
  tier_exists: TierExists;
  netlink: NetlinkErrors;
  new_fingerprints: NewFingerprints;
  dead_letters: DeadLetters;
  /** Known-issue hints of report schema v1; the `known-issue` findings supersede them. */
  hints: Hint[];
  /** Honest caveats (an estimate used, a cap that bit). */
  notes: string[];
}

/** Options shared by both backends. */
export interface ReportOptions {
  /** Top fingerprints / new fingerprints listed. Default 20. */
  top?: number;
  /** Rows kept per breakdown before merging into `other`. Default 50. */
  rows?: number;
  /** The clock for generated_at (injected; tests pin it). */
  now?: () => Date;
  /** Thresholds of the findings (config `findings`); default DEFAULT_FINDINGS_CONFIG. */
  findings?: FindingsConfig;
}

export const DEFAULT_TOP = 20;
export const DEFAULT_ROWS = 50;
