import { describe, expect, it } from 'vitest';
import { CALICO_FORMATS, COLUMNS, loadRealLines, parseRealLines } from '../../../bench/eval-real-fixture.ts';
import { groupingAccuracy, groupingFailures, precisionRecall } from '../../../bench/eval-real-metrics.ts';
import { WRAPPERS } from '../../../bench/eval-real-wrappers.ts';

describe('eval:real metrics', () => {
  it('grouping accuracy is 1 when the partitions agree, whatever the names', () => {
    const r = groupingAccuracy(['a', 'a', 'b'], ['x', 'x', 'y']);
    expect(r.accuracy).toBe(1);
    expect(r.correct).toEqual([true, true, true]);
  });

  it('a true group split in two makes all of its lines wrong, the other group stays right', () => {
    // truth: A = {0,1,2}, B = {3}; predicted: {0,1}, {2}, {3}
    const r = groupingAccuracy(['A', 'A', 'A', 'B'], ['p', 'p', 'q', 'r']);
    expect(r.correct).toEqual([false, false, false, true]);
    expect(r.accuracy).toBe(0.25);
  });

  it('two true groups merged into one make all their lines wrong', () => {
    // truth: A = {0,1}, B = {2}, C = {3,4}; predicted: {0,1,2} merged, {3,4}
    const r = groupingAccuracy(['A', 'A', 'B', 'C', 'C'], ['m', 'm', 'm', 'n', 'n']);
    expect(r.correct).toEqual([false, false, false, true, true]);
    expect(r.accuracy).toBe(0.4);
  });

  it('is 1 on no lines and rejects mismatched lengths', () => {
    expect(groupingAccuracy([], []).accuracy).toBe(1);
    expect(() => groupingAccuracy(['a'], [])).toThrow();
  });

  it('reports the split and merged groups with their members', () => {
    const { split, merged } = groupingFailures(['A', 'A', 'A', 'B', 'C'], ['p', 'p', 'q', 'r', 'r']);
    expect(split).toEqual([
      {
        group: 'A',
        lines: 3,
        parts: [
          { predicted: 'p', members: [0, 1] },
          { predicted: 'q', members: [2] },
        ],
      },
    ]);
    expect(merged).toEqual([
      {
        predicted: 'r',
        parts: [
          { group: 'B', members: [3] },
          { group: 'C', members: [4] },
        ],
      },
    ]);
  });

  it('precision and recall count flagged and labelled lines, null when undefined', () => {
    const pr = precisionRecall([true, true, false, false], [true, false, true, false]);
    expect(pr).toEqual({ truePositives: 1, predicted: 2, actual: 2, precision: 0.5, recall: 0.5 });
    const none = precisionRecall([false, false], [false, false]);
    expect(none.precision).toBeNull();
    expect(none.recall).toBeNull();
  });
});

describe('eval:real fixture parsing', () => {
  const header = COLUMNS.join('\t');
  const row = (line: string) =>
    [
      'r0001',
      'dev',
      't',
      'https://github.com/o/r/issues/1',
      'raw',
      'calico',
      '',
      'felix',
      'INFO',
      'other',
      'g',
      '',
      line,
    ].join('\t');

  it('unescapes backslash escapes of the line field', () => {
    const [r] = parseRealLines(`${header}\n${row('a\\nb\\tc\\\\d')}\n`);
    expect(r!.line).toBe('a\nb\tc\\d');
  });

  it('rejects a wrong header and a short row', () => {
    expect(() => parseRealLines('id\tline\n')).toThrow(/header/);
    expect(() => parseRealLines(`${header}\nr0001\tdev\n`)).toThrow(/fields/);
  });
});

describe('real-lines fixture is well-formed', () => {
  const rows = loadRealLines();

  it('has at least 500 lines, 65 netlink-error lines and Tier-exists lines', () => {
    expect(rows.length).toBeGreaterThanOrEqual(500);
    expect(rows.filter((r) => r.category === 'netlink-error').length).toBeGreaterThanOrEqual(65);
    expect(rows.filter((r) => r.category === 'tier-exists').length).toBeGreaterThan(0);
  });

  it('has unique ids, a source URL, a group, a component and a known level, category, split and format on every row', () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const knownFormats = new Set([...CALICO_FORMATS, 'plain', 'libbpf']);
    for (const r of rows) {
      expect(r.url, r.id).toMatch(/^https?:\/\/\S+$/);
      expect(r.group.length, r.id).toBeGreaterThan(0);
      expect(r.group.startsWith(`${r.component}|`), r.id).toBe(true);
      expect(r.component.length, r.id).toBeGreaterThan(0);
      expect(r.thread.length, r.id).toBeGreaterThan(0);
      expect(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL', 'PANIC', 'UNKNOWN'], r.id).toContain(r.level);
      expect(['tier-exists', 'netlink-error', 'other'], r.id).toContain(r.category);
      expect(['dev', 'test'], r.id).toContain(r.split);
      expect(knownFormats.has(r.format), `${r.id} format ${r.format}`).toBe(true);
      expect(r.line.trim().length, r.id).toBeGreaterThan(0);
      expect(r.line, r.id).toBe(r.line.trimEnd());
    }
  });

  it('has no duplicate line text within a group (nor anywhere)', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      const k = `${r.group}\u0000${r.line}`;
      expect(seen.has(k), r.id).toBe(false);
      seen.add(k);
    }
    expect(new Set(rows.map((r) => r.line)).size).toBe(rows.length);
  });

  it('puts every line of a thread in the same split, and about half the lines in each split', () => {
    const splitOf = new Map<string, string>();
    for (const r of rows) {
      const s = splitOf.get(r.thread);
      if (s !== undefined) expect(r.split, `${r.id} thread ${r.thread}`).toBe(s);
      splitOf.set(r.thread, r.split);
    }
    const dev = rows.filter((r) => r.split === 'dev').length;
    expect(dev / rows.length).toBeGreaterThan(0.4);
    expect(dev / rows.length).toBeLessThan(0.6);
  });

  it('carries the errno in the group of every netlink-error line, and only there', () => {
    for (const r of rows) {
      if (r.category === 'netlink-error') {
        expect(r.errno.length, r.id).toBeGreaterThan(0);
        expect(r.group.endsWith(`|errno=${r.errno}`), r.id).toBe(true);
      } else {
        expect(r.errno, r.id).toBe('');
        expect(r.group.includes('|errno='), r.id).toBe(false);
      }
    }
  });

  it('labels the Tier-exists lines as the Tier ... already exists statement', () => {
    for (const r of rows.filter((x) => x.category === 'tier-exists')) {
      expect(r.line, r.id).toMatch(/Tier \S+ already exists/);
    }
  });
});

describe('eval:real wrappers', () => {
  it('wrap a line without changing its text and without newlines', () => {
    const line = 'bird: Netlink: File exists <&> "q"';
    for (const w of WRAPPERS) {
      const u = w.wrap(line);
      expect(u.includes('\n'), w.name).toBe(false);
      const text = u.startsWith('{') ? JSON.stringify(JSON.parse(u)) : u;
      expect(text.includes('bird: Netlink: File exists'), w.name).toBe(true);
    }
  });

  it('docker-json escapes like Go encoding/json (HTML characters as \\u)', () => {
    const u = WRAPPERS.find((w) => w.name === 'docker-json')!.wrap('a&b<c>');
    expect(u).toContain('a\\u0026b\\u003cc\\u003e\\n');
    expect(JSON.parse(u).log).toBe('a&b<c>\n');
  });
});
