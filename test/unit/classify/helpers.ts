/**
 * Test helpers for classify: a LogRecord factory and a small stand-in line parser.
 *
 * `parseLineForTest` exists only because src/parse is being written in parallel; it understands
 * just enough of the corpus layouts (Calico text, BIRD, klog, logrus) to build records. Once
 * src/parse/index.ts exists the golden test should build its records with it instead.
 */
import type { Level, LineFormat, LogRecord } from '../../../src/domain/record.ts';

export interface RecordParts {
  component?: string;
  level?: Level;
  format?: LineFormat;
  message?: string;
  fields?: ReadonlyArray<readonly [string, string]>;
  text?: string;
  originFile?: string | null;
  originLine?: number | null;
  offset?: number;
}

export function makeRecord(p: RecordParts = {}): LogRecord {
  const message = p.message ?? '';
  const fields = p.fields ?? [];
  const text = p.text ?? `${message}${fields.map(([k, v]) => ` ${k}=${v}`).join('')}`;
  const offset = p.offset ?? 0;
  return {
    position: { topic: 'test', partition: 0, offset, timestampMs: 0 },
    units: 1,
    lineNumber: offset + 1,
    lines: 1,
    bytes: text.length,
    wrapper: 'raw',
    format: p.format ?? 'calico',
    parsedTimeMs: null,
    envelopeTimeMs: null,
    level: p.level ?? 'INFO',
    component: p.component ?? 'felix',
    pid: null,
    originFile: p.originFile ?? null,
    originLine: p.originLine ?? null,
    message,
    fields,
    text,
    stream: null,
    kubernetes: {},
    flags: [],
  };
}

const LEVELS: Record<string, Level> = {
  DEBUG: 'DEBUG',
  INFO: 'INFO',
  WARNING: 'WARNING',
  ERROR: 'ERROR',
  FATAL: 'FATAL',
  PANIC: 'PANIC',
};

const RE_CALICO =
  /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \[([A-Z]+)\]\[(\d+)\] ([\w.-]+)\/(\S+) (\d+): (.*)$/s;
const RE_KLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d{6}\s+\d+ ([^:\]]+):(\d+)\] (.*)$/s;
const RE_KEY_AT = / ([A-Za-z_][A-Za-z0-9_]*)=/g;

/** Read a Go-quoted string starting at s[i] === '"'; returns [value, index after the closing quote]. */
function readQuoted(s: string, i: number): [string, number] {
  let out = '';
  let j = i + 1;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '\\' && j + 1 < s.length) {
      const n = s[j + 1]!;
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      j += 2;
      continue;
    }
    if (c === '"') return [out, j + 1];
    out += c;
    j++;
  }
  return [out, j];
}

/**
 * Split `message k=v ...` (Calico logutils: fields appended sorted, upper-case keys first).
 * The message ends at the first ` key=` outside quotes/braces from which the keys are sorted.
 */
export function splitFields(rest: string): { message: string; fields: Array<[string, string]> } {
  // Candidate key positions outside quotes and braces.
  const cands: Array<{ at: number; key: string; valueAt: number }> = [];
  let depth = 0;
  let inQ = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (inQ) {
      if (c === '\\') i++;
      else if (c === '"') inQ = false;
      continue;
    }
    if (c === '"') inQ = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
    else if (c === ' ' && depth === 0) {
      RE_KEY_AT.lastIndex = i;
      const m = RE_KEY_AT.exec(rest);
      if (m !== null && m.index === i) cands.push({ at: i, key: m[1]!, valueAt: i + m[0].length });
    }
  }
  // Earliest candidate from which the remaining keys are in sorted order.
  let start = cands.length;
  for (let s = cands.length - 1; s >= 0; s--) {
    if (s + 1 < cands.length && cands[s]!.key > cands[s + 1]!.key) break;
    start = s;
  }
  if (start >= cands.length) return { message: rest, fields: [] };
  const message = rest.slice(0, cands[start]!.at);
  const fields: Array<[string, string]> = [];
  for (let k = start; k < cands.length; k++) {
    const c = cands[k]!;
    const end = k + 1 < cands.length ? cands[k + 1]!.at : rest.length;
    let v = rest.slice(c.valueAt, end);
    if (v.startsWith('"')) {
      const [q, after] = readQuoted(v, 0);
      if (after >= v.trimEnd().length) v = q;
    }
    fields.push([c.key, v.trimEnd()]);
  }
  return { message, fields };
}

/** Parse one corpus line into a LogRecord (stand-in for src/parse; tests only). */
export function parseLineForTest(line: string, offset = 0): LogRecord {
  const calico = RE_CALICO.exec(line);
  if (calico !== null) {
    const firstLine = calico[6]!.split('\n')[0]!;
    const { message, fields } = splitFields(firstLine);
    return makeRecord({
      format: 'calico',
      level: LEVELS[calico[1]!] ?? 'UNKNOWN',
      component: calico[3]!,
      originFile: calico[4]!,
      originLine: Number(calico[5]),
      message,
      fields,
      text: line,
      offset,
    });
  }
  if (line.startsWith('bird: ') || line.startsWith('bird6: ')) {
    const comp = line.startsWith('bird6') ? 'bird6' : 'bird';
    return makeRecord({
      format: 'bird',
      level: 'UNKNOWN',
      component: comp,
      message: line.slice(comp.length + 2),
      text: line,
      offset,
    });
  }
  const klog = RE_KLOG.exec(line);
  if (klog !== null) {
    const lv: Record<string, Level> = { I: 'INFO', W: 'WARNING', E: 'ERROR', F: 'FATAL' };
    return makeRecord({
      format: 'klog',
      level: lv[klog[1]!] ?? 'UNKNOWN',
      component: 'unknown',
      originFile: klog[2]!,
      originLine: Number(klog[3]),
      message: klog[4]!,
      text: line,
      offset,
    });
  }
  if (line.startsWith('time="')) {
    const fields: Array<[string, string]> = [];
    let i = 0;
    while (i < line.length) {
      const eq = line.indexOf('=', i);
      if (eq < 0) break;
      const key = line.slice(i, eq).trim();
      let v: string;
      let next: number;
      if (line[eq + 1] === '"') [v, next] = readQuoted(line, eq + 1);
      else {
        const sp = line.indexOf(' ', eq);
        next = sp < 0 ? line.length : sp;
        v = line.slice(eq + 1, next);
      }
      fields.push([key, v]);
      i = next + 1;
    }
    const get = (k: string) => fields.find(([fk]) => fk === k)?.[1];
    const lvl = (get('level') ?? '').toUpperCase();
    return makeRecord({
      format: 'logrus',
      level: LEVELS[lvl === 'WARN' ? 'WARNING' : lvl] ?? 'UNKNOWN',
      component: 'unknown',
      message: get('msg') ?? '',
      fields: fields.filter(([k]) => k !== 'time' && k !== 'level' && k !== 'msg'),
      text: line,
      offset,
    });
  }
  return makeRecord({
    format: 'unparsed',
    level: 'UNKNOWN',
    component: 'unknown',
    message: line,
    text: line,
    offset,
  });
}

/** Corpus rows of ../shared/corpus/calico-templates.tsv with the escapes undone. */
export interface CorpusRow {
  readonly row: number;
  readonly component: string;
  readonly level: string;
  readonly sourceRef: string;
  readonly category: string;
  readonly template: string;
  readonly line: string;
}

function unescapeField(s: string): string {
  return s.replace(/\\(\\|t|n)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function parseCorpus(tsv: string): CorpusRow[] {
  const lines = tsv.split('\n').filter((l) => l.length > 0);
  return lines.slice(1).map((l, i) => {
    const c = l.split('\t').map(unescapeField);
    return {
      row: i + 2,
      component: c[0]!,
      level: c[1]!,
      sourceRef: c[2]!,
      category: c[3]!,
      template: c[4]!,
      line: c[5]!,
    };
  });
}
