import { describe, expect, it } from 'vitest';
import { classifierFor } from '../../../../src/classify/index.ts';
import { findErrno, matchNetlink } from '../../../../src/classify/rules/netlink.ts';
import { libraryOf } from '../../../../src/classify/statements/library.ts';
import { makeRecord } from '../helpers.ts';

// The rules classify the lines no library statement printed (releases the library does not cover,
// reworded messages): tested here without the library; tests/classify/statements cover the library.
const classify = classifierFor(libraryOf([]));

describe('findErrno', () => {
  it.each([
    ['too many open files', 'too many open files'],
    ['netlink receive: no buffer space available', 'no buffer space available'],
    ['Link not found', 'link not found'],
    ['failed to read from netlink (resync): no buffer space available', 'no buffer space available'],
    ['stat /proc/sys/net/ipv4/conf/cali5a1f3c7d2e9: too many open files', 'too many open files'],
    ['device or resource busy', 'device or resource busy'],
    ['exit status 2', null],
  ])('%s → %s', (text, want) => {
    expect(findErrno(text)).toBe(want);
  });
});

const routeErr = (iface: string, errno: string, ip: string) =>
  makeRecord({
    level: 'WARNING',
    message: 'Encountered some errors when trying to update routes.  Will retry.',
    fields: [
      ['errors', `${ip}/32(tos=0 metric=0): kernelRoute{Type=1, Ifindex=27}(${iface}): ${errno}`],
      ['table', 'IPv4:254'],
    ],
  });

describe('netlink rule', () => {
  it('netlink burst: the same error on 20 interfaces/nodes gives one fingerprint per errno', () => {
    const errnos = ['file exists', 'no buffer space available', 'too many open files'];
    const fps = new Map<string, Set<string>>();
    for (const errno of errnos) {
      for (let i = 0; i < 20; i++) {
        const iface = `cali${(0x1a2b3c4d5e6 + i * 7919).toString(16).padStart(11, '0').slice(0, 11)}`;
        const c = classify(routeErr(iface, errno, `192.168.${i}.${i + 1}`));
        expect(c.category).toBe('netlink-error');
        expect(c.params).toMatchObject({
          operation: 'route replace',
          errno,
          interface: iface,
          ip_version: '4',
          table: '254',
        });
        const s = fps.get(errno) ?? new Set<string>();
        s.add(c.fingerprint);
        fps.set(errno, s);
      }
    }
    for (const s of fps.values()) expect(s.size).toBe(1);
    const all = new Set([...fps.values()].map((s) => [...s][0]));
    expect(all.size).toBe(errnos.length);
  });

  it('the same call site on different nodes (felix ERROR, handle manager) shares a fingerprint', () => {
    const a = classify(
      makeRecord({
        level: 'ERROR',
        message: 'Failed to connect to netlink',
        fields: [
          ['error', 'too many open files'],
          ['numFailures', '1'],
        ],
      }),
    );
    const b = classify(
      makeRecord({
        level: 'ERROR',
        message: 'Failed to connect to netlink',
        fields: [
          ['error', 'too many open files'],
          ['numFailures', '7'],
        ],
      }),
    );
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.params).toEqual({ operation: 'netlink connect', errno: 'too many open files' });
  });

  it('normalises wrapped errnos to one fingerprint', () => {
    const mk = (err: string) =>
      classify(
        makeRecord({
          level: 'INFO',
          message: 'Failed to create or update wireguard nodes',
          fields: [
            ['error', err],
            ['ipVersion', '0x4'],
          ],
        }),
      );
    expect(mk('netlink receive: no such device').fingerprint).toBe(mk('no such device').fingerprint);
    expect(mk('no such device').params).toMatchObject({
      operation: 'wireguard configure',
      errno: 'no such device',
      ip_version: '4',
    });
  });

  it('BIRD netlink lines keep the errno, lowercased', () => {
    const c = classify(
      makeRecord({ component: 'bird', format: 'bird', level: 'UNKNOWN', message: 'Netlink: File exists' }),
    );
    expect(c.category).toBe('netlink-error');
    expect(c.template).toBe('Netlink: file exists');
    expect(c.params).toEqual({ operation: 'netlink request', errno: 'file exists' });
    const other = classify(
      makeRecord({
        component: 'bird',
        format: 'bird',
        level: 'UNKNOWN',
        message: 'Netlink: No such process',
      }),
    );
    expect(other.fingerprint).not.toBe(c.fingerprint);
  });

  it('is not claimed when error=<nil>, for recoveries, or outside Felix/CNI/BIRD', () => {
    expect(
      matchNetlink(
        makeRecord({
          message: 'Retry was successful.',
          fields: [
            ['error', '<nil>'],
            ['table', 'IPv4:254'],
          ],
        }),
      ),
    ).toBeNull();
    expect(
      matchNetlink(
        makeRecord({
          message: 'Connected to netlink after previous failures.',
          fields: [['numFailures', '2']],
        }),
      ),
    ).toBeNull();
    expect(
      matchNetlink(
        makeRecord({ component: 'typha', level: 'ERROR', message: 'Failed to connect to netlink' }),
      ),
    ).toBeNull();
    expect(
      matchNetlink(
        makeRecord({
          level: 'ERROR',
          message: 'Failed to mount bpffs',
          fields: [['error', 'operation not permitted']],
        }),
      ),
    ).toBeNull();
  });

  it('catches Felix errors whose error text names netlink', () => {
    const c = classify(
      makeRecord({
        level: 'ERROR',
        message: 'Shutting down due to fatal error',
        fields: [['error', 'failed to read from netlink (resync): no buffer space available']],
      }),
    );
    expect(c.category).toBe('netlink-error');
    expect(c.params).toEqual({ operation: 'netlink receive', errno: 'no buffer space available' });
  });

  it('catches errors that wrap a failed route or link operation with its errno (CNI plugin wording)', () => {
    const c = classify(
      makeRecord({
        component: 'unknown',
        format: 'logrus',
        level: 'ERROR',
        message: 'Error setting up networking: failed to add route file exists',
        fields: [['Workload', 'default.web-1']],
      }),
    );
    expect(c.category).toBe('netlink-error');
    expect(c.params).toMatchObject({ operation: 'route add', errno: 'file exists' });
    // The same words without an errno, or at INFO, are not a netlink failure.
    for (const r of [
      { level: 'ERROR' as const, message: 'Error setting up networking: failed to add route' },
      { level: 'INFO' as const, message: 'failed to add route file exists' },
    ]) {
      expect(classify(makeRecord({ component: 'unknown', format: 'logrus', ...r })).category).not.toBe(
        'netlink-error',
      );
    }
  });
});
