/**
 * Time arguments of `logsift report`: ISO-8601 (`2025-01-14`, `2025-01-14T09:00:00Z`; no zone = UTC),
 * relative to now (`24h`, `7d`, `30m`, `2w`, optionally `now-24h`), or `now`. Pure: `now` is injected.
 */
import type { ReportRange } from './model.ts';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** ms since epoch, or null when the text is not a time. */
export function parseTime(text: string, now: Date): number | null {
  const t = text.trim();
  if (t === 'now') return now.getTime();
  const rel = /^(?:now-)?(\d+)([smhdw])$/.exec(t);
  if (rel) return now.getTime() - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return null;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(t);
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(t);
  const ms = Date.parse(dateOnly ? `${t}T00:00:00Z` : hasZone ? t : `${t}Z`);
  return Number.isNaN(ms) ? null : ms;
}

/** Resolves --from/--to; throws a plain Error with a one-line message on bad input. */
export function resolveRange(from: string | undefined, to: string | undefined, now: Date): ReportRange {
  const one = (name: string, v: string | undefined): string | null => {
    if (v === undefined) return null;
    const ms = parseTime(v, now);
    if (ms === null)
      throw new Error(`--${name}: cannot read ${JSON.stringify(v)} as a time (ISO-8601, 24h, 7d, now)`);
    return new Date(ms).toISOString();
  };
  const range = { from: one('from', from), to: one('to', to) };
  if (range.from !== null && range.to !== null && range.from >= range.to) {
    throw new Error(`--from (${range.from}) must be before --to (${range.to})`);
  }
  return range;
}

export function inRange(t: number, range: ReportRange): boolean {
  return (
    (range.from === null || t >= Date.parse(range.from)) && (range.to === null || t < Date.parse(range.to))
  );
}
