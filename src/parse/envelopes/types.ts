import type { KubernetesMeta, Wrapper } from '../../domain/record.ts';

export type Stream = 'stdout' | 'stderr';

/** A unit whose wrapper was recognised and removed (`raw` when there was none). */
export interface Unwrapped {
  readonly ok: true;
  /** Outermost wrapper. A Fluent Bit JSON whose `log` is a CRI line reports `fluentbit`. */
  readonly wrapper: Wrapper;
  /** Inner wrapper when the unit was wrapped twice (e.g. `cri` inside `fluentbit`), else null. */
  readonly innerWrapper: Wrapper | null;
  /** The log line(s) without wrapper and without a trailing newline. */
  readonly text: string;
  readonly envelopeTimeMs: number | null;
  readonly stream: Stream | null;
  /** CRI `P` (or a docker json-file 16 KiB split): the line continues in the next unit of the same stream. */
  readonly partial: boolean;
  readonly kubernetes: KubernetesMeta;
  /** What a syslog prefix says that the line may not (absent for every other wrapper). */
  readonly hints?: LineHints;
}

/**
 * A prefix time the line's own time outranks: syslog's is to the second (and `Mmm dd` has no year
 * or zone), a Calico line's to the millisecond. `utc`: an instant; `yearless`: wall clock fields
 * (the assembler picks the year and applies parse.defaultZone, as for klog).
 */
export type PrefixTime =
  | { readonly kind: 'utc'; readonly ms: number }
  | { readonly kind: 'yearless'; readonly month: number; readonly day: number; readonly timeOfDayMs: number };

/**
 * Facts of a syslog / journald header, used only where the line itself is silent: its time when the
 * line has none, the pid, and the tag (`calico-felix`), which names the component of Calico's syslog
 * form (`INFO route_table.go 303: ...`, which prints none).
 */
export interface LineHints {
  readonly time: PrefixTime | null;
  readonly pid: number | null;
  readonly tag: string | null;
}

/** What a text prefix (kubectl, stern, syslog, svlogd) gives: the line without it, and its facts. */
export interface PrefixFields {
  readonly wrapper: 'kubectl' | 'stern' | 'syslog' | 'svlogd';
  readonly text: string;
  /** A zoned prefix time as precise as the runtime's (kubectl --timestamps, svlogd): like CRI's. */
  readonly envelopeTimeMs: number | null;
  readonly kubernetes: KubernetesMeta;
  readonly hints: LineHints | null;
}

/** Looked like a JSON envelope but is not usable: did not parse, or had no message field. */
export interface BrokenEnvelope {
  readonly ok: false;
  readonly reason: 'json-syntax' | 'not-an-object' | 'no-message';
  /** The whole unit text (kept as the record text when the policy keeps broken envelopes). */
  readonly text: string;
}

export type UnwrapResult = Unwrapped | BrokenEnvelope;

/** What one shipper module extracts from a parsed JSON object (null: not this shipper's shape). */
export interface ShipperFields {
  readonly wrapper: Wrapper;
  readonly text: string;
  readonly envelopeTimeMs: number | null;
  readonly stream: Stream | null;
  readonly partial: boolean;
  readonly kubernetes: KubernetesMeta;
}

export type JsonObject = { readonly [k: string]: unknown };
