/** Anything not recognised: still a record (docs/DESIGN.md: nothing is dropped without being counted). */
import type { ParsedLine } from './types.ts';
import { untimed } from './types.ts';

export function unparsedLine(s: string): ParsedLine {
  return untimed('unparsed', 'UNKNOWN', null, s);
}
