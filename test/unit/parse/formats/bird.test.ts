import { describe, expect, it } from 'vitest';
import { parseBird } from '../../../../src/parse/formats/bird.ts';

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
