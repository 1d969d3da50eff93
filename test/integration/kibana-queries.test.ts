// The saved searches' and Lens charts' KQL, translated as Kibana does for these simple forms (see
// test/unit/kibana/kql.ts), run against the real Elasticsearch holding fixture summaries in indices
// made from our index templates. Kibana itself cannot run here; this is the next best check that the
// queries name real fields and return what their titles promise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryDoc } from '../../src/domain/documents.ts';
import type { Finding } from '../../src/findings/types.ts';
import { findingDocument, findingsTemplate } from '../../src/report/findings-service.ts';
import { fromFiles } from '../../src/report/from-files.ts';
import { buildSavedObjects, LENSES, NODE_PLACEHOLDER, SEARCHES } from '../../src/report/kibana.ts';
import { loadIndexTemplates } from '../../src/sinks/elasticsearch/templates.ts';
import { kqlToQuery, mappingFieldTypes } from '../unit/kibana/kql.ts';
import { buildFixture, type Fixture, writeFixture } from '../unit/report/fixture.ts';
import { dropPrefix, indexFixture } from '../unit/report/fixture-es.ts';
import { esClient, randomName } from './helpers/stack.ts';

const HOUR = 3_600_000;

describe('Kibana saved searches against Elasticsearch', () => {
  const client = esClient();
  const prefix = randomName('kbn');
  const types = mappingFieldTypes(
    (
      loadIndexTemplates(prefix).find((t) => t.kind === 'summaries')!.body as {
        template: { mappings: object };
      }
    ).template.mappings,
  );
  // The fixture (2025) plus the same cluster's last 6 hours relative to now, so "last 24 h" has hits.
  const old = buildFixture({ nodes: 6, days: 2 });
  const fresh = buildFixture({
    nodes: 6,
    days: 1,
    start: new Date(Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR).toISOString(),
  });
  const recent = fresh.summaries
    .map((d, i) => [d, fresh.summaryIds[i]!] as const)
    .filter(([d]) => Date.parse(d.logsift.first_seen) <= Date.now());
  const fx: Fixture = {
    summaries: [...old.summaries, ...recent.map(([d]) => d)],
    summaryIds: [...old.summaryIds, ...recent.map(([, id]) => `fresh-${id}`)],
    stats: old.stats,
    statsIds: old.statsIds,
  };
  const docs = fx.summaries;
  const findingTypes = mappingFieldTypes(
    (findingsTemplate(prefix) as { template: { mappings: object } }).template.mappings,
  );
  /** The findings of the fixture, indexed as `logsift run` indexes them. */
  let findings: Finding[] = [];

  beforeAll(async () => {
    await indexFixture(client, prefix, fx);
    const dir = mkdtempSync(join(tmpdir(), 'logsift-kbn-findings-'));
    writeFixture(dir, old);
    findings = (await fromFiles(dir, { from: null, to: null })).findings;
    rmSync(dir, { recursive: true, force: true });
    await client.indices.putIndexTemplate({ name: `${prefix}-findings`, ...findingsTemplate(prefix, 0) });
    const operations = findings.flatMap((f) => [
      {
        index: { _index: `${prefix}-findings-${f.started_at.slice(0, 10).replaceAll('-', '.')}`, _id: f.id },
      },
      findingDocument(f, Date.parse('2025-01-15T00:00:00Z')),
    ]);
    const res = await client.bulk({ operations, refresh: true });
    expect(res.errors).toBe(false);
  });
  afterAll(async () => {
    await dropPrefix(client, prefix);
    await client.indices.deleteIndexTemplate({ name: `${prefix}-findings` }).catch(() => undefined);
    await client.close();
  });

  async function hits(kql: string, dataView: 'summaries' | 'findings' = 'summaries'): Promise<number> {
    const r = await client.search({
      index: `${prefix}-${dataView}-*`,
      size: 0,
      track_total_hits: true,
      query:
        kql.trim() === ''
          ? { match_all: {} }
          : (kqlToQuery(kql, dataView === 'findings' ? findingTypes : types) as never),
    });
    return (r.hits.total as { value: number }).value;
  }

  const expectedFindings: Record<string, (f: Finding) => boolean> = {
    findings: () => true,
    'findings-known-issues': (f) => f.kind === 'known-issue' || f.known_issue !== null,
  };

  const expected: Record<string, (d: SummaryDoc) => boolean> = {
    'tier-exists': (d) => d.logsift.kind === 'summary' && d.logsift.category === 'tier-exists',
    'netlink-errors': (d) => d.logsift.kind === 'summary' && d.logsift.category === 'netlink-error',
    'netlink-emfile': (d) =>
      d.logsift.category === 'netlink-error' && d.logsift.template.includes('too many open files'),
    'new-fingerprints': (d) =>
      d.logsift.kind === 'summary' && Date.parse(d.logsift.first_seen) >= Date.now() - 24 * HOUR - 60_000,
    'top-noisy': (d) => d.logsift.kind === 'summary' && d.logsift.count >= 100,
    'one-node': (d) => d.kubernetes?.node?.name === 'node-003' || d.host?.name === 'node-003',
    'dead-letters': (d) => d.logsift.kind === 'dlq',
  };

  it('covers every saved search', () => {
    expect([...Object.keys(expected), ...Object.keys(expectedFindings)].sort()).toEqual(
      SEARCHES.map((s) => s.key).sort(),
    );
  });

  for (const s of SEARCHES.filter((x) => x.dataView === 'findings')) {
    it(`saved search "${s.title}" returns exactly the expected findings`, async () => {
      const obj = buildSavedObjects(prefix).find((o) => o.id === `${prefix}-search-${s.key}`)!;
      expect(obj.references[0]!.id).toBe(`${prefix}-findings-data-view`);
      const kql: string = JSON.parse(
        (obj.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
      ).query.query;
      const want = findings.filter(expectedFindings[s.key]!).length;
      expect(want, 'the fixture has findings of this search').toBeGreaterThan(0);
      expect(await hits(kql, 'findings')).toBe(want);
    });
  }

  for (const s of SEARCHES.filter((x) => x.dataView !== 'findings')) {
    it(`saved search "${s.title}" returns exactly the expected summaries`, async () => {
      const obj = buildSavedObjects(prefix).find((o) => o.id === `${prefix}-search-${s.key}`)!;
      const kql: string = JSON.parse(
        (obj.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
      ).query.query;
      const q = kql.replaceAll(NODE_PLACEHOLDER, 'node-003');
      const want = docs.filter(expected[s.key]!).length;
      expect(want, 'the fixture exercises this search').toBeGreaterThan(0);
      expect(await hits(q)).toBe(want);
    });
  }

  it('the placeholder node matches nothing until replaced', async () => {
    const s = SEARCHES.find((x) => x.key === 'one-node')!;
    expect(await hits(s.kql)).toBe(0);
  });

  for (const l of LENSES) {
    it(`Lens "${l.title}": its query and aggregations return buckets`, async () => {
      const aggs: Record<string, unknown> = {};
      let inner: Record<string, unknown> = aggs;
      for (const [id, c] of Object.entries(l.columns) as Array<
        [string, { operationType: string; sourceField: string; params?: { size?: number } }]
      >) {
        if (c.operationType === 'date_histogram') {
          inner[id] = { date_histogram: { field: c.sourceField, fixed_interval: '1h' }, aggs: {} };
          inner = (inner[id] as { aggs: Record<string, unknown> }).aggs;
        } else if (c.operationType === 'terms') {
          inner[id] = { terms: { field: c.sourceField, size: c.params?.size ?? 10 }, aggs: {} };
          inner = (inner[id] as { aggs: Record<string, unknown> }).aggs;
        } else if (c.operationType === 'sum') {
          inner[id] = { sum: { field: c.sourceField } };
        }
      }
      const view = l.dataView ?? 'summaries';
      const r = (await client.search({
        index: `${prefix}-${view}-*`,
        size: 0,
        query:
          l.kql === ''
            ? { match_all: {} }
            : (kqlToQuery(l.kql, view === 'findings' ? findingTypes : types) as never),
        aggs: aggs as never,
      })) as { aggregations: Record<string, { buckets: unknown[] }> };
      const first = Object.keys(aggs)[0]!;
      expect(r.aggregations[first]!.buckets.length, l.key).toBeGreaterThan(0);
    });
  }
});
