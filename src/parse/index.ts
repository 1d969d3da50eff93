/**
 * Public API of the parse stage: units -> LogRecords. Pure (no I/O, no logging, no clock);
 * the only state lives in PartitionAssembler, one per source partition.
 */
export {
  type AssemblerCounters,
  type AssemblerSnapshot,
  PartitionAssembler,
} from './assembler.ts';
export { type Decoded, type DecodeOptions, decodeUnit, utf8Length } from './decode.ts';
export type { BrokenEnvelope, Stream, Unwrapped, UnwrapResult } from './envelopes/index.ts';
export { parseCri, unwrap } from './envelopes/index.ts';
export { type ParsedLine, parseLine, splitFields, type TimeKind } from './formats/index.ts';
export {
  DEFAULT_PARSE_OPTIONS,
  type DeadLetterPolicy,
  FILE_DEAD_LETTER_POLICY,
  KAFKA_DEAD_LETTER_POLICY,
  type ParseOptions,
  resolveParseOptions,
} from './options.ts';
export { isValidZone, parseRfc3339, zoneConverter } from './timestamp.ts';
