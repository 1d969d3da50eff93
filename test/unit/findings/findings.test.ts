// The findings on generated days (test/helpers/calico-day.ts) run through `logsift replay` and
// `logsift report`: each kind fires on the day made for it, and a steady day gives none.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeFindings } from '../../../src/findings/detect.ts';
import type { Finding, FindingsInput } from '../../../src/findings/types.ts';
import { generateDay, NETLINK_NODES, onsetDay } from '../../helpers/calico-day.ts';
import { schemaValidator } from '../report/helpers.ts';
import { inputOf, replayDay, reportJson } from './helpers.ts';

const ONSET = Date.parse('2025-01-14T04:00:00Z');
const nodeName = (i: number) => `node-${String(i + 1).padStart(2, '0')}`;
const SIX = NETLINK_NODES.map(nodeName);
const kinds = (fs: Finding[]) => fs.map((f) => `${f.kind}:${f.category}`);
/** Σ counts of the input for some fingerprints and nodes (what a finding's `lines` must equal). */
function linesOf(input: FindingsInput, fps: string[], nodes: string[], from = 0): number {
  let n = 0;
  for (const p of input.points)
    if (fps.includes(p.fingerprint) && nodes.includes(p.node ?? '') && p.t >= from) n += p.count;
  return n;
}

describe('findings on generated days', () => {
  it('a steady day (v3.29.2, routine felix noise on 20 nodes, one stray warning) gives no finding', async () => {
    const day = generateDay({ tierSpam: false, nodeVersion: 'v3.29.2', kubeControllersVersion: 'v3.29.2' });
    const dir = await replayDay(day, 'steady');
    const m = await reportJson(dir);
    expect(m.totals.records_in).toBe(day.lines.length);
    expect(m.findings).toEqual([]);
  }, 60_000);

  it('the onset day: netlink errors on 6 of 20 nodes from 04:00 are new, spread, rising, a known issue; Tier spam is a known issue fixed in v3.29.2', async () => {
    const day = onsetDay();
    const dir = await replayDay(day, 'onset');
    const m = await reportJson(dir);
    expect(schemaValidator('report.schema.json')(m)).toEqual([]);
    const input = inputOf(dir);
    const netlink = m.findings.filter((f) => f.category === 'netlink-error');
    expect(netlink.map((f) => f.kind).sort()).toEqual(['known-issue', 'new', 'rising', 'spread']);
    for (const f of netlink) {
      expect(f.nodes, f.kind).toEqual(SIX);
      expect(Math.abs(Date.parse(f.started_at) - ONSET), f.kind).toBeLessThanOrEqual(30 * 60_000);
      expect(f.known_issue?.id).toBe('felix-netlink-handle-leak');
      expect(f.known_issue?.fixed_in).toBe('v3.29.2');
      // Every number is an exact count: lines = Σ of the summaries of its fingerprints on its nodes.
      const fps = [f.fingerprint, ...f.related.map((r) => r.fingerprint)];
      if (f.kind !== 'rising') expect(f.lines).toBe(linesOf(input, fps, f.nodes));
      expect(f.evidence.series.reduce((a, p) => a + p.count, 0)).toBeLessThanOrEqual(
        linesOf(input, fps, f.nodes),
      );
    }
    // All netlink lines the generator wrote are in the new finding.
    const fresh = netlink.find((f) => f.kind === 'new')!;
    expect(fresh.lines).toBe(day.onsetLines[0]);
    expect(fresh.advice).toMatch(/v3\.29\.2/);
    const tier = m.findings.find((f) => f.kind === 'known-issue' && f.category === 'tier-exists')!;
    expect(tier.known_issue).toMatchObject({ id: 'tier-exists-info-spam', fixed_in: 'v3.29.2' });
    expect(tier.lines).toBe(day.tierLines);
    expect(tier.nodes).toEqual(['node-01']);
    const noise = m.findings.find((f) => f.kind === 'noise')!;
    expect(noise.category).toBe('tier-exists');
    expect(noise.evidence.total_lines).toBe(m.totals.records_in);
    expect(noise.advice).toMatch(/You could drop \d+(\.\d+)?% of Calico log volume/);
  }, 60_000);

  it('the same day without the netlink onset gives no netlink finding', async () => {
    const m = await reportJson(await replayDay(generateDay(), 'no-onset'));
    expect(m.findings.filter((f) => f.category === 'netlink-error')).toEqual([]);
    expect(kinds(m.findings).sort()).toEqual(['known-issue:tier-exists', 'noise:tier-exists']);
  }, 60_000);

  it('a steady error rate is new and spread but not rising', async () => {
    const day = generateDay({
      tierSpam: false,
      onsets: [{ kind: 'netlink', atMin: 120, nodes: [0, 1, 2, 3], shape: 'steady' }],
    });
    const m = await reportJson(await replayDay(day, 'steady-errors'));
    expect(kinds(m.findings).sort()).toEqual([
      'known-issue:netlink-error',
      'new:netlink-error',
      'spread:netlink-error',
    ]);
    for (const f of m.findings) expect(f.nodes).toEqual(['node-01', 'node-02', 'node-03', 'node-04']);
  }, 60_000);

  it('an error on one node is new but does not spread', async () => {
    const day = generateDay({
      tierSpam: false,
      onsets: [{ kind: 'error', atMin: 200, nodes: [7], perMin: 2 }],
    });
    const m = await reportJson(await replayDay(day, 'one-node'));
    expect(kinds(m.findings)).toEqual(['new:error-other']);
    const f = m.findings[0]!;
    expect(f.nodes).toEqual(['node-08']);
    expect(f.started_at.slice(0, 16)).toBe('2025-01-14T03:20');
    expect(f.known_issue).toBeNull();
  }, 60_000);

  it('a leak that a calico-node restart resets is reset-on-restart, with the new pod named', async () => {
    const day = generateDay({
      tierSpam: false,
      onsets: [
        {
          kind: 'netlink',
          atMin: 60,
          nodes: [1, 4, 7],
          shape: 'ramp',
          restartAfterMin: 120,
          quietAfterRestartMin: 20,
        },
      ],
    });
    const m = await reportJson(await replayDay(day, 'reset'));
    const reset = m.findings.find((f) => f.kind === 'reset-on-restart');
    expect(reset, JSON.stringify(kinds(m.findings))).toBeDefined();
    expect(reset!.nodes).toEqual(['node-02', 'node-05', 'node-08']);
    expect(m.findings.some((f) => f.kind === 'rising')).toBe(false);
    for (const n of reset!.evidence.per_node) {
      expect(n.runs!.length).toBe(2);
      expect(n.restarts![0]!.reason).toBe('new-pod');
      expect(n.restarts![0]!.pod_after).not.toBe(n.restarts![0]!.pod_before);
      // The restart was at 03:00; the first step without a line is the one that holds it or the next.
      const at = Date.parse(n.restarts![0]!.at) - Date.parse('2025-01-14T03:00:00Z');
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThanOrEqual(5 * 60_000);
    }
  }, 60_000);

  it('--calico-version names the affected nodes when the data carries no image; a fixed version says the lines have another cause', async () => {
    // A shipper that does not report the image: the summaries have no container.image.name.
    const day = onsetDay();
    const lines = day.lines.map((l) => l.replace(/,"container_image":"[^"]*"/, ''));
    expect(lines.join('\n')).not.toContain('container_image');
    const dir = await replayDay({ ...day, lines }, 'versions');
    const affected = await reportJson(dir, ['--calico-version', 'v3.29.1']);
    const leak = affected.findings.find((f) => f.kind === 'known-issue' && f.category === 'netlink-error')!;
    expect(leak.known_issue!.versions).toMatchObject({
      source: 'flag',
      affected_nodes: SIX,
      unaffected_nodes: [],
    });
    expect(leak.advice).toContain('6 of 6 node(s) run an affected version: node-03 (v3.29.1)');
    const fixed = await reportJson(dir, ['--calico-version', '3.30.1']);
    const again = fixed.findings.find((f) => f.kind === 'known-issue' && f.category === 'netlink-error')!;
    expect(again.known_issue!.versions.affected_nodes).toEqual([]);
    expect(again.advice).toContain('None of the nodes runs an affected version (node-03 runs v3.30.1');
  }, 60_000);

  it('with --from, onsets before the range are history: the netlink onset is not new after 05:00', async () => {
    const dir = await replayDay(onsetDay(), 'range');
    const late = await reportJson(dir, ['--from', '2025-01-14T05:00:00Z']);
    expect(late.findings.filter((f) => f.kind === 'new' || f.kind === 'spread')).toEqual([]);
    const early = await reportJson(dir, ['--from', '2025-01-14T03:00:00Z']);
    expect(early.findings.filter((f) => f.kind === 'new').map((f) => f.nodes)).toEqual([SIX]);
  }, 60_000);
});

describe('computeFindings (pure)', () => {
  it('is deterministic: the same points in any order give the same findings', async () => {
    const input = inputOf(await replayDay(onsetDay(), 'order'));
    const a = computeFindings(input);
    const b = computeFindings({ ...input, points: [...input.points].reverse() });
    expect(b).toEqual(a);
    expect(new Set(a.map((f) => f.id)).size).toBe(a.length);
  }, 60_000);

  it('replayed summaries carry container.image.name: the images name the versions, over --calico-version', async () => {
    const dir = await replayDay(onsetDay({ nodeVersion: 'v3.29.1' }), 'replayed-images');
    for (const line of readFileSync(join(dir, 'summaries.ndjson'), 'utf8').trimEnd().split('\n')) {
      const d = JSON.parse(line)._source;
      if (d.logsift.kind === 'summary') expect(d.container?.image?.name).toMatch(/^docker\.io\/calico\//);
    }
    const m = await reportJson(dir, ['--calico-version', '3.30.1']);
    const leak = m.findings.find((f) => f.kind === 'known-issue' && f.category === 'netlink-error')!;
    expect(leak.known_issue!.versions).toMatchObject({
      source: 'image',
      affected_nodes: SIX,
      unaffected_nodes: [],
    });
  }, 60_000);

  it('container.image.name in the summaries names the nodes that run an affected version', async () => {
    const input = inputOf(await replayDay(onsetDay(), 'images'));
    const withImages: FindingsInput = {
      ...input,
      points: input.points.map((p) => ({
        ...p,
        image: `docker.io/calico/node:${p.node === 'node-03' ? 'v3.29.2' : 'v3.29.1'}`,
      })),
    };
    const leak = computeFindings(withImages).find(
      (f) => f.kind === 'known-issue' && f.category === 'netlink-error',
    )!;
    expect(leak.known_issue!.versions).toMatchObject({
      source: 'image',
      affected_nodes: SIX.filter((n) => n !== 'node-03'),
      unaffected_nodes: ['node-03'],
    });
    expect(leak.advice).toContain('5 of 6 node(s) run an affected version: node-06 (v3.29.1)');
  }, 60_000);

  it('gives nothing for no data', () => {
    expect(computeFindings({ points: [], meta: new Map(), from: 0, to: 0 })).toEqual([]);
  });
});
