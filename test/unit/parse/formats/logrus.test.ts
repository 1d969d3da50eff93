import { describe, expect, it } from 'vitest';
import { logrusInner, parseLogrus } from '../../../../src/parse/formats/logrus.ts';

describe('parseLogrus', () => {
  it('parses time, level, msg and keeps other keys in order', () => {
    const p = parseLogrus(
      'time="2025-01-14T09:30:04Z" level=warning msg="Tier default already exists." file="/go/src/x/client.go:414" error="resource already exists: Tier(default)"',
    )!;
    expect(p).toMatchObject({ format: 'logrus', level: 'WARNING', originFile: 'client.go', originLine: 414 });
    expect(p.message).toBe('Tier default already exists.');
    expect(p.timeKind).toBe('utc');
    expect(p.timeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
    expect(p.fields).toEqual([
      ['file', '/go/src/x/client.go:414'],
      ['error', 'resource already exists: Tier(default)'],
    ]);
  });

  it('bare values and zoned offsets', () => {
    const p = parseLogrus('time="2025-01-14T10:30:04+01:00" level=error msg=boom k=v')!;
    expect(p.timeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
    expect(p.message).toBe('boom');
    expect(p.fields).toEqual([['k', 'v']]);
  });

  it('rejects lines without a level or with broken quoting', () => {
    expect(parseLogrus('time="2025" msg="x"')).toBeNull();
    expect(parseLogrus('time="2025 level=info')).toBeNull();
    expect(parseLogrus('timeout reached')).toBeNull();
  });

  it("the CNI installer's prometheus/common/log lines: source= gives origin file and line, component cni-installer", () => {
    const p = parseLogrus(
      'time="2021-02-17T10:14:40Z" level=info msg="Running as a Kubernetes pod" source="install.go:140"',
    )!;
    expect(p).toMatchObject({
      component: 'cni-installer',
      originFile: 'install.go',
      originLine: 140,
      message: 'Running as a Kubernetes pod',
    });
    // Its plain logrus.Info lines print no source: the line alone does not name a component.
    expect(
      parseLogrus('time="2021-02-17T10:14:41Z" level=info msg="Installed /host/opt/cni/bin/calico"')!
        .component,
    ).toBeNull();
    // ReportCaller's file= wins over source=.
    expect(parseLogrus('level=info msg=m source="a.go:1" file="/x/b.go:2"')!.originFile).toBe('b.go');
  });
});

describe('logrusInner', () => {
  it('a Calico line in msg is that line, with its own time', () => {
    const outer = parseLogrus(
      'time="2025-01-14T09:31:00Z" level=error msg="2025-01-14 09:30:04.137 [INFO][1] felix/route_table.go 303: Syncing routes ifaceName=\\"eth0\\""',
    )!;
    const inner = logrusInner(outer)!;
    expect(inner).toMatchObject({
      format: 'calico',
      level: 'INFO',
      component: 'felix',
      message: 'Syncing routes',
      timeMs: Date.UTC(2025, 0, 14, 9, 30, 4, 137),
    });
    expect(inner.fields).toEqual([['ifaceName', 'eth0']]);
  });

  it('a BIRD line takes the wrapper time; any other msg is not unwrapped', () => {
    const bird = logrusInner(
      parseLogrus('time="2025-01-14T09:31:00Z" level=info msg="bird: Netlink: File exists"')!,
    )!;
    expect(bird).toMatchObject({ format: 'bird', timeKind: 'utc', timeMs: Date.UTC(2025, 0, 14, 9, 31) });
    expect(logrusInner(parseLogrus('level=info msg="2025 was a year"')!)).toBeNull();
    expect(logrusInner(parseLogrus('level=info msg="birdsong"')!)).toBeNull();
  });
});
