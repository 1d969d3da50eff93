/**
 * Options of the parse stage. Every cap is explicit; the assembler counts when one bites
 * (PartitionAssembler.counters). Pure data: the config module validates and injects it.
 */

/** What to do with a unit that cannot become a normal record. A dead-lettered unit produces no record. */
export interface DeadLetterPolicy {
  /** A unit over `maxUnitBytes`: keep its first `maxUnitBytes` bytes (flag `truncated`) or dead-letter it. */
  readonly oversize: 'truncate' | 'dead-letter';
  /** Mostly non-text bytes: an `unparsed` record flagged `binary`, or a dead letter. */
  readonly binary: 'record' | 'dead-letter';
  /** Starts with `{` but is not a usable JSON envelope: an `unparsed` record flagged `broken-envelope`, or a dead letter. */
  readonly brokenEnvelope: 'record' | 'dead-letter';
  /**
   * An empty (or whitespace-only) unit: an `unparsed` record with empty text, or a dead letter
   * (reason `empty`). An empty raw line inside an open Go panic is always part of the panic.
   */
  readonly empty: 'record' | 'dead-letter';
}

/** File / stdin mode: nothing is dead-lettered except empty lines. */
export const FILE_DEAD_LETTER_POLICY: DeadLetterPolicy = Object.freeze({
  oversize: 'truncate',
  binary: 'record',
  brokenEnvelope: 'record',
  empty: 'dead-letter',
});

/** Kafka mode: bad units go to `<topic>.dlq` (docs/DESIGN.md, dead letters). */
export const KAFKA_DEAD_LETTER_POLICY: DeadLetterPolicy = Object.freeze({
  oversize: 'dead-letter',
  binary: 'dead-letter',
  brokenEnvelope: 'dead-letter',
  empty: 'dead-letter',
});

export interface ParseOptions {
  /**
   * IANA zone (or `UTC`, or a fixed offset `+02:00`) applied to line timestamps printed without a
   * zone (Calico text format, klog). Calico images log in UTC. An unknown zone falls back to UTC;
   * `isValidZone` (src/parse/timestamp.ts) lets the config module reject it at start-up.
   */
  readonly defaultZone: string;
  /** A unit larger than this (bytes as received) is truncated or dead-lettered. */
  readonly maxUnitBytes: number;
  /** A gap in the units' own timestamps larger than this closes an open multi-line group. */
  readonly groupGapMs: number;
  /** Cap on the text lines of one multi-line record (flag `group-capped`). */
  readonly maxGroupLines: number;
  /** Cap on the bytes of one multi-line record, counted as received (flag `group-capped`). */
  readonly maxGroupBytes: number;
  /** A group still open after this many further units were pushed to the assembler is closed. */
  readonly maxOpenUnits: number;
  /** Cap on simultaneously open groups (keys = pod/namespace/container/stream); the oldest is closed. */
  readonly maxOpenKeys: number;
  /** Cap on completed records held back behind an older open group; the oldest group is closed. */
  readonly maxHeldBack: number;
  /** Cap on remembered multi-unit record spans used by `safeCommitOffset`. */
  readonly maxSpanHistory: number;
  readonly deadLetter: DeadLetterPolicy;
}

export const DEFAULT_PARSE_OPTIONS: ParseOptions = Object.freeze({
  defaultZone: 'UTC',
  maxUnitBytes: 65536,
  groupGapMs: 5000,
  maxGroupLines: 1000,
  maxGroupBytes: 65536,
  maxOpenUnits: 10000,
  maxOpenKeys: 4096,
  maxHeldBack: 10000,
  maxSpanHistory: 65536,
  deadLetter: FILE_DEAD_LETTER_POLICY,
});

/** Fills unspecified options from the defaults. `maxGroupBytes` follows `maxUnitBytes` unless given. */
export function resolveParseOptions(partial?: Partial<ParseOptions>): ParseOptions {
  if (!partial) return DEFAULT_PARSE_OPTIONS;
  const maxUnitBytes = partial.maxUnitBytes ?? DEFAULT_PARSE_OPTIONS.maxUnitBytes;
  return Object.freeze({
    ...DEFAULT_PARSE_OPTIONS,
    ...partial,
    maxGroupBytes: partial.maxGroupBytes ?? maxUnitBytes,
    deadLetter: Object.freeze({ ...DEFAULT_PARSE_OPTIONS.deadLetter, ...(partial.deadLetter ?? {}) }),
  });
}
