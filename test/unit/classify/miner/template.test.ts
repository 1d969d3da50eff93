import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildTemplate, maskFieldValue, maskText } from '../../../../src/classify/miner/template.ts';
import { makeRecord } from '../helpers.ts';

const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
const num = fc.integer({ min: 0, max: 1_000_000_000 }).map(String);
const hex = (n: number) =>
  fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const caliIface = hex(11).map((h) => `cali${h}`);
const iface = fc.oneof(
  caliIface,
  fc.constantFrom('vxlan.calico', 'vxlan-v6.calico', 'tunl0', 'wireguard.cali', 'wg-v6.cali', 'eth0'),
);
const duration = fc
  .tuple(
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 1, max: 59 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .chain(([h, m, s, ms]) =>
    fc.constantFrom(`${h}h${m}m${s}s`, `${m}m${s}.${ms}s`, `${ms + 1}ms`, `${s}.${ms}s`),
  );
const alnum = fc
  .array(fc.constantFrom(...'bcdfghjklmnpqrstvwxz2456789'), { minLength: 5, maxLength: 5 })
  .map((a) => a.join(''));
const rsHash = fc
  .array(fc.constantFrom(...'0123456789abcdef'), { minLength: 9, maxLength: 10 })
  .map((a) => a.join(''));
const podName = fc
  .tuple(fc.constantFrom('nginx', 'coredns', 'my-app'), rsHash, alnum)
  .map(([d, h, s]) => `${d}-${h}-${s}`);

const shapes: Array<(v: { ip: string; n: string; ifc: string; d: string; pod: string }) => string> = [
  (v) => `Accepted from ${v.ip}:${Number(v.n) % 65536} after ${v.d}`,
  (v) => `Removing ${v.n} routes from ${v.ifc} (pod ${v.pod})`,
  (v) => `Interface ${v.ifc} has address ${v.ip} and index ${v.n}`,
  (v) => `Waited ${v.d} for pod default/${v.pod} on node ${v.ip}`,
];

describe('maskText', () => {
  it('collapses whitespace and repeated placeholders', () => {
    expect(maskText('IRQs  3 4 5   7')).toBe('IRQs <N>');
  });
  it('absorbs calendar words around a time of day', () => {
    expect(maskText('connection from 1.2.3.4 () at Fri Jun 17 07:07:00 2005')).toBe(
      'connection from <ADDR> (<*>) at <TS>',
    );
  });
  it('masks the value of inline k=v, keeps flags', () => {
    expect(maskText('user=root tty=ssh ready=true uid=0')).toBe('user=<*> tty=<*> ready=true uid=<N>');
  });
  it('masks a name after "user"', () => {
    expect(maskText('Invalid user webmaster from 1.2.3.4')).toBe('Invalid user <USER> from <ADDR>');
    expect(maskText('Invalid user 0 from 1.2.3.4')).toBe('Invalid user <USER> from <ADDR>');
  });
  it('joins quoted values that contain spaces', () => {
    expect(maskText('acquire tag="View Lock", name=x')).toBe(maskText('acquire tag="AudioMix", name=y'));
  });

  it('property: a template is unchanged when its masked variables change', () => {
    const vars = fc.record({ ip: ipv4, n: num, ifc: iface, d: duration, pod: podName });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: shapes.length - 1 }), vars, vars, (s, a, b) => {
        const shape = shapes[s]!;
        expect(maskText(shape(a))).toBe(maskText(shape(b)));
      }),
      { numRuns: 400 },
    );
  });

  it('different messages get different templates', () => {
    const v = { ip: '10.0.0.1', n: '3', ifc: 'eth0', d: '1s', pod: 'nginx-7c5ddbdf54-x2x7q' };
    const t = new Set(shapes.map((s) => maskText(s(v))));
    expect(t.size).toBe(shapes.length);
  });
});

describe('fields', () => {
  it('masks values by type and keeps keys in printed order', () => {
    const r = makeRecord({
      message: 'Client fell behind.',
      fields: [
        ['client', '10.0.1.23:41872'],
        ['connID', '0x2a'],
        ['snapAge', '1m23.412s'],
        ['thread', 'kv-sender'],
        ['ok', 'true'],
        ['error', 'dial tcp 10.0.1.40:5473: connect: connection refused'],
        ['src', '<nil>'],
      ],
    });
    expect(buildTemplate(r)).toBe(
      'Client fell behind. client=<ADDR> connID=<N> snapAge=<DURATION> thread=<STR> ok=<BOOL> error=dial tcp <ADDR>: connect: connection refused src=<nil>',
    );
  });
  it('keeps error wording (different errors = different templates)', () => {
    expect(maskFieldValue('error', 'context deadline exceeded')).not.toBe(
      maskFieldValue('error', 'connection refused'),
    );
  });
  it('masks the whole text of unparsed records', () => {
    const r = makeRecord({
      format: 'unparsed',
      level: 'UNKNOWN',
      text: '... dropped 214 logs ...',
      message: '',
    });
    expect(buildTemplate(r)).toBe('... dropped <N> logs ...');
  });
});
