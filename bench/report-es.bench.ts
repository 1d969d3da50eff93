/**
 * bench/report-es.bench.ts — time `fromElasticsearch` over a synthetic month of a 100-node cluster.
 *
 *   ES_URL=http://127.0.0.1:9200 node --import tsx bench/report-es.bench.ts [--nodes 100] [--days 30] [--keep]
 *
 * Indexes the documents (not lines) of test/unit/report/fixture.ts into `<prefix>-summaries-*` /
 * `<prefix>-stats-*` (skipped when --prefix names an existing, --keep'ed data set), then runs the report
 * three times and prints each query's time. Results go into bench/README.md by hand.
 */
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { fromElasticsearch, type SearchClient } from '../src/report/from-elasticsearch.ts';
import { buildFixture } from '../test/unit/report/fixture.ts';
import { dropPrefix, indexFixture } from '../test/unit/report/fixture-es.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    days: { type: 'string', default: '30' },
    prefix: { type: 'string', default: 'bench-report' },
    keep: { type: 'boolean', default: false },
    runs: { type: 'string', default: '3' },
  },
});
const url = process.env.ES_URL ?? 'http://127.0.0.1:9200';
const client = new Client({ node: url, requestTimeout: 120_000 });
const prefix = values.prefix!;

const exists = await client.indices
  .exists({ index: `${prefix}-summaries-*`, allow_no_indices: false })
  .catch(() => false);
if (!exists) {
  const t0 = performance.now();
  const fx = buildFixture({
    nodes: Number(values.nodes),
    days: Number(values.days),
    start: '2024-12-01T00:00:00Z',
    leakFromDay: 20,
  });
  const t1 = performance.now();
  const docs = await indexFixture(client, prefix, fx, { chunk: 10_000 });
  await client.indices.forcemerge({ index: `${prefix}-*`, max_num_segments: 1 }).catch(() => undefined);
  console.log(
    `indexed ${docs} documents (${fx.summaries.length} summaries, ${fx.stats.length} stats; ` +
      `${fx.summaries.reduce((a, d) => a + d.logsift.count, 0)} lines represented) — generate ${((t1 - t0) / 1000).toFixed(1)} s, ` +
      `bulk ${((performance.now() - t1) / 1000).toFixed(1)} s`,
  );
}

/** Counts and times every search the report makes. */
function timed(): SearchClient & { log: Array<{ ms: number; what: string }> } {
  const log: Array<{ ms: number; what: string }> = [];
  return {
    log,
    async search(params) {
      const t = performance.now();
      // No shard request cache: every run computes (a new --from/--to would miss the cache anyway).
      const r = await client.search({ ...(params as object), request_cache: false } as never);
      const aggs = Object.keys((params as { aggs?: object }).aggs ?? {}).join(',');
      log.push({ ms: performance.now() - t, what: aggs });
      return r;
    },
  };
}

for (let i = 0; i < Number(values.runs); i++) {
  const c = timed();
  const t = performance.now();
  const m = await fromElasticsearch(c, prefix, { from: null, to: null });
  const ms = performance.now() - t;
  console.log(
    `run ${i + 1}: fromElasticsearch ${(ms / 1000).toFixed(2)} s, ${c.log.length} searches; ` +
      `records_in ${m.totals.records_in}, documents_out ${m.totals.documents_out}, fingerprints ${m.totals.fingerprints}`,
  );
  if (i === 0)
    for (const l of [...c.log].sort((a, b) => b.ms - a.ms).slice(0, 8))
      console.log(`   ${l.ms.toFixed(0).padStart(6)} ms  ${l.what}`);
}
if (!values.keep) await dropPrefix(client, prefix);
await client.close();
