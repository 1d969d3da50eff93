/**
 * Line formats inside any wrapper. `parseLine` dispatches on the first character so that each
 * line is tried against at most two parsers. Pure, never throws.
 */
import type { LineHints } from '../envelopes/types.ts';
import { parseBird, parseBirdFile } from './bird.ts';
import { parseCalico, parseCalicoSyslog, parseCalicoUntimed, parseDroppedLogs } from './calico.ts';
import { parseGoPanic } from './gopanic.ts';
import { parseKlog } from './klog.ts';
import { parseLogrus } from './logrus.ts';
import { parseLogrusColour } from './logrus-colour.ts';
import type { ParsedLine } from './types.ts';
import { unparsedLine } from './unparsed.ts';
import { parseZap } from './zap.ts';

export { parseCalicoSyslog, splitFields } from './calico.ts';
export { isGoroutineHeader, isPanicContinuation, isPanicStart } from './gopanic.ts';
export { logrusInner } from './logrus.ts';
export type { ParsedLine, TimeKind } from './types.ts';

/** Parses ONE text line (the first line of a record). */
export function parseLine(s: string): ParsedLine {
  const c = s.charCodeAt(0);
  let r: ParsedLine | null = null;
  switch (c) {
    case 48:
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 55:
    case 56:
    case 57:
      r = parseCalico(s) ?? parseBirdFile(s);
      break;
    case 98: // b
      r = parseBird(s);
      break;
    case 73: // I W E F: klog
    case 87:
    case 69:
      r = parseKlog(s);
      break;
    case 70: // F: klog fatal
      r = parseKlog(s);
      break;
    case 116: // t / l: logrus
    case 108:
      r = parseLogrus(s);
      break;
    case 112: // p f g S: Go panics
    case 102:
    case 103:
    case 83:
      r = parseGoPanic(s);
      break;
    case 46: // .
      r = parseDroppedLogs(s);
      break;
    case 123: // {: zap JSON (tigera-operator)
      r = parseZap(s);
      break;
    case 91: // [: a Calico line without its time (`[INFO][1] felix/x.go 1: m`)
      r = parseCalicoUntimed(s);
      break;
    case 27: // ESC, or `^[` as a terminal paste shows it: logrus with colours
    case 94:
      r = parseLogrusColour(s);
      break;
  }
  return r ?? unparsedLine(s);
}

/**
 * One-entry memo of parseLine, for the prefix detector that had to parse a line to accept it
 * (stern): the assembler's parse of the same text then costs a compare. parseLine is a pure
 * function of the string, so the memo never changes a result; it is cleared on every look-up.
 */
let memoText: string | null = null;
let memoParsed: ParsedLine | null = null;

/** parseLine, remembering the answer for the next parseLineOnce of the same text. */
export function parseLineRemembered(s: string): ParsedLine {
  const p = parseLine(s);
  memoText = s;
  memoParsed = p;
  return p;
}

/** parseLine, or the answer parseLineRemembered just gave for this text. */
export function parseLineOnce(s: string): ParsedLine {
  if (memoText !== null) {
    const hit = memoText === s ? memoParsed : null;
    memoText = null;
    memoParsed = null;
    if (hit !== null) return hit;
  }
  return parseLine(s);
}

/**
 * Syslog program names of Calico components (felix/daemon/logging_linux.go and
 * typha/pkg/logging/logutils_linux.go dial syslog with these tags).
 */
const SYSLOG_TAGS: ReadonlyMap<string, string> = new Map([
  ['calico-felix', 'felix'],
  ['calico-typha', 'typha'],
]);

/**
 * What a syslog header adds to the parse of its line: Calico's syslog form (`INFO file.go 12: m`,
 * component from the tag), the pid when the line prints none, the header's time when the line
 * states none. The line's own facts always win.
 */
export function applyHints(p: ParsedLine, line: string, hints: LineHints): ParsedLine {
  let q = p;
  if (q.format === 'unparsed') {
    const s = parseCalicoSyslog(line);
    if (s !== null) q = { ...s, component: hints.tag === null ? null : (SYSLOG_TAGS.get(hints.tag) ?? null) };
  }
  if (q.pid === null && hints.pid !== null) q = { ...q, pid: hints.pid };
  const t = hints.time;
  if (q.timeKind === 'none' && t !== null) {
    q =
      t.kind === 'utc'
        ? { ...q, timeKind: 'utc', timeMs: t.ms }
        : { ...q, timeKind: 'yearless', month: t.month, day: t.day, timeOfDayMs: t.timeOfDayMs };
  }
  return q;
}
