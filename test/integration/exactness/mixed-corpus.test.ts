// Exact counts on real Kafka + Elasticsearch under crashes, outages, rebalances and ES faults.
// One mixed corpus (bench/gen-mixed.ts: every Calico corpus row in every wrapper, CRI P/F
// partials, panics, the health table; >= 200k lines, LOGSIFT_IT_SCALE) is produced once into a
// 3-partition topic; every test consumes it with its own group and index prefix and asserts the
// invariant (lib/harness.ts assertExact). docs/EXACTNESS.md, "How the invariant is tested".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateMixed, withTrailer } from '../../../bench/gen-mixed.ts';
import { EsFaultProxy } from '../fault-proxy/es-fault-proxy.ts';
import { stackControllable } from '../helpers/stack.ts';
import { committedSum, log } from './lib/exact.ts';
import { esCtlAsync, Harness, jitter, SCALE, sleep } from './lib/harness.ts';
import type { Processor } from './lib/processor.ts';

const LINES = Math.max(1000, Math.round(200_000 * SCALE));

describe('exactness on a mixed corpus (real Kafka + Elasticsearch)', () => {
  let h: Harness;
  let topic: string;
  let units: number;

  beforeAll(async () => {
    h = await Harness.create();
    ({ topic, units } = await h.topicWith(
      'lx-mixed',
      3,
      withTrailer(generateMixed({ lines: LINES, seed: 7 }), 3),
    ));
    expect(units).toBe(LINES + 3);
  });
  afterEach(async () => {
    await h.stopAll();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Waits until the group committed at least `fraction` of the topic (bounded). */
  async function progress(groupId: string, fraction: number, timeoutMs = 180_000, alive: Processor[] = []) {
    const t0 = Date.now();
    for (;;) {
      const c = await committedSum(h.admin, groupId, topic);
      if (c >= units * fraction) return c;
      h.assertAlive(...alive);
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`no progress to ${fraction} in ${timeoutMs / 1000}s (${c})`);
      await sleep(250);
    }
  }

  it('1: counts a >= 200k-line mixed corpus exactly (no faults)', async () => {
    const { groupId, prefix } = h.scope('clean');
    const p = h.processor({ name: 'clean', topic, groupId, indexPrefix: prefix });
    const t0 = Date.now();
    p.start();
    const s = await h.assertExact({ topic, groupId, prefix, units, label: 'T1 clean' }, [p]);
    const secs = (Date.now() - t0) / 1000;
    log(
      `T1: ${units} lines in ${secs.toFixed(1)}s (${Math.round(units / secs)} lines/s), ${s.docs} documents`,
    );
    expect(s.summary).toBeGreaterThan(0);
    expect(s.docs).toBeLessThan(units); // it aggregates
    expect(await p.stop()).toBe(0); // SIGTERM: clean exit
  });

  it('2: SIGKILL at random moments (>= 5 times), restarted each time', async () => {
    const { groupId, prefix } = h.scope('kill');
    const p = h.processor({ name: 'kill', topic, groupId, indexPrefix: prefix });
    p.start();
    const at: string[] = [];
    for (let k = 0; k < 5; k++) {
      // A random moment after the (re)started process committed something: mid-stream, mid-epoch.
      const before = await committedSum(h.admin, groupId, topic);
      const tw = Date.now();
      while (
        before < units &&
        (await committedSum(h.admin, groupId, topic)) <= before &&
        Date.now() - tw < 90_000
      ) {
        await sleep(200);
      }
      await sleep(jitter(0, 2_500));
      const c = await committedSum(h.admin, groupId, topic);
      await p.kill();
      at.push(`${((c / units) * 100).toFixed(0)}%`);
      p.start();
    }
    log(`T2: killed at committed progress ${at.join(', ')}`);
    await h.assertExact({ topic, groupId, prefix, units, label: 'T2 kill -9 x5' }, [p]);
    expect(p.kills).toBeGreaterThanOrEqual(5);
  });

  it.skipIf(!stackControllable())(
    '3: Elasticsearch stopped >= 20 s mid-stream: consumption pauses, nothing lost',
    async () => {
      const { groupId, prefix } = h.scope('esdown');
      const p = h.processor({ name: 'esdown', topic, groupId, indexPrefix: prefix });
      p.start();
      await progress(groupId, 0.15, 180_000, [p]);
      const t0 = Date.now();
      await esCtlAsync('stop');
      log(`T3: elasticsearch stopped (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
      await sleep(4_000);
      const c1 = await committedSum(h.admin, groupId, topic);
      await sleep(Math.max(0, 20_000 - (Date.now() - t0)) + 2_000);
      const c2 = await committedSum(h.admin, groupId, topic);
      h.assertAlive(p); // no crash / exit while ES is down
      log(`T3: committed ${c1} -> ${c2} during the outage (${((Date.now() - t0) / 1000).toFixed(0)}s down)`);
      expect(c2, 'no offset committed while Elasticsearch is down').toBe(c1);
      expect(c1).toBeLessThan(units);
      await esCtlAsync('start');
      log(`T3: elasticsearch back after ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      await h.assertExact({ topic, groupId, prefix, units, label: 'T3 ES outage' }, [p]);
    },
  );

  it('4: two instances in one group, one SIGKILLed mid-stream: rebalance, exact totals', async () => {
    const { groupId, prefix } = h.scope('rebal');
    const a = h.processor({ name: 'rebal-a', topic, groupId, indexPrefix: prefix });
    const b = h.processor({ name: 'rebal-b', topic, groupId, indexPrefix: prefix });
    a.start();
    b.start();
    await progress(groupId, 0.2, 180_000, [a, b]);
    await a.kill();
    log('T4: instance A killed; B must take over its partitions');
    await h.assertExact({ topic, groupId, prefix, units, label: 'T4 rebalance' }, [b]);
  });

  it('8a: proxy fails single bulk items (503/429) and logsift is SIGKILLed right after acknowledged bulks', async () => {
    const { groupId, prefix } = h.scope('items');
    const proxy = new EsFaultProxy(h.esUrl);
    const url = await proxy.start();
    const p = h.processor({ name: 'items', topic, groupId, indexPrefix: prefix, esUrl: url });
    let kills = 0;
    let killing = false;
    proxy.rules = {
      // A third of the items of every other bulk fail, never forwarded.
      failItems: (b) =>
        b.bulkNo % 2 === 0
          ? new Map(
              b.items.filter(() => Math.random() < 0.33).map((it) => [it.n, Math.random() < 0.5 ? 503 : 429]),
            )
          : undefined,
      // Kill right after a fully acknowledged bulk: between the ES ack and the Kafka commit.
      onBulk: (o) => {
        if (killing || kills >= 4 || !o.delivered || o.injected.size > 0 || o.bulkNo < 6) return;
        if (Math.random() < 0.25) {
          killing = true;
          kills++;
          void p
            .kill()
            .then(() => sleep(jitter(200, 1_500)))
            .then(() => {
              p.start();
              killing = false;
            });
        }
      },
    };
    p.start();
    try {
      await h.assertExact({ topic, groupId, prefix, units, label: 'T8a item faults + kill after ack' });
      log(`T8a: proxy ${JSON.stringify(proxy.stats)}, ${kills} kills after an acknowledged bulk`);
      expect(proxy.stats.itemsInjected).toBeGreaterThan(0);
      expect(kills).toBeGreaterThanOrEqual(1);
    } finally {
      proxy.rules = {};
      await p.kill();
      await proxy.close();
    }
  });

  it('8b: ambiguous writes (applied, then connection dropped) and slow responses past the client timeout', async () => {
    const { groupId, prefix } = h.scope('ambig');
    const proxy = new EsFaultProxy(h.esUrl);
    const url = await proxy.start();
    const p = h.processor({ name: 'ambig', topic, groupId, indexPrefix: prefix, esUrl: url });
    proxy.rules = {
      dropAfterForward: (b) => b.bulkNo % 9 === 3,
      // requestTimeout is 4 s (FAST_GROUP_CONFIG): every 13th bulk answers after it.
      delayResponseMs: (b) => (b.bulkNo % 13 === 0 ? 5_000 : b.bulkNo % 4 === 0 ? jitter(100, 1_500) : 0),
      failMgetDocs: (ids, n) => (n % 6 === 0 && ids.length > 0 ? new Set([0]) : undefined),
    };
    p.start();
    try {
      await h.assertExact({ topic, groupId, prefix, units, label: 'T8b ambiguous writes' }, [p]);
      log(`T8b: proxy ${JSON.stringify(proxy.stats)}`);
      expect(proxy.stats.bulksDropped).toBeGreaterThan(0);
    } finally {
      proxy.rules = {};
      await p.kill();
      await proxy.close();
    }
  });

  it('8c: zombie after a rebalance (SIGSTOP past the session timeout with a bulk held, then SIGCONT): exact, no livelock', async () => {
    const { groupId, prefix } = h.scope('zombie');
    const proxyA = new EsFaultProxy(h.esUrl);
    const urlA = await proxyA.start();
    const a = h.processor({ name: 'zombie-a', topic, groupId, indexPrefix: prefix, esUrl: urlA });
    const b = h.processor({ name: 'zombie-b', topic, groupId, indexPrefix: prefix });
    // Hold A's FIRST bulk in the proxy (set before A starts: with uneven partitions A may own only a
    // small one and finish it before any later moment), then freeze A while it waits for the answer.
    let release: () => void = () => {};
    const held = new Promise<void>((ok) => {
      release = ok;
    });
    let holding = false;
    const gotHeld = new Promise<void>((ok) => {
      proxyA.rules = {
        hold: () => {
          if (holding) return undefined;
          holding = true;
          ok();
          return held;
        },
      };
    });
    a.start();
    b.start();
    try {
      await Promise.race([gotHeld, sleep(120_000)]);
      expect(holding, 'A sent a bulk').toBe(true);
      a.pause();
      const c0 = await committedSum(h.admin, groupId, topic);
      log('T8c: A frozen (SIGSTOP) with a bulk held by the proxy; waiting past the session timeout (12 s)');
      await sleep(25_000);
      const c1 = await committedSum(h.admin, groupId, topic);
      log(`T8c: committed ${c0} -> ${c1} while A is frozen (B took over)`);
      // The zombie's stale bulk lands now, after B owns the partitions; then A wakes up.
      release();
      await sleep(500);
      a.resume();
      log('T8c: A resumed (SIGCONT)');
      const t0 = Date.now();
      await h.assertExact({ topic, groupId, prefix, units, label: 'T8c zombie', timeoutMs: 6 * 60_000 }, [b]);
      log(
        `T8c: converged ${((Date.now() - t0) / 1000).toFixed(0)}s after SIGCONT; proxyA ${JSON.stringify(proxyA.stats)}`,
      );
      expect(c1 > c0 || c0 === units, 'B progressed while A was frozen').toBe(true);
    } finally {
      a.resume();
      await a.kill();
      await b.kill();
      await proxyA.close();
    }
  });
});
