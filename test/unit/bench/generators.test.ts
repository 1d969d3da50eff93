/**
 * The benchmark generators keep their word: the same options give the same bytes, the non-repeating
 * input has the mix bench/gen-nonrepeating.ts states and no reused values, and the day of
 * bench/gen-day.ts has the rates its header states (Tier lines every 10 s, one summary per node and
 * minute, the netlink burst only on its nodes after its onset, one panic, the health tables).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DayLine, generateDay } from '../../../bench/gen-day.ts';
import {
  ENVELOPE_MIX,
  generateNonRepeating,
  HOST_ENVELOPE_MIX,
  KIND_MIX,
  type OutLine,
  REAL_LINES_DIR,
  REAL_SHARE,
  readRealLines,
} from '../../../bench/gen-nonrepeating.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { createParseStage } from '../../../src/pipeline/parse-stage.ts';

const digest = (lines: Iterable<{ line: string }>): string => {
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l.line}\n`);
  return h.digest('hex');
};

const share = <T>(xs: readonly T[], pred: (x: T) => boolean): number => xs.filter(pred).length / xs.length;

describe('gen-nonrepeating', () => {
  const N = 40_000;
  const lines: OutLine[] = [...generateNonRepeating({ lines: N, realLinesDir: null })];

  it('is deterministic for a seed, and the seed matters', () => {
    expect(lines).toHaveLength(N);
    expect(digest(generateNonRepeating({ lines: N, realLinesDir: null }))).toBe(digest(lines));
    expect(digest(generateNonRepeating({ lines: N, realLinesDir: null, seed: 7 }))).not.toBe(digest(lines));
  });

  it('has the stated mix of statement kinds (share of lines, +-1.5 points)', () => {
    for (const [kind, want] of Object.entries(KIND_MIX)) {
      expect(Math.abs(share(lines, (l) => l.kind === kind) - want), kind).toBeLessThan(0.015);
    }
  });

  it('has the stated mix of envelopes for pod logs and for the host CNI file (+-1.5 points)', () => {
    const pod = lines.filter((l) => l.origin === 'pod');
    const host = lines.filter((l) => l.origin === 'host');
    expect(host.length).toBeGreaterThan(1000);
    for (const [env, want] of ENVELOPE_MIX) {
      expect(Math.abs(share(pod, (l) => l.envelope === env) - want), env).toBeLessThan(0.015);
    }
    for (const [env, want] of HOST_ENVELOPE_MIX) {
      expect(Math.abs(share(host, (l) => l.envelope === env) - want), `host ${env}`).toBeLessThan(0.03);
    }
    // containerd's P + F split of long lines appears in the CRI share.
    expect(lines.filter((l) => l.partial && l.envelope === 'cri').length).toBeGreaterThan(10);
  });

  it('does not repeat lines or values', () => {
    // Only statements without any variable in an envelope without a timestamp repeat (raw BIRD lines).
    expect(new Set(lines.map((l) => l.line)).size / N).toBeGreaterThan(0.995);
    const ifaces = lines.flatMap((l) => l.text.match(/cali[0-9a-f]{11}/g) ?? []);
    expect(ifaces.length).toBeGreaterThan(2000);
    expect(new Set(ifaces).size / ifaces.length).toBeGreaterThan(0.95);
    const ips = lines.flatMap((l) => l.text.match(/192\.168\.\d+\.\d+(?!\/2[0-6])/g) ?? []);
    expect(new Set(ips).size / ips.length).toBeGreaterThan(0.5); // 50 nodes x 62 addresses per block
    const times = lines.map((l) => l.ms);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true);
  });

  it('gives logsift the envelopes it claims (every unit counted, wrappers as generated)', () => {
    const parse = createParseStage(loadConfig({ env: {} }), 'kafka');
    const byWrapper = new Map<string, number>();
    let units = 0;
    let dead = 0;
    const drain = (): void => {
      for (const o of parse.drain()) {
        if (o.kind === 'record') {
          units += o.record.units;
          byWrapper.set(o.record.wrapper, (byWrapper.get(o.record.wrapper) ?? 0) + o.record.units);
        } else {
          units += 1;
          dead += 1;
        }
      }
    };
    lines.forEach((l, i) => {
      parse.push({
        position: { topic: 't', partition: 0, offset: i, timestampMs: Date.UTC(2025, 0, 14, 12) },
        value: Buffer.from(l.line),
      });
      if (i % 1000 === 999) drain();
    });
    parse.flush();
    drain();
    expect(units).toBe(N);
    const unparsed = lines.filter((l) => l.kind === 'unparsed').length;
    expect(dead).toBeLessThanOrEqual(unparsed);
    const wrapperOf = (e: string): string =>
      e === 'fluentbit-date' ? 'fluentbit' : e === 'otlp' ? 'otel' : e;
    for (const w of ['fluentbit', 'cri', 'docker', 'vector', 'filebeat', 'otel', 'raw']) {
      const want = lines.filter((l) => wrapperOf(l.envelope) === w).length;
      expect(Math.abs((byWrapper.get(w) ?? 0) - want), w).toBeLessThanOrEqual(unparsed);
    }
  });

  it('draws the stated share from test/fixtures/real-lines when it exists', () => {
    const real = readRealLines(REAL_LINES_DIR);
    if (real.length === 0) return; // the fixture is optional
    const withReal = [...generateNonRepeating({ lines: 20_000 })];
    expect(Math.abs(share(withReal, (l) => l.kind === 'real') - REAL_SHARE)).toBeLessThan(0.02);
  });
});

describe('gen-day', () => {
  const HOURS = 2;
  const NODES = 9;
  const start = Date.UTC(2025, 0, 14, 6);
  const opts = { hours: HOURS, nodes: NODES, netlinkOnset: '07:00', netlinkNodes: 3, netlinkMinutes: 20 };
  const day: DayLine[] = [...generateDay(opts)];

  it('is deterministic for a seed, and the seed matters', () => {
    expect(digest(generateDay(opts))).toBe(digest(day));
    expect(digest(generateDay({ ...opts, seed: 7 }))).not.toBe(digest(day));
    expect(day.every((l, i) => i === 0 || l.ms >= day[i - 1]!.ms)).toBe(true);
    expect(day.every((l) => l.ms >= start && l.ms < start + HOURS * 3_600_000)).toBe(true);
  });

  it('has kube-controllers Tier lines every 10 s from one pod', () => {
    const tier = day.filter((l) => l.source === 'tier');
    expect(tier).toHaveLength(2 * HOURS * 360);
    const dflt = tier.filter((l) =>
      l.text.includes('Tier default already exists. error=resource already exists: Tier(default)'),
    );
    const anp = tier.filter((l) =>
      l.text.includes(
        'Tier adminnetworkpolicy already exists. error=resource already exists: Tier(adminnetworkpolicy)',
      ),
    );
    expect(dflt).toHaveLength(HOURS * 360);
    expect(anp).toHaveLength(HOURS * 360);
    expect(dflt.every((l, i) => i === 0 || l.ms - dflt[i - 1]!.ms === 10_000)).toBe(true);
    const pods = new Set(
      tier.map((l) => (JSON.parse(l.line) as { kubernetes: { pod_name: string } }).kubernetes.pod_name),
    );
    expect(pods.size).toBe(1);
  });

  it('has felix routine noise on every node at its rates', () => {
    const nodes = new Set(day.filter((l) => l.source.startsWith('felix')).map((l) => l.node));
    expect(nodes.size).toBe(NODES);
    for (const n of nodes) {
      const summaries = day.filter((l) => l.source === 'felix-summary' && l.node === n).length;
      expect(Math.abs(summaries - HOURS * 60), n).toBeLessThanOrEqual(2);
      // 30 statements at one per 30 s - 5 min each, plus calculation-graph updates every 2-10 s.
      const routine = day.filter(
        (l) => (l.source === 'felix-routine' || l.source === 'felix-proto') && l.node === n,
      ).length;
      expect(routine / (HOURS * 3600), n).toBeGreaterThan(0.15);
      expect(routine / (HOURS * 3600), n).toBeLessThan(1.2);
    }
    const statements = new Set(
      day.filter((l) => l.source === 'felix-routine').map((l) => /\] (felix\/\S+ \d+):/.exec(l.text)?.[1]),
    );
    expect(statements.size).toBeGreaterThanOrEqual(25);
  });

  it('puts the netlink burst on its nodes only, from its onset', () => {
    const onset = Date.UTC(2025, 0, 14, 7, 0);
    const netlink = day.filter((l) => l.source === 'netlink');
    const nodes = new Set(netlink.map((l) => l.node));
    expect(nodes.size).toBe(3);
    expect(Math.min(...netlink.map((l) => l.ms))).toBeGreaterThanOrEqual(onset);
    expect(Math.max(...netlink.map((l) => l.ms))).toBeLessThan(onset + 120_000 + 22 * 60_000);
    const perNodeRate = netlink.length / 3 / (20 * 60);
    expect(perNodeRate).toBeGreaterThan(3);
    expect(perNodeRate).toBeLessThan(5);
    const routeAdd = netlink.filter(
      (l) => l.text.includes('route_table.go 1522') && l.text.includes(': file exists"'),
    );
    expect(routeAdd.length).toBeGreaterThan(netlink.length * 0.15);
    expect(netlink.filter((l) => l.text.includes('too many open files')).length).toBeGreaterThan(
      netlink.length * 0.3,
    );
  });

  it('has one panic with its stack, restarts with the health table, and the other sources', () => {
    const panic = day.filter((l) => l.source === 'panic');
    expect(panic.filter((l) => l.text.includes('[PANIC]'))).toHaveLength(1);
    expect(panic).toHaveLength(18);
    expect(
      day.filter((l) => l.text.includes('felix/health.go 336: Overall health status changed')),
    ).toHaveLength(2);
    expect(day.filter((l) => /^\| InternalDataplaneMainLoop /.test(l.text))).toHaveLength(2);
    for (const s of ['typha', 'bgp', 'apiserver', 'churn-cni', 'churn-felix', 'kube-controllers'] as const) {
      expect(day.filter((l) => l.source === s).length, s).toBeGreaterThan(10);
    }
  });

  it('ships Fluent Bit envelopes with Kubernetes metadata (none for the host CNI file)', () => {
    for (const l of day) {
      const o = JSON.parse(l.line) as { log: string; kubernetes?: Record<string, string> };
      expect(o.log).toBe(l.text);
      if (l.source === 'churn-cni') expect(o.kubernetes).toBeUndefined();
      else {
        expect(o.kubernetes?.pod_name).toBeTruthy();
        expect(o.kubernetes?.namespace_name).toBeTruthy();
        expect(o.kubernetes?.container_name).toBeTruthy();
        expect(o.kubernetes?.host).toBeTruthy();
        expect(o.kubernetes?.container_image).toMatch(/^docker\.io\/calico\/[\w-]+:v3\.29\.1$/);
      }
    }
  });

  it('the default day (6 h, 20 nodes) is 400-500k lines', { timeout: 180_000 }, () => {
    let n = 0;
    for (const _ of generateDay({ envelope: 'raw' })) n++;
    expect(n).toBeGreaterThan(400_000);
    expect(n).toBeLessThan(500_000);
  });
});
