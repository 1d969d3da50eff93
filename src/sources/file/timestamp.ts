/**
 * The file source's unit timestamp (SourcePosition.timestampMs), standing in for Kafka's message
 * timestamp. The rule, a pure function of the input bytes (plus the file's mtime):
 *   1. a cheap scan of the line's first 512 bytes for an ISO-like date-time
 *      (`2025-01-14 09:30:00.137`, `2025-01-14T09:30:00.123456789Z`, with or without a zone;
 *      zone-less means UTC, as Calico images log) — the shipper's envelope time or the Calico time;
 *   2. else the last timestamp found on an earlier line (carried forward: BIRD lines, panic stack
 *      frames and health-table rows inherit their neighbour's time);
 *   3. else (lines before any timestamp) the file's mtime, or for stdin the time the command started.
 * The parser still decides each record's event time; this only anchors plausibility and the
 * multi-line gap rule exactly as a Kafka timestamp would.
 */

const SCAN_BYTES = 512;
// YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm]
const DATE_TIME_RE =
  /(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/;

/** Milliseconds since the epoch of the first date-time in the text, or null. */
export function scanTimestamp(text: string): number | null {
  const m = DATE_TIME_RE.exec(text.length > SCAN_BYTES ? text.slice(0, SCAN_BYTES) : text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    t -= sign * offsetMin * 60_000;
  }
  return Number.isFinite(t) ? t : null;
}

/** Carries the last seen timestamp forward; `fallbackMs` before the first one. */
export class TimestampCarrier {
  #last: number | null = null;
  readonly #fallbackMs: number;

  constructor(fallbackMs: number) {
    this.#fallbackMs = fallbackMs;
  }

  /** `head` is the start of the line (latin1-decoded bytes are enough for ASCII digits). */
  next(head: string): number {
    const found = scanTimestamp(head);
    if (found !== null) this.#last = found;
    return this.#last ?? this.#fallbackMs;
  }
}
