/**
 * The record model shared by every stage. Pure types and tiny helpers: no I/O.
 *
 * Units and records. A *unit* is what a source hands us: one Kafka message, or one line of a file.
 * A *record* is one log event after unwrapping and multi-line assembly (a Go panic, the Felix
 * health table, CRI `P`+`F` partial lines). A record spans one or more consecutive units of ONE
 * partition and carries how many (`units`): that is what gets counted, so that
 * "Σ logsift.count == units read" holds exactly (docs/EXACTNESS.md).
 */

/** Calico level words (libcalico-go logutils) plus UNKNOWN for formats without a level (BIRD, unparsed). */
export type Level = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'FATAL' | 'PANIC' | 'UNKNOWN';

/**
 * The line format recognised inside any wrapper. `zap`: the JSON lines of tigera-operator
 * (controller-runtime's zap production encoder).
 */
export type LineFormat = 'calico' | 'bird' | 'klog' | 'logrus' | 'zap' | 'gopanic' | 'unparsed';

/**
 * The outer wrapper the unit arrived in: a shipper envelope, or a text prefix a tool put in front
 * of the line (`kubectl` logs --timestamps / --prefix, `stern`, `syslog` / journalctl, runit's
 * `svlogd` timestamps).
 */
export type Wrapper =
  | 'raw'
  | 'cri'
  | 'docker'
  | 'fluentbit'
  | 'vector'
  | 'filebeat'
  | 'otel'
  | 'kubectl'
  | 'stern'
  | 'syslog'
  | 'svlogd';

/** Where a unit came from. For a file source: topic = file label, partition 0, offset = 0-based line index. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset (or 0-based line index). Numbers are exact up to 2^53, far past any real offset. */
  readonly offset: number;
  /**
   * Kafka message timestamp in ms (CreateTime/LogAppendTime). For a file source: the last event time
   * seen before this line (carried forward), else the file's mtime. Pure function of the input.
   */
  readonly timestampMs: number;
}

/** One raw unit as a source delivers it. `value` is the Kafka message value / line bytes (without newline). */
export interface SourceUnit {
  readonly position: SourcePosition;
  readonly value: Uint8Array | string;
  /** Kafka message key, if any (never used for keys of documents). */
  readonly key?: string | null;
  /**
   * What the source knows of the unit's origin (a kubelet log file's name): merged into the
   * record's `kubernetes`, filling only the fields the envelope left empty (envelope values win).
   */
  readonly meta?: KubernetesMeta;
}

export interface KubernetesMeta {
  node?: string;
  namespace?: string;
  pod?: string;
  container?: string;
  /** Container image as the shipper reports it, e.g. `docker.io/calico/node:v3.29.1`. */
  image?: string;
}

/** Flags are deterministic facts about the bytes of a record. */
export type RecordFlag =
  | 'invalid-utf8' // replaced with U+FFFD
  | 'truncated' // a unit over the size cap, truncated
  | 'binary' // mostly non-text bytes
  | 'broken-envelope' // looked like a JSON envelope but did not parse / had no message field
  | 'cri-partial-unterminated' // CRI P lines closed by a cap, not by an F line
  | 'group-capped' // a multi-line group was closed by the line/byte cap
  | 'time-from-kafka' // no usable parsed time: event time is the Kafka/source timestamp
  | 'time-implausible' // parsed time outside [kafka-7d, kafka+1h]: Kafka timestamp used
  | 'time-from-envelope'; // Calico time had no zone; the envelope's time was used

/** One assembled, parsed log event. Produced by src/parse, consumed by classify and aggregate. */
export interface LogRecord {
  /** Position of the FIRST unit of the record: the skip rule and commit point use this offset. */
  readonly position: SourcePosition;
  /** Number of consecutive source units this record spans (>= 1). The unit of counting. */
  readonly units: number;
  /** 1-based number of the record's first input line (file source) = position.offset + 1. */
  readonly lineNumber: number;
  /** Number of physical text lines in the record (health table, panic: > 1). */
  readonly lines: number;
  /** Bytes of the units as received (wrapper included): "bytes in". */
  readonly bytes: number;

  readonly wrapper: Wrapper;
  readonly format: LineFormat;
  /** Event time in ms since epoch, as parsed (null when the line has none, e.g. BIRD). */
  readonly parsedTimeMs: number | null;
  /** Envelope time (CRI/docker/shipper), if any. */
  readonly envelopeTimeMs: number | null;
  readonly level: Level;
  /** felix, typha, kube-controllers, cni-plugin, ipam, bird, bird6, confd, calico-apiserver, startup, ... 'unknown'. */
  readonly component: string;
  /**
   * false when the line itself does not name its component (`route_table.go 303:` of old releases,
   * klog): `component` is then the container's, or `unknown`, and classify may name the component
   * from the statement that printed the line. Absent means true.
   */
  readonly componentFromLine?: boolean;
  readonly pid: number | null;
  /** Source file and line as printed by Calico (`route_table.go`, 857), or klog's file:line. */
  readonly originFile: string | null;
  readonly originLine: number | null;
  /** Message text without the trailing k=v fields (first line only for multi-line records). */
  readonly message: string;
  /** Structured k=v fields in printed order. Values unquoted (Go-quoted strings decoded). */
  readonly fields: ReadonlyArray<readonly [key: string, value: string]>;
  /** The whole unwrapped text (all lines joined with \n, wrapper removed). Mined for unparsed records. */
  readonly text: string;
  readonly stream: 'stdout' | 'stderr' | null;
  readonly kubernetes: KubernetesMeta;
  readonly flags: readonly RecordFlag[];
  /**
   * Calico text format: the object every record shares whose line has the same text from its
   * location on (parse/formats/calico.ts `Located`); classify() keeps its memo in it. Else undefined.
   */
  readonly located?: { memo: unknown; readonly reused: boolean } | undefined;
}

/** Outcome of turning units into records: records, or a dead-letter decision for a unit. */
export type DeadLetterReason = 'binary' | 'oversize' | 'broken-envelope' | 'empty';

export interface DeadLetter {
  readonly position: SourcePosition;
  readonly reason: DeadLetterReason;
  readonly bytes: number;
  readonly value: Uint8Array | string;
}
