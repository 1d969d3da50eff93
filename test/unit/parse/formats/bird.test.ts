import { describe, expect, it } from 'vitest';
import { parseBird } from '../../../../src/parse/formats/bird.ts';
import { parseLine } from '../../../../src/parse/formats/index.ts';

describe('parseBird', () => {
  it('bird and bird6 prefixes, no time, component from the prefix', () => {
    const a = parseBird('bird: Mesh_10_0_1_22: State changed to up')!;
    expect(a).toMatchObject({ format: 'bird', component: 'bird', level: 'UNKNOWN', timeKind: 'none' });
    expect(a.message).toBe('Mesh_10_0_1_22: State changed to up');
    expect(parseBird('bird6: Started')!.component).toBe('bird6');
  });

  it('infers ERROR deterministically for netlink / kernel errors only', () => {
    expect(parseBird('bird: Netlink: File exists')!.level).toBe('ERROR');
    expect(parseBird('bird: Netlink recvmsg: No buffer space available')!.level).toBe('ERROR');
    expect(parseBird('bird: KRT: Received route 192.168.84.9/32 with unknown ifindex 27')!.level).toBe(
      'ERROR',
    );
    expect(parseBird('bird: Reconfigured')!.level).toBe('UNKNOWN');
  });

  it('rejects other lines', () => {
    expect(parseBird('birds: x')).toBeNull();
    expect(parseBird('bird:x')).toBeNull();
  });
});

describe('BIRD log file lines', () => {
  it('date, time, class and message', () => {
    const p = parseLine('2015-04-16 20:32:47 <WARN> Netlink: File exists');
    expect(p).toMatchObject({
      format: 'bird',
      level: 'WARNING',
      component: 'bird',
      message: 'Netlink: File exists',
    });
    expect(p.timeKind).toBe('wall');
    expect(p.timeMs).toBe(Date.UTC(2015, 3, 16, 20, 32, 47));
    expect(parseLine('2018-09-07 12:08:19.123 <TRACE> node_10_17_8_36: Got UPDATE')).toMatchObject({
      level: 'DEBUG',
      message: 'node_10_17_8_36: Got UPDATE',
    });
    expect(parseLine('2018-09-07 12:08:19 <ERR> Mesh_1: Error: Hold timer expired').level).toBe('ERROR');
  });
  it('an unknown class or a Calico header is not a BIRD file line', () => {
    expect(parseLine('2018-09-07 12:08:19 <NOPE> x').format).toBe('unparsed');
    expect(parseLine('2025-01-14 09:31:12.756 [INFO][1] felix/x.go 1: <WARN> y').format).toBe('calico');
  });
});
