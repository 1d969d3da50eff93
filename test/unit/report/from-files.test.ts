import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromFiles } from '../../../src/report/from-files.ts';
import type { ReportModel } from '../../../src/report/model.ts';
import { renderMarkdown } from '../../../src/report/render/markdown.ts';
import { buildFixture, type Fixture, writeFixture } from './fixture.ts';
import { schemaValidator } from './helpers.ts';

const EVERYTHING = { from: null, to: null };
const now = () => new Date('2025-01-15T00:00:00Z');

describe('fromFiles', () => {
  let dir: string;
  let fx: Fixture;
  let model: ReportModel;
  const validate = schemaValidator('report.schema.json');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsift-report-'));
    fx = buildFixture();
    writeFixture(dir, fx);
    model = await fromFiles(dir, EVERYTHING, { now });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('totals equal the sums over the documents, exactly', () => {
    const sum = (f: (d: Fixture['summaries'][number]) => number) =>
      fx.summaries.reduce((a, d) => a + f(d), 0);
    const t = model.totals;
    expect(t.records_in).toBe(sum((d) => d.logsift.count));
    expect(t.bytes_in).toBe(sum((d) => d.logsift.bytes));
    expect(t.summaries_out).toBe(fx.summaries.filter((d) => d.logsift.kind === 'summary').length);
    expect(t.dlq_docs).toBe(fx.summaries.filter((d) => d.logsift.kind === 'dlq').length);
    expect(t.stats_docs).toBe(fx.stats.length);
    expect(t.documents_out).toBe(fx.summaries.length + fx.stats.length);
    const docBytes = [...fx.summaries, ...fx.stats].reduce(
      (a, d) => a + (d.logsift as unknown as { doc_bytes: number }).doc_bytes,
      0,
    );
    expect(t.bytes_out).toBe(docBytes);
    expect(t.bytes_out_method).toBe('doc_bytes');
    expect(t.stats_records_in).toBe(t.records_in);
    expect(t.dead_lettered).toBe(
      fx.summaries.filter((d) => d.logsift.kind === 'dlq').reduce((a, d) => a + d.logsift.count, 0),
    );
    expect(t.reduction_count_pct).toBeCloseTo(100 * (1 - t.documents_out / t.records_in), 2);
    expect(t.fingerprints).toBe(
      new Set(fx.summaries.filter((d) => d.logsift.kind === 'summary').map((d) => d.logsift.fingerprint))
        .size,
    );
  });

  it('reports lines lost to Kafka retention (stats lost_by_retention) without changing the counts', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'logsift-report-lost-'));
    try {
      const base = fx.stats[0]!;
      const gap = structuredClone(base);
      gap.calico.component = 'retention-gap';
      Object.assign(gap.logsift, { records_in: 0, bytes_in: 0, by_category: {}, by_level: {} });
      gap.logsift.lost_by_retention = 1234;
      writeFixture(d2, { ...fx, stats: [...fx.stats, gap] });
      const m = await fromFiles(d2, EVERYTHING, { now });
      expect(m.totals.lost_by_retention).toBe(1234);
      expect(m.totals.records_in).toBe(model.totals.records_in);
      expect(model.totals.lost_by_retention).toBe(0);
      expect(validate(m)).toEqual([]);
      expect(renderMarkdown(m)).toContain('Lost before they were read: 1,234 lines');
      expect(renderMarkdown(model)).not.toContain('Lost before they were read');
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('reads CRLF line ends, blank lines and a last line without a newline like LF files', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'logsift-report-crlf-'));
    try {
      const json = (ds: readonly unknown[]) => ds.map((d) => JSON.stringify(d));
      writeFileSync(join(d2, 'summaries.ndjson'), json(fx.summaries).join('\r\n\r\n')); // no final newline
      writeFileSync(join(d2, 'stats.ndjson'), `${json(fx.stats).join('\r\n')}\r\n`);
      const m = await fromFiles(d2, EVERYTHING, { now });
      expect(m.totals).toEqual(model.totals);
      expect(m.notes).toEqual(model.notes);
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('every breakdown and the series add up to the totals', () => {
    for (const dim of ['component', 'category', 'node', 'namespace'] as const) {
      const rows = model.breakdowns[dim].rows;
      expect(
        rows.reduce((a, r) => a + r.records_in, 0),
        dim,
      ).toBe(model.totals.records_in);
      expect(
        rows.reduce((a, r) => a + r.documents_out, 0),
        dim,
      ).toBe(model.totals.summaries_out + model.totals.dlq_docs);
    }
    const pts = model.series.points;
    expect(pts.reduce((a, p) => a + p.records_in, 0)).toBe(model.totals.records_in);
    expect(pts.reduce((a, p) => a + p.documents_out, 0)).toBe(model.totals.documents_out);
    expect(pts.reduce((a, p) => a + p.bytes_out, 0)).toBe(model.totals.bytes_out);
  });

  it('tier-exists, netlink and dead-letter figures match the fixture', () => {
    const tierDocs = fx.summaries.filter((d) => d.logsift.category === 'tier-exists');
    expect(model.tier_exists.total).toBe(tierDocs.reduce((a, d) => a + d.logsift.count, 0));
    const def = tierDocs.reduce((a, d) => a + (d.logsift.params.tier?.values.default ?? 0), 0);
    expect(model.tier_exists.by_tier.find((r) => r.key === 'default')?.count).toBe(def);
    expect(model.tier_exists.by_tier.reduce((a, r) => a + r.count, 0)).toBe(model.tier_exists.total);
    expect(model.tier_exists.by_pod[0]).toMatchObject({
      pod: 'calico-kube-controllers-7d9f8b5c6-x2x7q',
      node: 'node-000',
    });
    const nl = fx.summaries.filter((d) => d.logsift.category === 'netlink-error');
    expect(model.netlink.total).toBe(nl.reduce((a, d) => a + d.logsift.count, 0));
    expect(model.netlink.by_errno.map((r) => r.errno)).toEqual([
      'too many open files',
      'no buffer space available',
      'file exists',
    ]);
    expect(model.netlink.by_errno[0]!.nodes).toBe(2);
    expect(model.netlink.nodes_affected).toBe(6);
    const seriesSum = model.netlink.series.reduce(
      (a, p) => a + Object.values(p.counts).reduce((x, y) => x + y, 0),
      0,
    );
    expect(seriesSum).toBe(model.netlink.total);
    expect(model.dead_letters.by_reason.map((r) => r.reason)).toEqual(['binary', 'broken-envelope']);
  });

  it('names the two known Calico issues with the version to move to and the evidence', () => {
    const ids = model.hints.map((h) => h.id);
    expect(ids).toEqual(['tier-exists-spam-v3.29.1', 'felix-netlink-socket-leak-v3.29.0']);
    const [tier, leak] = model.hints;
    expect(tier!.advice).toContain('Upgrade calico-kube-controllers to v3.29.2 or later');
    expect(tier!.evidence.pods).toEqual(['calico-kube-controllers-7d9f8b5c6-x2x7q']);
    expect(tier!.evidence.per_source_per_day).toBeGreaterThan(15_000);
    expect(leak!.advice).toContain('Upgrade calico-node to v3.29.2 or later');
    expect(leak!.advice).toContain('restarting calico-node');
    expect(leak!.evidence.nodes).toEqual(['node-000', 'node-003']);
    expect(leak!.evidence.records).toBe(model.netlink.by_errno[0]!.count);
  });

  it('lists the top fingerprints by volume with template, example and share', () => {
    const top = model.top_fingerprints;
    expect(top.length).toBe(8);
    for (let i = 1; i < top.length; i++)
      expect(top[i - 1]!.records_in).toBeGreaterThanOrEqual(top[i]!.records_in);
    expect(top[1]!.template).toMatch(/^Tier <TIER> already exists/);
    expect(top[1]!.example).toContain('Tier default already exists');
    expect(top[0]!.share_pct).toBeCloseTo((100 * top[0]!.records_in) / model.totals.records_in, 2);
  });

  it('validates against schemas/report.schema.json', () => {
    expect(validate(model)).toEqual([]);
    expect(validate({ ...model, extra: 1 })).not.toEqual([]);
  });

  it('a range keeps documents by bucket start; new fingerprints are those not seen before it', async () => {
    const m = await fromFiles(
      dir,
      { from: '2025-01-14T00:00:00.000Z', to: '2025-01-15T00:00:00.000Z' },
      { now },
    );
    const inDay = fx.summaries.filter((d) => d['@timestamp'] >= '2025-01-14');
    expect(m.totals.records_in).toBe(inDay.reduce((a, d) => a + d.logsift.count, 0));
    expect(m.new_fingerprints.baseline).toBe(true);
    expect(m.new_fingerprints.items.map((r) => r.template)).toEqual([
      'Failed to auto-detect host MTU - no interfaces matched the MTU interface pattern.',
    ]);
    expect(validate(m)).toEqual([]);
    const empty = await fromFiles(dir, { from: '2030-01-01T00:00:00.000Z', to: null }, { now });
    expect(empty.totals.records_in).toBe(0);
    expect(empty.series.points).toEqual([]);
    expect(empty.totals.reduction_count_pct).toBeNull();
    expect(validate(empty)).toEqual([]);
  });

  it('envelope lines with repeated ids: the last line of an id is the document', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'logsift-report-env-'));
    try {
      const [a, b] = [fx.summaries[0]!, fx.summaries[1]!];
      const older = { ...a, logsift: { ...a.logsift, count: 1, doc_bytes: 10 } };
      const lines = [
        { index: 'x', id: 'A', doc: older },
        { index: 'x', id: 'B', doc: b },
        { index: 'x', id: 'A', doc: a },
        'not json',
      ].map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
      writeFileSync(join(d2, 'summaries.ndjson'), `${lines.join('\n')}\n`);
      const m = await fromFiles(d2, EVERYTHING, { now });
      expect(m.totals.records_in).toBe(a.logsift.count + b.logsift.count);
      expect(m.totals.summaries_out).toBe(2);
      expect(m.notes.join(' ')).toMatch(/stats.ndjson not found/);
      expect(m.notes.join(' ')).toMatch(/1 unreadable line/);
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });

  it('a missing directory is a coded error', async () => {
    await expect(fromFiles('/nonexistent/logsift', EVERYTHING)).rejects.toMatchObject({
      code: 'INPUT_NOT_FOUND',
    });
  });
});
