// `logsift report` over the real Elasticsearch: the same fixture built into files and into ES must give
// identical models (aggregations only on the ES side), and a month of a cluster must come back in seconds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/report.ts';
import { fromElasticsearch } from '../../src/report/from-elasticsearch.ts';
import { fromFiles } from '../../src/report/from-files.ts';
import type { ReportModel } from '../../src/report/model.ts';
import { buildFixture, writeFixture } from '../unit/report/fixture.ts';
import { dropPrefix, indexFixture } from '../unit/report/fixture-es.ts';
import { schemaValidator } from '../unit/report/helpers.ts';
import { esClient, randomName, stackEnv } from './helpers/stack.ts';

const now = () => new Date('2025-01-15T00:00:00Z');
const comparable = (m: ReportModel) => ({ ...m, source: null });

describe('report: Elasticsearch backend equals the files backend', () => {
  const client = esClient();
  const prefix = randomName('rep');
  const bare = randomName('rep-bare');
  const fx = buildFixture({ nodes: 6, days: 3 });
  let dir: string;
  const validate = schemaValidator('report.schema.json');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsift-report-es-'));
    writeFixture(dir, fx);
    await indexFixture(client, prefix, fx);
    await indexFixture(client, bare, fx, { withoutExtras: true });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropPrefix(client, prefix);
    await dropPrefix(client, bare);
    await client.close();
  });

  for (const [name, range] of [
    ['everything', { from: null, to: null }],
    ['one day', { from: '2025-01-14T00:00:00.000Z', to: '2025-01-15T00:00:00.000Z' }],
    ['an odd window', { from: '2025-01-12T05:30:00.000Z', to: '2025-01-13T13:00:00.000Z' }],
  ] as const) {
    it(`identical models: ${name}`, async () => {
      const files = await fromFiles(dir, range, { now, top: 10 });
      const es = await fromElasticsearch(client, prefix, range, { now, top: 10, location: 'es' });
      expect(es.source).toEqual({ kind: 'elasticsearch', location: 'es', index_prefix: prefix });
      expect(comparable(es)).toEqual(comparable(files));
      expect(validate(es)).toEqual([]);
      expect(es.totals.records_in).toBeGreaterThan(0);
    });
  }

  it('totals equal plain sum aggregations in Elasticsearch', async () => {
    const r = (await client.search({
      index: `${prefix}-summaries-*`,
      size: 0,
      aggs: { c: { sum: { field: 'logsift.count' } }, b: { sum: { field: 'logsift.bytes' } } },
    })) as {
      aggregations: { c: { value: number }; b: { value: number } };
      hits: { total: { value: number } };
    };
    const m = await fromElasticsearch(client, prefix, { from: null, to: null }, { now });
    expect(m.totals.records_in).toBe(r.aggregations.c.value);
    expect(m.totals.bytes_in).toBe(r.aggregations.b.value);
    expect(m.totals.summaries_out + m.totals.dlq_docs).toBe(fx.summaries.length);
  });

  it('documents without the proposed fields: exact counts, bytes out estimated and said so', async () => {
    const m = await fromElasticsearch(client, bare, { from: null, to: null }, { now });
    const files = await fromFiles(dir, { from: null, to: null }, { now });
    expect(m.totals.records_in).toBe(files.totals.records_in);
    expect(m.totals.documents_out).toBe(files.totals.documents_out);
    expect(m.totals.bytes_out_method).toBe('sampled_estimate');
    expect(m.totals.bytes_out / files.totals.bytes_out).toBeGreaterThan(0.8);
    expect(m.totals.bytes_out / files.totals.bytes_out).toBeLessThan(1.2);
    expect(m.tier_exists.params_source).toBe('unavailable');
    expect(m.tier_exists.by_pod).toEqual(files.tier_exists.by_pod);
    expect(m.notes.join('\n')).toMatch(/bytes out estimated/);
    expect(validate(m)).toEqual([]);
  });

  it('the CLI over --es prints the same JSON as over --dir', async () => {
    const run = async (argv: string[]) => {
      let out = '';
      const stdout = new PassThrough().on('data', (c) => {
        out += c;
      });
      const io = {
        stdout,
        stderr: new PassThrough(),
        stdin: new PassThrough(),
        env: {},
        now: () => Date.parse('2025-01-15T00:00:00Z'),
        stderrIsTTY: false,
      };
      expect(await command.run(argv, io)).toBe(0);
      return JSON.parse(out) as ReportModel;
    };
    const es = await run([
      '--es',
      stackEnv().esUrl,
      '--index-prefix',
      prefix,
      '-f',
      'json',
      '--from',
      '2025-01-13',
      '--to',
      'now',
    ]);
    const files = await run(['--dir', dir, '-f', 'json', '--from', '2025-01-13', '--to', 'now']);
    expect(es.source.kind).toBe('elasticsearch');
    expect(comparable(es)).toEqual(comparable(files));
  });

  it('an empty prefix gives an empty, valid report', async () => {
    const m = await fromElasticsearch(client, randomName('rep-none'), { from: null, to: null }, { now });
    expect(m.totals.records_in).toBe(0);
    expect(validate(m)).toEqual([]);
  });
});

describe('report: a month of a cluster returns in seconds', () => {
  const client = esClient();
  const prefix = randomName('rep-month');
  // 20 nodes x 30 days ≈ 65k documents here; bench/report-es.bench.ts runs 100 nodes (≈ 300k).
  const fx = buildFixture({ nodes: 20, days: 30, start: '2024-12-16T00:00:00Z', leakFromDay: 20 });
  afterAll(async () => {
    await dropPrefix(client, prefix);
    await client.close();
  });

  it('fromElasticsearch over 30 days', async () => {
    const t0 = performance.now();
    const docs = await indexFixture(client, prefix, fx);
    const tIndex = performance.now() - t0;
    const t1 = performance.now();
    const m = await fromElasticsearch(client, prefix, { from: null, to: null });
    const tReport = performance.now() - t1;
    console.log(
      `report-es: ${docs} documents indexed in ${(tIndex / 1000).toFixed(1)} s; fromElasticsearch ${(tReport / 1000).toFixed(2)} s`,
    );
    expect(m.totals.records_in).toBe(fx.summaries.reduce((a, d) => a + d.logsift.count, 0));
    expect(m.series.points.length).toBeGreaterThan(100);
    expect(tReport).toBeLessThan(15_000);
  });
});
