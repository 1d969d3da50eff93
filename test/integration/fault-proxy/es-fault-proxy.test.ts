// The fault proxy itself, against the real Elasticsearch: the exactness tests rely on it doing
// exactly what it claims (a proxy that silently forwarded "failed" items would make them vacuous).
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esClient, randomName, stackEnv } from '../helpers/stack.ts';
import { EsFaultProxy } from './es-fault-proxy.ts';

describe('ES fault proxy', () => {
  let proxy: EsFaultProxy;
  let viaProxy: Client;
  const direct = esClient();
  const index = randomName('it-proxy');

  beforeAll(async () => {
    proxy = new EsFaultProxy(stackEnv().esUrl);
    await proxy.start();
    viaProxy = new Client({ node: proxy.url, maxRetries: 0, requestTimeout: 5_000 });
  });
  afterAll(async () => {
    await direct.indices.delete({ index, ignore_unavailable: true });
    await viaProxy.close();
    await direct.close();
    await proxy.close();
  });

  const ops = (from: number, n: number) =>
    Array.from({ length: n }, (_, i) => [
      { create: { _index: index, _id: `d${from + i}` } },
      { v: from + i },
    ]).flat();

  it('fails chosen items without forwarding them and merges the rest in order', async () => {
    proxy.rules = {
      failItems: () =>
        new Map([
          [2, 503],
          [5, 429],
        ]),
    };
    const r = await viaProxy.bulk({ operations: ops(0, 8) });
    expect(r.errors).toBe(true);
    expect(r.items.map((it) => it.create?.status)).toEqual([201, 201, 503, 201, 201, 429, 201, 201]);
    expect(r.items[2]?.create?._id).toBe('d2');
    await direct.indices.refresh({ index });
    const ids = (await direct.search({ index, size: 20, _source: false })).hits.hits.map((h) => h._id).sort();
    expect(ids).toEqual(['d0', 'd1', 'd3', 'd4', 'd6', 'd7']);
  });

  it('applies a bulk and then drops the connection (ambiguous write)', async () => {
    const seen: boolean[] = [];
    proxy.rules = { dropAfterForward: () => true, onBulk: (o) => seen.push(o.delivered) };
    await expect(viaProxy.bulk({ operations: ops(100, 3) })).rejects.toThrow();
    expect(seen).toEqual([false]);
    await direct.indices.refresh({ index });
    const got = await direct.mget({ index, ids: ['d100', 'd101', 'd102'] });
    expect(got.docs.every((d) => 'found' in d && d.found)).toBe(true);
  });

  it('delays responses and turns mget docs into item errors', async () => {
    proxy.rules = {
      delayResponseMs: () => 300,
      failMgetDocs: () => new Set([1]),
    };
    const t0 = Date.now();
    await viaProxy.bulk({ operations: ops(200, 1) });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const got = await viaProxy.mget({ index, ids: ['d0', 'd1', 'd3'] });
    expect('error' in got.docs[1]!).toBe(true);
    expect('found' in got.docs[0]! && got.docs[0].found).toBe(true);
    proxy.rules = {};
  });
});
