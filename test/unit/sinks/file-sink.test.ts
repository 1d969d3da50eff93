import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StatsDoc, SummaryDoc } from '../../../src/domain/documents.ts';
import { FileSink, MemoryCounterStore } from '../../../src/sinks/file/index.ts';

function summary(start: string, count: number, component = 'felix'): SummaryDoc {
  return {
    '@timestamp': start,
    message: 'm',
    event: { dataset: `calico.${component}`, kind: 'metric' },
    log: { level: 'info' },
    calico: { component },
    kafka: { topic: 't', partition: 0 },
    logsift: {
      kind: 'summary',
      fingerprint: '0123456789abcdef',
      template: 'x',
      category: 'routine-noise',
      ruleset_version: 'r1',
      count,
      records: count,
      bytes: count * 10,
      offset_first: 0,
      offset_end: count,
      bucket: { start, end: start, length_s: 3600, late: false },
      first_seen: start,
      last_seen: start,
      samples: { first: 'm', last: 'm' },
      params: {},
      flags: {},
      group: 'felix|||',
    },
  };
}

function stats(start: string, recordsIn: number, component = 'felix'): StatsDoc {
  return {
    '@timestamp': start,
    event: { dataset: 'logsift.stats', kind: 'metric' },
    calico: { component },
    kafka: { topic: 't', partition: 0 },
    logsift: {
      kind: 'stats',
      ruleset_version: 'r1',
      bucket: { start, end: start, length_s: 3600 },
      offset_end: recordsIn,
      records_in: recordsIn,
      bytes_in: 0,
      dead_lettered: 0,
      by_category: {},
      by_level: {},
      late: 0,
    },
  };
}

describe('MemoryCounterStore: compare-and-set like Elasticsearch', () => {
  it('create, then index with the current version; stale versions and duplicate creates conflict', async () => {
    const store = new MemoryCounterStore();
    const [created] = await store.write([
      { op: 'create', index: 'i', id: 'a', doc: summary('2025-01-14T00:00:00.000Z', 1) },
    ]);
    expect(created).toMatchObject({ ok: true, id: 'a' });
    const v1 = created as { seqNo: number; primaryTerm: number };

    const dup = await store.write([
      { op: 'create', index: 'i', id: 'a', doc: summary('2025-01-14T00:00:00.000Z', 9) },
    ]);
    expect(dup[0]).toMatchObject({ ok: false, status: 409, kind: 'conflict' });

    const ok = await store.write([
      {
        op: 'index',
        index: 'i',
        id: 'a',
        doc: summary('2025-01-14T00:00:00.000Z', 2),
        ifSeqNo: v1.seqNo,
        ifPrimaryTerm: v1.primaryTerm,
      },
    ]);
    expect(ok[0]?.ok).toBe(true);
    // The writer that still holds v1 is stale now.
    const stale = await store.write([
      {
        op: 'index',
        index: 'i',
        id: 'a',
        doc: summary('2025-01-14T00:00:00.000Z', 5),
        ifSeqNo: v1.seqNo,
        ifPrimaryTerm: v1.primaryTerm,
      },
    ]);
    expect(stale[0]).toMatchObject({ ok: false, status: 409, kind: 'conflict' });
    const missing = await store.write([
      {
        op: 'index',
        index: 'i',
        id: 'zz',
        doc: summary('2025-01-14T00:00:00.000Z', 5),
        ifSeqNo: 1,
        ifPrimaryTerm: 1,
      },
    ]);
    expect(missing[0]).toMatchObject({ ok: false, kind: 'conflict' });

    const loaded = await store.load([
      { index: 'i', id: 'a' },
      { index: 'i', id: 'nope' },
    ]);
    expect((loaded.get('a')!.doc as SummaryDoc).logsift.count).toBe(2);
    expect(loaded.get('nope')).toBeNull();
    expect(store.stats.conflicts).toBe(3);
  });

  it('loaded documents are copies: mutating them does not change the store', async () => {
    const store = new MemoryCounterStore();
    await store.write([{ op: 'create', index: 'i', id: 'a', doc: summary('2025-01-14T00:00:00.000Z', 1) }]);
    const v = (await store.load([{ index: 'i', id: 'a' }])).get('a')!;
    (v.doc as SummaryDoc).logsift.count = 1000;
    expect(((await store.load([{ index: 'i', id: 'a' }])).get('a')!.doc as SummaryDoc).logsift.count).toBe(1);
  });
});

describe('FileSink', () => {
  it('writes hits as NDJSON with the stats computed fields filled in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsift-sink-'));
    const sink = new FileSink({ outDir: dir, maxDocs: 1000, statsBucketMs: 3_600_000 });
    await sink.store.write([
      {
        op: 'create',
        index: 'logsift-summaries-2025.01.14',
        id: 's1',
        doc: summary('2025-01-14T00:00:00.000Z', 7),
      },
      {
        op: 'create',
        index: 'logsift-summaries-2025.01.14',
        id: 's2',
        doc: summary('2025-01-14T00:01:00.000Z', 3),
      },
      {
        op: 'create',
        index: 'logsift-stats-2025.01.14',
        id: 'st',
        doc: stats('2025-01-14T00:00:00.000Z', 10),
      },
    ]);
    const r = sink.finish();
    expect(r).toMatchObject({ summaries: 2, stats: 1, countTotal: 10, statsRecordsIn: 10, spilled: 0 });
    const lines = readFileSync(r.summariesPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l._id)).toEqual(['s1', 's2']);
    expect(lines[0]._index).toBe('logsift-summaries-2025.01.14');
    const st = JSON.parse(readFileSync(r.statsPath, 'utf8'))._source as StatsDoc;
    expect(st.logsift.summaries_out).toBe(2);
    const bytes = lines.reduce((a, l) => a + Buffer.byteLength(JSON.stringify(l._source)), 0);
    expect(st.logsift.bytes_out).toBe(bytes);
    expect(st.logsift.reduction_ratio).toBeCloseTo(0.8);
  });

  it('spills the oldest buckets past the cap, reads them back on update, last line wins', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsift-sink-'));
    const sink = new FileSink({ outDir: dir, maxDocs: 100, statsBucketMs: 3_600_000 });
    const versions = new Map<string, { seqNo: number; primaryTerm: number }>();
    for (let i = 0; i < 150; i++) {
      const start = new Date(Date.UTC(2025, 0, 14, 0, i)).toISOString();
      const [r] = await sink.store.write([{ op: 'create', index: 'i', id: `d${i}`, doc: summary(start, 1) }]);
      if (r?.ok) versions.set(`d${i}`, r);
    }
    expect(sink.store.stats.spilled).toBeGreaterThan(0);
    expect(sink.store.size).toBeLessThanOrEqual(100);
    // d0 was spilled; it is still in the store: create conflicts, an update with its version works.
    expect(
      (
        await sink.store.write([
          { op: 'create', index: 'i', id: 'd0', doc: summary('2025-01-14T00:00:00.000Z', 1) },
        ])
      )[0]?.ok,
    ).toBe(false);
    const loaded = (await sink.store.load([{ index: 'i', id: 'd0' }])).get('d0')!;
    expect(loaded.seqNo).toBe(versions.get('d0')!.seqNo);
    const upd = await sink.store.write([
      {
        op: 'index',
        index: 'i',
        id: 'd0',
        doc: summary('2025-01-14T00:00:00.000Z', 5),
        ifSeqNo: loaded.seqNo,
        ifPrimaryTerm: 1,
      },
    ]);
    expect(upd[0]?.ok).toBe(true);
    const r = sink.finish();
    expect(r.summaries).toBe(150);
    expect(r.countTotal).toBe(149 + 5);
    const byId = new Map<string, SummaryDoc>();
    for (const l of readFileSync(r.summariesPath, 'utf8').trim().split('\n')) {
      const hit = JSON.parse(l);
      byId.set(hit._id, hit._source);
    }
    expect(byId.size).toBe(150);
    expect(byId.get('d0')!.logsift.count).toBe(5);
  });
});
