import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/domain/record.ts';
import { PartitionAssembler } from '../../../src/parse/assembler.ts';
import { KAFKA_DEAD_LETTER_POLICY } from '../../../src/parse/options.ts';
import { assemble, one, T0, unit } from './helpers.ts';

const CAL =
  '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)';
const cri = (stream: string, tag: string, text: string, t = '2026-01-10T10:00:00.123456789Z') =>
  `${t} ${stream} ${tag} ${text}`;
const fb = (pod: string, log: string) =>
  JSON.stringify({
    log,
    kubernetes: { pod_name: pod, namespace_name: 'calico-system', container_name: 'calico-node', host: 'n1' },
  });

const HEALTH = [
  '2025-01-14 09:35:19.070 [INFO][63] felix/health.go 336: Overall health status changed: live=true ready=true',
  '+------------------+---------+',
  '|    COMPONENT     | TIMEOUT |',
  '+------------------+---------+',
  '| CalculationGraph | 30s     |',
  '+------------------+---------+',
];
const PANIC = [
  'panic: runtime error: invalid memory address or nil pointer dereference',
  '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x1a2b3c]',
  '',
  'goroutine 1 [running]:',
  'github.com/projectcalico/calico/felix/daemon.Run(0xc000010000)',
  '\t/go/src/github.com/projectcalico/calico/felix/daemon/daemon.go:411 +0x1f',
  'main.main()',
  '\t/go/src/main.go:12 +0x25',
];

const offs = (rs: LogRecord[]) => rs.map((r) => r.position.offset);

describe('PartitionAssembler: single-line records', () => {
  it('a Calico line is complete at once (no flush needed)', () => {
    const a = new PartitionAssembler();
    a.push(unit(0, CAL));
    const { records } = a.drain();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      units: 1,
      lines: 1,
      lineNumber: 1,
      bytes: CAL.length,
      format: 'calico',
      wrapper: 'raw',
    });
    expect(a.openGroups).toBe(0);
  });

  it('bytes are counted as received, wrapper included', () => {
    const v = cri('stderr', 'F', 'bird: Started');
    expect(one(v).bytes).toBe(v.length);
    expect(one(new TextEncoder().encode('héllo')).bytes).toBe(6);
  });
});

describe('CRI partial lines', () => {
  it('P + P + F of one stream become one record spanning 3 units', () => {
    const { records } = assemble([
      cri('stderr', 'P', '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier def'),
      cri('stderr', 'P', 'ault already exists. error=resource alre'),
      cri('stderr', 'F', 'ady exists: Tier(default)'),
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      units: 3,
      lines: 1,
      message: 'Tier default already exists.',
      wrapper: 'cri',
    });
    expect(records[0]!.fields).toEqual([['error', 'resource already exists: Tier(default)']]);
  });

  it('streams and pods do not mix', () => {
    const { records } = assemble([
      fb('a', cri('stdout', 'P', 'bird: Sta')),
      fb('b', cri('stdout', 'P', 'bird: Recon')),
      cri('stderr', 'F', 'bird: Reconfigured'),
      fb('b', cri('stdout', 'F', 'figured')),
      fb('a', cri('stdout', 'F', 'rted')),
    ]);
    expect(records.map((r) => [r.position.offset, r.units, r.message])).toEqual([
      [0, 2, 'Started'],
      [1, 2, 'Reconfigured'],
      [2, 1, 'Reconfigured'],
    ]);
    expect(records[0]!.kubernetes.pod).toBe('a');
  });

  it('unterminated partials are closed by flush and flagged', () => {
    const { records, a } = assemble([cri('stdout', 'P', 'bird: Sta')]);
    expect(records[0]!.flags).toContain('cri-partial-unterminated');
    expect(a.counters.partialsUnterminated).toBe(1);
  });
});

describe('multi-line groups', () => {
  it('the Felix health table spanning units is one record, closed by its last border', () => {
    const a = new PartitionAssembler();
    HEALTH.forEach((l, i) => {
      a.push(unit(i, l));
    });
    const { records } = a.drain();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      units: 6,
      lines: 6,
      component: 'felix',
      message: HEALTH[0]!.slice(HEALTH[0]!.indexOf('Overall')),
    });
    expect(a.openGroups).toBe(0);
  });

  it('a header without a table is closed by the next line', () => {
    const { records } = assemble([HEALTH[0]!, CAL]);
    expect(records.map((r) => r.units)).toEqual([1, 1]);
  });

  it('a Go panic (CRI lines) is one gopanic record; a PANIC Calico line absorbs its trace', () => {
    const { records } = assemble([...PANIC.map((l) => cri('stderr', 'F', l)), cri('stderr', 'F', CAL)]);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      format: 'gopanic',
      level: 'PANIC',
      units: PANIC.length,
      lines: PANIC.length,
    });
    expect(records[0]!.message).toBe(PANIC[0]);
    const calPanic =
      '2025-01-14 09:31:42.753 [PANIC][63] felix/handle_manager.go 104: Repeatedly failed to connect to netlink. numFailures=10';
    const r2 = assemble([calPanic, 'panic: (*logrus.Entry) 0xc000123456', ...PANIC.slice(2), CAL]).records;
    expect(r2.map((r) => [r.format, r.level, r.units])).toEqual([
      ['calico', 'PANIC', 8],
      ['calico', 'INFO', 1],
    ]);
  });

  it('empty raw lines inside a panic stay in it (file mode), elsewhere they are dead letters', () => {
    const { records, deadLetters } = assemble(['', ...PANIC, '']);
    expect(deadLetters.map((d) => [d.position.offset, d.reason])).toEqual([[0, 'empty']]);
    expect(records).toHaveLength(1);
    expect(records[0]!.units).toBe(PANIC.length + 1);
  });

  it('a gap in unit timestamps closes a group; no wall clock involved', () => {
    const a = new PartitionAssembler({ groupGapMs: 5000 });
    a.push(unit(0, PANIC[0]!, T0));
    a.push(unit(1, PANIC[3]!, T0 + 1000));
    expect(a.drain().records).toHaveLength(0);
    a.push(unit(2, 'bird: Started', T0 + 7000)); // any unit more than 5 s after the group's last unit
    const { records } = a.drain();
    expect(records.map((r) => [r.position.offset, r.units])).toEqual([
      [0, 2],
      [2, 1],
    ]);
    expect(a.counters.groupsClosedByGap).toBe(1);
  });

  it('caps: maxGroupLines closes and flags', () => {
    const { records, a } = assemble([PANIC[0]!, ...Array.from({ length: 10 }, () => '\t/x.go:1 +0x1')], {
      maxGroupLines: 4,
    });
    expect(records.map((r) => r.units)).toEqual([4, 1, 1, 1, 1, 1, 1, 1]);
    expect(records[0]!.flags).toContain('group-capped');
    expect(a.counters.groupsCapped).toBe(1);
  });
});

describe('ordering and hold-back', () => {
  it('records are emitted in increasing first offset even when a later pod completes first', () => {
    const a = new PartitionAssembler();
    a.push(unit(0, fb('a', PANIC[0]!)));
    a.push(unit(1, fb('b', 'bird: Started')));
    a.push(unit(2, fb('b', 'bird: Reconfigured')));
    expect(a.drain().records).toHaveLength(0); // held back behind pod a's open panic
    expect(a.safeCommitOffset(3)).toBe(0);
    a.push(unit(3, fb('a', PANIC[3]!)));
    a.push(unit(4, fb('a', 'bird: Started')));
    const { records } = a.drain();
    expect(offs(records)).toEqual([0, 1, 2, 4]);
    expect(records[0]!.units).toBe(2);
    // Record [0..3] spans offsets 0-3 (pod a) -> commit points 1..3 are unsafe, 5 is safe.
    expect(a.safeCommitOffset(5)).toBe(5);
  });

  it('regression (fast-check): a CRI partial started before a completed record is emitted first', () => {
    const { records } = assemble([
      cri('stderr', 'F', HEALTH[0]!), // opens a table group (stderr)
      cri('stderr', 'P', ''), // partial line of the same stream
      '!', // raw record, completes at once but must wait
    ]);
    expect(offs(records)).toEqual([0, 1, 2]);
  });

  it('maxHeldBack closes the oldest open group', () => {
    const a = new PartitionAssembler({ maxHeldBack: 2 });
    a.push(unit(0, fb('a', PANIC[0]!)));
    for (let i = 1; i <= 3; i++) a.push(unit(i, fb('b', 'bird: Started')));
    expect(offs(a.drain().records)).toEqual([0, 1, 2, 3]);
    expect(a.counters.heldBackCapped).toBe(1);
  });

  it('maxOpenUnits and maxOpenKeys are counted', () => {
    const a = new PartitionAssembler({ maxOpenUnits: 3 });
    a.push(unit(0, fb('a', PANIC[0]!)));
    for (let i = 1; i <= 3; i++) a.push(unit(i, fb('b', 'bird: Started')));
    expect(a.counters.openUnitsCapped).toBe(1);
    expect(offs(a.drain().records)).toEqual([0, 1, 2, 3]);
    const b = new PartitionAssembler({ maxOpenKeys: 2 });
    for (let i = 0; i < 3; i++) b.push(unit(i, fb(`p${i}`, PANIC[0]!)));
    expect(b.counters.openKeysEvicted).toBe(1);
    expect(offs(b.drain().records)).toEqual([0]);
  });
});

describe('dead-letter policy', () => {
  const bad = ['{"log": broken', new Uint8Array([0, 1, 2, 3]), 'x'.repeat(100), ''];
  it('file mode: unparsed records with flags (empty lines dead-lettered)', () => {
    const { records, deadLetters } = assemble(bad, { maxUnitBytes: 50 });
    expect(records.map((r) => [r.format, r.flags])).toEqual([
      ['unparsed', ['broken-envelope']],
      ['unparsed', ['binary']],
      ['unparsed', ['truncated']],
    ]);
    expect(records[2]!.text).toHaveLength(50);
    expect(deadLetters.map((d) => d.reason)).toEqual(['empty']);
  });

  it('Kafka mode: dead letters, no records', () => {
    const { records, deadLetters } = assemble(bad, {
      maxUnitBytes: 50,
      deadLetter: KAFKA_DEAD_LETTER_POLICY,
    });
    expect(records).toHaveLength(0);
    expect(deadLetters.map((d) => [d.position.offset, d.reason])).toEqual([
      [0, 'broken-envelope'],
      [1, 'binary'],
      [2, 'oversize'],
      [3, 'empty'],
    ]);
    expect(deadLetters[2]!.bytes).toBe(100);
  });
});

describe('event time', () => {
  it('Calico wall clock in defaultZone; envelope time preferred when the line has no zone', () => {
    expect(one(CAL).parsedTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 0, 137));
    expect(one(CAL, { defaultZone: 'Europe/Berlin' }).parsedTimeMs).toBe(
      Date.UTC(2025, 0, 14, 8, 30, 0, 137),
    );
    const r = one(cri('stderr', 'F', CAL, '2025-01-14T09:30:00.200Z'));
    expect(r.parsedTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 0, 200));
    expect(r.envelopeTimeMs).toBe(r.parsedTimeMs);
    expect(r.flags).toContain('time-from-envelope');
  });

  it('logrus with a zone keeps its own time; BIRD has none', () => {
    const lr = one(cri('stderr', 'F', 'time="2025-01-14T09:30:04Z" level=info msg="x"'));
    expect(lr.parsedTimeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
    expect(lr.flags).not.toContain('time-from-envelope');
    expect(one('bird: Started').parsedTimeMs).toBeNull();
  });

  it('klog year from the unit timestamp, across New Year', () => {
    const a = new PartitionAssembler();
    a.push(unit(0, 'I1231 23:59:59.900000       1 a.go:1] x', Date.UTC(2026, 0, 1, 0, 0, 1)));
    a.push(unit(1, 'I0101 00:00:00.100000       1 a.go:1] y', Date.UTC(2025, 11, 31, 23, 59, 59)));
    const [r0, r1] = a.drain().records;
    expect(r0!.parsedTimeMs).toBe(Date.UTC(2025, 11, 31, 23, 59, 59, 900));
    expect(r1!.parsedTimeMs).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 100));
  });
});

describe('snapshot / restore', () => {
  it('undoes an aborted epoch exactly', () => {
    const a = new PartitionAssembler();
    a.push(unit(0, fb('a', PANIC[0]!)));
    a.push(unit(1, fb('b', 'bird: Started')));
    const snap = a.snapshot();
    a.push(unit(2, fb('a', PANIC[3]!)));
    a.push(unit(3, fb('a', CAL)));
    const first = a.drain().records;
    a.restore(snap);
    a.push(unit(2, fb('a', PANIC[3]!)));
    a.push(unit(3, fb('a', CAL)));
    expect(a.drain().records).toEqual(first);
    a.restore(snap); // reusable
    expect(a.openGroups).toBe(1);
  });
});
