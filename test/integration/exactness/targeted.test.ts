// Targeted exactness tests, each on its own small topic: poison messages (T7), the Tier-exists
// day and a netlink errno burst (the volume reduction docs/DESIGN.md describes), late records and a
// restart mid-bucket (T11/T12). Every test also asserts the invariant (lib/harness.ts assertExact).
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { calicoTs, generateMixed, type ProduceMessage, Rng, withTrailer } from '../../../bench/gen-mixed.ts';
import { log, sumCounts } from './lib/exact.ts';
import { Harness, SCALE, sleep } from './lib/harness.ts';

const HOUR = 3_600_000;

function fluentbit(text: string, ms: number, pod: string, node: string, container = 'calico-node'): string {
  return JSON.stringify({
    time: new Date(ms).toISOString(),
    stream: 'stdout',
    log: text,
    kubernetes: { pod_name: pod, namespace_name: 'calico-system', host: node, container_name: container },
  });
}

describe('targeted exactness tests (real Kafka + Elasticsearch)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.create();
  });
  afterEach(async () => {
    await h.stopAll();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('5: poison messages (binary, > 64 KiB, broken envelope JSON, empty) are dead-lettered with reasons and headers; the rest counted', async () => {
    const good = Math.max(2_000, Math.round(20_000 * SCALE));
    const rng = new Rng(5);
    const poison = { binary: 25, oversize: 8, 'broken-envelope': 25, empty: 10 };
    const bad: ProduceMessage[] = [];
    const now = Date.now();
    for (let i = 0; i < poison.binary; i++) {
      const b = randomBytes(200 + rng.int(0, 2000));
      for (let k = 0; k < b.length; k += 3) b[k] = 0;
      bad.push({ key: null, value: b, timestamp: now });
    }
    for (let i = 0; i < poison.oversize; i++) {
      bad.push({
        key: null,
        value: `${calicoTs(now)} [INFO][1] felix/x.go 1: ${'A'.repeat(70 * 1024)}`,
        timestamp: now,
      });
    }
    for (let i = 0; i < poison['broken-envelope']; i++) {
      const full = fluentbit(
        `${calicoTs(now)} [INFO][63] felix/summary.go 100: Summarising ${i}`,
        now,
        'p',
        'n',
      );
      bad.push({ key: null, value: full.slice(0, rng.int(10, full.length - 5)), timestamp: now });
    }
    for (let i = 0; i < poison.empty; i++) bad.push({ key: null, value: '', timestamp: now });
    const msgs: ProduceMessage[] = [...generateMixed({ lines: good, seed: 55 })];
    for (const m of bad) msgs.splice(rng.int(0, msgs.length), 0, m);
    msgs.push(...[...withTrailer([], 3)].map((m) => ({ ...m, timestamp: now + 60_000 })));
    const { topic, units } = await h.topicWith('lx-poison', 3, msgs);
    const { groupId, prefix } = h.scope('poison');
    const p = h.processor({ name: 'poison', topic, groupId, indexPrefix: prefix });
    p.start();
    // One SIGKILL mid-stream: replayed dead letters may be produced twice, but only once per key.
    await sleep(4_000);
    await p.kill();
    p.start();
    const s = await h.assertExact({ topic, groupId, prefix, units, label: 'T5 poison' }, [p]);
    const expected = Object.fromEntries(Object.entries(poison).map(([r, n]) => [`dlq:${r}`, n]));
    expect(s.dlqByReason).toEqual(expected);
    expect(s.summary).toBe(good + 3);
  });

  it('6: a day of Tier-exists lines from one pod (null keys, 3 partitions) -> <= 144 documents; a netlink errno burst on 20 nodes -> one fingerprint per errno, exact per-node counts', async () => {
    const dayEnd = Math.floor(Date.now() / HOUR) * HOUR; // hour-aligned: exactly 24 hourly buckets
    const dayStart = dayEnd - 24 * HOUR;
    const pod = 'calico-kube-controllers-7d4c9f8b6-x2x7q';
    const tier: ProduceMessage[] = [];
    for (let t = dayStart + 3_137; t < dayEnd; t += 10_000) {
      for (const name of ['default', 'adminnetworkpolicy']) {
        const text = `${calicoTs(t)} [INFO][1] kube-controllers/client.go 414: Tier ${name} already exists. error=resource already exists: Tier(${name})`;
        tier.push({
          key: null,
          value: fluentbit(text, t + 2, pod, 'k8s-control-1', 'calico-kube-controllers'),
          timestamp: t + 5,
        });
      }
    }
    expect(tier.length).toBe(17_280);
    const tierTopic = await h.topicWith('lx-tier', 3, tier);
    const ts = h.scope('tier');
    const p = h.processor({
      name: 'tier',
      topic: tierTopic.topic,
      groupId: ts.groupId,
      indexPrefix: ts.prefix,
    });
    p.start();
    const s = await h.assertExact({ ...tierTopic, ...ts, label: 'T6 tier day' }, [p]);
    log(`T6: 17,280 Tier lines -> ${s.docs} documents`);
    expect(s.docs).toBeLessThanOrEqual(2 * 24 * 3);
    await p.kill();

    // Netlink burst: 20 nodes, 3 errnos, node i logs (i+1)*k lines of errno k, within 10 minutes.
    const errnos = ['too many open files', 'no buffer space available', 'file exists'];
    const burstStart = Date.now() - 15 * 60_000;
    const rng = new Rng(6);
    const expected = new Map<string, Map<string, number>>(); // errno -> node -> count
    const burst: ProduceMessage[] = [];
    for (let n = 0; n < 20; n++) {
      const node = `k8s-worker-${String(n + 1).padStart(2, '0')}`;
      for (const [k, errno] of errnos.entries()) {
        const count = (n + 1) * (k + 1);
        for (let i = 0; i < count; i++) {
          const t = burstStart + rng.int(0, 10 * 60_000);
          const text = `${calicoTs(t)} [WARNING][63] felix/route_table.go 911: Failed to list routes ifaceName="cali${rng.hex(11)}" ipVersion=0x4 error=${errno}`;
          burst.push({
            key: null,
            value: JSON.stringify({
              '@timestamp': new Date(t + 1).toISOString(),
              message: text,
              kubernetes: {
                pod: { name: `calico-node-${n}` },
                namespace: 'calico-system',
                node: { name: node },
              },
              host: { name: node },
            }),
            timestamp: t + 3,
          });
          const m = expected.get(errno) ?? new Map<string, number>();
          m.set(node, (m.get(node) ?? 0) + 1);
          expected.set(errno, m);
        }
      }
    }
    burst.sort((a, b) => a.timestamp - b.timestamp);
    const nlTopic = await h.topicWith('lx-netlink', 3, burst);
    const ns = h.scope('netlink');
    const q = h.processor({
      name: 'netlink',
      topic: nlTopic.topic,
      groupId: ns.groupId,
      indexPrefix: ns.prefix,
    });
    q.start();
    await h.assertExact({ ...nlTopic, ...ns, label: 'T6 netlink burst' }, [q]);
    const r = await h.es.search({
      index: `${ns.prefix}-summaries-*`,
      size: 0,
      query: { term: { 'logsift.kind': 'summary' } },
      aggs: {
        fp: {
          terms: { field: 'logsift.fingerprint', size: 100 },
          aggs: {
            category: { terms: { field: 'logsift.category', size: 5 } },
            template: { terms: { field: 'logsift.template', size: 3 } },
            node: {
              terms: { field: 'kubernetes.node.name', size: 100 },
              aggs: { n: { sum: { field: 'logsift.count' } } },
            },
            host: {
              terms: { field: 'host.name', size: 100 },
              aggs: { n: { sum: { field: 'logsift.count' } } },
            },
          },
        },
      },
    });
    type B = { key: string; n: { value: number } };
    const fps = (
      r.aggregations as unknown as {
        fp: {
          buckets: {
            key: string;
            category: { buckets: { key: string }[] };
            template: { buckets: { key: string }[] };
            node: { buckets: B[] };
            host: { buckets: B[] };
          }[];
        };
      }
    ).fp.buckets;
    log(
      `T6 netlink: ${fps.map((f) => `${f.key} ${f.category.buckets[0]?.key} ${f.template.buckets[0]?.key}`).join(' | ')}`,
    );
    expect(fps.length, 'one fingerprint per errno').toBe(errnos.length);
    for (const errno of errnos) {
      const f = fps.filter((x) => x.template.buckets.some((t) => t.key.includes(errno)));
      expect(f.length, `fingerprint for ${errno}`).toBe(1);
      expect(f[0]!.category.buckets.map((c) => c.key)).toEqual(['netlink-error']);
      const perNode = f[0]!.node.buckets.length > 0 ? f[0]!.node.buckets : f[0]!.host.buckets;
      const got = Object.fromEntries(perNode.map((b) => [b.key, b.n.value]));
      expect(got, `per-node counts for ${errno}`).toEqual(Object.fromEntries(expected.get(errno)!));
    }
  });

  it('7: late records (event time hours behind the Kafka timestamp) and a restart mid-bucket give exact totals', async () => {
    const now = Date.now();
    const h0 = Math.floor(now / HOUR) * HOUR - HOUR; // the previous hour
    const per = Math.max(600, Math.round(3_000 * SCALE));
    const groups = [
      { name: 'recent', base: h0 + 10 * 60_000, n: per },
      { name: '3h-behind', base: h0 - 3 * HOUR + 10 * 60_000, n: per },
      { name: '30h-behind', base: h0 - 30 * HOUR + 10 * 60_000, n: Math.round(per / 3) },
    ];
    const phase = (half: 0 | 1, kafkaTs: number): ProduceMessage[] => {
      const out: ProduceMessage[] = [];
      for (const g of groups) {
        for (let i = half; i < g.n; i += 2) {
          const t = g.base + Math.floor((i * 30 * 60_000) / g.n); // 30 minutes inside one hour bucket
          const tier = i % 4 < 2 ? 'default' : 'adminnetworkpolicy';
          const text = `${calicoTs(t)} [INFO][1] kube-controllers/client.go 414: Tier ${tier} already exists. error=resource already exists: Tier(${tier})`;
          out.push({
            key: null,
            partition: i % 3,
            value: fluentbit(
              text,
              t,
              'calico-kube-controllers-7d4c9f8b6-late1',
              'k8s-control-1',
              'calico-kube-controllers',
            ),
            timestamp: kafkaTs + out.length,
          });
        }
      }
      return out;
    };
    const first = phase(0, now - 60_000);
    const { topic, units: u1 } = await h.topicWith('lx-late', 3, first);
    const { groupId, prefix } = h.scope('late');
    const p = h.processor({ name: 'late', topic, groupId, indexPrefix: prefix });
    p.start();
    const s1 = await h.assertExact({ topic, groupId, prefix, units: u1, label: 'T7 phase 1' }, [p]);
    await p.kill(); // mid-bucket: the second half of every bucket is still to come
    const second = phase(1, now);
    expect(await h.produce(topic, second)).toBe(second.length);
    p.start();
    const total = u1 + second.length;
    const s2 = await h.assertExact({ topic, groupId, prefix, units: total, label: 'T7 phase 2' }, [p]);
    log(`T7: documents after phase 1 ${s1.docs}, after phase 2 ${s2.docs}`);
    expect(s2.docs, 'the restart continued the same documents (no new ones for the same buckets)').toBe(
      s1.docs,
    );
    const late = await h.es.search({
      index: `${prefix}-summaries-*`,
      size: 0,
      query: { term: { 'logsift.bucket.late': true } },
      aggs: { n: { sum: { field: 'logsift.count' } } },
    });
    const lateSum = (late.aggregations as unknown as { n: { value: number } }).n.value;
    expect(lateSum, 'records older than lateAfter (1 d) are counted in late documents').toBe(groups[2]!.n);
    const again = await sumCounts(h.es, prefix);
    expect(again.total).toBe(total);
  });
});
