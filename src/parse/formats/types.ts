import type { Level, LineFormat } from '../../domain/record.ts';
import type { Located } from './calico.ts';

/**
 * How the line states its time:
 *  - `none`: no timestamp (BIRD, panics, unparsed);
 *  - `utc`: an instant (`timeMs` is UTC ms; logrus `time="...Z"`);
 *  - `wall`: wall clock without zone (`timeMs` = those fields read as if UTC; the caller applies
 *    the configured zone) — Calico text format;
 *  - `yearless`: klog `MMDD hh:mm:ss.uuuuuu` — `month`, `day`, `timeOfDayMs`; the caller picks the
 *    year from the unit's timestamp, then applies the zone.
 */
export type TimeKind = 'none' | 'utc' | 'wall' | 'yearless';

export interface ParsedLine {
  readonly format: LineFormat;
  readonly level: Level;
  /** Component printed in the line (`felix` in `felix/route_table.go`), `bird`, ...; null when the line does not say. */
  readonly component: string | null;
  readonly pid: number | null;
  readonly originFile: string | null;
  readonly originLine: number | null;
  readonly message: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
  readonly timeKind: TimeKind;
  readonly timeMs: number;
  readonly month: number;
  readonly day: number;
  readonly timeOfDayMs: number;
  /** Calico text format: the located part this parse shares with every line of the same text. */
  readonly located?: Located;
}

export const NO_FIELDS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

export function untimed(
  format: ParsedLine['format'],
  level: ParsedLine['level'],
  component: string | null,
  message: string,
): ParsedLine {
  return {
    format,
    level,
    component,
    pid: null,
    originFile: null,
    originLine: null,
    message,
    fields: NO_FIELDS,
    timeKind: 'none',
    timeMs: 0,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
  };
}
