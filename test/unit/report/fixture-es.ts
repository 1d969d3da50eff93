/**
 * Loads a report fixture into a real Elasticsearch: installs the index templates (replicas lowered on a
 * single-node cluster, as the sink's installer does), bulk-indexes into daily indices, refreshes. Used by
 * test/integration/report-es.test.ts, test/integration/kibana-queries.test.ts and bench/report-es.bench.ts.
 */
import type { Client } from '@elastic/elasticsearch';
import { loadIndexTemplates, replicasFor } from '../../../src/sinks/elasticsearch/templates.ts';
import { dailyIndex, type Fixture } from './fixture.ts';

export async function installTemplates(client: Client, prefix: string): Promise<void> {
  const health = await client.cluster.health();
  for (const t of loadIndexTemplates(prefix, { replicas: replicasFor(health.number_of_data_nodes) })) {
    await client.indices.putIndexTemplate({ name: t.name, ...(t.body as object) });
  }
}

export interface LoadOptions {
  /** Drop logsift.doc_bytes and logsift.param_values (documents as the contract has them today). */
  withoutExtras?: boolean;
  chunk?: number;
}

export async function indexFixture(
  client: Client,
  prefix: string,
  fx: Fixture,
  opts: LoadOptions = {},
): Promise<number> {
  await installTemplates(client, prefix);
  const chunk = opts.chunk ?? 5_000;
  const strip = <T extends { logsift: object }>(d: T): T => {
    if (!opts.withoutExtras) return d;
    const { doc_bytes: _a, param_values: _b, ...rest } = d.logsift as Record<string, unknown>;
    return { ...d, logsift: rest } as T;
  };
  const items: Array<{ index: string; id: string; doc: object }> = [
    ...fx.summaries.map((d, i) => ({
      index: dailyIndex(prefix, 'summaries', d['@timestamp']),
      id: fx.summaryIds[i]!,
      doc: strip(d),
    })),
    ...fx.stats.map((d, i) => ({
      index: dailyIndex(prefix, 'stats', d['@timestamp']),
      id: fx.statsIds[i]!,
      doc: strip(d),
    })),
  ];
  for (let i = 0; i < items.length; i += chunk) {
    const operations = items
      .slice(i, i + chunk)
      .flatMap((it) => [{ create: { _index: it.index, _id: it.id } }, it.doc]);
    const res = await client.bulk({ operations, refresh: false });
    if (res.errors) {
      const bad = res.items.find((x) => x.create?.error);
      throw new Error(`bulk failed: ${JSON.stringify(bad?.create?.error)}`);
    }
  }
  await client.indices.refresh({ index: `${prefix}-*` });
  return items.length;
}

export async function dropPrefix(client: Client, prefix: string): Promise<void> {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  for (const kind of ['summaries', 'stats']) {
    await client.indices.deleteIndexTemplate({ name: `${prefix}-${kind}` }).catch(() => undefined);
  }
}
