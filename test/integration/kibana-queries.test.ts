// The saved searches' and Lens charts' KQL, translated as Kibana does for these simple forms (see
// test/unit/kibana/kql.ts), run against the real Elasticsearch holding fixture summaries in indices
// made from our index templates. Kibana itself cannot run here; this is the next best check that the
// queries name real fields and return what their titles promise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SummaryDoc } from '../../src/domain/documents.ts';
import { buildSavedObjects, LENSES, NODE_PLACEHOLDER, SEARCHES } from '../../src/report/kibana.ts';
import { loadIndexTemplates } from '../../src/sinks/elasticsearch/templates.ts';
import { kqlToQuery, mappingFieldTypes } from '../unit/kibana/kql.ts';
import { buildFixture, type Fixture } from '../unit/report/fixture.ts';
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

  beforeAll(async () => {
    await indexFixture(client, prefix, fx);
  });
  afterAll(async () => {
    await dropPrefix(client, prefix);
    await client.close();
  });

  async function hits(kql: string): Promise<number> {
    const r = await client.search({
      index: `${prefix}-summaries-*`,
      size: 0,
      track_total_hits: true,
      query: kql.trim() === '' ? { match_all: {} } : (kqlToQuery(kql, types) as never),
    });
    return (r.hits.total as { value: number }).value;
  }

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
    expect(Object.keys(expected).sort()).toEqual(SEARCHES.map((s) => s.key).sort());
  });

  for (const s of SEARCHES) {
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
      const r = (await client.search({
        index: `${prefix}-summaries-*`,
        size: 0,
        query: l.kql === '' ? { match_all: {} } : (kqlToQuery(l.kql, types) as never),
        aggs: aggs as never,
      })) as { aggregations: Record<string, { buckets: unknown[] }> };
      const first = Object.keys(aggs)[0]!;
      expect(r.aggregations[first]!.buckets.length, l.key).toBeGreaterThan(0);
    });
  }
});
