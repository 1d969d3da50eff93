/**
 * Findings: what the summaries say a person should look at (a new error, one spreading over nodes,
 * a rate that keeps growing, noise worth dropping, a known Calico problem). Computed by pure functions
 * over exact counts (src/findings/detect.ts); every number a finding cites is a sum of
 * `logsift.count` values. JSON form: the `findings` array of schemas/report.schema.json.
 */

export const FINDING_KINDS = ['new', 'spread', 'rising', 'reset-on-restart', 'known-issue', 'noise'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** One (fingerprint, node, pod, summary bucket) count: what the findings read from the summaries. */
export interface FindingsPoint {
  /** Bucket start (ms since epoch): the summary's `@timestamp`. */
  readonly t: number;
  /** Bucket length, ms (`logsift.bucket.length_s` × 1000). */
  readonly len: number;
  readonly fingerprint: string;
  /** `kubernetes.node.name`, else `host.name`; null when the line carried neither. */
  readonly node: string | null;
  readonly pod: string | null;
  /** `container.image.name` (e.g. `docker.io/calico/node:v3.29.1`) when the documents carry it. */
  readonly image: string | null;
  /** Σ logsift.count. */
  readonly count: number;
}

/** What a fingerprint is (the same in every document of it). */
export interface FingerprintMeta {
  readonly category: string;
  readonly template: string;
  readonly component: string;
  readonly level: string;
  /** `logsift.statement` when the documents carry it: the Calico source statement that logged the line. */
  readonly statement: { readonly id: string; readonly format: string } | null;
}

export interface FindingsInput {
  readonly points: readonly FindingsPoint[];
  readonly meta: ReadonlyMap<string, FingerprintMeta>;
  /** The data's span: [from, to) in ms (first bucket start, last bucket end). */
  readonly from: number;
  readonly to: number;
  /**
   * Start of the range findings report on (ms); points before it are history only: onsets before it
   * are not reported and noise / known issues count only what follows. Default: `from`.
   */
  readonly rangeFrom?: number;
  /** Set when the reader stopped early (a cap): findings then say they saw part of the data. */
  readonly truncated?: boolean;
}

/** A known Calico problem as the report shows it (the advisor's data: src/findings/known-issues.json). */
export interface KnownIssueRef {
  id: string;
  title: string;
  component: string;
  /** Affected versions in words, e.g. `v3.29.0 – v3.29.1`. */
  affected: string;
  /** First release with the fix; null when upstream names none (see `note`). */
  fixed_in: string | null;
  link: string;
  links: string[];
  note: string | null;
  /** How the fingerprint matched: `statement` (source format and level) or `template` (regex fallback). */
  matched_by: 'statement' | 'template';
  /** Nodes by what they run, when the version is known. */
  versions: {
    /** Where the versions came from: container images in the data, `--calico-version`, or nowhere. */
    source: 'image' | 'flag' | 'unknown';
    affected_nodes: string[];
    unaffected_nodes: string[];
    /** node -> version (e.g. `v3.29.1`), for the nodes of the finding whose version is known. */
    by_node: Record<string, string>;
  };
}

export interface SeriesCount {
  /** Step start, ISO. */
  t: string;
  count: number;
}

export interface NodeEvidence {
  node: string;
  lines: number;
  /** Event time of the node's first bucket in the finding (ISO). */
  first: string;
  /** rising / reset-on-restart: the run(s) of growth on this node. */
  runs?: Array<{ start: string; steps: number; first_count: number; last_count: number; slope: number }>;
  /** reset-on-restart: why a drop counts as a restart. */
  restarts?: Array<{
    at: string;
    reason: 'new-pod' | 'gap';
    pod_before: string | null;
    pod_after: string | null;
  }>;
}

export interface FindingEvidence {
  /** Length of one step of `series`, seconds. */
  step_s: number;
  /** Lines per step on the finding's nodes: from before the onset to the data's end (capped, see `series_cut`). */
  series: SeriesCount[];
  /** Steps left out of `series` at its end (kept short for the report). */
  series_cut: number;
  per_node: NodeEvidence[];
  /** Nodes past the per-node cap (their lines are in `lines`). */
  per_node_cut: number;
  /** new: lines in the look-back window before the onset (always 0) and how much data that window had. */
  history_s?: number;
  /** noise: exact counts behind the share. */
  total_lines?: number;
  share_pct?: number;
  sources?: number;
  hours?: number;
}

export interface Finding {
  /** Deterministic: the same finding computed again (another run, another backend) has the same id. */
  id: string;
  kind: FindingKind;
  fingerprint: string;
  category: string;
  template: string;
  component: string;
  /** Event time of the first bucket of the onset (ISO). */
  started_at: string;
  /** End of the last bucket with a line (ISO). */
  last_seen: string;
  /** Sorted node names. */
  nodes: string[];
  /** Lines the finding covers (exact Σ of counts). */
  lines: number;
  known_issue: KnownIssueRef | null;
  /**
   * Other fingerprints with the same kind, onset step, nodes and known issue, merged into this finding
   * (one call site failing in several ways is one finding); `lines` includes theirs.
   */
  related: Array<{ fingerprint: string; template: string; lines: number }>;
  /** What happened, in plain words, with the counts. */
  explanation: string;
  /** A sentence a person can act on. */
  advice: string;
  evidence: FindingEvidence;
}
