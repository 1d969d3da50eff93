/**
 * Line formats inside any wrapper. `parseLine` dispatches on the first character so that each
 * line is tried against at most two parsers. Pure, never throws.
 */
import { parseBird } from './bird.ts';
import { parseCalico, parseDroppedLogs } from './calico.ts';
import { parseGoPanic } from './gopanic.ts';
import { parseKlog } from './klog.ts';
import { parseLogrus } from './logrus.ts';
import type { ParsedLine } from './types.ts';
import { unparsedLine } from './unparsed.ts';

export { splitFields } from './calico.ts';
export { isGoroutineHeader, isPanicContinuation, isPanicStart } from './gopanic.ts';
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
      r = parseCalico(s);
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
  }
  return r ?? unparsedLine(s);
}
