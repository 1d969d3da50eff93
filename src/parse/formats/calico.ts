/**
 * Calico text format, libcalico-go/lib/logutils Formatter (v3.29/v3.30):
 *
 *   2025-01-14 09:31:12.756 [ERROR][63] felix/route_table.go 1097: Error listing routes error=... iface="cali8d6f1d4e0a2"
 *
 * `AppendTime` (UTC wall clock, no zone, always 3 fraction digits), ` [LEVEL][pid] `, optional
 * `component/`, base file name, line (or `<nil> <nil>` when unknown), `: `, the message, then
 * `appendKVsAndNewLine`: fields sorted with sort.Strings (byte order: upper-case first), each
 * ` key=value` where strings are strconv.Quote'd (`*"..."` for *string), errors and Stringers
 * are printed RAW (may contain spaces, quotes, `:` and `=`), everything else with %#v (structs,
 * maps, `0x4` for uint8).
 *
 * Splitting message / fields is done from the right: a candidate ` key=` is a field start only if
 * (1) its key sorts strictly before the key of the field accepted to its right and (2) its value
 * (up to that field) is plausible for the key: a complete Go-quoted string, a %#v dump without
 * top-level spaces (brackets and quotes balanced), or free text for error-like / Stringer keys.
 * Whatever is left on the left is the message. See the golden test over the corpus.
 */

import type { CacheStats } from '../../classify/cache.ts';
import type { Level } from '../../domain/record.ts';
import { isQuoted, quotedEnd, unquoteGo } from '../gostring.ts';
import { digits, wallMs } from '../timestamp.ts';
import type { ParsedLine } from './types.ts';
import { NO_FIELDS, untimed } from './types.ts';

/** Level word at s[from, to) without allocating: DEBUG INFO WARNING ERROR FATAL PANIC (+ WARN, TRACE, CRITICAL). */
function levelAt(s: string, from: number, to: number): Level {
  const n = to - from;
  switch (s.charCodeAt(from)) {
    case 73: // I
      return n === 4 && s.startsWith('INFO', from) ? 'INFO' : 'UNKNOWN';
    case 68: // D
      return n === 5 && s.startsWith('DEBUG', from) ? 'DEBUG' : 'UNKNOWN';
    case 87: // W
      if (n === 7 && s.startsWith('WARNING', from)) return 'WARNING';
      return n === 4 && s.startsWith('WARN', from) ? 'WARNING' : 'UNKNOWN';
    case 69: // E
      return n === 5 && s.startsWith('ERROR', from) ? 'ERROR' : 'UNKNOWN';
    case 70: // F
      return n === 5 && s.startsWith('FATAL', from) ? 'FATAL' : 'UNKNOWN';
    case 80: // P
      return n === 5 && s.startsWith('PANIC', from) ? 'PANIC' : 'UNKNOWN';
    case 84: // T: logrus Trace is below Debug
      return n === 5 && s.startsWith('TRACE', from) ? 'DEBUG' : 'UNKNOWN';
    case 67: // C: Python logging's CRITICAL (the Python Felix of calico/node before v2.0)
      return n === 8 && s.startsWith('CRITICAL', from) ? 'FATAL' : 'UNKNOWN';
    default:
      return 'UNKNOWN';
  }
}

/**
 * Parses one Calico text-format line (first line of a record). Null when the header does not match.
 *
 * Also the header of calico/node's Python Felix (before v2.0; calico/common.py FORMAT_STRING
 * `%(asctime)s [%(levelname)s][%(process)s/%(thread)d] %(name)s %(lineno)d: %(message)s`):
 * `2016-03-30 19:46:40,887 [INFO][82/140243212289792] calico.felix.felix 104: msg` — a comma before
 * the milliseconds, `pid/thread`, and a logger name instead of a file (its component stays unknown).
 */
export function parseCalico(s: string): ParsedLine | null {
  // Fixed-position header: `YYYY-MM-DD hh:mm:ss.mmm [`
  if (s.length < 30 || s.charCodeAt(10) !== 32) return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (
    y < 0 ||
    mo < 0 ||
    d < 0 ||
    h < 0 ||
    mi < 0 ||
    sec < 0 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58
  ) {
    return null;
  }
  let p = 19;
  let ms = 0;
  const sep = s.charCodeAt(p);
  if (sep === 46 || sep === 44) {
    p++;
    let scale = 100;
    const start = p;
    while (p < s.length && p - start < 9) {
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      p++;
    }
    if (p === start) return null;
    ms = Math.floor(ms);
  }
  if (s.charCodeAt(p) !== 32 || s.charCodeAt(p + 1) !== 91) return null;
  const lvEnd = s.indexOf(']', p + 2);
  if (lvEnd < 0 || lvEnd - p > 12) return null;
  const level = levelAt(s, p + 2, lvEnd);
  if (s.charCodeAt(lvEnd + 1) !== 91) return null;
  let q = lvEnd + 2;
  let pid = 0;
  const pidStart = q;
  while (q < s.length) {
    const c = s.charCodeAt(q) - 48;
    if (c < 0 || c > 9) break;
    pid = pid * 10 + c;
    q++;
  }
  if (q === pidStart || q - pidStart > 10) return null;
  if (s.charCodeAt(q) === 47) {
    // Python Felix: `[pid/thread]`.
    const tidStart = ++q;
    while (q < s.length && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
    if (q === tidStart || q - tidStart > 20) return null;
  }
  if (s.charCodeAt(q) !== 93 || s.charCodeAt(q + 1) !== 32) return null;
  const t = wallMs(y, mo, d, h, mi, sec, ms);
  const bad = Number.isNaN(t);
  return parseLocated(s, q + 2, level, pid, bad ? 'none' : 'wall', bad ? 0 : t);
}

/**
 * What the part of a Calico line from its location on says (`felix/route_table.go 1097: message
 * k=v`): a pure function of that text. Shared by every line with the same text (a memo hit), so
 * it is never modified. It also carries the classification memo's slot for these lines (src/classify,
 * classify()), in private fields: memo state, not what the line says, so records compare by what
 * they say.
 */
export class Located {
  readonly component: string | null;
  readonly originFile: string | null;
  readonly originLine: number | null;
  readonly message: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  #memo: unknown = null;
  #reused = false;

  constructor(
    component: string | null,
    originFile: string | null,
    originLine: number | null,
    message: string,
    fields: ReadonlyArray<readonly [string, string]>,
  ) {
    this.component = component;
    this.originFile = originFile;
    this.originLine = originLine;
    this.message = message;
    this.fields = fields;
  }

  /** @internal classify()'s memo for records of this text (level, component, classification). */
  get memo(): unknown {
    return this.#memo;
  }

  set memo(v: unknown) {
    this.#memo = v;
  }

  /**
   * @internal Whether the memo holds this entry (its text was seen before): classify() keeps its
   * memo only then.
   */
  get reused(): boolean {
    return this.#reused;
  }

  /** @internal */
  admit(): void {
    this.#reused = true;
  }
}

/**
 * The located parts of recent lines, by text: a routine statement repeats its text with only the
 * header (time, pid) changing, so the split into message and fields is done once per text.
 * Direct-mapped, two ways per set: a set is picked by a hash of the text's length, first and last
 * 16 characters, and an entry is used only when its text equals the line's (`===`), so a hit is
 * exactly what a miss computes. A text is stored at its second miss (missedHash below), in place
 * of the set's older entry (counted as an eviction). No Map: hashing the whole text for a Map
 * look-up cost more than the split it saved. Texts longer than MAX_LOCATED_KEY are split every time.
 */
export const LOCATED_MEMO_CAP = 4096;
const LOCATED_SETS = LOCATED_MEMO_CAP / 2;
const MAX_LOCATED_KEY = 1024;
const memoKeys: (string | null)[] = new Array(LOCATED_MEMO_CAP).fill(null);
const memoValues: (Located | null)[] = new Array(LOCATED_MEMO_CAP).fill(null);
const memo = { hits: 0, misses: 0, evictions: 0, size: 0 };

export function locatedMemoStats(): CacheStats {
  return { name: 'calico-located', capacity: LOCATED_MEMO_CAP, ...memo };
}

/** A hash of the text s[from..]: its length, first 16 and last 16 characters. */
function locatedHash(s: string, from: number): number {
  const n = s.length - from;
  let h = n;
  const a = Math.min(n, 16);
  for (let i = 0; i < a; i++) h = (Math.imul(h, 31) + s.charCodeAt(from + i)) | 0;
  for (let i = Math.max(n - 16, a); i < n; i++) h = (Math.imul(h, 31) + s.charCodeAt(from + i)) | 0;
  return h ^ (h >>> 15);
}

/**
 * The last hash missed in each set: a text enters the memo on its second miss (or a hash
 * collision's), so the texts of a non-repeating stream, which never come back, do not churn the
 * memo (each entry would live long enough to be promoted, then die in the old generation).
 */
const missedHash = new Int32Array(LOCATED_SETS);

/** The located part of `s` from `locStart` (null: not a Calico location), memoised by its text. */
function locatedAt(s: string, locStart: number): Located | null {
  const text = locStart === 0 ? s : s.slice(locStart);
  if (text.length > MAX_LOCATED_KEY) return located(text);
  const h = locatedHash(s, locStart);
  const set = (Math.imul(h, 0x2c1b3c6d) >>> 17) & (LOCATED_SETS - 1);
  const i = set * 2;
  if (memoKeys[i] === text) {
    memo.hits++;
    return memoValues[i] as Located | null;
  }
  const k1 = memoKeys[i + 1];
  if (k1 === text) {
    // Most recent first: swap the ways.
    memo.hits++;
    const v = memoValues[i + 1] as Located | null;
    memoKeys[i + 1] = memoKeys[i] as string | null;
    memoValues[i + 1] = memoValues[i] as Located | null;
    memoKeys[i] = text;
    memoValues[i] = v;
    return v;
  }
  memo.misses++;
  const v = located(text);
  if (missedHash[set] !== h) {
    missedHash[set] = h;
    return v;
  }
  if (v !== null) v.admit();
  if (k1 !== null) memo.evictions++;
  else memo.size++;
  memoKeys[i + 1] = memoKeys[i] as string | null;
  memoValues[i + 1] = memoValues[i] as Located | null;
  memoKeys[i] = text;
  memoValues[i] = v;
  return v;
}

/**
 * `component/file.go 123: ` or `file.go 123: ` or `<nil> <nil>: ` (caller unknown), then the
 * message and its fields, from the start of `s`. Null when it does not match.
 */
function located(s: string): Located | null {
  const locEnd = s.indexOf(' ');
  if (locEnd <= 0) return null;
  const slash = s.lastIndexOf('/', locEnd - 1);
  let component: string | null = null;
  let fileStart = 0;
  if (slash >= 0) {
    component = slash > 0 ? s.slice(0, slash) : null;
    fileStart = slash + 1;
  }
  const file = s.slice(fileStart, locEnd);
  let r = locEnd + 1;
  let line: number | null = 0;
  const lineStart = r;
  while (r < s.length) {
    const c = s.charCodeAt(r) - 48;
    if (c < 0 || c > 9) break;
    line = line * 10 + c;
    r++;
  }
  if (r === lineStart) {
    if (!s.startsWith('<nil>', r)) return null;
    r += 5;
    line = null;
  } else if (r - lineStart > 9) return null;
  if (s.charCodeAt(r) !== 58) return null;
  const bodyStart = s.charCodeAt(r + 1) === 32 ? r + 2 : r + 1;
  const body = bodyStart >= s.length ? '' : s.slice(bodyStart);
  const split = splitFields(body);
  return new Located(component, file === '<nil>' ? null : file, line, split.message, split.fields);
}

/** A Calico line's parse: the header's level, pid and time around the located part at `locStart`. */
function parseLocated(
  s: string,
  locStart: number,
  level: Level,
  pid: number | null,
  timeKind: 'wall' | 'none',
  timeMs: number,
): ParsedLine | null {
  const loc = locatedAt(s, locStart);
  if (loc === null) return null;
  return {
    format: 'calico',
    level,
    component: loc.component,
    pid,
    originFile: loc.originFile,
    originLine: loc.originLine,
    message: loc.message,
    fields: loc.fields,
    timeKind,
    timeMs,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
    located: loc,
  };
}

/**
 * The syslog form of the Calico format, libcalico-go logutils FormatForSyslog (felix and typha
 * with LogSeverityScreen/`syslog` destinations): `INFO endpoint_mgr.go 434: message k=v`. No
 * time, pid or component: the syslog header carries them (parse/envelopes/prefix.ts). Only tried
 * on text that came with a syslog header, since `INFO x 1: y` is not distinctive on its own.
 */
export function parseCalicoSyslog(s: string): ParsedLine | null {
  const sp = s.indexOf(' ');
  if (sp < 4 || sp > 8) return null;
  const level = levelAt(s, 0, sp);
  if (level === 'UNKNOWN') return null;
  return parseLocated(s, sp + 1, level, null, 'none', 0);
}

/**
 * A Calico line whose time was cut off: `[ERROR][392] felix/daemon.go 411: message k=v`. Shippers
 * whose regex parser lifts the leading time into a field of its own (a Fluent Bit `regex` parser
 * with `(?<time>[^ ]+ [^ ]+) (?<log>.*)`) deliver this, and so do people who paste lines. The
 * level must be one of Calico's and the pid digits, so ordinary bracketed text does not match; the
 * time then comes from the envelope.
 */
export function parseCalicoUntimed(s: string): ParsedLine | null {
  const lvEnd = s.indexOf(']', 1);
  if (lvEnd < 5 || lvEnd > 10 || s.charCodeAt(lvEnd + 1) !== 91) return null;
  const level = levelAt(s, 1, lvEnd);
  if (level === 'UNKNOWN') return null;
  let q = lvEnd + 2;
  let pid = 0;
  const pidStart = q;
  while (q < s.length) {
    const c = s.charCodeAt(q) - 48;
    if (c < 0 || c > 9) break;
    pid = pid * 10 + c;
    q++;
  }
  if (q === pidStart || q - pidStart > 10 || s.charCodeAt(q) !== 93 || s.charCodeAt(q + 1) !== 32)
    return null;
  return parseLocated(s, q + 2, level, pid, 'none', 0);
}

/** `... dropped 214 logs ...`: written by logutils' Destination when its queue overflowed. */
export function parseDroppedLogs(s: string): ParsedLine | null {
  if (!s.startsWith('... dropped ') || !s.endsWith(' logs ...')) return null;
  return untimed('calico', 'UNKNOWN', null, s);
}

// ---------------------------------------------------------------------------------------------
// Message / field splitting

const FREE_KEYS = ['msg', 'reason', 'cause', 'output', 'update'];

/**
 * Keys at [k, e) whose values are errors or free-form Stringers: printed raw, may contain
 * spaces. Any key containing "err" (error, err, errors, currentErr, stderr, ...), plus a few
 * Stringer-valued keys.
 */
function isFreeKey(s: string, k: number, e: number): boolean {
  for (let i = k; i + 2 < e; i++) {
    if (
      (s.charCodeAt(i) | 32) === 101 &&
      (s.charCodeAt(i + 1) | 32) === 114 &&
      (s.charCodeAt(i + 2) | 32) === 114
    ) {
      return true;
    }
  }
  const n = e - k;
  for (const f of FREE_KEYS) if (f.length === n && s.startsWith(f, k)) return true;
  return false;
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45
  );
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/**
 * A %#v dump, number, bare word...: no space outside brackets / quoted strings, brackets
 * balanced, no backslash outside quotes.
 */
function isStructured(s: string, from: number, to: number): boolean {
  let depth = 0;
  for (let p = from; p < to; p++) {
    const c = s.charCodeAt(p);
    if (c === 34) {
      const e = quotedEnd(s, p, to);
      if (e < 0) return false;
      p = e - 1;
    } else if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (--depth < 0) return false;
    } else if (c === 32) {
      if (depth === 0) return false;
    } else if (c === 92) return false;
  }
  return depth === 0;
}

/** Unescaped `"` count is odd and the value ends with `"`: the value is the tail of a quoted string. */
function endsInsideQuote(s: string, from: number, to: number): boolean {
  if (to <= from || s.charCodeAt(to - 1) !== 34) return false;
  let n = 0;
  for (let p = from; p < to; p++) {
    const c = s.charCodeAt(p);
    if (c === 92) p++;
    else if (c === 34) n++;
  }
  return (n & 1) === 1;
}

/**
 * Stringer output with spaces that is still clearly one value: protobuf text (`node:"x" mac:"y"`,
 * felix's proto messages) or Go time.Time (`2025-01-14 09:30:00.137 +0000 UTC`).
 */
function isFreeTextValue(s: string, from: number, to: number): boolean {
  if (
    to - from >= 19 &&
    digits(s, from, 4) >= 0 &&
    s.charCodeAt(from + 4) === 45 &&
    s.charCodeAt(from + 10) === 32
  ) {
    return s.charCodeAt(from + 13) === 58;
  }
  // protobuf text: ident ':' at the start and ' ident:' again later.
  let p = from;
  if (p >= to || !isIdentStart(s.charCodeAt(p))) return false;
  while (p < to && (isIdentStart(s.charCodeAt(p)) || (s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57))) p++;
  if (p >= to || s.charCodeAt(p) !== 58) return false;
  for (let sp = s.indexOf(' ', p); sp >= 0 && sp < to - 2; sp = s.indexOf(' ', sp + 1)) {
    let k = sp + 1;
    if (!isIdentStart(s.charCodeAt(k))) continue;
    while (k < to && (isIdentStart(s.charCodeAt(k)) || (s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57))) k++;
    if (k < to && s.charCodeAt(k) === 58) return true;
  }
  return false;
}

/** Only the rightmost candidates are considered (bounds the work on pathological lines). */
const MAX_CANDIDATES = 64;

export interface SplitResult {
  readonly message: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

/** Key at [k1,e1) sorts strictly before key at [k2,e2) (byte order, like Go's sort.Strings). */
function keyLess(s: string, k1: number, e1: number, k2: number, e2: number): boolean {
  const n1 = e1 - k1;
  const n2 = e2 - k2;
  const n = Math.min(n1, n2);
  for (let i = 0; i < n; i++) {
    const a = s.charCodeAt(k1 + i);
    const b = s.charCodeAt(k2 + i);
    if (a !== b) return a < b;
  }
  return n1 < n2;
}

// Scratch buffers (a ring of the last MAX_CANDIDATES candidates). Safe: parsing is synchronous.
const candK = new Int32Array(MAX_CANDIDATES);
const candE = new Int32Array(MAX_CANDIDATES);
const accepted = new Int32Array(MAX_CANDIDATES);

/** Splits `message k=v k=v` as printed by appendKVsAndNewLine. Exported for tests. */
export function splitFields(body: string): SplitResult {
  let eq = body.indexOf('=');
  if (eq < 0) return { message: body, fields: NO_FIELDS };
  // Candidate field starts: ` key=` with key = [A-Za-z_][A-Za-z0-9_.-]*, kept in a ring.
  let total = 0;
  while (eq >= 0) {
    let k = eq;
    while (k > 0 && isKeyChar(body.charCodeAt(k - 1))) k--;
    if (k < eq && k > 0 && body.charCodeAt(k - 1) === 32 && isIdentStart(body.charCodeAt(k))) {
      const slot = total % MAX_CANDIDATES;
      candK[slot] = k;
      candE[slot] = eq;
      total++;
    }
    eq = body.indexOf('=', eq + 1);
  }
  if (total === 0) return { message: body, fields: NO_FIELDS };
  const count = Math.min(total, MAX_CANDIDATES);
  const base = total - count;
  // Right-to-left acceptance.
  let nAcc = 0;
  let fieldEnd = body.length;
  let nk = -1; // key [nk, ne) of the field accepted to the right
  let ne = -1;
  for (let j = count - 1; j >= 0; j--) {
    const slot = (base + j) % MAX_CANDIDATES;
    const k = candK[slot]!;
    const e = candE[slot]!;
    if (e >= fieldEnd) continue;
    if (nk >= 0 && !keyLess(body, k, e, nk, ne)) continue;
    const vs = e + 1;
    let ok: boolean;
    if (isFreeKey(body, k, e)) ok = !endsInsideQuote(body, vs, fieldEnd);
    else ok = isStructured(body, vs, fieldEnd) || isFreeTextValue(body, vs, fieldEnd);
    if (!ok) continue;
    accepted[nAcc++] = slot;
    fieldEnd = k - 1;
    nk = k;
    ne = e;
  }
  if (nAcc === 0) return { message: body, fields: NO_FIELDS };
  // A message ending with `,` or `:` right before simple `k=v` pairs is printf text
  // (`readiness changed, ready=true`, `status changed: live=true ready=true`): fold them back.
  let first = nAcc - 1;
  let folding = false;
  while (first >= 0) {
    const slot = accepted[first]!;
    const k = candK[slot]!;
    const e = candE[slot]!;
    const before = k >= 2 ? body.charCodeAt(k - 2) : 0;
    if (!(folding || before === 44 || before === 58)) break;
    if (isFreeKey(body, k, e) || body.charCodeAt(e + 1) === 34) break;
    folding = true;
    first--;
  }
  if (first < 0) return { message: body, fields: NO_FIELDS };
  const fields: Array<readonly [string, string]> = new Array(first + 1);
  for (let j = first; j >= 0; j--) {
    const slot = accepted[j]!;
    const k = candK[slot]!;
    const e = candE[slot]!;
    const end = j === 0 ? body.length : candK[accepted[j - 1]!]! - 1;
    fields[first - j] = [body.slice(k, e), decodeValue(body, e + 1, end)];
  }
  return { message: body.slice(0, candK[accepted[first]!]! - 1), fields };
}

function decodeValue(s: string, from: number, to: number): string {
  const c = s.charCodeAt(from);
  if (c === 34 && isQuoted(s, from, to)) return unquoteGo(s, from, to);
  if (c === 42 && s.charCodeAt(from + 1) === 34 && isQuoted(s, from + 1, to))
    return unquoteGo(s, from + 1, to);
  return s.slice(from, to);
}
