import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregateConfig, DEFAULT_AGGREGATE_CONFIG } from '../../../src/aggregate/config.ts';
import { type Epoch, PartitionState } from '../../../src/aggregate/epoch.ts';
import type { StatsDoc } from '../../../src/domain/documents.ts';
import { FindingsInputBuilder } from '../../../src/findings/input.ts';
import { CasStore, rec } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const cfg: AggregateConfig = { ...DEFAULT_AGGREGATE_CONFIG, rulesetVersion: 'test' };

/** Runs one epoch to the end: load, build, write, acknowledge. Returns true when fully acknowledged. */
async function flush(epoch: Epoch, store: CasStore): Promise<boolean> {
  epoch.provide(await store.load(epoch.missing()));
  const items = epoch.build();
  const results = await store.write(items);
  for (const r of results) if (r.ok) epoch.acknowledge(r.id, r.seqNo, r.primaryTerm);
  if (!epoch.acknowledged) return false;
  epoch.complete();
  return true;
}

describe('Epoch', () => {
  it('counts every unit once across documents and stats', async () => {
    const store = new CasStore();
    const state = new PartitionState('t', 0, cfg);
    const e = state.beginEpoch();
    for (let o = 0; o < 300; o++)
      e.add(rec({ offset: o, ts: T0 + o * 1000, fingerprint: `f${o % 7}`, units: 1 + (o % 3) }));
    expect(await flush(e, store)).toBe(true);
    const expected = Array.from({ length: 300 }, (_, o) => 1 + (o % 3)).reduce((a, b) => a + b, 0);
    expect(store.total()).toBe(expected);
    const stats = [...store.docs.values()]
      .map((v) => v.doc)
      .filter((d): d is StatsDoc => d.logsift.kind === 'stats');
    expect(stats.reduce((a, d) => a + d.logsift.records_in, 0)).toBe(expected);
    expect(state.counters.counted).toBe(expected);
  });

  it('copyOnWrite off (the file pipeline) writes the same documents, also for records sharing an offset', async () => {
    const run = async (copyOnWrite: boolean): Promise<string> => {
      const store = new CasStore();
      const state = new PartitionState('t', 0, cfg, { copyOnWrite });
      for (let ep = 0; ep < 3; ep++) {
        const e = state.beginEpoch();
        // Two records at each offset (one Kafka message can carry several records): both count.
        for (let o = ep * 50; o < ep * 50 + 50; o++)
          for (const fp of ['a', 'b'])
            e.add(rec({ offset: o, ts: T0 + o * 1000, fingerprint: o % 2 === 0 ? 'same' : fp }));
        expect(await flush(e, store)).toBe(true);
      }
      expect(store.total()).toBe(300);
      expect(state.counters.counted).toBe(300);
      return JSON.stringify([...store.docs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    expect(await run(false)).toBe(await run(true));
  });

  it('collapses 24 h of Tier-exists lines from one pod into 48 hourly summaries', async () => {
    const store = new CasStore();
    const state = new PartitionState('t', 0, cfg);
    let offset = 0;
    for (let s = 0; s < 86_400; s += 10) {
      const e = state.beginEpoch();
      for (const tier of ['default', 'adminnetworkpolicy']) {
        e.add(
          rec({
            offset: offset++,
            ts: T0 + s * 1000,
            fingerprint: 'tier000000000000',
            category: 'tier-exists',
            component: 'kube-controllers',
            pod: 'calico-kube-controllers-7d9f',
            params: { tier },
          }),
        );
      }
      if (s % 3600 === 3590) expect(await flush(e, store)).toBe(true);
      else expect(await flush(e, store)).toBe(true);
    }
    const sums = store.summaries();
    expect(store.total()).toBe(17_280);
    // One fingerprint (the tier is a parameter) x 24 hourly buckets: within the 2 x 24 bar.
    expect(sums.length).toBeLessThanOrEqual(48);
    expect(sums.length).toBe(24);
    const perTier = sums.reduce(
      (a, d) => {
        for (const [v, n] of Object.entries(d.logsift.params.tier?.values ?? {})) a[v] = (a[v] ?? 0) + n;
        return a;
      },
      {} as Record<string, number>,
    );
    expect(perTier).toEqual({ default: 8640, adminnetworkpolicy: 8640 });
  });

  it('skips records a crashed run already counted (write acknowledged, offset not committed)', async () => {
    const store = new CasStore();
    const a = new PartitionState('t', 0, cfg);
    const e1 = a.beginEpoch();
    for (let o = 0; o < 100; o++) e1.add(rec({ offset: o, ts: T0 + o, fingerprint: `f${o % 5}` }));
    expect(await flush(e1, store)).toBe(true);
    // Crash before committing offset 100: a new process replays from 0 with other batch cuts.
    const b = new PartitionState('t', 0, cfg);
    for (const [from, to] of [
      [0, 37],
      [37, 160],
    ] as const) {
      const e = b.beginEpoch();
      for (let o = from; o < to; o++) e.add(rec({ offset: o, ts: T0 + o, fingerprint: `f${o % 5}` }));
      expect(await flush(e, store)).toBe(true);
    }
    expect(store.total()).toBe(160);
    expect(b.counters.skipped).toBe(100);
  });

  it('an aborted epoch leaves no trace: the delta is dropped and the replay counts once', async () => {
    const store = new CasStore();
    const state = new PartitionState('t', 0, cfg);
    const e1 = state.beginEpoch();
    for (let o = 0; o < 50; o++) e1.add(rec({ offset: o, ts: T0 + o, fingerprint: `f${o % 3}` }));
    store.failItem = (_item, i) => i === 0; // the first item fails, the rest land
    expect(await flush(e1, store)).toBe(false);
    store.failItem = () => false;
    // Not acknowledged: kafkajs re-delivers from the last resolved offset (0); the state is reloaded.
    state.clear();
    const e2 = state.beginEpoch();
    for (let o = 0; o < 50; o++) e2.add(rec({ offset: o, ts: T0 + o, fingerprint: `f${o % 3}` }));
    expect(await flush(e2, store)).toBe(true);
    expect(store.total()).toBe(50);
  });

  it('a stale writer gets conflicts and cannot overwrite newer counts', async () => {
    const store = new CasStore();
    const zombie = new PartitionState('t', 0, cfg);
    const ez = zombie.beginEpoch();
    for (let o = 0; o < 10; o++) ez.add(rec({ offset: o, ts: T0 }));
    expect(await flush(ez, store)).toBe(true);
    // Another member takes over, counts 10..20.
    const owner = new PartitionState('t', 0, cfg);
    const eo = owner.beginEpoch();
    for (let o = 10; o < 20; o++) eo.add(rec({ offset: o, ts: T0 }));
    expect(await flush(eo, store)).toBe(true);
    // The zombie, with its stale cache, tries to write 10..15 again.
    const ez2 = zombie.beginEpoch();
    for (let o = 10; o < 15; o++) ez2.add(rec({ offset: o, ts: T0 }));
    expect(await flush(ez2, store)).toBe(false);
    expect(store.total()).toBe(20);
  });

  it('late records go to the late bucket of their source day, counted exactly', async () => {
    const store = new CasStore();
    const state = new PartitionState('t', 0, cfg);
    const e = state.beginEpoch();
    const now = T0 + 3 * 86_400_000;
    e.add(rec({ offset: 0, ts: now, parsedTime: now - 2 * 86_400_000 })); // 2 days behind: late
    e.add(rec({ offset: 1, ts: now, parsedTime: now - 3 * 3_600_000 })); // hours behind: its own bucket
    e.add(rec({ offset: 2, ts: now, parsedTime: Date.UTC(1970, 0, 1) })); // implausible: source time
    expect(await flush(e, store)).toBe(true);
    const sums = store.summaries();
    expect(store.total()).toBe(3);
    expect(sums.filter((d) => d.logsift.bucket.late).map((d) => d.logsift.count)).toEqual([1]);
    expect(sums.some((d) => d['@timestamp'].startsWith('1970'))).toBe(false);
  });

  it('counts evictions when the cache cap bites and stays exact', async () => {
    const small: AggregateConfig = { ...cfg, caps: { ...cfg.caps, cacheDocs: 5 } };
    const store = new CasStore();
    const state = new PartitionState('t', 0, small);
    let o = 0;
    for (let epoch = 0; epoch < 20; epoch++) {
      const e = state.beginEpoch();
      for (let i = 0; i < 20; i++) e.add(rec({ offset: o++, ts: T0, fingerprint: `f${(o * 7) % 13}` }));
      expect(await flush(e, store)).toBe(true);
    }
    expect(state.cacheSize).toBeLessThanOrEqual(5);
    expect(state.counters.cacheEvictions).toBeGreaterThan(0);
    expect(store.total()).toBe(400);
  });

  it('property: any batch cuts, item failures and crashes give exact per-fingerprint totals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ f: fc.integer({ min: 0, max: 6 }), dt: fc.integer({ min: 0, max: 7_200_000 }) }),
          {
            minLength: 1,
            maxLength: 120,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 20 }),
        async (lines, cuts, faults) => {
          let ts = T0;
          const records = lines.map((l, o) => {
            ts += l.dt;
            return rec({
              offset: o,
              ts,
              fingerprint: `f${l.f}`,
              category: l.f === 3 ? 'error-other' : 'routine-noise',
            });
          });
          const store = new CasStore();
          let committed = 0;
          let state = new PartitionState('t', 0, cfg);
          let step = 0;
          while (committed < records.length) {
            const size = cuts[step % cuts.length]!;
            // 0: item failure, 1: crash after the write; faults stop after 30 steps so the run ends.
            const fault = step < 30 ? faults[step % faults.length]! % 5 : 4;
            step += 1;
            const batch = records.slice(committed, committed + size);
            const e = state.beginEpoch();
            for (const r of batch) e.add(r);
            if (fault === 0) store.failItem = (_i, idx) => idx % 2 === 0;
            const ok = await flush(e, store);
            store.failItem = () => false;
            if (!ok || fault === 1) {
              state = new PartitionState('t', 0, cfg); // crash: memory gone, replay from `committed`
              continue;
            }
            committed += batch.length;
          }
          expect(store.total()).toBe(records.length);
          const truth = new Map<string, number>();
          for (const r of records)
            truth.set(r.classification.fingerprint, (truth.get(r.classification.fingerprint) ?? 0) + 1);
          const got = new Map<string, number>();
          for (const d of store.summaries())
            got.set(d.logsift.fingerprint, (got.get(d.logsift.fingerprint) ?? 0) + d.logsift.count);
          expect(got).toEqual(truth);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('records sharing one params object (a memoised classification)', () => {
  it('count the same top values as records with their own copies, under the caps', async () => {
    const small: AggregateConfig = { ...cfg, caps: { ...cfg.caps, topValues: 3, params: 2 } };
    const pool: Record<string, string>[] = [
      { ip: '10.0.0.1', site: 'a.go:1' },
      { ip: '10.0.0.2', site: 'a.go:1' },
      { ip: '10.0.0.3', site: 'a.go:2', iface: 'cali1' },
      { ip: '10.0.0.4' },
      { ip: '10.0.0.5', site: 'a.go:3' },
    ];
    const run = async (share: boolean): Promise<string> => {
      const store = new CasStore();
      const state = new PartitionState('t', 0, small);
      let seed = 7;
      let o = 0;
      for (let ep = 0; ep < 3; ep++) {
        const e = state.beginEpoch();
        for (let k = 0; k < 200; k++, o++) {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          // Runs of one object, then another: repeats, changes, and values past the caps.
          const p =
            pool[(seed >> 8) % 3 === 0 ? (seed >> 4) % pool.length : Math.floor(o / 17) % pool.length]!;
          e.add(rec({ offset: o, ts: T0 + o * 1000, units: 1 + (o % 2), params: share ? p : { ...p } }));
        }
        expect(await flush(e, store)).toBe(true);
      }
      return JSON.stringify([...store.docs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const own = await run(false);
    expect(own).toContain('"other"');
    expect(await run(true)).toBe(own);
  });
});

describe('built documents', () => {
  it('carry param_values (exact per-value counts) and doc_bytes (their own JSON size)', async () => {
    const store = new CasStore();
    const state = new PartitionState('t', 0, cfg);
    const e = state.beginEpoch();
    for (let o = 0; o < 30; o++)
      e.add(rec({ offset: o, ts: T0, category: 'tier-exists', params: { tier: o % 3 ? 'default' : 'anp' } }));
    expect(await flush(e, store)).toBe(true);
    const [doc] = store.summaries();
    expect(doc?.logsift.param_values).toEqual([
      { name: 'tier', value: 'default', count: 20 },
      { name: 'tier', value: 'anp', count: 10 },
    ]);
    const { doc_bytes, ...rest } = doc!.logsift;
    expect(doc_bytes).toBe(Buffer.byteLength(JSON.stringify({ ...doc, logsift: rest })));
  });

  it('carry container.image.name and logsift.statement (id, format) for the findings; absent when unknown', async () => {
    const formats = new Map([['0123456789abcdef', 'Tier %s already exists.']]);
    const c: AggregateConfig = { ...cfg, statementFormat: (id) => formats.get(id) };
    const store = new CasStore();
    const state = new PartitionState('t', 0, c);
    const e = state.beginEpoch();
    const image = 'docker.io/calico/node:v3.29.1';
    const k = { pod: 'calico-node-x1', node: 'n1', container: 'calico-node', image };
    e.add(rec({ offset: 0, ts: T0, fingerprint: 'a000000000000000', statement: '0123456789abcdef', ...k }));
    e.add(rec({ offset: 1, ts: T0, fingerprint: 'b000000000000000', statement: 'fedcba9876543210', ...k }));
    e.add(rec({ offset: 2, ts: T0, fingerprint: 'c000000000000000', pod: 'p', container: 'calico-node' }));
    expect(await flush(e, store)).toBe(true);
    const by = new Map(store.summaries().map((d) => [d.logsift.fingerprint, d]));
    const a = by.get('a000000000000000')!;
    expect(a.container).toEqual({ name: 'calico-node', image: { name: image } });
    expect(a.logsift.statement).toEqual({ id: '0123456789abcdef', format: 'Tier %s already exists.' });
    // An id the library lookup does not know: the id alone.
    expect(by.get('b000000000000000')!.logsift.statement).toEqual({ id: 'fedcba9876543210' });
    const none = by.get('c000000000000000')!;
    expect(none.container).toEqual({ name: 'calico-node' });
    expect('statement' in none.logsift).toBe(false);
    // What the findings read (src/findings/input.ts): the image per point, the statement per fingerprint.
    const fi = new FindingsInputBuilder();
    for (const d of store.summaries()) fi.addDoc(d);
    const input = fi.build();
    expect(input.points.find((p) => p.fingerprint === 'a000000000000000')?.image).toBe(image);
    expect(input.points.find((p) => p.fingerprint === 'c000000000000000')?.image).toBeNull();
    expect(input.meta.get('a000000000000000')?.statement).toEqual({
      id: '0123456789abcdef',
      format: 'Tier %s already exists.',
    });
    expect(input.meta.get('c000000000000000')?.statement).toBeNull();
    // A later epoch over the stored document keeps both (the head comes from the base).
    const state2 = new PartitionState('t', 0, c);
    const e2 = state2.beginEpoch();
    e2.add(
      rec({ offset: 3, ts: T0 + 1000, fingerprint: 'a000000000000000', statement: '0123456789abcdef', ...k }),
    );
    expect(await flush(e2, store)).toBe(true);
    const a2 = store.summaries().find((d) => d.logsift.fingerprint === 'a000000000000000')!;
    expect(a2.logsift.count).toBe(2);
    expect(a2.container).toEqual(a.container);
    expect(a2.logsift.statement).toEqual(a.logsift.statement);
  });
});
