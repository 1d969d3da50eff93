/**
 * logrus TextFormatter with colours, what a logrus program prints on a terminal or when
 * ForceColors is set (sirupsen/logrus text_formatter.go printColored):
 *
 *   ESC[31mERRO ESC[0m[0000] Error creating veth: failed to add route file exists  ESC[31mWorkload ESC[0m=pod-1
 *
 * (no spaces around the escapes in the real text). The level is four upper-case letters, `[0000]`
 * the seconds since the program started (or the full time with FullTimestamp), the message padded
 * to 44 columns, then each field as ` ESC[<colour>m<key>ESC[0m=<value>`: the escapes mark where a
 * key starts, so message and fields split without guessing. Lines pasted from a terminal show ESC
 * as `^[`; both spellings are read. Calico's CNI plugin printed this way before v3.0.
 */
import type { Level } from '../../domain/record.ts';
import { isQuoted, unquoteGo } from '../gostring.ts';
import { parseRfc3339 } from '../timestamp.ts';
import type { ParsedLine, TimeKind } from './types.ts';

const ESC = '\u001b';

function colourLevel(s: string, i: number): Level | null {
  switch (s.slice(i, i + 4)) {
    case 'INFO':
      return 'INFO';
    case 'DEBU':
    case 'TRAC':
      return 'DEBUG';
    case 'WARN':
      return 'WARNING';
    case 'ERRO':
      return 'ERROR';
    case 'FATA':
      return 'FATAL';
    case 'PANI':
      return 'PANIC';
    default:
      return null;
  }
}

/** End of an SGR sequence `ESC[<digits;>m` starting at i, or -1. */
function sgrEnd(s: string, i: number): number {
  if (s.charCodeAt(i) !== 27 || s.charCodeAt(i + 1) !== 91) return -1;
  let j = i + 2;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (!((c >= 48 && c <= 57) || c === 59)) break;
    j++;
  }
  return s.charCodeAt(j) === 109 ? j + 1 : -1;
}

/** The next ` ESC[..m<key>ESC[0m=` at or after `from`: [its start, key start, key end, value start]. */
function nextKey(s: string, from: number): readonly [number, number, number, number] | null {
  for (let i = s.indexOf(` ${ESC}[`, from); i >= 0; i = s.indexOf(` ${ESC}[`, i + 1)) {
    const k = sgrEnd(s, i + 1);
    if (k < 0) continue;
    let e = k;
    while (e < s.length && e - k <= 64) {
      const c = s.charCodeAt(e);
      if (c === 27 || c === 32 || c === 61) break;
      e++;
    }
    if (e > k && s.startsWith(`${ESC}[0m=`, e)) return [i, k, e, e + 5];
  }
  return null;
}

export function parseLogrusColour(raw: string): ParsedLine | null {
  const s = raw.startsWith('^[[') ? raw.replaceAll('^[[', `${ESC}[`) : raw;
  const a = sgrEnd(s, 0);
  if (a < 0) return null;
  const level = colourLevel(s, a);
  if (level === null || !s.startsWith(`${ESC}[0m[`, a + 4)) return null;
  const tStart = a + 4 + 5;
  const tEnd = s.indexOf(']', tStart);
  if (tEnd < 0 || tEnd - tStart > 40) return null;
  let timeKind: TimeKind = 'none';
  let timeMs = 0;
  if (tEnd - tStart > 10) {
    const t = parseRfc3339(s, tStart);
    if (t === null) return null;
    timeKind = t.zoned ? 'utc' : 'wall';
    timeMs = t.ms;
  } else {
    for (let i = tStart; i < tEnd; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return null;
    }
  }
  const msgStart = s.charCodeAt(tEnd + 1) === 32 ? tEnd + 2 : tEnd + 1;
  let key = nextKey(s, msgStart - 1);
  const message = s.slice(msgStart, key === null ? s.length : key[0]).trimEnd();
  const fields: Array<readonly [string, string]> = [];
  while (key !== null) {
    const next = nextKey(s, key[3]);
    const vEnd = next === null ? s.length : next[0];
    const v = s.slice(key[3], vEnd).trimEnd();
    fields.push([s.slice(key[1], key[2]), isQuoted(v, 0, v.length) ? unquoteGo(v, 0, v.length) : v]);
    key = next;
  }
  return {
    format: 'logrus',
    level,
    component: null,
    pid: null,
    originFile: null,
    originLine: null,
    message,
    fields,
    timeKind,
    timeMs,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
  };
}
