/**
 * Loader of test/fixtures/real-lines/lines.tsv: real Calico log lines quoted from public issue
 * threads, hand-labelled by statement (see that directory's README for the columns and the rules).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REAL_LINES_TSV = join(import.meta.dirname, '..', 'test', 'fixtures', 'real-lines', 'lines.tsv');

export const COLUMNS = [
  'id',
  'split',
  'thread',
  'url',
  'wrapper',
  'format',
  'release',
  'component',
  'level',
  'category',
  'group',
  'errno',
  'line',
] as const;

export type Split = 'dev' | 'test';
export type TruthCategory = 'tier-exists' | 'netlink-error' | 'other';

export interface RealLine {
  readonly id: string;
  readonly split: Split;
  readonly thread: string;
  readonly url: string;
  /** Outer form the line had when pasted: raw, journald, kubectl-timestamps, docker-json, ... */
  readonly wrapper: string;
  /** Line format inside the wrapper, read by hand: calico, klog, logrus, json, bird, plain, ... */
  readonly format: string;
  readonly release: string;
  readonly component: string;
  readonly level: string;
  readonly category: TruthCategory;
  readonly group: string;
  readonly errno: string;
  /** The line as pasted; a multi-line record keeps its newlines. */
  readonly line: string;
}

/** `\\`, `\t`, `\n` escapes of the fixture (every field stays on one physical line). */
export function unescapeField(s: string): string {
  return s.replace(/\\([\\tn])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** Parses the TSV text; throws on a malformed header or row (a fixture error is a test failure). */
export function parseRealLines(text: string): RealLine[] {
  const rows = text.split('\n').filter((l) => l.length > 0);
  const header = rows[0]?.split('\t') ?? [];
  if (header.join('\t') !== COLUMNS.join('\t')) {
    throw new Error(`real-lines: unexpected header ${JSON.stringify(header)}`);
  }
  return rows.slice(1).map((row, i) => {
    const f = row.split('\t');
    if (f.length !== COLUMNS.length) {
      throw new Error(`real-lines: row ${i + 2} has ${f.length} fields, expected ${COLUMNS.length}`);
    }
    const v = (k: (typeof COLUMNS)[number]): string => f[COLUMNS.indexOf(k)]!;
    return {
      id: v('id'),
      split: v('split') as Split,
      thread: v('thread'),
      url: v('url'),
      wrapper: v('wrapper'),
      format: v('format'),
      release: v('release'),
      component: v('component'),
      level: v('level'),
      category: v('category') as TruthCategory,
      group: v('group'),
      errno: v('errno'),
      line: unescapeField(v('line')),
    };
  });
}

export function loadRealLines(path = REAL_LINES_TSV): RealLine[] {
  return parseRealLines(readFileSync(path, 'utf8'));
}

/**
 * Formats a Calico component printed (everything but unformatted script output and libbpf's own
 * lines): a line of one of these that comes out `unparsed-format` is a parser gap.
 */
export const CALICO_FORMATS: ReadonlySet<string> = new Set([
  'calico',
  'klog',
  'logrus',
  'logrus-color',
  'json',
  'bird',
  'bird-file',
  'gopanic',
]);
