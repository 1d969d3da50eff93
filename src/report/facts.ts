/**
 * ReportFacts: the exact, pre-aggregated figures both backends produce (files by streaming, Elasticsearch
 * by aggregations). `buildModel` turns facts into the ReportModel, so sorting, shares, caps, reductions
 * and hints are computed by one piece of code for both backends: equal facts give equal models.
 */
import type { FindingsInput } from '../findings/types.ts';
import type { BytesOutMethod, ReportRange } from './model.ts';

/** records = Σ logsift.count, bytes = Σ logsift.bytes, docs = documents, docBytes = their JSON bytes. */
export interface Agg {
  records: number;
  bytes: number;
  docs: number;
  docBytes: number;
}

export const emptyAgg = (): Agg => ({ records: 0, bytes: 0, docs: 0, docBytes: 0 });

export function addAgg(into: Agg, from: Agg): void {
  into.records += from.records;
  into.bytes += from.bytes;
  into.docs += from.docs;
  into.docBytes += from.docBytes;
}

export interface FingerprintFacts {
  records: number;
  bytes: number;
  docs: number;
  /** min logsift.first_seen / max logsift.last_seen, ms. */
  firstSeen: number;
  lastSeen: number;
}

export interface FingerprintDetails {
  template: string;
  example: string;
  component: string;
  level: string;
  category: string;
}

/** A known-issue evidence set: matching records and where they came from. */
export interface IssueFacts {
  records: number;
  fingerprints: Set<string>;
  pods: Set<string>;
  nodes: Set<string>;
  firstSeen: number | null;
  lastSeen: number | null;
}

export const emptyIssue = (): IssueFacts => ({
  records: 0,
  fingerprints: new Set(),
  pods: new Set(),
  nodes: new Set(),
  firstSeen: null,
  lastSeen: null,
});

export interface ReportFacts {
  source: { kind: 'files' | 'elasticsearch'; location: string; index_prefix: string | null };
  range: ReportRange;
  interval: { name: string; ms: number };
  dataMin: number | null;
  dataMax: number | null;
  summary: Agg;
  dlq: Agg;
  stats: Agg & { recordsIn: number; bytesIn: number; lostByRetention: number };
  bytesOutMethod: BytesOutMethod;
  /** bucket start ms -> volume (docs and docBytes include stats documents). */
  series: Map<number, Agg>;
  /** Summary + dead-letter documents by dimension value (`(none)` when absent). */
  breakdowns: {
    component: Map<string, Agg>;
    category: Map<string, Agg>;
    node: Map<string, Agg>;
    namespace: Map<string, Agg>;
  };
  /** Summary documents (kind summary) by fingerprint, in range. */
  fingerprints: Map<string, FingerprintFacts>;
  /** Fingerprints with a document before range.from; null when the range has no lower bound. */
  seenBefore: Set<string> | null;
  /** Details of the fingerprints the model lists (fetched after choosing them). */
  details: (fingerprints: string[]) => Promise<Map<string, FingerprintDetails>>;
  tier: {
    total: number;
    byTier: Map<string, number>;
    byPod: Map<string, { node: string; count: number }>;
    byTierPod: Map<string, Map<string, number>>;
    source: 'exact' | 'unavailable';
    /** INFO-level Tier-exists (the v3.29.1 spam; v3.29.2 logs it at DEBUG). */
    info: IssueFacts;
  };
  netlink: {
    total: number;
    byErrno: Map<string, { count: number; nodes: Set<string> }>;
    byOperation: Map<string, number>;
    nodes: Set<string>;
    series: Map<number, Map<string, number>>;
    source: 'exact' | 'unavailable';
    /** Felix netlink errors with errno `too many open files` (the v3.29.0 socket leak). */
    emfile: IssueFacts;
  };
  dlqByReason: Map<string, { count: number; bytes: number }>;
  /**
   * The findings' input: summary points of the range and of the look-back window before it (history
   * only: `rangeFrom` marks where the range starts).
   */
  findings: FindingsInput;
  notes: string[];
}

export const NONE = '(none)';
export const OTHER = '(other)';
export const UNKNOWN = '(unknown)';
/** The errno text Go prints for EMFILE (syscall.Errno(24).Error()). */
export const EMFILE = 'too many open files';

export function mergeIssue(into: IssueFacts, t0: number | null, t1: number | null): void {
  if (t0 !== null && (into.firstSeen === null || t0 < into.firstSeen)) into.firstSeen = t0;
  if (t1 !== null && (into.lastSeen === null || t1 > into.lastSeen)) into.lastSeen = t1;
}

/** Series intervals, finest first; all epoch-aligned, as Elasticsearch's fixed_interval. */
export const INTERVALS: ReadonlyArray<{ name: string; ms: number }> = [
  { name: '1m', ms: 60_000 },
  { name: '5m', ms: 300_000 },
  { name: '15m', ms: 900_000 },
  { name: '1h', ms: 3_600_000 },
  { name: '3h', ms: 10_800_000 },
  { name: '6h', ms: 21_600_000 },
  { name: '12h', ms: 43_200_000 },
  { name: '1d', ms: 86_400_000 },
  { name: '7d', ms: 604_800_000 },
];

export const MAX_POINTS = 200;

/**
 * The finest interval giving at most MAX_POINTS buckets over [min, max] and no finer than the longest
 * document bucket in the range (1 h summaries in 15 min slots would draw a saw-tooth).
 */
export function chooseInterval(
  min: number | null,
  max: number | null,
  atLeastMs = 0,
): { name: string; ms: number } {
  const span = min === null || max === null ? 0 : max - min;
  for (const iv of INTERVALS) if (iv.ms >= atLeastMs && Math.floor(span / iv.ms) + 1 <= MAX_POINTS) return iv;
  return INTERVALS[INTERVALS.length - 1]!;
}

export const floorTo = (t: number, ms: number): number => Math.floor(t / ms) * ms;
