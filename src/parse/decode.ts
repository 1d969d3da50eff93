/**
 * Bytes (or a string) of one unit -> text, with deterministic facts about the bytes as flags.
 * Pure, never throws.
 */
import { Buffer, isAscii, isUtf8 } from 'node:buffer';
import type { RecordFlag } from '../domain/record.ts';

export interface Decoded {
  text: string;
  /** Bytes of the unit as received (before any truncation). */
  bytes: number;
  flags: readonly RecordFlag[];
  /** True when the unit is larger than `maxUnitBytes` (whatever the policy does with it). */
  oversize: boolean;
  binary: boolean;
}

export interface DecodeOptions {
  /** Units larger than this are cut to this many bytes and flagged `truncated`. Default 65536. */
  readonly maxUnitBytes?: number;
}

const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();
const NO_FLAGS: readonly RecordFlag[] = Object.freeze([]);

/** Bytes inspected by the binary check. */
const BINARY_PROBE = 512;
/** More than this fraction of control characters in the probe means binary. */
const BINARY_CONTROL_RATIO = 0.3;

function isControl(c: number): boolean {
  // Tab, LF, CR and ESC (ANSI colours) are text; DEL and C0 controls are not.
  return (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 127;
}

/** Probe result bits. */
const BINARY = 1;
const ASCII = 2;

/**
 * Scans the first 512 code units / bytes once: binary (NUL, or > 30 % control characters) and
 * whether everything scanned is ASCII (lets short ASCII units skip the UTF-8 work).
 */
function probe(v: Uint8Array | string): number {
  return typeof v === 'string' ? probeText(v) : probeBytes(v);
}

function probeText(v: string): number {
  const n = Math.min(v.length, BINARY_PROBE);
  let ctl = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 32 || c === 127) {
      if (c === 0) return BINARY;
      if (isControl(c)) ctl++;
    } else high |= c;
  }
  return (n > 0 && ctl / n > BINARY_CONTROL_RATIO ? BINARY : 0) | (high < 0x80 ? ASCII : 0);
}

function probeBytes(v: Uint8Array): number {
  const n = Math.min(v.byteLength, BINARY_PROBE);
  let ctl = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    const c = v[i]!;
    if (c < 32 || c === 127) {
      if (c === 0) return BINARY;
      if (isControl(c)) ctl++;
    } else high |= c;
  }
  return (n > 0 && ctl / n > BINARY_CONTROL_RATIO ? BINARY : 0) | (high < 0x80 ? ASCII : 0);
}

/** UTF-8 byte length of a JS string (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Largest cut <= max that does not split a UTF-8 sequence (so truncation alone never flags invalid-utf8). */
function utf8Boundary(b: Uint8Array, max: number): number {
  let cut = max;
  let back = 0;
  while (cut > 0 && back < 3 && (b[cut]! & 0xc0) === 0x80) {
    cut--;
    back++;
  }
  return cut;
}

/** Any character that is not printable ASCII, tab, LF, CR or ESC (control, DEL or non-ASCII). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is text (ANSI colours), see isControl
const NOT_PLAIN = /[^\t\n\r\x1b -~]/;

/**
 * True only when `v[0..n)` (all ASCII) holds no byte < 0x20 and no 0x7f; false means "maybe" (the
 * exact probe decides). Four bytes at a time on aligned words: `(w - 0x20202020) & ~w & 0x80808080`
 * is non-zero iff some byte is < 0x20, the same with `w ^ 0x7f7f7f7f` and 0x01 finds 0x7f.
 */
export function noControlBytes(v: Uint8Array, n: number): boolean {
  const off = v.byteOffset;
  let i = 0;
  while (i < n && ((off + i) & 3) !== 0) {
    const c = v[i]!;
    if (c < 32 || c === 127) return false;
    i++;
  }
  const words = (n - i) >> 2;
  if (words > 0) {
    const u32 = new Uint32Array(v.buffer, off + i, words);
    let acc = 0;
    for (let j = 0; j < words; j++) {
      const w = u32[j]!;
      const y = w ^ 0x7f7f7f7f;
      acc |= ((w - 0x20202020) & ~w) | ((y - 0x01010101) & ~y);
    }
    if ((acc & 0x80808080) !== 0) return false;
    i += words << 2;
  }
  for (; i < n; i++) {
    const c = v[i]!;
    if (c < 32 || c === 127) return false;
  }
  return true;
}

function plain(text: string, bytes: number): Decoded {
  return { text: stripTrailingNewline(text), bytes, flags: NO_FLAGS, oversize: false, binary: false };
}

/** Latin-1 text of bytes (a Buffer is decoded as is: no wrapper allocation). */
function latin1(v: Uint8Array): string {
  return (Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength)).toString('latin1');
}

function stripTrailingNewline(s: string): string {
  let end = s.length;
  if (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  if (end > 0 && s.charCodeAt(end - 1) === 13) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * Decodes one unit. Invalid UTF-8 is replaced with U+FFFD (flag `invalid-utf8`); a unit over
 * `maxUnitBytes` is cut (flag `truncated`); NUL bytes or > 30 % control characters in the first
 * 512 bytes flag `binary`. One trailing `\n` / `\r\n` is stripped.
 */
export function decodeUnit(value: Uint8Array | string, opts: DecodeOptions = {}): Decoded {
  const max = opts.maxUnitBytes ?? 65536;
  // Fastest path: all ASCII within the size cap and no control character where the probe looks
  // (strings: none at all, except tab, CR, LF, ESC) — no probe loop, no UTF-8 work.
  if (typeof value === 'string') {
    if (value.length <= max && !NOT_PLAIN.test(value)) return plain(value, value.length);
  } else if (
    value.byteLength <= max &&
    isAscii(value) &&
    noControlBytes(value, Math.min(value.byteLength, BINARY_PROBE))
  ) {
    // No control byte in the probed prefix: not binary, whatever follows.
    return plain(latin1(value), value.byteLength);
  }
  const pr = probe(value);
  const binary = (pr & BINARY) !== 0;
  // Fast path: a short all-ASCII unit (the common Calico line) needs no UTF-8 work at all.
  if ((pr & ASCII) !== 0 && !binary) {
    if (typeof value === 'string') {
      if (value.length <= BINARY_PROBE && value.length <= max) {
        return {
          text: stripTrailingNewline(value),
          bytes: value.length,
          flags: NO_FLAGS,
          oversize: false,
          binary,
        };
      }
    } else if (value.byteLength <= max && (value.byteLength <= BINARY_PROBE || isAscii(value))) {
      // All ASCII (probed, or checked past the probe by simdutf): latin1 is the same text, no UTF-8 work.
      return {
        text: stripTrailingNewline(latin1(value)),
        bytes: value.byteLength,
        flags: NO_FLAGS,
        oversize: false,
        binary,
      };
    }
  }
  const flags: RecordFlag[] = [];
  let text: string;
  let bytes: number;
  let oversize = false;
  if (typeof value === 'string') {
    bytes = utf8Length(value);
    text = value;
    if (bytes > max) {
      oversize = true;
      const enc = encoder.encode(value);
      text = lenientDecoder.decode(enc.subarray(0, utf8Boundary(enc, max)));
      flags.push('truncated');
    }
    // Lone surrogates cannot be encoded: report them like invalid UTF-8 (none when all ASCII).
    if (bytes !== value.length && hasLoneSurrogate(text)) {
      text = lenientDecoder.decode(encoder.encode(text));
      flags.unshift('invalid-utf8');
    }
  } else {
    bytes = value.byteLength;
    let b = value;
    if (bytes > max) {
      oversize = true;
      b = value.subarray(0, utf8Boundary(value, max));
      flags.push('truncated');
    }
    // isUtf8 is simdutf-backed; Buffer#toString is the fastest decoder in Node.
    text = (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('utf8');
    if (!isUtf8(b)) flags.unshift('invalid-utf8');
  }
  if (binary) flags.push('binary');
  return { text: stripTrailingNewline(text), bytes, flags, oversize, binary };
}

function hasLoneSurrogate(s: string): boolean {
  const wf = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (wf) return !wf.call(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}
