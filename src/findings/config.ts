/**
 * Thresholds of the findings (schemas/config.schema.json `findings`, where each key is described).
 * Durations here are milliseconds; src/config turns the schema's duration strings into these.
 * The defaults are chosen so a steady day (routine noise at a constant rate, no new error) gives
 * no finding: every kind needs a sustained change or an outsized share of volume.
 */
import type { Category } from '../domain/classification.ts';

export interface FindingsConfig {
  /** Analysis step; a fingerprint whose documents have longer buckets (1 h routine noise) uses those. */
  readonly stepMs: number;
  /** A fingerprint is "new" when it had no line in this long before its onset. */
  readonly lookbackMs: number;
  /** Data needed before an onset for it to count as one (the start of the data is no onset). */
  readonly minHistoryMs: number;
  readonly new: {
    readonly categories: readonly Category[];
    /** Lines of the episode (onset to the data's end or to a silence of `lookback`). */
    readonly minLines: number;
    /** Steps of the episode with at least one line ("sustained, not one line"). */
    readonly minBuckets: number;
  };
  readonly spread: {
    readonly categories: readonly Category[];
    /** The nodes' onsets fall within this window of the first one. */
    readonly windowMs: number;
    readonly minNodes: number;
    /** Lines a node needs after its onset to count. */
    readonly minLinesPerNode: number;
  };
  readonly rising: {
    /** Consecutive steps of growth. */
    readonly minRun: number;
    /** Last step of the run ≥ this × the first. */
    readonly minGrowth: number;
    /** Lines in the run's last step. */
    readonly minLast: number;
    /** A step may dip this percentage below the one before without ending the run. */
    readonly maxDipPct: number;
  };
  readonly resetOnRestart: {
    /** Zero steps between two rising runs count as a restart when they last this long (or the pod changed). */
    readonly minGapMs: number;
  };
  readonly noise: {
    readonly categories: readonly Category[];
    readonly top: number;
    readonly minSharePct: number;
    /** Lines per source (pod, else node) per hour of data. */
    readonly minPerSourcePerHour: number;
  };
  readonly knownIssues: {
    /** Lines of a matching fingerprint before it is reported. */
    readonly minLines: number;
  };
  /** `logsift run`: how often and over how much recent data findings are computed. */
  readonly service: {
    readonly intervalMs: number;
    readonly windowMs: number;
    /** (fingerprint, node, pod, bucket) points read per run; past it the run is cut and says so. */
    readonly maxPoints: number;
  };
  /** The Calico version running when the data does not say (`--calico-version`), e.g. `v3.29.1`. */
  readonly calicoVersion: string | null;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export const DEFAULT_FINDINGS_CONFIG: FindingsConfig = Object.freeze({
  stepMs: 5 * MIN,
  lookbackMs: 24 * HOUR,
  minHistoryMs: HOUR,
  new: Object.freeze({
    categories: Object.freeze(['netlink-error', 'error-other', 'warning-other', 'panic'] as Category[]),
    minLines: 10,
    minBuckets: 3,
  }),
  spread: Object.freeze({
    categories: Object.freeze(['netlink-error', 'error-other', 'warning-other', 'panic'] as Category[]),
    windowMs: 30 * MIN,
    minNodes: 3,
    minLinesPerNode: 2,
  }),
  rising: Object.freeze({ minRun: 6, minGrowth: 3, minLast: 10, maxDipPct: 20 }),
  resetOnRestart: Object.freeze({ minGapMs: 10 * MIN }),
  noise: Object.freeze({
    categories: Object.freeze(['routine-noise', 'tier-exists'] as Category[]),
    top: 5,
    minSharePct: 5,
    minPerSourcePerHour: 240,
  }),
  knownIssues: Object.freeze({ minLines: 10 }),
  service: Object.freeze({ intervalMs: MIN, windowMs: 6 * HOUR, maxPoints: 200_000 }),
  calicoVersion: null,
});
