/**
 * BIRD (projectcalico/bird) as run by calico-node: `bird: <message>` / `bird6: <message>` on
 * stderr, no timestamp and no level. The level is UNKNOWN unless the message is clearly an error
 * (deterministic word test below); BIRD's own log classes (TRACE/INFO/WARN/ERR/RMT) are not printed.
 */
import type { Level } from '../../domain/record.ts';
import { digits, wallMs } from '../timestamp.ts';
import type { ParsedLine } from './types.ts';
import { NO_FIELDS, untimed } from './types.ts';

/** Messages BIRD logs at L_ERR / L_WARN for failed kernel / netlink / protocol operations. */
const ERROR_MARKERS = [
  'Netlink: ',
  'Netlink recvmsg: ',
  'Netlink send',
  ' Error: ',
  'error',
  'Error',
  'failed',
  'Failed',
  'Cannot ',
  'cannot ',
];

function birdLevel(msg: string): Level {
  for (const m of ERROR_MARKERS) if (msg.includes(m)) return 'ERROR';
  if (msg.startsWith('Netlink:') || msg.startsWith('KRT: Received route') || msg.startsWith('Error:'))
    return 'ERROR';
  return 'UNKNOWN';
}

export function parseBird(s: string): ParsedLine | null {
  if (s.charCodeAt(0) !== 98 || s.charCodeAt(1) !== 105 || s.charCodeAt(2) !== 114 || s.charCodeAt(3) !== 100)
    return null;
  let component: string;
  let rest: number;
  if (s.startsWith('bird: ')) {
    component = 'bird';
    rest = 6;
  } else if (s.startsWith('bird6: ')) {
    component = 'bird6';
    rest = 7;
  } else return null;
  const message = s.slice(rest);
  return untimed('bird', birdLevel(message), component, message);
}

/**
 * BIRD's own log file or syslog-less stderr when configured with `log stderr all` and a time
 * format (sysdep/unix/log.c log_commit: `<date> <time> <CLASS> <message>`, the classes of
 * lib/birdlib.h: TRACE, DBG, INFO, RMT, WARN, ERR, AUTH, FATAL, BUG), as calico/node v1-v2 and
 * operators who enable BIRD logging to a file print it:
 *   2015-04-16 20:32:47 <WARN> Netlink: File exists
 * No bird/bird6 distinction is printed: component `bird`.
 */
export function parseBirdFile(s: string): ParsedLine | null {
  // `YYYY-MM-DD hh:mm:ss` then optional `.fff`, then ` <CLASS> `
  if (s.length < 24 || s.charCodeAt(10) !== 32 || s.charCodeAt(4) !== 45 || s.charCodeAt(13) !== 58)
    return null;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s.charCodeAt(16) !== 58) return null;
  let p = 19;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
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
    ms = Math.floor(ms);
  }
  if (s.charCodeAt(p) !== 32 || s.charCodeAt(p + 1) !== 60) return null;
  const close = s.indexOf('> ', p + 2);
  if (close < 0 || close - p > 8) return null;
  const level = BIRD_CLASS[s.slice(p + 2, close)];
  if (level === undefined) return null;
  const t = wallMs(y, mo, d, h, mi, sec, ms);
  const bad = Number.isNaN(t);
  return {
    format: 'bird',
    level,
    component: 'bird',
    pid: null,
    originFile: null,
    originLine: null,
    message: s.slice(close + 2),
    fields: NO_FIELDS,
    timeKind: bad ? 'none' : 'wall',
    timeMs: bad ? 0 : t,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
  };
}

const BIRD_CLASS: Readonly<Record<string, Level>> = {
  TRACE: 'DEBUG',
  DBG: 'DEBUG',
  INFO: 'INFO',
  RMT: 'INFO',
  AUTH: 'INFO',
  WARN: 'WARNING',
  ERR: 'ERROR',
  FATAL: 'FATAL',
  BUG: 'ERROR',
};
