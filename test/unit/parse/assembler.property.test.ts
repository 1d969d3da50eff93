/**
 * Property tests (fast-check) for decode + PartitionAssembler: never throws, exact unit
 * accounting, drain-independence, strictly increasing emission, and the replay property of
 * safeCommitOffset (docs/EXACTNESS.md F11).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord, SourceUnit } from '../../../src/domain/record.ts';
import { PartitionAssembler } from '../../../src/parse/assembler.ts';
import { decodeUnit } from '../../../src/parse/decode.ts';
import { KAFKA_DEAD_LETTER_POLICY, type ParseOptions } from '../../../src/parse/options.ts';
import { T0, unit } from './helpers.ts';

const LINES = [
  '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)',
  '2025-01-14 09:31:42.753 [PANIC][63] felix/handle_manager.go 104: Repeatedly failed to connect to netlink. numFailures=10',
  '2025-01-14 09:35:19.070 [INFO][63] felix/health.go 336: Overall health status changed: live=true ready=true',
  '+---------+---------+',
  '| A       | B       |',
  'panic: boom',
  'goroutine 1 [running]:',
  'main.main()',
  '\t/go/src/main.go:12 +0x25',
  '',
  'bird: Netlink: File exists',
  'I0114 09:30:05.412337       1 run_server.go:78] Running the API server',
  'F0114 09:30:05.412337       1 run_server.go:78] fatal',
  'time="2025-01-14T09:30:04Z" level=info msg="x"',
  'random text',
  '{"broken',
];

/** One unit: a realistic line, maybe split into CRI P pieces, maybe in a Fluent Bit envelope of one of 3 pods. */
const unitValue = fc
  .record({
    line: fc.oneof(fc.constantFrom(...LINES), fc.string({ maxLength: 30 })),
    wrap: fc.constantFrom(
      'raw',
      'cri-F',
      'cri-P',
      'fb-raw',
      'fb-cri-P',
      'fb-cri-F',
      'bytes',
      'kubectl',
      'stern',
      'syslog',
    ),
    pod: fc.constantFrom('a', 'b', 'c'),
    stream: fc.constantFrom('stdout', 'stderr'),
    bytes: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ line, wrap, pod, stream, bytes }): string | Uint8Array => {
    const c = (tag: string) => `2026-01-10T10:00:00.123456789Z ${stream} ${tag} ${line}`;
    const fb = (log: string) =>
      JSON.stringify({ log, kubernetes: { pod_name: pod, namespace_name: 'ns', container_name: 'c' } });
    switch (wrap) {
      case 'cri-F':
        return c('F');
      case 'cri-P':
        return c('P');
      case 'fb-raw':
        return fb(line);
      case 'fb-cri-P':
        return fb(c('P'));
      case 'fb-cri-F':
        return fb(c('F'));
      case 'bytes':
        return bytes;
      case 'kubectl':
        return `[pod/${pod}/calico-node] ${line}`;
      case 'stern':
        return `calico-node-${pod} calico-node ${line}`;
      case 'syslog':
        return `Jan 14 09:30:00 node-${pod} calico-felix[1]: ${line}`;
      default:
        return line;
    }
  });

/** Units with increasing offsets (sometimes skipping) and timestamps (sometimes jumping past the gap). */
const unitsArb = fc
  .array(
    fc.record({
      v: unitValue,
      skip: fc.nat({ max: 2 }),
      dt: fc.oneof(fc.nat({ max: 1500 }), fc.constant(9000)),
    }),
    {
      maxLength: 60,
    },
  )
  .map((xs) => {
    let off = 100;
    let ts = T0;
    return xs.map(({ v, skip, dt }) => {
      off += 1 + skip;
      ts += dt;
      return unit(off, v, ts);
    });
  });

const optsArb: fc.Arbitrary<Partial<ParseOptions>> = fc
  .record({
    maxGroupLines: fc.constantFrom(3, 1000),
    maxOpenUnits: fc.constantFrom(4, 10000),
    maxOpenKeys: fc.constantFrom(2, 4096),
    maxHeldBack: fc.constantFrom(2, 10000),
    maxUnitBytes: fc.constantFrom(40, 65536),
    deadLetter: fc.constantFrom(undefined, KAFKA_DEAD_LETTER_POLICY),
  })
  .map((o) => (o.deadLetter ? o : { ...o, deadLetter: undefined }) as Partial<ParseOptions>);

function runAll(
  units: readonly SourceUnit[],
  opts: Partial<ParseOptions>,
  drainEvery: (i: number) => boolean,
) {
  const a = new PartitionAssembler(opts);
  const records: LogRecord[] = [];
  let dead = 0;
  units.forEach((u, i) => {
    a.push(u);
    if (drainEvery(i)) {
      const d = a.drain();
      records.push(...d.records);
      dead += d.deadLetters.length;
    }
  });
  a.flush();
  const d = a.drain();
  records.push(...d.records);
  dead += d.deadLetters.length;
  return { records, dead, a };
}

describe('decode never throws', () => {
  it('on arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ unit: 'binary', maxLength: 500 })),
        fc.nat({ max: 3000 }),
        (v, max) => {
          const d = decodeUnit(v, { maxUnitBytes: max });
          expect(typeof d.text).toBe('string');
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('PartitionAssembler properties', () => {
  it('never throws; every pushed unit is accounted for exactly once; emission strictly increasing', () => {
    fc.assert(
      fc.property(unitsArb, optsArb, (units, opts) => {
        const { records, dead, a } = runAll(units, opts, () => false);
        const sum = records.reduce((s, r) => s + r.units, 0);
        expect(sum + dead).toBe(units.length);
        for (let i = 1; i < records.length; i++) {
          expect(records[i]!.position.offset).toBeGreaterThan(records[i - 1]!.position.offset);
        }
        expect(a.openGroups).toBe(0);
        for (const r of records) {
          expect(r.units).toBeGreaterThanOrEqual(1);
          expect(r.lineNumber).toBe(r.position.offset + 1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary raw bytes and strings never throw', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), {
          maxLength: 30,
        }),
        (vs) => {
          const units = vs.map((v, i) => unit(i, v, Number.NaN));
          const { records, dead } = runAll(units, {}, () => false);
          expect(records.reduce((s, r) => s + r.units, 0) + dead).toBe(units.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the same input gives the same records however drain() calls are interleaved', () => {
    fc.assert(
      fc.property(unitsArb, optsArb, fc.func(fc.boolean()), (units, opts, drainAt) => {
        const once = runAll(units, opts, () => false).records;
        const often = runAll(units, opts, (i) => drainAt(i)).records;
        expect(often).toEqual(once);
      }),
      { numRuns: 200 },
    );
  });

  it('safeCommitOffset: replaying from c with a fresh assembler gives the same records with first >= c', () => {
    fc.assert(
      fc.property(unitsArb, optsArb, fc.nat(), (units, opts, pick) => {
        if (units.length === 0) return;
        const cutAt = pick % units.length;
        const a = new PartitionAssembler(opts);
        const all: LogRecord[] = [];
        let c = 0;
        units.forEach((u, i) => {
          a.push(u);
          if (i === cutAt) {
            all.push(...a.drain().records);
            c = a.safeCommitOffset(u.position.offset + 1);
            expect(c).toBeLessThanOrEqual(u.position.offset + 1);
          }
        });
        a.flush();
        all.push(...a.drain().records);
        const b = new PartitionAssembler(opts);
        for (const u of units) if (u.position.offset >= c) b.push(u);
        b.flush();
        const replay = b.drain().records;
        expect(replay).toEqual(all.filter((r) => r.position.offset >= c));
        // And everything below c was already emitted before the commit point was taken.
        const emittedBefore = all.filter((r) => r.position.offset < c);
        expect(emittedBefore.every((r) => r.position.offset < c)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('snapshot/restore: an aborted epoch replayed after restore gives identical output', () => {
    fc.assert(
      fc.property(unitsArb, optsArb, fc.nat(), (units, opts, pick) => {
        const k = units.length === 0 ? 0 : pick % units.length;
        const ref = runAll(units, opts, () => false).records;
        const a = new PartitionAssembler(opts);
        const out: LogRecord[] = [];
        units.slice(0, k).forEach((u) => {
          a.push(u);
        });
        out.push(...a.drain().records);
        const snap = a.snapshot();
        units.slice(k).forEach((u) => {
          a.push(u);
        });
        a.drain(); // aborted epoch: its output is dropped
        a.restore(snap);
        units.slice(k).forEach((u) => {
          a.push(u);
        });
        a.flush();
        out.push(...a.drain().records);
        expect(out).toEqual(ref);
      }),
      { numRuns: 150 },
    );
  });
});
