/**
 * tigera-operator's JSON lines: controller-runtime's zap logger in production mode
 * (tigera/operator main.go `zap.New(zap.WriteTo(os.Stdout), zap.UseFlagOptions(&opts))` with
 * `zap.Options{}`; sigs.k8s.io/controller-runtime pkg/log/zap NewRaw: the JSON encoder of
 * go.uber.org/zap NewProductionEncoderConfig, i.e. keys `level` (lower case), `ts`, `logger`,
 * `caller`, `msg`, the logr key/value pairs, `stacktrace` (error level and above)):
 *
 *   {"level":"info","ts":"2024-05-01T10:00:00Z","logger":"controller_installation","msg":"Reconciling Installation.operator.tigera.io","Request.Namespace":"","Request.Name":"default"}
 *
 * `ts` is epoch seconds as a float (zap's EpochTimeEncoder, controller-runtime before v0.15) or an
 * ISO 8601 / RFC 3339 string (its RFC3339TimeEncoder default since). The component is
 * `tigera-operator`: no other Calico binary writes zap JSON. `logger` is kept as the first field
 * (the controller); `caller` gives origin file and line; `stacktrace` stays only in the text.
 */
import type { Level } from '../../domain/record.ts';
import { parseRfc3339 } from '../timestamp.ts';
import type { ParsedLine, TimeKind } from './types.ts';

export const OPERATOR_COMPONENT = 'tigera-operator';

/** zapcore LowercaseLevelEncoder names; logr V(n) levels come out as `Level(-n)`: debug. */
function zapLevel(v: string): Level {
  switch (v) {
    case 'info':
      return 'INFO';
    case 'debug':
      return 'DEBUG';
    case 'warn':
      return 'WARNING';
    case 'error':
      return 'ERROR';
    case 'dpanic':
    case 'panic':
      return 'PANIC';
    case 'fatal':
      return 'FATAL';
    default:
      return v.startsWith('Level(-') ? 'DEBUG' : 'UNKNOWN';
  }
}

const SKIP = new Set(['level', 'ts', 'caller', 'msg', 'stacktrace']);

function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Parses one zap JSON line (`{…}` with string `level` and `msg`), or null. */
export function parseZap(s: string): ParsedLine | null {
  if (s.charCodeAt(s.length - 1) !== 125) return null;
  let o: unknown;
  try {
    o = JSON.parse(s);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const r = o as Record<string, unknown>;
  if (typeof r.level !== 'string' || typeof r.msg !== 'string') return null;
  const fields: Array<readonly [string, string]> = [];
  if (r.logger !== undefined) fields.push(['logger', valueText(r.logger)]);
  for (const k of Object.keys(r)) {
    if (k === 'logger' || SKIP.has(k)) continue;
    fields.push([k, valueText(r[k])]);
  }
  let originFile: string | null = null;
  let originLine: number | null = null;
  if (typeof r.caller === 'string') {
    // ShortCallerEncoder: `installation/core_controller.go:123`.
    const colon = r.caller.lastIndexOf(':');
    const path = colon > 0 ? r.caller.slice(0, colon) : r.caller;
    originFile = path.slice(path.lastIndexOf('/') + 1) || null;
    const ln = colon > 0 ? Number(r.caller.slice(colon + 1)) : Number.NaN;
    originLine = Number.isInteger(ln) ? ln : null;
  }
  let timeKind: TimeKind = 'none';
  let timeMs = 0;
  const ts = r.ts;
  if (typeof ts === 'number' && Number.isFinite(ts) && ts > 0) {
    // Float seconds: round to whole microseconds first so that 1714557600.123 is ...123 ms, not ...122.
    timeKind = 'utc';
    timeMs = Math.floor(Math.round(ts * 1e6) / 1000);
  } else if (typeof ts === 'string') {
    const t = parseRfc3339(ts.trim());
    if (t) {
      timeKind = t.zoned ? 'utc' : 'wall';
      timeMs = t.ms;
    }
  }
  return {
    format: 'zap',
    level: zapLevel(r.level),
    component: OPERATOR_COMPONENT,
    pid: null,
    originFile,
    originLine,
    message: r.msg,
    fields,
    timeKind,
    timeMs,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
  };
}
