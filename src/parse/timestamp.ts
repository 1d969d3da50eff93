/**
 * Timestamp helpers. Hand-written digit parsers (no regex, no Date parsing of strings) because
 * they run once per line on the hot path. Zone conversion has a UTC / fixed-offset fast path;
 * IANA zones go through luxon with a small per-hour offset cache (a pure cache: results do not
 * depend on what is cached).
 */
import { IANAZone } from 'luxon';

const C0 = 48;

/** Value of `n` decimal digits at `s[i..i+n)`, or -1 when any of them is not a digit. */
export function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - C0;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Wall-clock fields -> ms "as if UTC", or NaN when out of range. */
export function wallMs(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return Number.NaN;
  // Same value as Date.UTC(y, mo - 1, d, h, mi, s, ms): MakeDate(day, time) = day * msPerDay + time,
  // exact in doubles for these integer fields (4-digit years are far inside TimeClip's range).
  if (!(Number.isInteger(h) && Number.isInteger(mi) && Number.isInteger(s) && Number.isInteger(ms))) {
    return Date.UTC(y, mo - 1, d, h, mi, s, ms);
  }
  return dayMs(y, mo, d) + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/** One-entry cache of the last date: consecutive lines share their day (a pure cache). */
let lastY = Number.NaN;
let lastMo = 0;
let lastD = 0;
let lastDay = 0;

/** Date.UTC(y, mo - 1, d) (including its 0-99 -> 19xx year mapping), cached for the last date. */
function dayMs(y: number, mo: number, d: number): number {
  if (y === lastY && mo === lastMo && d === lastD) return lastDay;
  const v = Date.UTC(y, mo - 1, d);
  lastY = y;
  lastMo = mo;
  lastD = d;
  lastDay = v;
  return v;
}

export interface Rfc3339 {
  /** Milliseconds: UTC instant when `zoned`, else wall clock "as if UTC". */
  ms: number;
  zoned: boolean;
  /** Index just past the timestamp. */
  end: number;
}

/**
 * Parses an RFC 3339 timestamp at `s[i..]`: `2026-01-10T10:00:00.123456789Z`, `+02:00`, `+0200`, no
 * zone, `T` or space separator, 0-9 fraction digits. Returns null when it is not one.
 */
export function parseRfc3339(s: string, i = 0): Rfc3339 | null {
  const y = digits(s, i, 4);
  if (y < 0 || s.charCodeAt(i + 4) !== 45 || s.charCodeAt(i + 7) !== 45) return null;
  const mo = digits(s, i + 5, 2);
  const d = digits(s, i + 8, 2);
  const sep = s.charCodeAt(i + 10);
  if (mo < 0 || d < 0 || (sep !== 84 && sep !== 116 && sep !== 32)) return null;
  const h = digits(s, i + 11, 2);
  const mi = digits(s, i + 14, 2);
  const sec = digits(s, i + 17, 2);
  if (h < 0 || mi < 0 || sec < 0 || s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return null;
  let p = i + 19;
  let ms = 0;
  if (s.charCodeAt(p) === 46 || s.charCodeAt(p) === 44) {
    p++;
    let scale = 100;
    const start = p;
    for (;;) {
      const c = s.charCodeAt(p) - C0;
      if (!(c >= 0 && c <= 9)) break;
      if (scale >= 1) ms += c * scale;
      scale /= 10;
      p++;
    }
    if (p === start) return null;
    ms = Math.floor(ms);
  }
  const base = wallMs(y, mo, d, h, mi, sec, ms);
  if (Number.isNaN(base)) return null;
  const z = s.charCodeAt(p);
  if (z === 90 || z === 122) return { ms: base, zoned: true, end: p + 1 };
  if (z === 43 || z === 45) {
    const oh = digits(s, p + 1, 2);
    if (oh < 0) return null;
    let om = 0;
    let end = p + 3;
    if (s.charCodeAt(end) === 58) {
      om = digits(s, end + 1, 2);
      end += 3;
    } else if (digits(s, end, 2) >= 0) {
      om = digits(s, end, 2);
      end += 2;
    }
    if (om < 0) return null;
    const off = (oh * 60 + om) * 60000;
    return { ms: z === 43 ? base - off : base + off, zoned: true, end };
  }
  return { ms: base, zoned: false, end: p };
}

/** Epoch nanoseconds as a decimal string or number (OTLP `timeUnixNano`) -> ms, or null. */
export function nanosToMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.floor(v / 1e6) : null;
  if (typeof v !== 'string' || v.length === 0 || v.length > 25) return null;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (v.length <= 6) return null; // < 1 ms after the epoch: treat as unset ("0")
  const ms = Number(v.slice(0, v.length - 6));
  return ms > 0 ? ms : null;
}

/** Shipper time fields: RFC 3339 string (zoneless = UTC), or epoch seconds (Fluent Bit `date`). */
export function envelopeTimeToMs(v: unknown): number | null {
  if (typeof v === 'string') {
    const t = parseRfc3339(v.trim());
    return t ? t.ms : null;
  }
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    // Seconds (Fluent Bit `date`), ms or ns: pick by magnitude.
    if (v < 1e11) return Math.floor(v * 1000);
    if (v < 1e14) return Math.floor(v);
    return Math.floor(v / 1e6);
  }
  return null;
}

/** Converts a wall-clock ms ("as if UTC") to a UTC instant in one zone. */
export type ZoneConverter = (wall: number) => number;

const HOUR = 3_600_000;
/** Size of the per-zone offset cache (entries = distinct local hours); cleared when full. */
const ZONE_CACHE_MAX = 4096;

function fixedOffsetMs(zone: string): number | null {
  let z = zone.trim();
  if (z === 'UTC' || z === 'utc' || z === 'Z' || z === 'Etc/UTC' || z === 'GMT' || z === 'Etc/GMT') return 0;
  if (z.startsWith('UTC') || z.startsWith('GMT')) z = z.slice(3);
  const sign = z.charCodeAt(0);
  if (sign !== 43 && sign !== 45) return null;
  const hh = digits(z, 1, 2);
  if (hh < 0) {
    const h1 = digits(z, 1, 1);
    if (h1 < 0 || z.length !== 2) return null;
    return (sign === 43 ? 1 : -1) * h1 * HOUR;
  }
  let mm = 0;
  if (z.length === 6 && z.charCodeAt(3) === 58) mm = digits(z, 4, 2);
  else if (z.length === 5) mm = digits(z, 3, 2);
  else if (z.length !== 3) return null;
  if (mm < 0 || hh > 14 || mm > 59) return null;
  return (sign === 43 ? 1 : -1) * (hh * HOUR + mm * 60000);
}

/** True when `zone` is UTC, a fixed offset, or an IANA zone luxon knows. */
export function isValidZone(zone: string): boolean {
  if (fixedOffsetMs(zone) !== null) return true;
  return IANAZone.isValidZone(zone);
}

const converters = new Map<string, ZoneConverter>();

/** A converter for `zone`; unknown zones fall back to UTC (config validates zones with isValidZone). */
export function zoneConverter(zone: string): ZoneConverter {
  const known = converters.get(zone);
  if (known) return known;
  let conv: ZoneConverter;
  const fixed = fixedOffsetMs(zone);
  if (fixed === 0) conv = (w) => w;
  else if (fixed !== null) conv = (w) => w - fixed;
  else if (IANAZone.isValidZone(zone)) {
    const iana = IANAZone.create(zone);
    const cache = new Map<number, number>();
    const offsetAt = (utc: number): number => iana.offset(utc) * 60000;
    conv = (w) => {
      if (!Number.isFinite(w)) return w;
      const hourKey = Math.floor(w / HOUR);
      let off = cache.get(hourKey);
      if (off === undefined) {
        // Offset computed at the start of the local hour (not at `w`), so the cached value never
        // depends on which line of that hour came first. Two-step guess and correct.
        const w0 = hourKey * HOUR;
        const off1 = offsetAt(w0);
        const off2 = offsetAt(w0 - off1);
        off = off2 === off1 ? off1 : offsetAt(w0 - off2);
        if (cache.size >= ZONE_CACHE_MAX) cache.clear();
        cache.set(hourKey, off);
      }
      return w - off;
    };
  } else conv = (w) => w;
  if (converters.size < 64) converters.set(zone, conv);
  return conv;
}
