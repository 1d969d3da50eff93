/**
 * logrus TextFormatter without colours (calico-apiserver, some helpers):
 * `time="2025-01-14T09:30:04Z" level=info msg="Tier default already exists." func="..." file="/go/src/.../client.go:414" error="..."`.
 * Values are quoted with %q when they need it, else bare. `file` (ReportCaller) gives origin file
 * (base name) and line; all non-standard keys stay in `fields` in printed order.
 *
 * The CNI installer of calico/cni up to v3.22 logged through prometheus/common/log, i.e. logrus
 * text with a `source` field: `time="2021-02-17T10:14:40Z" level=info msg="Running as a Kubernetes
 * pod" source="install.go:140"` (its plain logrus.Info calls print no `source`; their component
 * comes from the container, `install-cni`, in the assembler).
 */
import type { Level } from '../../domain/record.ts';
import { quotedEnd, unquoteGo } from '../gostring.ts';
import { parseRfc3339 } from '../timestamp.ts';
import { parseBird } from './bird.ts';
import { parseCalico } from './calico.ts';
import type { ParsedLine, TimeKind } from './types.ts';

function logrusLevel(v: string): Level {
  switch (v) {
    case 'info':
      return 'INFO';
    case 'debug':
    case 'trace':
      return 'DEBUG';
    case 'warning':
    case 'warn':
      return 'WARNING';
    case 'error':
      return 'ERROR';
    case 'fatal':
      return 'FATAL';
    case 'panic':
      return 'PANIC';
    default:
      return 'UNKNOWN';
  }
}

export function parseLogrus(s: string): ParsedLine | null {
  if (!(s.startsWith('time=') || s.startsWith('level='))) return null;
  let time: string | null = null;
  let level: Level | null = null;
  let message = '';
  const fields: Array<readonly [string, string]> = [];
  let p = 0;
  while (p < s.length) {
    while (s.charCodeAt(p) === 32) p++;
    if (p >= s.length) break;
    const eq = s.indexOf('=', p);
    if (eq < 0) return null;
    const key = s.slice(p, eq);
    if (key.length === 0 || key.includes(' ')) return null;
    let v = eq + 1;
    let value: string;
    if (s.charCodeAt(v) === 34) {
      const ve = quotedEnd(s, v);
      if (ve < 0) return null;
      value = unquoteGo(s, v, ve);
      v = ve;
    } else {
      let ve = s.indexOf(' ', v);
      if (ve < 0) ve = s.length;
      value = s.slice(v, ve);
      v = ve;
    }
    if (key === 'time' && time === null) time = value;
    else if (key === 'level' && level === null) level = logrusLevel(value);
    else if (key === 'msg') message = value;
    else fields.push([key, value]);
    p = v;
  }
  if (level === null) return null;
  let originFile: string | null = null;
  let originLine: number | null = null;
  let component: string | null = null;
  for (const [k, v] of fields) {
    // prometheus/common/log's `source` is the CNI installer's mark: no other Calico binary used
    // that library (v3.22: cni-plugin pkg/install and the IPAM plugin, whose output is not a
    // container log); calico-apiserver's logrus lines carry `file` (ReportCaller) instead.
    if (k === 'source') component = 'cni-installer';
    // `file`: logrus ReportCaller. `source`: prometheus/common/log, which calico/cni's installer
    // used up to v3.22 (`source="install.go:140"`; common/log log.go sourced(): base name:line).
    if (k !== 'file' && !(k === 'source' && originFile === null)) continue;
    const colon = v.lastIndexOf(':');
    const path = colon > 0 ? v.slice(0, colon) : v;
    const ln = colon > 0 ? Number(v.slice(colon + 1)) : Number.NaN;
    originFile = path.slice(path.lastIndexOf('/') + 1) || null;
    originLine = Number.isInteger(ln) ? ln : null;
  }
  let timeKind: TimeKind = 'none';
  let timeMs = 0;
  if (time !== null) {
    const t = parseRfc3339(time);
    if (t) {
      timeKind = t.zoned ? 'utc' : 'wall';
      timeMs = t.ms;
    }
  }
  return {
    format: 'logrus',
    level,
    component,
    pid: null,
    originFile,
    originLine,
    message,
    fields,
    timeKind,
    timeMs,
    month: 0,
    day: 0,
    timeOfDayMs: 0,
  };
}

/**
 * The Calico (or BIRD) line a logrus line carries in `msg` — a wrapper that read the line and
 * logged it again (`time="…" level=info msg="2025-01-14 09:30:04.137 [INFO][1] felix/…"`) — parsed
 * as that line; null when `msg` is not one. The inner line's own time wins; a BIRD line (no time)
 * takes the wrapper's.
 */
export function logrusInner(outer: ParsedLine): ParsedLine | null {
  const m = outer.message;
  const c = m.charCodeAt(0);
  let inner: ParsedLine | null = null;
  if (c >= 48 && c <= 57) inner = parseCalico(m);
  else if (c === 98) inner = parseBird(m);
  if (inner === null) return null;
  if (inner.timeKind !== 'none' || outer.timeKind === 'none') return inner;
  return { ...inner, timeKind: outer.timeKind, timeMs: outer.timeMs };
}
