import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFiles } from '../../../src/report/from-files.ts';
import type { ReportModel } from '../../../src/report/model.ts';
import { parseTime, resolveRange } from '../../../src/report/range.ts';
import { renderHtml } from '../../../src/report/render/html.ts';
import { renderJson } from '../../../src/report/render/json.ts';
import { renderMarkdown } from '../../../src/report/render/markdown.ts';
import { alignTable, renderTable } from '../../../src/report/render/table.ts';
import { buildFixture, writeFixture } from './fixture.ts';

const now = new Date('2025-01-15T12:00:00Z');

describe('renderers', () => {
  let full: ReportModel;
  let empty: ReportModel;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsift-render-'));
    writeFixture(dir, buildFixture({ nodes: 4, days: 2 }));
    full = await fromFiles(dir, { from: null, to: null }, { now: () => now });
    const e = join(dir, 'empty');
    writeFixture(e, { summaries: [], stats: [], summaryIds: [], statsIds: [] });
    writeFileSync(join(e, 'summaries.ndjson'), '');
    writeFileSync(join(e, 'stats.ndjson'), '');
    empty = await fromFiles(e, { from: null, to: null }, { now: () => now });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every format renders a full and an empty report', () => {
    for (const m of [full, empty]) {
      expect(renderTable(m)).toMatch(/^calico-logsift report/);
      expect(renderMarkdown(m)).toMatch(/^# calico-logsift report/);
      expect(JSON.parse(renderJson(m))).toEqual(m);
      const html = renderHtml(m);
      expect(html).toMatch(/^<!doctype html>/);
      // Nothing fetched: no script, style, image or frame from the network (links to upstream threads
      // are anchors a reader may follow).
      expect(html).not.toMatch(/<(script|link|img|iframe|object|embed)\b[^>]*(src|href)="?https?:/i);
      expect(html).not.toMatch(/url\(\s*['"]?https?:/i);
    }
  });

  it('the table shows the totals the model carries', () => {
    const t = renderTable(full);
    const int = (n: number) => new Intl.NumberFormat('en-US').format(n);
    expect(t).toContain(int(full.totals.records_in));
    expect(t).toContain(int(full.totals.documents_out));
    expect(t).toContain(`${full.totals.reduction_count_pct!.toFixed(2)}%`);
    for (const r of full.breakdowns.component.rows) expect(t).toContain(r.key);
  });

  it('the HTML escapes templates and embeds the model', () => {
    const m: ReportModel = structuredClone(full);
    m.top_fingerprints[0]!.template = '<script>alert(1)</script> & "x"';
    const html = renderHtml(m);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(data).top_fingerprints[0].template).toBe(m.top_fingerprints[0]!.template);
  });

  it('aligned columns', () => {
    expect(
      alignTable(
        [{ title: 'a' }, { title: 'n', align: 'right' }],
        [
          ['xx', '1'],
          ['y', '100'],
        ],
      ),
    ).toEqual(['  a     n', '  ──  ───', '  xx    1', '  y   100']);
  });
});

describe('time arguments', () => {
  it.each([
    ['now', '2025-01-15T12:00:00.000Z'],
    ['24h', '2025-01-14T12:00:00.000Z'],
    ['now-7d', '2025-01-08T12:00:00.000Z'],
    ['30m', '2025-01-15T11:30:00.000Z'],
    ['2w', '2025-01-01T12:00:00.000Z'],
    ['2025-01-14', '2025-01-14T00:00:00.000Z'],
    ['2025-01-14T09:30:00', '2025-01-14T09:30:00.000Z'],
    ['2025-01-14T09:30:00+02:00', '2025-01-14T07:30:00.000Z'],
  ])('%s', (text, iso) => {
    expect(new Date(parseTime(text, now)!).toISOString()).toBe(iso);
  });
  it('rejects other text', () => {
    expect(parseTime('yesterday', now)).toBeNull();
    expect(parseTime('2025-13-45', now)).toBeNull();
    expect(() => resolveRange('7d', '8d', now)).toThrow(/must be before/);
    expect(resolveRange(undefined, undefined, now)).toEqual({ from: null, to: null });
  });
});
