import { describe, expect, it } from 'vitest';
import {
  parseCalico,
  parseCalicoSyslog,
  parseDroppedLogs,
  splitFields,
} from '../../../../src/parse/formats/calico.ts';

const H = '2025-01-14 09:31:12.756 [ERROR][63] felix/route_table.go 1097: ';

describe('parseCalico header', () => {
  it('reads time, level, pid, component, file and line', () => {
    const p = parseCalico(
      `${H}Error listing routes error=resource temporarily unavailable table="IPv4:254"`,
    )!;
    expect(p.format).toBe('calico');
    expect(p.level).toBe('ERROR');
    expect(p.pid).toBe(63);
    expect(p.component).toBe('felix');
    expect(p.originFile).toBe('route_table.go');
    expect(p.originLine).toBe(1097);
    expect(p.timeKind).toBe('wall');
    expect(p.timeMs).toBe(Date.UTC(2025, 0, 14, 9, 31, 12, 756));
  });

  it('accepts lines without a component and with an unknown caller (<nil> <nil>)', () => {
    const a = parseCalico(
      '2017-01-05 09:17:48.238 [INFO][85386] endpoint_mgr.go 434: Skipping configuration',
    )!;
    expect(a.component).toBeNull();
    expect(a.originFile).toBe('endpoint_mgr.go');
    const b = parseCalico('2025-01-14 09:31:12.756 [WARNING][1] typha/<nil> <nil>: no caller')!;
    expect(b.component).toBe('typha');
    expect(b.originFile).toBeNull();
    expect(b.originLine).toBeNull();
    expect(b.message).toBe('no caller');
  });

  it('old releases without the component prefix (route_table.go 303:): component unknown from the line', () => {
    const p = parseCalico(
      '2017-05-12 09:09:29.491 [INFO][1] route_table.go 303: Syncing routes ifaceName="eth0"',
    )!;
    expect(p).toMatchObject({
      component: null,
      originFile: 'route_table.go',
      originLine: 303,
      message: 'Syncing routes',
      pid: 1,
    });
    expect(p.fields).toEqual([['ifaceName', 'eth0']]);
  });

  it("the CNI installer's header with an unknown caller (cni-installer/<nil> <nil>:)", () => {
    const p = parseCalico(
      '2024-04-05 10:00:00.000 [FATAL][1] cni-installer/<nil> <nil>: Unable to create token for CNI kubeconfig error=Unauthorized',
    )!;
    expect(p).toMatchObject({
      component: 'cni-installer',
      originFile: null,
      originLine: null,
      level: 'FATAL',
    });
    expect(p.message).toBe('Unable to create token for CNI kubeconfig');
    expect(p.fields).toEqual([['error', 'Unauthorized']]);
  });

  it("calico/node's Python Felix: comma before the ms, pid/thread, logger name, CRITICAL", () => {
    const p = parseCalico(
      '2016-03-30 19:46:40,887 [INFO][82/140243212289792] calico.felix.felix 104: Felix starting up',
    )!;
    expect(p).toMatchObject({
      pid: 82,
      component: null,
      originFile: 'calico.felix.felix',
      originLine: 104,
      message: 'Felix starting up',
      timeMs: Date.UTC(2016, 2, 30, 19, 46, 40, 887),
    });
    expect(parseCalico('2016-03-30 19:46:40,887 [CRITICAL][82/1] calico.felix.felix 1: x')!.level).toBe(
      'FATAL',
    );
    expect(parseCalico('2016-03-30 19:46:40,887 [INFO][82/] calico.felix.felix 1: x')).toBeNull();
  });

  it('maps level words (WARN, TRACE, unknown)', () => {
    expect(parseCalico('2025-01-14 09:31:12.756 [WARN][1] x/y.go 1: m')!.level).toBe('WARNING');
    expect(parseCalico('2025-01-14 09:31:12.756 [TRACE][1] x/y.go 1: m')!.level).toBe('DEBUG');
    expect(parseCalico('2025-01-14 09:31:12.756 [NOTICE][1] x/y.go 1: m')!.level).toBe('UNKNOWN');
  });

  it('keeps ratelimitedlogger.go N as file and line', () => {
    const p = parseCalico(
      '2025-01-14 09:36:06.326 [INFO][63] felix/ratelimitedlogger.go 216: Chain became referenced',
    )!;
    expect(p.originFile).toBe('ratelimitedlogger.go');
    expect(p.originLine).toBe(216);
  });

  it('rejects other shapes', () => {
    expect(parseCalico('2026-01-10T10:00:00.123456789Z stderr F x')).toBeNull();
    expect(parseCalico('2025-01-14 09:31:12.756 INFO felix/x.go 1: m')).toBeNull();
    expect(parseCalico('2025-01-14 09:31:12.756 [INFO][abc] felix/x.go 1: m')).toBeNull();
    expect(parseCalico('2025-01-14 09:31:12.756 [INFO][1] felix/x.go: m')).toBeNull();
    expect(parseCalico('12345')).toBeNull();
  });

  it('an empty message with fields', () => {
    const p = parseCalico('2025-01-14 09:31:12.756 [INFO][1] felix/x.go 12:  error=boom')!;
    expect(p.message).toBe('');
    expect(p.fields).toEqual([['error', 'boom']]);
  });
});

describe('splitFields', () => {
  it('decodes Go-quoted strings and *string', () => {
    const r = splitFields('msg here a="x\\"y\\\\z\\n\\t\\x41\\u00e9" b=*"p"');
    expect(r.message).toBe('msg here');
    expect(r.fields).toEqual([
      ['a', 'x"y\\z\n\tAé'],
      ['b', 'p'],
    ]);
  });

  it('error values are unquoted and may contain spaces, colons, = and quotes', () => {
    const r = splitFields(
      'Failed to connect to flow server error=rpc error: code = Unavailable desc = "transport: dial tcp 10.96.41.7:7443: connect: connection refused" target="dns:///goldmane:7443"',
    );
    expect(r.message).toBe('Failed to connect to flow server');
    expect(r.fields[0]![1]).toBe(
      'rpc error: code = Unavailable desc = "transport: dial tcp 10.96.41.7:7443: connect: connection refused"',
    );
    expect(r.fields[1]).toEqual(['target', 'dns:///goldmane:7443']);
  });

  it('an error value containing k=v text stays one value', () => {
    const r = splitFields('Oops error=invalid value x=5 for y table="t"');
    expect(r.fields).toEqual([
      ['error', 'invalid value x=5 for y'],
      ['table', 't'],
    ]);
  });

  it('keeps struct dumps, maps, slices and routeFilter={...} as one value', () => {
    const r = splitFields(
      'Error listing routes error=EAGAIN flags=0x220 routeFilter={Ifindex: 23 Dst: <nil> Flags: [] Table: 254} x=[a b c] y=map[string]string{"a b":"c"}',
    );
    expect(r.fields.map((f) => f[0])).toEqual(['error', 'flags', 'routeFilter', 'x', 'y']);
    expect(r.fields[2]![1]).toBe('{Ifindex: 23 Dst: <nil> Flags: [] Table: 254}');
    expect(r.fields[3]![1]).toBe('[a b c]');
  });

  it('quoted values containing key= text are not split', () => {
    const r = splitFields(
      'Encountered errors errors="10.0.0.1/32(tos=0 metric=0): file exists" table="IPv4:254"',
    );
    expect(r.fields).toEqual([
      ['errors', '10.0.0.1/32(tos=0 metric=0): file exists'],
      ['table', 'IPv4:254'],
    ]);
  });

  it('uses sorted order: keys that do not sort before the next key are message text', () => {
    const r = splitFields('Calico CNI IPAM request count IPv4=1 IPv6=0 ContainerID="c" HandleID="h"');
    expect(r.message).toBe('Calico CNI IPAM request count IPv4=1 IPv6=0');
    expect(r.fields.map((f) => f[0])).toEqual(['ContainerID', 'HandleID']);
  });

  it('uint8 hex, <nil> error, protobuf text Stringers', () => {
    const r = splitFields(
      'm error=<nil> ipVersion=0x4 localVTEP=node:"n1" mac:"66:8e" parent_device_ip:"10.0.1.23" ',
    );
    expect(r.fields).toEqual([
      ['error', '<nil>'],
      ['ipVersion', '0x4'],
      ['localVTEP', 'node:"n1" mac:"66:8e" parent_device_ip:"10.0.1.23" '],
    ]);
  });

  it('printf k=v after a comma / colon stays in the message', () => {
    expect(splitFields('Source SourceSyncer readiness changed, ready=true').fields).toEqual([]);
    expect(splitFields('Overall health status changed: live=true ready=true').fields).toEqual([]);
    const r = splitFields('over 1m0.4s: avg=5ms longest=21ms (resync-a,resync-b)');
    expect(r.fields).toEqual([]);
  });

  it('a line without = is all message', () => {
    expect(splitFields('just text')).toEqual({ message: 'just text', fields: [] });
  });

  it('is linear-ish on pathological input (many = signs)', () => {
    const body = `m ${Array.from({ length: 5000 }, (_, i) => `k${5000 - i}=v v`).join(' ')}`;
    const t = performance.now();
    splitFields(body);
    expect(performance.now() - t).toBeLessThan(200);
  });
});

describe('parseDroppedLogs', () => {
  it('recognises the logutils drop marker', () => {
    const p = parseDroppedLogs('... dropped 214 logs ...')!;
    expect(p.format).toBe('calico');
    expect(p.level).toBe('UNKNOWN');
    expect(parseDroppedLogs('... something else')).toBeNull();
  });
});

describe('parseCalicoSyslog (FormatForSyslog)', () => {
  it('LEVEL file line: message fields, no time, pid or component', () => {
    const p = parseCalicoSyslog('WARNING endpoint_mgr.go 434: Skipping configuration ifaceName="cali1234"')!;
    expect(p).toMatchObject({
      format: 'calico',
      level: 'WARNING',
      component: null,
      pid: null,
      originFile: 'endpoint_mgr.go',
      originLine: 434,
      message: 'Skipping configuration',
      timeKind: 'none',
    });
    expect(p.fields).toEqual([['ifaceName', 'cali1234']]);
  });

  it('rejects other text', () => {
    for (const s of ['INFO', 'Hello world 1: x', 'NOTICE x.go 1: y', 'INFO x.go y: z', 'INFO: x.go 1: m']) {
      expect(parseCalicoSyslog(s), s).toBeNull();
    }
  });
});
