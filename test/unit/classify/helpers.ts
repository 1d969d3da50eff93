/** Test helpers for classify: a LogRecord factory and corpus loading (lines parsed by src/parse). */
import type { Level, LineFormat, LogRecord } from '../../../src/domain/record.ts';
import { parseLine } from '../../../src/parse/index.ts';

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

/**
 * One corpus line → LogRecord through src/parse's `parseLine`, as the assembler does for a
 * single-unit record: the message and fields come from the first physical line, `text` is the
 * whole record (the Felix health table is the only multi-line example).
 */
export function parseLineForTest(line: string, offset = 0): LogRecord {
  const nl = line.indexOf('\n');
  const p = parseLine(nl >= 0 ? line.slice(0, nl) : line);
  return makeRecord({
    format: p.format,
    level: p.level,
    component: p.component ?? 'unknown',
    originFile: p.originFile,
    originLine: p.originLine,
    message: p.message,
    fields: p.fields,
    text: line,
    offset,
  });
}

/** Corpus rows of test/fixtures/calico-templates.tsv with the escapes undone. */
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
