/**
 * The documents calico-logsift writes: exactly what is indexed into Elasticsearch (and written as
 * NDJSON by the file sink). ECS names where ECS has them; project fields under `logsift.*` and
 * `calico.*`. JSON Schemas: schemas/summary.schema.json, schemas/stats.schema.json. Index templates:
 * schemas/elasticsearch/*.json.
 *
 * Every document is a per-partition counter register (docs/EXACTNESS.md):
 * `_id` = hash(topic, partition, key); `logsift.count` counts the partition's records with that key
 * below `logsift.offset_end`.
 */
import type { Category } from './classification.ts';

/** A top-k value counter for one parameter: bounded; values past the cap go to `other`. */
export interface TopValues {
  /** value -> count, at most `caps.topValues` entries. */
  values: Record<string, number>;
  /** Records whose value did not fit in `values`. */
  other: number;
}

/**
 * A summary or dead-letter counter. What users read, once each: one sample message (the first
 * record's text, capped), the template, top parameter values, counts and times. Template v4
 * stopped writing what was duplicated: `logsift.samples` (two more copies of the message),
 * `host.name` (= kubernetes.node.name), `logsift.group` (= component and the Kubernetes fields)
 * and `bucket.end` (= start + length_s). Documents written by earlier releases may still carry
 * them (the optional legacy members below); nothing reads them.
 */
export interface SummaryDoc {
  '@timestamp': string; // bucket start, ISO-8601 UTC
  message: string; // the sample message: the first counted record's whole text, capped
  event: { dataset: string; kind: 'metric' }; // dataset: `calico.<component>`
  log: { level: string; origin?: { file?: { name: string; line?: number } } };
  kubernetes?: { node?: { name: string }; namespace?: string; pod?: { name: string } };
  /** The container, and its image as the shipper reported it (`docker.io/calico/node:v3.29.1`). */
  container?: { name: string; image?: { name: string } };
  calico: { component: string };
  kafka: { topic: string; partition: number };
  logsift: {
    /** Document type discriminator, so summaries and dead-letter counters share one mapping. */
    kind: 'summary' | 'dlq';
    fingerprint: string; // 16 hex, or `dlq:<reason>` for dead-letter counters
    template: string;
    category: Category | 'dead-letter';
    pattern?: string;
    /**
     * The Calico log statement that printed the lines, when one of the statement library matched:
     * its id and its format string (the known-issue advisor matches issues by them).
     */
    statement?: { id: string; format?: string };
    ruleset_version: string;
    count: number; // units (Kafka messages / file lines) counted
    records: number; // assembled records (a 40-line panic in 40 units is 1 record, count 40)
    bytes: number; // bytes in, as received
    offset_first: number; // offset of the first unit counted
    offset_end: number; // offset just past the last unit counted (the skip rule)
    bucket: { start: string; length_s: number; late: boolean /** legacy (v3) */; end?: string };
    first_seen: string; // min event time (ISO)
    last_seen: string; // max event time (ISO)
    /** parameter name -> top values (flattened in Elasticsearch). */
    params: Record<string, TopValues>;
    flags: Record<string, number>; // flag -> count of records carrying it
    writer?: { member: string; attempt: string };
    /** `params` as a nested list, so per-value counts are exact sum aggregations (set at build). */
    param_values?: Array<{ name: string; value: string; count: number }>;
    /** UTF-8 bytes of this document's JSON without this field: "bytes out" (set at build). */
    doc_bytes?: number;
    /** legacy (template v3 and earlier): the first and the last sample message. */
    samples?: { first: string; last: string };
    /** legacy (template v3 and earlier): component|node|namespace|pod. */
    group?: string;
  };
  /** legacy (template v3 and earlier): the node name again. */
  host?: { name: string };
}

export interface StatsDoc {
  '@timestamp': string; // stats bucket start (1 h), ISO-8601 UTC
  event: { dataset: 'logsift.stats'; kind: 'metric' };
  calico: { component: string };
  kafka: { topic: string; partition: number };
  logsift: {
    kind: 'stats';
    ruleset_version: string;
    bucket: { start: string; length_s: number /** legacy (v3) */; end?: string };
    offset_end: number;
    /** Exact, per-record counters (the compare-and-set part). */
    records_in: number; // units in
    bytes_in: number;
    dead_lettered: number;
    by_category: Record<string, number>; // category -> units
    by_level: Record<string, number>;
    late: number; // units counted into a late bucket
    /** Offsets removed from Kafka before they were read (component `retention-gap` only). */
    lost_by_retention?: number;
    /**
     * Computed, not counted (file sink: at the end of the run; Elasticsearch: at query time by the
     * report): summaries written for this component/bucket, their bytes, and the reduction.
     */
    summaries_out?: number;
    bytes_out?: number;
    reduction_ratio?: number; // 1 - summaries_out / records_in
    writer?: { member: string; attempt: string };
    doc_bytes?: number;
  };
}

export type CounterDoc = SummaryDoc | StatsDoc;

/** A document ready to write: target index, deterministic id, body. */
export interface DocEnvelope<D extends CounterDoc = CounterDoc> {
  readonly index: string; // `<prefix>-summaries-YYYY.MM.DD` from the bucket start's UTC date
  readonly id: string;
  readonly doc: D;
}
