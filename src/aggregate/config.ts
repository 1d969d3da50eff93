import type { Category } from '../domain/classification.ts';

/** Aggregation settings. Defaults in DEFAULT_AGGREGATE_CONFIG; the config loader fills them from schemas/config.schema.json. */
export interface AggregateConfig {
  /** Pinned classifier ruleset version: part of every fingerprint and every document. */
  readonly rulesetVersion: string;
  /** Summary bucket length per category, ms. */
  readonly bucketMs: Readonly<Record<Category | 'dead-letter', number>>;
  /** Stats bucket length, ms (1 h). */
  readonly statsBucketMs: number;
  /** Parsed event time is plausible within [source ts - pastMs, source ts + futureMs]; else the source ts is used. */
  readonly plausiblePastMs: number;
  readonly plausibleFutureMs: number;
  /** Records whose bucket ended more than lateAfterMs before their source timestamp go to the late bucket of that day. */
  readonly lateAfterMs: number;
  /** Index name prefix: `<prefix>-summaries-YYYY.MM.DD`, `<prefix>-stats-YYYY.MM.DD`. */
  readonly indexPrefix: string;
  readonly caps: {
    /** Distinct values kept per parameter in a summary (rest counted in `other`). */
    readonly topValues: number;
    /** Parameters kept per summary. */
    readonly params: number;
    /** Characters kept of a sample message. */
    readonly sampleChars: number;
    /** Characters kept of a template. */
    readonly templateChars: number;
    /** Clean documents kept in the per-partition cache. */
    readonly cacheDocs: number;
  };
  /**
   * The format string of a statement of the library, by id (Classification.statement), written into
   * summaries beside the id; undefined: the id only.
   */
  readonly statementFormat?: (id: string) => string | undefined;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const DEFAULT_AGGREGATE_CONFIG: AggregateConfig = Object.freeze({
  rulesetVersion: 'unset',
  bucketMs: Object.freeze({
    'tier-exists': HOUR,
    'routine-noise': HOUR,
    'unparsed-format': HOUR,
    'netlink-error': MIN,
    'warning-other': MIN,
    'error-other': MIN,
    panic: MIN,
    'dead-letter': HOUR,
  }),
  statsBucketMs: HOUR,
  plausiblePastMs: 7 * DAY,
  plausibleFutureMs: HOUR,
  lateAfterMs: DAY,
  indexPrefix: 'logsift',
  caps: Object.freeze({
    topValues: 10,
    params: 8,
    sampleChars: 2048,
    templateChars: 2048,
    cacheDocs: 4_000,
  }),
});
