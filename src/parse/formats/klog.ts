/**
 * klog (calico-apiserver, k8s.io/klog/v2): `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, L in
 * IWEF, thread id right-aligned in 7 columns. The year is not printed: the line yields month, day
 * and time of day; the assembler picks the year from the unit's timestamp. klog structured logs
 * (`] "msg" key="value" key2=value`) are split into message + fields.
 */
import type { Level } from '../../domain/record.ts';
import { isQuoted, quotedEnd, unquoteGo } from '../gostring.ts';
import { digits } from '../timestamp.ts';
import type { ParsedLine } from './types.ts';
import { NO_FIELDS } from './types.ts';

function klogLevel(c: number): Level | null {
  switch (c) {
    case 73:
      return 'INFO';
    case 87:
      return 'WARNING';
    case 69:
      return 'ERROR';
    case 70:
      return 'FATAL';
    default:
      return null;
  }
}

export function parseKlog(s: string): ParsedLine | null {
  const level = klogLevel(s.charCodeAt(0));
  if (level === null || s.length < 22) return null;
  const month = digits(s, 1, 2);
  const day = digits(s, 3, 2);
  const h = digits(s, 6, 2);
  const mi = digits(s, 9, 2);
  const sec = digits(s, 12, 2);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    sec < 0 ||
    sec > 60 ||
    s.charCodeAt(5) !== 32 ||
    s.charCodeAt(8) !== 58 ||
    s.charCodeAt(11) !== 58
  ) {
    return null;
  }
  let p = 14;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    p++;
    let scale = 100;
    while (p < s.length) {
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      p++;
    }
    ms = Math.floor(ms);
  }
  if (s.charCodeAt(p) !== 32) return null;
  while (s.charCodeAt(p) === 32) p++;
  let pid = 0;
  const pidStart = p;
  while (p < s.length) {
    const c = s.charCodeAt(p) - 48;
    if (c < 0 || c > 9) break;
    pid = pid * 10 + c;
    p++;
  }
  if (p === pidStart || p - pidStart > 10 || s.charCodeAt(p) !== 32) return null;
  const locStart = p + 1;
  const close = s.indexOf('] ', locStart);
  const closeEnd = close < 0 && s.endsWith(']') ? s.length - 1 : close;
  if (closeEnd < 0) return null;
  const loc = s.slice(locStart, closeEnd);
  const colon = loc.lastIndexOf(':');
  if (colon <= 0 || loc.includes(' ')) return null;
  const lineNo = Number(loc.slice(colon + 1));
  if (!Number.isInteger(lineNo)) return null;
  const body = closeEnd + 2 <= s.length ? s.slice(closeEnd + 2) : '';
  const { message, fields } = splitStructured(body);
  return {
    format: 'klog',
    level,
    component: null,
    pid,
    originFile: loc.slice(0, colon),
    originLine: lineNo,
    message,
    fields,
    timeKind: 'yearless',
    timeMs: 0,
    month,
    day,
    timeOfDayMs: ((h * 60 + mi) * 60 + sec) * 1000 + ms,
  };
}

/** klog structured: `"msg" k="v" k2=v2` (values quoted when strings, else %+v without spaces). */
function splitStructured(body: string): {
  message: string;
  fields: ReadonlyArray<readonly [string, string]>;
} {
  if (body.charCodeAt(0) !== 34) return { message: body, fields: NO_FIELDS };
  const end = quotedEnd(body, 0);
  if (end < 0 || (end < body.length && body.charCodeAt(end) !== 32))
    return { message: body, fields: NO_FIELDS };
  const message = unquoteGo(body, 0, end);
  const fields: Array<readonly [string, string]> = [];
  let p = end;
  while (p < body.length) {
    while (body.charCodeAt(p) === 32) p++;
    if (p >= body.length) break;
    const eq = body.indexOf('=', p);
    if (eq < 0) return { message: body, fields: NO_FIELDS };
    const key = body.slice(p, eq);
    if (key.length === 0 || key.includes(' ')) return { message: body, fields: NO_FIELDS };
    let v = eq + 1;
    let value: string;
    if (body.charCodeAt(v) === 34) {
      const ve = quotedEnd(body, v);
      if (ve < 0 || !isQuoted(body, v, ve)) return { message: body, fields: NO_FIELDS };
      value = unquoteGo(body, v, ve);
      v = ve;
    } else {
      let ve = body.indexOf(' ', v);
      if (ve < 0) ve = body.length;
      value = body.slice(v, ve);
      v = ve;
    }
    fields.push([key, value]);
    p = v;
  }
  return { message, fields };
}
