/**
 * Golden test: every example line of the Calico corpus parsed, pinned as
 * (row -> format, component, level, pid, file, line, message, field keys, lines) in
 * parse-corpus.json. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run --project unit test/golden/parse-corpus.test.ts` and review the diff.
 *
 * Independently of the pins, each row is checked against its template: the parsed message must
 * match the template's message (placeholders as wildcards) and the field keys must be the
 * template's keys in the same order.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/domain/record.ts';
import { PartitionAssembler } from '../../src/parse/index.ts';
import { type CorpusRow, loadCorpus, unit } from '../unit/parse/helpers.ts';

const GOLDEN = join(import.meta.dirname, 'parse-corpus.json');

/**
 * Rows whose template has `k=v` text that is part of the printf MESSAGE, not logrus fields
 * (checked against the Calico source at the row's source_ref).
 */
const MESSAGE_ONLY_TEMPLATES = new Map<number, string>([
  [145, 'felix summary.go: Infof("Summarising %d ... avg=%v longest=%v (%v)")'],
  [147, 'felix health.go: Infof("Overall health status changed: live=%v ready=%v\\n%v")'],
  [192, 'confd client.go: Infof("Source %v readiness changed, ready=%v")'],
]);

/** Rows where the line itself cannot tell what the corpus says (documented gaps). */
const KNOWN_COMPONENT_GAPS = new Map<number, { expected: string; why: string }>([
  [
    275,
    { expected: 'bird', why: 'bird6 row, but the rendered line prints "bird: " (BIRD prints its own name)' },
  ],
  [279, { expected: 'unknown', why: '"... dropped N logs ..." is written by logutils without any header' }],
]);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Template text -> anchored regex; `<PLACEHOLDER>` (optionally followed by `...`) matches anything. */
function templateRe(t: string): RegExp {
  const parts = t.split(/<[^<>\s]*>(?:\.\.\.)?/);
  return new RegExp(`^${parts.map(escapeRe).join('[\\s\\S]*?')}$`);
}

/** Template -> (message, keys): ` key=` candidates outside quotes/brackets, longest sorted suffix. */
function templateSplit(row: number, t: string): { message: string; keys: string[] } {
  const first = t.split('\n')[0]!;
  if (MESSAGE_ONLY_TEMPLATES.has(row)) return { message: first, keys: [] };
  const cands: Array<{ at: number; key: string }> = [];
  let depth = 0;
  let inQ = false;
  for (let i = 0; i < first.length; i++) {
    const c = first[i]!;
    if (inQ) {
      if (c === '\\') i++;
      else if (c === '"') inQ = false;
      continue;
    }
    if (c === '"') inQ = true;
    else if ('([{<'.includes(c)) depth++;
    else if (')]}>'.includes(c)) depth = Math.max(0, depth - 1);
    else if (c === ' ' && depth === 0) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.slice(i + 1));
      if (m) cands.push({ at: i, key: m[1]! });
    }
  }
  const keys: string[] = [];
  let cut = first.length;
  for (let j = cands.length - 1; j >= 0; j--) {
    const c = cands[j]!;
    if (keys.length > 0 && !(c.key < keys[0]!)) break;
    keys.unshift(c.key);
    cut = c.at;
  }
  return { message: first.slice(0, cut), keys };
}

interface GoldenRow {
  readonly row: number;
  readonly format: string;
  readonly component: string;
  readonly level: string;
  readonly pid: number | null;
  readonly file: string | null;
  readonly line: number | null;
  readonly message: string;
  readonly keys: string[];
  readonly lines: number;
}

const rows = loadCorpus();

function parseRow(r: CorpusRow): LogRecord[] {
  const a = new PartitionAssembler();
  // One unit per row, even for the multi-line health table.
  a.push(unit(0, r.line));
  a.flush();
  return a.drain().records;
}

const results = rows.map((r) => ({ r, recs: parseRow(r) }));

describe('parse over the Calico corpus', () => {
  it('has all 278 rows, each one record', () => {
    expect(rows.length).toBe(278);
    for (const { r, recs } of results) expect(recs.length, `row ${r.row}`).toBe(1);
  });

  it('Calico-format rows: header fields, message and keys agree with the template', () => {
    const bad: string[] = [];
    let checked = 0;
    for (const { r, recs } of results) {
      const rec = recs[0]!;
      const hdr = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[([A-Z]+)\]\[(\d+)\] ([\w-]+)\/(\S+) (\d+): /.exec(
        r.line,
      );
      if (!hdr) continue;
      checked++;
      const expectComp = r.component.split('/').pop()!;
      const { message, keys } = templateSplit(r.row, r.template);
      const problems: string[] = [];
      if (rec.format !== 'calico') problems.push(`format ${rec.format}`);
      if (rec.component !== expectComp) problems.push(`component ${rec.component} != ${expectComp}`);
      if (rec.level !== r.level) problems.push(`level ${rec.level} != ${r.level}`);
      if (rec.pid !== Number(hdr[2])) problems.push(`pid ${rec.pid}`);
      if (rec.originFile !== hdr[4]) problems.push(`file ${rec.originFile}`);
      if (rec.originLine !== Number(hdr[5])) problems.push(`line ${rec.originLine}`);
      if (!templateRe(message).test(rec.message))
        problems.push(`message ${JSON.stringify(rec.message)} !~ ${JSON.stringify(message)}`);
      const got = rec.fields.map((f) => f[0]);
      if (got.join(',') !== keys.join(',')) problems.push(`keys [${got}] != [${keys}]`);
      if (problems.length > 0) bad.push(`row ${r.row}: ${problems.join('; ')}`);
    }
    expect(bad).toEqual([]);
    expect(checked).toBe(256);
  });

  it('Calico-format rows parse their wall-clock time as UTC by default', () => {
    for (const { r, recs } of results) {
      const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(r.line);
      if (!m) continue;
      const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      expect(recs[0]!.parsedTimeMs, `row ${r.row}`).toBe(Date.UTC(y, mo - 1, d, h, mi, s, ms));
    }
  });

  it('the health table (health.go 336) is one record of 8 lines', () => {
    const { recs } = results.find(({ r }) => r.sourceRef.includes('health.go:336'))!;
    expect(recs[0]!.lines).toBe(8);
    expect(recs[0]!.units).toBe(1);
    expect(recs[0]!.message).toBe('Overall health status changed: live=true ready=true');
  });

  it('BIRD rows: format bird, message after the prefix', () => {
    for (const { r, recs } of results) {
      if (!r.line.startsWith('bird')) continue;
      const rec = recs[0]!;
      expect(rec.format).toBe('bird');
      expect(rec.component).toBe(KNOWN_COMPONENT_GAPS.get(r.row)?.expected ?? r.component);
      expect(rec.message).toBe(r.line.slice(r.line.indexOf(': ') + 2));
      expect(templateRe(r.template.replace(/^bird: /, '')).test(rec.message), `row ${r.row}`).toBe(true);
      expect(rec.parsedTimeMs).toBeNull();
    }
  });

  it('calico-apiserver rows: klog and logrus', () => {
    const api = results.filter(({ r }) => r.component === 'calico-apiserver');
    expect(api.length).toBe(3);
    for (const { r, recs } of api) {
      const rec = recs[0]!;
      // klog and logrus lines print no component: the parser says so, and classify names it from
      // the statement or source file (classifyRecord).
      expect(rec.component).toBe('unknown');
      expect(rec.componentFromLine).toBe(false);
      expect(rec.level).toBe(r.level);
      if (r.line.startsWith('time=')) {
        expect(rec.format).toBe('logrus');
        expect(rec.message).toBe('Tier default already exists.');
        expect(rec.fields.map((f) => f[0])).toEqual(['func', 'file', 'error']);
        expect(rec.originFile).toBe('client.go');
        expect(rec.originLine).toBe(414);
        expect(rec.parsedTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
      } else {
        expect(rec.format).toBe('klog');
        expect(rec.originFile).toBe('run_server.go');
        expect(rec.pid).toBe(1);
        expect(rec.message).toBe(r.line.slice(r.line.indexOf('] ') + 2));
        // Year taken from the unit timestamp (2025-01-14).
        expect(new Date(rec.parsedTimeMs!).getUTCFullYear()).toBe(2025);
      }
    }
  });

  it('documented component gaps stay as documented', () => {
    for (const [row, gap] of KNOWN_COMPONENT_GAPS) {
      const found = results.find(({ r }) => r.row === row)!;
      expect(found.recs[0]!.component, gap.why).toBe(gap.expected);
    }
  });

  it('all rows through ONE assembler give the same 278 records (no cross-row grouping)', () => {
    const a = new PartitionAssembler();
    rows.forEach((r, i) => {
      a.push(unit(i, r.line));
    });
    a.flush();
    const recs = a.drain().records;
    expect(recs.length).toBe(278);
    expect(recs.map((x) => x.message)).toEqual(results.map(({ recs }) => recs[0]!.message));
  });

  it('matches the pinned golden file', () => {
    const actual = results.map(({ r, recs }): GoldenRow => {
      const rec = recs[0]!;
      return {
        row: r.row,
        format: rec.format,
        component: rec.component,
        level: rec.level,
        pid: rec.pid,
        file: rec.originFile,
        line: rec.originLine,
        message: rec.message,
        keys: rec.fields.map((f) => f[0]),
        lines: rec.lines,
      };
    });
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
      writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 1)}\n`);
    }
    expect(actual).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
  });
});
