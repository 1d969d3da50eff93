import { describe, expect, it } from 'vitest';
import { stripSgr, unwrap, unwrapPrefix } from '../../../../src/parse/envelopes/index.ts';

const CAL = '2024-05-01 10:00:00.123 [INFO][63] felix/route_table.go 303: Syncing routes ifaceName="eth0"';
const AT = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

describe('kubectl logs --timestamps / --prefix', () => {
  it('--timestamps: the kubelet time is the envelope time, like CRI', () => {
    expect(unwrap(`2024-05-01T10:00:00.123456789Z ${CAL}`)).toMatchObject({
      ok: true,
      wrapper: 'kubectl',
      text: CAL,
      envelopeTimeMs: AT,
      stream: null,
      partial: false,
    });
    expect(unwrap(`2024-05-01T12:00:00.123+02:00 bird: Netlink: File exists`)).toMatchObject({
      wrapper: 'kubectl',
      text: 'bird: Netlink: File exists',
      envelopeTimeMs: AT,
    });
  });

  it('a CRI line stays CRI (stream and tag after the time)', () => {
    expect(unwrap(`2024-05-01T10:00:00.123456789Z stderr F ${CAL}`)).toMatchObject({ wrapper: 'cri' });
  });

  it('--prefix: pod and container on the record meta; with --timestamps the prefix comes first', () => {
    expect(unwrap(`[pod/calico-node-x7k2p/calico-node] ${CAL}`)).toMatchObject({
      wrapper: 'kubectl',
      text: CAL,
      envelopeTimeMs: null,
      kubernetes: { pod: 'calico-node-x7k2p', container: 'calico-node' },
    });
    expect(unwrap(`[pod/calico-node-x7k2p/install-cni] 2024-05-01T10:00:00.123456789Z ${CAL}`)).toMatchObject(
      {
        wrapper: 'kubectl',
        text: CAL,
        envelopeTimeMs: AT,
        kubernetes: { pod: 'calico-node-x7k2p', container: 'install-cni' },
      },
    );
    // kubectl could not tell the container: `[pod/NAME/] `.
    expect(unwrap(`[pod/calico-node-x7k2p/] ${CAL}`)).toMatchObject({
      wrapper: 'kubectl',
      kubernetes: { pod: 'calico-node-x7k2p' },
    });
    // An empty message keeps the prefix's meta (a blank line of a Go trace).
    expect(unwrap('[pod/p/c] ')).toMatchObject({ wrapper: 'kubectl', text: '', kubernetes: { pod: 'p' } });
  });

  it('near misses are raw', () => {
    for (const s of [
      `[pod/calico-node-x7k2p] ${CAL}`, // no container part
      `[pod/calico-node-x7k2p/calico-node]${CAL}`, // no space
      `[pod/Calico_Node/calico-node] ${CAL}`, // not a DNS name
      `[pods/a/b] ${CAL}`,
      '[pod/a/b c] x',
      `2024-05-01T10:00:00.123456789Z${CAL}`, // no space after the time
      '2024-05-01T10:00:00.123 x', // no zone, not svlogd's 5 digits
      CAL,
    ]) {
      expect(unwrap(s), s).toMatchObject({ wrapper: 'raw', text: s });
    }
  });

  it('a Calico line whose message starts with [pod/ is not a prefix', () => {
    const s = '2024-05-01 10:00:00.123 [INFO][63] felix/x.go 1: [pod/a/b] looks like a prefix';
    expect(unwrap(s)).toMatchObject({ wrapper: 'raw', text: s });
  });
});

describe('stern', () => {
  it('POD CONTAINER <line> and NAMESPACE POD CONTAINER <line>', () => {
    expect(unwrap(`calico-node-x7k2p calico-node ${CAL}`)).toMatchObject({
      wrapper: 'stern',
      text: CAL,
      kubernetes: { pod: 'calico-node-x7k2p', container: 'calico-node' },
    });
    expect(unwrap('calico-system calico-node-x7k2p calico-node bird: Netlink: File exists')).toMatchObject({
      wrapper: 'stern',
      text: 'bird: Netlink: File exists',
      kubernetes: { namespace: 'calico-system', pod: 'calico-node-x7k2p', container: 'calico-node' },
    });
    // A pod name may have dots (a DNS subdomain); a container name may not.
    expect(unwrap(`web.v2-0 calico-node ${CAL}`)).toMatchObject({
      wrapper: 'stern',
      kubernetes: { pod: 'web.v2-0', container: 'calico-node' },
    });
  });

  it('with colours (fatih/color SGR around the names) and with --timestamps', () => {
    const coloured = `\u001b[33mcalico-node-x7k2p\u001b[0m \u001b[1;32mcalico-node\u001b[0m ${CAL}`;
    expect(unwrap(coloured)).toMatchObject({
      wrapper: 'stern',
      text: CAL,
      kubernetes: { pod: 'calico-node-x7k2p', container: 'calico-node' },
    });
    expect(unwrap(`calico-node-x7k2p calico-node 2024-05-01T10:00:00.123456789Z ${CAL}`)).toMatchObject({
      wrapper: 'stern',
      text: CAL,
      envelopeTimeMs: AT,
    });
  });

  it('continuation lines of a Go trace or the health table keep the prefix', () => {
    for (const rest of [
      '\t/go/src/x.go:12 +0x25',
      'goroutine 1 [running]:',
      '| felix | ok |',
      '+----+',
      '',
    ]) {
      expect(unwrap(`calico-node-x calico-node ${rest}`), rest).toMatchObject({
        wrapper: 'stern',
        text: rest,
      });
    }
  });

  it('ordinary text with two lower-case words in front is raw', () => {
    for (const s of [
      'bird: Netlink: File exists',
      'time="2025-01-14T09:30:04Z" level=info msg="x"',
      'goroutine 1 [running]:',
      'created by main.main in goroutine 1',
      'main.main()',
      'panic: boom',
      'calico node is running',
      'waiting for datastore connection',
      'calico-node -felix', // `-felix` is not a name
      'one two three four 2024-05-01 10:00:00.123 [INFO][63] felix/x.go 1: m', // four names
      '\u001b[31mred text\u001b[0m',
    ]) {
      expect(unwrap(s), s).toMatchObject({ wrapper: 'raw', text: s });
    }
  });

  it('a generated pod name takes any text after the container (shell scripts of install-cni, calico-node -v)', () => {
    for (const [pod, rest] of [
      ['calico-node-x7k2p', 'Calico node started successfully'],
      [
        'calico-kube-controllers-7d9f8c6b5-x7k2p',
        "cp: can't create '/host/opt/cni/bin/calico': Permission denied",
      ],
      ['calico-node-bjlw6', 'Version:      v3.25.1'],
    ] as const) {
      expect(unwrap(`${pod} install-cni ${rest}`), rest).toMatchObject({
        wrapper: 'stern',
        text: rest,
        kubernetes: { pod, container: 'install-cni' },
      });
    }
    // Not a generated suffix: a vowel, a 0/1/3, or too short.
    for (const s of [
      'calico-node-abcde install-cni Done',
      'web-x1k2p install-cni Done',
      'calico-node-x7k2 calico-node Done',
    ]) {
      expect(unwrap(s), s).toMatchObject({ wrapper: 'raw', text: s });
    }
  });

  it('a one-name template before a Calico line; kubetail `[POD CONTAINER] `; `tag[pid]: ` without time and host', () => {
    expect(unwrap(`calico-node ${CAL}`)).toMatchObject({
      wrapper: 'stern',
      text: CAL,
      kubernetes: { container: 'calico-node' },
    });
    expect(unwrap('calico-node bird: Netlink: File exists')).toMatchObject({ wrapper: 'raw' });
    const logrus = 'time="2022-01-11T21:25:11Z" level=info msg="Running as a Kubernetes pod"';
    expect(unwrap(`[calico-node-bjlw6 install-cni]  ${logrus}`)).toMatchObject({
      wrapper: 'stern',
      text: logrus,
      kubernetes: { pod: 'calico-node-bjlw6', container: 'install-cni' },
    });
    const klog = 'I0426 21:39:27.515418   27556 ipam.go:231] Attempting to assign 1 more addresses';
    expect(unwrap(`kubelet[19840]: ${klog}`)).toMatchObject({ wrapper: 'syslog', text: klog });
    expect(unwrap('kubelet[x]: no')).toMatchObject({ wrapper: 'raw' });
    expect(unwrap('[not a pod] x')).toMatchObject({ wrapper: 'raw' });
  });

  it('stripSgr removes SGR sequences only', () => {
    expect(stripSgr('\u001b[31ma\u001b[0m b\u001b[1;4mc')).toBe('a bc');
    expect(stripSgr('plain')).toBe('plain');
    expect(stripSgr('\u001b[2Kclear')).toBe('\u001b[2Kclear');
  });
});

describe('syslog / journalctl', () => {
  it('classic syslog: node from the host, the yearless time as a hint only', () => {
    expect(unwrap(`May  1 10:00:00 node-1 calico-node[1234]: ${CAL}`)).toMatchObject({
      wrapper: 'syslog',
      text: CAL,
      envelopeTimeMs: null,
      kubernetes: { node: 'node-1' },
      hints: {
        pid: 1234,
        tag: 'calico-node',
        time: { kind: 'yearless', month: 5, day: 1, timeOfDayMs: 36_000_000 },
      },
    });
  });

  it('journalctl -o short (zero-padded day), short-precise, short-iso(-precise)', () => {
    expect(unwrap('May 01 10:00:00 node-1 calico-felix[7]: INFO route_table.go 303: m')).toMatchObject({
      wrapper: 'syslog',
      text: 'INFO route_table.go 303: m',
      hints: { pid: 7, tag: 'calico-felix' },
    });
    expect(unwrap('May 01 10:00:00.123456 node-1 calico-felix[7]: INFO x.go 1: m')).toMatchObject({
      hints: { time: { kind: 'yearless', timeOfDayMs: 36_000_123 } },
    });
    for (const ts of [
      '2024-05-01T10:00:00+0000',
      '2024-05-01T12:00:00+02:00',
      '2024-05-01T10:00:00.123000+0000',
    ]) {
      expect(unwrap(`${ts} node-1 calico-felix[7]: INFO x.go 1: m`), ts).toMatchObject({
        wrapper: 'syslog',
        text: 'INFO x.go 1: m',
        envelopeTimeMs: null,
        kubernetes: { node: 'node-1' },
        hints: { time: { kind: 'utc' } },
      });
    }
    expect(unwrap('May  1 10:00:00 node-1 kernel: hello')).toMatchObject({
      wrapper: 'syslog',
      text: 'hello',
      hints: { pid: null, tag: 'kernel' },
    });
  });

  it('near misses: klog lines, capitalised words, a kubelet time before ordinary text', () => {
    for (const s of [
      'I0114 09:30:05.412337       1 run_server.go:78] Running the API server',
      'F0114 09:30:05.412337       1 run_server.go:78] fatal',
      'Calico node started successfully',
      'May the force be with you',
      'May  1 10:00:00 node-1 calico-node[12x]: bad pid',
      'May 32 10:00:00 node-1 calico-node: bad day',
    ]) {
      expect(unwrap(s), s).toMatchObject({ wrapper: 'raw', text: s });
    }
    // A `Z` time is the kubelet's, whatever follows.
    expect(unwrap('2024-05-01T10:00:00Z node-1 calico-felix[7]: INFO x.go 1: m')).toMatchObject({
      wrapper: 'kubectl',
      text: 'node-1 calico-felix[7]: INFO x.go 1: m',
    });
  });
});

describe('svlogd (runit, calico/node)', () => {
  it('-tt, -ttt and -t (TAI64N) times, UTC', () => {
    const t = Date.UTC(2016, 2, 30, 19, 46, 40, 887);
    expect(unwrap('2016-03-30_19:46:40.88778 bird: Netlink: File exists')).toMatchObject({
      wrapper: 'svlogd',
      text: 'bird: Netlink: File exists',
      envelopeTimeMs: t,
    });
    expect(unwrap(`2016-03-30T19:46:40.88778 ${CAL}`)).toMatchObject({
      wrapper: 'svlogd',
      text: CAL,
      envelopeTimeMs: t,
    });
    // @4000000056fc2d0a34e1a2cc: 0x56fc2d0a - 10 = 1459367168 s (2016-03-30T19:46:08Z), 0x34e1a2cc ns.
    expect(unwrap('@4000000056fc2d0a34e1a2cc bird: x')).toMatchObject({
      wrapper: 'svlogd',
      text: 'bird: x',
      envelopeTimeMs: Date.UTC(2016, 2, 30, 19, 46, 8) + Math.floor(0x34e1a2cc / 1e6),
    });
  });

  it('near misses are raw', () => {
    for (const s of [
      '2016-03-30_19:46:40.8877 bird: x', // 4 fraction digits
      '2016-03-30_19:46:40.88778bird: x',
      '@4000000056fc2d0a34e1a2c bird: x', // 23 hex digits
      '@400000005 x',
      '@someone said hi',
    ]) {
      expect(unwrap(s), s).toMatchObject({ wrapper: 'raw', text: s });
    }
  });

  it('inside a shipper (a shipped /var/log/calico/*/current file): the svlogd time, the shipper meta', () => {
    const u = unwrap(
      JSON.stringify({
        log: '2016-03-30_19:46:40.88778 bird: x\n',
        time: '2016-03-30T19:46:41Z',
        kubernetes: { pod_name: 'p', host: 'n1' },
      }),
    );
    expect(u).toMatchObject({
      wrapper: 'fluentbit',
      innerWrapper: 'svlogd',
      text: 'bird: x',
      envelopeTimeMs: Date.UTC(2016, 2, 30, 19, 46, 40, 887),
      kubernetes: { pod: 'p', node: 'n1' },
    });
  });
});

describe('unwrapPrefix', () => {
  it('is null for lines without a prefix, and never throws', () => {
    for (const s of ['', ' ', '\u001b', '[', '@', '2', 'a', 'A', 'Jan', '[pod/', 'x y ', CAL, '\uffff']) {
      expect(() => unwrapPrefix(s)).not.toThrow();
    }
    expect(unwrapPrefix(CAL)).toBeNull();
    expect(unwrapPrefix('bird: x')).toBeNull();
  });
});
