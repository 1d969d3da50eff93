import { describe, expect, it } from 'vitest';
import { maskCore, maskPieces } from '../../../../src/classify/miner/masks.ts';

describe('maskCore', () => {
  it.each([
    ['42', '<N>'],
    ['-7', '<N>'],
    ['0.2477829', '<N>'],
    ['0x220', '<N>'],
    ['10.0.1.23', '<ADDR>'],
    ['10.0.1.23:41872', '<ADDR>'],
    ['fe80::ecee:eeff:feee:eeee', '<ADDR>'],
    ['[fd00::1]:179', '<ADDR>'],
    ['192.168.84.0/26', '<CIDR>'],
    ['fd00:10:244::/64', '<CIDR>'],
    ['66:8e:27:5e:d4:31', '<MAC>'],
    ['5b7c1e2a-3f4d-9e8b-1a2c-6d5e4f3a2b1c', '<UUID>'],
    ['8a3c5b91f2e64fd6a07a3f2b5c1d9e44', '<HEX>'],
    ['1m0.4s', '<DURATION>'],
    ['250ms', '<DURATION>'],
    ['1h2m3s', '<DURATION>'],
    ['09:30:00.137', '<TS>'],
    ['2025-01-14', '<TS>'],
    ['2024-11-20T21:04:37+0000', '<TS>'],
    ['cali5a1f3c7d2e9', '<IFACE>'],
    ['vxlan.calico', '<IFACE>'],
    ['vxlan-v6.calico', '<IFACE>'],
    ['wireguard.cali', '<IFACE>'],
    ['wg-v6.cali', '<IFACE>'],
    ['tunl0', '<IFACE>'],
    ['eth0', '<IFACE>'],
    ['nginx-7c5ddbdf54-x2x7q', '<POD>'],
    ['calico-node-xkcdq', '<POD>'],
    ['/etc/calico/confd/config/bird.cfg', '<PATH>'],
    ['C:\\Windows\\winsxs', '<PATH>'],
    ['https://10.96.0.1:443/apis', '<URL>'],
    ['ip-216-69-169-168.ip.secureserver.net', '<ADDR>'],
    ['massive.merukuru.org', '<ADDR>'],
    ['proxy.cse.cuhk.edu.hk:5070', '<ADDR>'],
    ['10.11.21.122,10.11.10.1', '<ADDR>'],
  ])('%s → %s', (input, want) => {
    expect(maskCore(input)).toBe(want);
  });

  it('keeps plain words, Go identifiers and file names', () => {
    for (const w of ['Failed', 'netlink', 'route_table.go', 'config.yaml', 'pkg.Type', 'in-sync', 'true']) {
      expect(maskCore(w)).toBe(w);
    }
  });
});

describe('maskPieces', () => {
  it('masks only the variable piece when words dominate', () => {
    expect(maskPieces('onExtend:1514038530000')).toBe('onExtend:<N>');
    expect(maskPieces('blk_-6952295868487656571')).toBe('blk_<N>');
    expect(maskPieces('blk_38865049064139660')).toBe('blk_<N>');
  });
  it('masks the whole token when variables dominate', () => {
    expect(maskPieces('R02-M1-N0-C:J12-U11')).toBe('<*>');
    expect(maskPieces('k8s-worker-2')).toBe('<*>');
    expect(maskPieces('appattempt_1445144423722_0020_000001')).toBe('<*>');
  });
  it('keeps keys of a k=v list', () => {
    expect(maskPieces('ready=true,policy=3,wakefulness=1')).toBe('ready=true,policy=<N>,wakefulness=<N>');
  });
});
