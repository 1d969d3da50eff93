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
