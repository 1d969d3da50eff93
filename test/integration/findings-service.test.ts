// Findings against the real Elasticsearch: the generated onset day (netlink errors on 6 of 20 nodes
// from 04:00, Tier spam) replayed into summaries, indexed with the summaries template, then
// - `logsift report --es` gives the same findings as `report --dir` over the same files;
// - the FindingsService (what `logsift run` starts) indexes one document per finding into
//   <prefix>-findings-YYYY.MM.DD, updates them in place when run again, and sets the gauges;
// - start/stop runs on its own timer and stops cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FINDINGS_CONFIG, type FindingsConfig } from '../../src/findings/config.ts';
import { FindingsService } from '../../src/report/findings-service.ts';
import { fromElasticsearch } from '../../src/report/from-elasticsearch.ts';
import { fromFiles } from '../../src/report/from-files.ts';
import { silentLogger } from '../../src/telemetry/logger.ts';
import { createRunMetrics } from '../../src/telemetry/metrics.ts';
import { NETLINK_NODES, onsetDay } from '../helpers/calico-day.ts';
import { replayDay } from '../unit/findings/helpers.ts';
import { installTemplates } from '../unit/report/fixture-es.ts';
import { esClient, randomName } from './helpers/stack.ts';

const END = Date.parse('2025-01-14T06:00:00Z');
const SIX = NETLINK_NODES.map((i) => `node-${String(i + 1).padStart(2, '0')}`);
const config: FindingsConfig = {
  ...DEFAULT_FINDINGS_CONFIG,
  service: { ...DEFAULT_FINDINGS_CONFIG.service, windowMs: 6 * 3_600_000, intervalMs: 200 },
};

describe('findings over Elasticsearch', () => {
  const client = esClient();
  const prefix = randomName('fnd');
  let dir: string;

  beforeAll(async () => {
    dir = await replayDay(onsetDay(), 'es');
    await installTemplates(client, prefix);
    const lines = readFileSync(join(dir, 'summaries.ndjson'), 'utf8').trimEnd().split('\n');
    const operations = lines.flatMap((l) => {
      const hit = JSON.parse(l) as { _index: string; _id: string; _source: object };
      return [
        { index: { _index: hit._index.replace(/^logsift-/, `${prefix}-`), _id: hit._id } },
        hit._source,
      ];
    });
    const res = await client.bulk({ operations, refresh: true });
    expect(res.errors).toBe(false);
  }, 300_000);

  afterAll(async () => {
    await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
    for (const kind of ['summaries', 'stats', 'findings'])
      await client.indices.deleteIndexTemplate({ name: `${prefix}-${kind}` }).catch(() => undefined);
    await client.close();
  });

  it('report --es gives the findings report --dir gives', async () => {
    const now = () => new Date('2025-01-15T00:00:00Z');
    for (const range of [
      { from: null, to: null },
      { from: '2025-01-14T03:00:00.000Z', to: '2025-01-14T06:00:00.000Z' },
    ]) {
      const files = await fromFiles(dir, range, { now });
      const es = await fromElasticsearch(client, prefix, range, { now });
      expect(es.findings.length).toBeGreaterThanOrEqual(4);
      expect(es.findings).toEqual(files.findings);
    }
  });

  it('the service indexes each finding once, updates it in place, and sets the gauges', async () => {
    const metrics = createRunMetrics();
    const service = new FindingsService({
      client,
      prefix,
      config,
      log: silentLogger(),
      metrics,
      now: () => END,
    });
    const first = await service.runOnce();
    const netlink = first.filter((f) => f.category === 'netlink-error');
    expect(netlink.map((f) => f.kind).sort()).toEqual(['known-issue', 'new', 'rising', 'spread']);
    for (const f of netlink) expect(f.nodes).toEqual(SIX);
    await client.indices.refresh({ index: `${prefix}-findings-*` });
    const count = async () => (await client.count({ index: `${prefix}-findings-*` })).count;
    expect(await count()).toBe(first.length);
    // Again, a minute later: the same findings, the same documents (updated, not duplicated).
    const again = await new FindingsService({
      client,
      prefix,
      config,
      log: silentLogger(),
      metrics,
      now: () => END + 60_000,
    }).runOnce();
    expect(again.map((f) => f.id).sort()).toEqual(first.map((f) => f.id).sort());
    await client.indices.refresh({ index: `${prefix}-findings-*` });
    expect(await count()).toBe(first.length);

    const fresh = first.find((f) => f.kind === 'new')!;
    const doc = (await client.get({ index: `${prefix}-findings-2025.01.14`, id: fresh.id }))._source as {
      event: { kind: string; start: string };
      logsift: { kind: string; finding: { lines: number; nodes: string[]; advice: string } };
    };
    expect(doc.event).toMatchObject({ kind: 'alert', start: fresh.started_at });
    expect(doc.logsift.kind).toBe('finding');
    expect(doc.logsift.finding).toMatchObject({ lines: fresh.lines, nodes: SIX, advice: fresh.advice });
    // Indexed fields answer queries: findings on a node, known issues by id.
    const onNode = await client.count({
      index: `${prefix}-findings-*`,
      query: { term: { 'logsift.finding.nodes': 'node-03' } },
    });
    expect(onNode.count).toBe(first.filter((f) => f.nodes.includes('node-03')).length);
    const tier = await client.search({
      index: `${prefix}-findings-*`,
      query: { term: { 'logsift.finding.known_issue.id': 'tier-exists-info-spam' } },
    });
    expect((tier.hits.total as { value: number }).value).toBe(
      first.filter((f) => f.known_issue?.id === 'tier-exists-info-spam').length,
    );

    expect(metrics.findings.get({ kind: 'new' })).toBe(1);
    expect(metrics.findings.get({ kind: 'spread' })).toBe(1);
    expect(metrics.findings.get({ kind: 'reset-on-restart' })).toBe(0);
    expect(metrics.findingNodes.get({ kind: 'new' })).toBe(6);
    // The gauges are the second run's: its window starts a minute later, so the 00:00 hour bucket of
    // the Tier spam is outside it (buckets count where they start).
    expect(metrics.knownIssueLines.get({ issue: 'tier-exists-info-spam' })).toBe(
      again.find((f) => f.kind === 'known-issue' && f.category === 'tier-exists')!.lines,
    );
    expect(metrics.findingsLastRun.get()).toBe(Math.floor((END + 60_000) / 1000));
    expect(metrics.findingsRuns.get({ outcome: 'ok' })).toBe(2);
    const text = await metrics.registry.render();
    expect(text).toContain('logsift_findings{kind="new"} 1');
    expect(text).toContain('logsift_known_issue_lines{issue="felix-netlink-handle-leak"}');
  });

  it('start() runs on its timer until stop()', async () => {
    const metrics = createRunMetrics();
    const service = new FindingsService({
      client,
      prefix,
      config,
      log: silentLogger(),
      metrics,
      now: () => END,
    });
    service.start();
    const deadline = Date.now() + 60_000;
    while (metrics.findingsRuns.get({ outcome: 'ok' }) < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await service.stop();
    const runs = metrics.findingsRuns.get({ outcome: 'ok' });
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(metrics.findingsRuns.get({ outcome: 'failed' })).toBe(0);
    await new Promise((r) => setTimeout(r, 3 * config.service.intervalMs));
    expect(metrics.findingsRuns.get({ outcome: 'ok' })).toBe(runs);
  });
});
