/**
 * The findings over summaries: pure, deterministic (the same input in any order gives the same
 * findings), bounded (memory grows with fingerprints × nodes × active steps, never with lines).
 * Methods are counts, run lengths and slopes over fixed steps, so each finding can say in words why
 * it fired and cite exact counts. Thresholds: src/findings/config.ts; meanings: docs/FINDINGS.md.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_FINDINGS_CONFIG, type FindingsConfig } from './config.ts';
import { issueRef, matchKnownIssue, versionOfImage } from './known-issues.ts';
import type {
  Finding,
  FindingEvidence,
  FindingKind,
  FindingsInput,
  FingerprintMeta,
  KnownIssueRef,
  NodeEvidence,
  SeriesCount,
} from './types.ts';

/** Steps kept in a finding's series and nodes kept in its per-node evidence. */
export const MAX_SERIES = 96;
export const MAX_NODES = 50;
/** Steps of the series shown before an onset. */
const PRE_STEPS = 3;

const HOUR = 3_600_000;
const NO_NODE = '';

interface NodeSeries {
  /** step index -> count */
  counts: Map<number, number>;
  /** step index -> min point time in it */
  firstT: Map<number, number>;
  /** step index -> pods seen */
  pods: Map<number, Set<string>>;
  /** latest image seen (by point time, then name) */
  image: { t: number; name: string } | null;
  lines: number;
}

interface FpData {
  fp: string;
  meta: FingerprintMeta;
  stepMs: number;
  /** grid origin (ms) and number of steps to the data's end */
  base: number;
  n: number;
  total: Map<number, number>;
  firstT: Map<number, number>;
  nodes: Map<string, NodeSeries>;
  lines: number;
  firstSeen: number;
  lastEnd: number;
}

const iso = (t: number): string => new Date(t).toISOString();
const nf = new Intl.NumberFormat('en-US');
const int = (n: number): string => nf.format(n);
const hhmm = (t: number): string => `${iso(t).slice(0, 16).replace('T', ' ')} UTC`;
const round2 = (x: number): number => Math.round(x * 100) / 100;

function durText(ms: number): string {
  if (ms % HOUR === 0) return `${ms / HOUR} h`;
  if (ms > HOUR && ms % 60_000 === 0) return `${Math.floor(ms / HOUR)} h ${(ms % HOUR) / 60_000} min`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

function add<K>(m: Map<K, number>, k: K, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function minSet<K>(m: Map<K, number>, k: K, t: number): void {
  const cur = m.get(k);
  if (cur === undefined || t < cur) m.set(k, t);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Groups the points by fingerprint onto each fingerprint's step grid. */
function prepare(input: FindingsInput, cfg: FindingsConfig): FpData[] {
  const maxLen = new Map<string, number>();
  for (const p of input.points)
    if (p.len > (maxLen.get(p.fingerprint) ?? 0)) maxLen.set(p.fingerprint, p.len);
  const out = new Map<string, FpData>();
  for (const p of input.points) {
    if (p.count <= 0) continue;
    const meta = input.meta.get(p.fingerprint);
    if (!meta) continue;
    let d = out.get(p.fingerprint);
    if (!d) {
      const stepMs = Math.max(cfg.stepMs, maxLen.get(p.fingerprint) ?? 0);
      const base = Math.floor(input.from / stepMs) * stepMs;
      d = {
        fp: p.fingerprint,
        meta,
        stepMs,
        base,
        n: Math.max(1, Math.ceil((input.to - base) / stepMs)),
        total: new Map(),
        firstT: new Map(),
        nodes: new Map(),
        lines: 0,
        firstSeen: p.t,
        lastEnd: p.t + p.len,
      };
      out.set(p.fingerprint, d);
    }
    const i = Math.floor((p.t - d.base) / d.stepMs);
    add(d.total, i, p.count);
    minSet(d.firstT, i, p.t);
    d.lines += p.count;
    if (p.t < d.firstSeen) d.firstSeen = p.t;
    if (p.t + p.len > d.lastEnd) d.lastEnd = p.t + p.len;
    const key = p.node ?? NO_NODE;
    let ns = d.nodes.get(key);
    if (!ns) {
      ns = { counts: new Map(), firstT: new Map(), pods: new Map(), image: null, lines: 0 };
      d.nodes.set(key, ns);
    }
    add(ns.counts, i, p.count);
    minSet(ns.firstT, i, p.t);
    ns.lines += p.count;
    if (p.pod !== null) {
      let s = ns.pods.get(i);
      if (!s) {
        s = new Set();
        ns.pods.set(i, s);
      }
      s.add(p.pod);
    }
    if (
      p.image !== null &&
      (ns.image === null || p.t > ns.image.t || (p.t === ns.image.t && p.image > ns.image.name))
    )
      ns.image = { t: p.t, name: p.image };
  }
  return [...out.values()].sort((a, b) => cmp(a.fp, b.fp));
}

interface Episode {
  /** first and last active step (inclusive), next onset (exclusive bound) */
  start: number;
  last: number;
  end: number;
  /** data before the onset, ms */
  historyMs: number;
}

/**
 * Onsets of a series: an active step with no line in the look-back window before it and at least
 * minHistory of data before it. An episode runs to the next onset or the data's end.
 */
function episodes(
  counts: Map<number, number>,
  d: FpData,
  input: FindingsInput,
  cfg: FindingsConfig,
): Episode[] {
  const active = [...counts.keys()].sort((a, b) => a - b);
  const gapSteps = cfg.lookbackMs / d.stepMs;
  const starts: number[] = [];
  for (let k = 0; k < active.length; k++) {
    if (k === 0 || active[k]! - active[k - 1]! - 1 >= gapSteps) starts.push(k);
  }
  const out: Episode[] = [];
  for (let s = 0; s < starts.length; s++) {
    const k0 = starts[s]!;
    const k1 = (starts[s + 1] ?? active.length) - 1;
    const start = active[k0]!;
    const historyMs = k0 === 0 ? d.base + start * d.stepMs - input.from : cfg.lookbackMs;
    out.push({
      start,
      last: active[k1]!,
      end: s + 1 < starts.length ? active[starts[s + 1]!]! : d.n,
      historyMs: Math.max(0, historyMs),
    });
  }
  return out;
}

function sumRange(counts: Map<number, number>, from: number, to: number): { lines: number; steps: number } {
  let lines = 0;
  let steps = 0;
  for (const [i, c] of counts) {
    if (i >= from && i < to) {
      lines += c;
      steps++;
    }
  }
  return { lines, steps };
}

/**
 * The step series on some nodes over [from, to): at most MAX_SERIES points, neighbouring steps summed
 * into coarser ones when the range is longer (sums stay exact); `stepS` is the series' step.
 */
function seriesOf(
  d: FpData,
  nodes: readonly string[],
  from: number,
  to: number,
): { series: SeriesCount[]; cut: number; stepS: number } {
  const lo = Math.max(0, from);
  const hi = Math.min(d.n, to);
  const factor = Math.max(1, Math.ceil((hi - lo) / MAX_SERIES));
  const start = Math.floor(lo / factor) * factor;
  const series: SeriesCount[] = [];
  for (let i = start; i < hi; i += factor) {
    let c = 0;
    for (let k = i; k < i + factor && k < hi; k++)
      for (const n of nodes) c += d.nodes.get(n)?.counts.get(k) ?? 0;
    series.push({ t: iso(d.base + i * d.stepMs), count: c });
  }
  return { series, cut: 0, stepS: (d.stepMs * factor) / 1000 };
}

function findingId(kind: FindingKind, fp: string, key: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['finding', kind, fp, key]))
    .digest('hex')
    .slice(0, 32);
}

function listNodes(nodes: readonly string[], max = 6): string {
  const shown = nodes.slice(0, max).join(', ');
  return nodes.length > max ? `${shown} and ${nodes.length - max} more` : shown;
}

interface Ctx {
  input: FindingsInput;
  cfg: FindingsConfig;
  totalLines: number;
}

/** node -> version, from the images in the data, else the configured version. */
function versions(
  d: FpData,
  cfg: FindingsConfig,
): { of: (n: string) => string | null; source: 'image' | 'flag' | 'unknown' } {
  const fromImage = new Map<string, string>();
  for (const [n, s] of d.nodes) {
    const v = versionOfImage(s.image?.name ?? null);
    if (v !== null) fromImage.set(n, v);
  }
  if (fromImage.size > 0) return { of: (n) => fromImage.get(n) ?? null, source: 'image' };
  if (cfg.calicoVersion !== null) return { of: () => cfg.calicoVersion, source: 'flag' };
  return { of: () => null, source: 'unknown' };
}

function knownIssueFor(d: FpData, nodes: readonly string[], cfg: FindingsConfig): KnownIssueRef | null {
  const m = matchKnownIssue(d.meta);
  if (!m) return null;
  const v = versions(d, cfg);
  return issueRef(m.issue, m.by, nodes, v.of, v.source);
}

/** The advice sentence about versions, when a known issue matched. */
function versionAdvice(ki: KnownIssueRef, nodes: readonly string[]): string {
  const v = ki.versions;
  if (v.source === 'unknown')
    return ` The Calico version running is not in the data: check whether ${ki.component} runs ${ki.affected} (pass --calico-version, or ship container.image.name, to have the nodes named).`;
  if (v.affected_nodes.length > 0) {
    const named = v.affected_nodes.slice(0, 6).map((n) => `${n} (${v.by_node[n]})`);
    const more = v.affected_nodes.length > 6 ? ` and ${v.affected_nodes.length - 6} more` : '';
    return ` ${v.affected_nodes.length} of ${nodes.length} node(s) run an affected version: ${named.join(', ')}${more}.`;
  }
  const sample = v.unaffected_nodes.slice(0, 3).map((n) => `${n} runs ${v.by_node[n]}`);
  return ` None of the nodes runs an affected version (${sample.join(', ')}): these lines have another cause.`;
}

function adviceWith(
  ki: KnownIssueRef | null,
  base: string,
  nodes: readonly string[],
  issueAdvice: string | null,
): string {
  if (ki === null) return base;
  return `${issueAdvice ?? base}${versionAdvice(ki, nodes)}`;
}

function issueAdviceOf(d: FpData): string | null {
  return matchKnownIssue(d.meta)?.issue.advice ?? null;
}

function baseFinding(
  kind: FindingKind,
  d: FpData,
  key: string,
  started: number,
  lastEnd: number,
  nodes: string[],
  lines: number,
  cfg: FindingsConfig,
): Omit<Finding, 'explanation' | 'advice' | 'evidence'> {
  return {
    id: findingId(kind, d.fp, key),
    kind,
    fingerprint: d.fp,
    category: d.meta.category,
    template: d.meta.template,
    component: d.meta.component,
    started_at: iso(started),
    last_seen: iso(lastEnd),
    nodes,
    lines,
    known_issue: knownIssueFor(d, nodes, cfg),
    related: [],
  };
}

/** Last step end with a line, for the given nodes in [from, to). */
function lastEndOf(d: FpData, nodes: readonly string[], from: number, to: number): number {
  let last = -1;
  for (const n of nodes)
    for (const [i] of d.nodes.get(n)?.counts ?? []) if (i >= from && i < to && i > last) last = i;
  return d.base + (last + 1) * d.stepMs;
}

function perNode(
  d: FpData,
  nodes: readonly string[],
  from: number,
  to: number,
): { list: NodeEvidence[]; cut: number } {
  const list: NodeEvidence[] = [];
  for (const n of nodes) {
    const s = d.nodes.get(n)!;
    let lines = 0;
    let first = Number.POSITIVE_INFINITY;
    for (const [i, c] of s.counts) {
      if (i < from || i >= to) continue;
      lines += c;
      const t = s.firstT.get(i)!;
      if (t < first) first = t;
    }
    if (lines > 0) list.push({ node: n, lines, first: iso(first) });
  }
  list.sort((a, b) => b.lines - a.lines || cmp(a.node, b.node));
  return { list: list.slice(0, MAX_NODES), cut: Math.max(0, list.length - MAX_NODES) };
}

const named = (nodes: Iterable<string>): string[] => [...nodes].filter((n) => n !== NO_NODE).sort();

// ------------------------------------------------------------------------------------------- new

function findNew(d: FpData, ctx: Ctx): Finding[] {
  const { cfg, input } = ctx;
  if (!cfg.new.categories.includes(d.meta.category as never)) return [];
  const out: Finding[] = [];
  for (const ep of episodes(d.total, d, input, cfg)) {
    if (ep.historyMs < cfg.minHistoryMs) continue;
    const { lines, steps } = sumRange(d.total, ep.start, ep.end);
    if (lines < cfg.new.minLines || steps < cfg.new.minBuckets) continue;
    const nodesAll = [...d.nodes.keys()].filter(
      (n) => sumRange(d.nodes.get(n)!.counts, ep.start, ep.end).lines > 0,
    );
    const nodes = named(nodesAll);
    const started = d.firstT.get(ep.start)!;
    const lastEnd = d.base + (ep.last + 1) * d.stepMs;
    const f = baseFinding('new', d, iso(started), started, lastEnd, nodes, lines, cfg);
    const { series, cut, stepS } = seriesOf(d, nodesAll, ep.start - PRE_STEPS, ep.end);
    const pn = perNode(d, nodes, ep.start, ep.end);
    const history =
      ep.historyMs >= cfg.lookbackMs ? durText(cfg.lookbackMs) : `${durText(ep.historyMs)} of data`;
    const where = nodes.length > 0 ? ` on ${nodes.length} node(s): ${listNodes(nodes)}` : '';
    out.push({
      ...f,
      explanation:
        `A new ${d.meta.category} line from ${d.meta.component}: first seen ${hhmm(started)} with no line in the ${history} before it, ` +
        `then ${int(lines)} lines in ${steps} of ${ep.end - ep.start} steps of ${durText(d.stepMs)}${where}.`,
      advice: adviceWith(
        f.known_issue,
        `Look at ${d.meta.component}${nodes.length > 0 ? ` on ${listNodes(nodes, 3)}` : ''} from ${hhmm(started)}: this error was not there before, so a change at that time (upgrade, configuration, node pool, kernel) is the first suspect.`,
        nodes,
        issueAdviceOf(d),
      ),
      evidence: {
        step_s: stepS,
        series,
        series_cut: cut,
        per_node: pn.list,
        per_node_cut: pn.cut,
        history_s: Math.round(Math.min(ep.historyMs, cfg.lookbackMs) / 1000),
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------- spread

function findSpread(d: FpData, ctx: Ctx): Finding[] {
  const { cfg, input } = ctx;
  if (!cfg.spread.categories.includes(d.meta.category as never)) return [];
  const onsets: Array<{ node: string; step: number; end: number; t: number; lines: number }> = [];
  for (const [node, s] of d.nodes) {
    if (node === NO_NODE) continue;
    for (const ep of episodes(s.counts, d, input, cfg)) {
      if (ep.historyMs < cfg.minHistoryMs) continue;
      const { lines } = sumRange(s.counts, ep.start, ep.end);
      if (lines < cfg.spread.minLinesPerNode) continue;
      onsets.push({ node, step: ep.start, end: ep.end, t: s.firstT.get(ep.start)!, lines });
    }
  }
  onsets.sort((a, b) => a.t - b.t || cmp(a.node, b.node));
  const out: Finding[] = [];
  let i = 0;
  while (i < onsets.length) {
    let j = i;
    while (j + 1 < onsets.length && onsets[j + 1]!.t - onsets[i]!.t <= cfg.spread.windowMs) j++;
    const group = onsets.slice(i, j + 1);
    const nodeSet = new Set(group.map((g) => g.node));
    if (nodeSet.size < cfg.spread.minNodes) {
      i++;
      continue;
    }
    const nodes = [...nodeSet].sort();
    // Per node: its first onset in the group.
    const firstOf = new Map<string, (typeof group)[number]>();
    for (const g of group) if (!firstOf.has(g.node)) firstOf.set(g.node, g);
    let lines = 0;
    let lastStep = 0;
    for (const g of firstOf.values()) {
      lines += sumRange(d.nodes.get(g.node)!.counts, g.step, g.end).lines;
      lastStep = Math.max(lastStep, g.end);
    }
    const started = group[0]!.t;
    const within = group[group.length - 1]!.t - started;
    const startStep = group[0]!.step;
    const f = baseFinding(
      'spread',
      d,
      iso(started),
      started,
      lastEndOf(d, nodes, startStep, lastStep),
      nodes,
      lines,
      cfg,
    );
    const { series, cut, stepS } = seriesOf(d, nodes, startStep - PRE_STEPS, lastStep);
    const per: NodeEvidence[] = [...firstOf.values()]
      .map((g) => ({
        node: g.node,
        lines: sumRange(d.nodes.get(g.node)!.counts, g.step, g.end).lines,
        first: iso(g.t),
      }))
      .sort((a, b) => cmp(a.first, b.first) || cmp(a.node, b.node));
    out.push({
      ...f,
      explanation:
        `The same ${d.meta.category} line from ${d.meta.component} started on ${nodes.length} nodes within ${durText(Math.max(within, 60_000))}: ` +
        `first on ${group[0]!.node} at ${hhmm(started)}, then ${listNodes(per.slice(1).map((p) => p.node))}; ${int(lines)} lines on them since.`,
      advice: adviceWith(
        f.known_issue,
        `Something these ${nodes.length} nodes share changed around ${hhmm(started)} (a rollout, a config push, a kernel or node-pool update): compare them with the nodes that do not log it.`,
        nodes,
        issueAdviceOf(d),
      ),
      evidence: {
        step_s: stepS,
        series,
        series_cut: cut,
        per_node: per.slice(0, MAX_NODES),
        per_node_cut: Math.max(0, per.length - MAX_NODES),
      },
    });
    i = j + 1;
  }
  return out;
}

// ---------------------------------------------------------------------- rising, reset-on-restart

interface Run {
  start: number;
  last: number;
  first: number;
  lastCount: number;
  slope: number;
  grows: boolean;
}

function quarterMeans(vals: number[]): [number, number] {
  const q = Math.max(1, Math.floor(vals.length / 4));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean(vals.slice(0, q)), mean(vals.slice(-q))];
}

function olsSlope(vals: number[]): number {
  const n = vals.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = vals.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (vals[i]! - my);
    den += (i - mx) ** 2;
  }
  return num / den;
}

/** Maximal runs of non-zero steps where no step dips more than maxDipPct below the one before. */
function runsOf(s: NodeSeries, cfg: FindingsConfig): Run[] {
  const active = [...s.counts.keys()].sort((a, b) => a - b);
  if (active.length === 0) return [];
  const runs: Run[] = [];
  const lo = active[0]!;
  const hi = active[active.length - 1]!;
  let cur: number[] | null = null;
  let curStart = lo;
  const close = (vals: number[], start: number) => {
    const [q1, q4] = quarterMeans(vals);
    runs.push({
      start,
      last: start + vals.length - 1,
      first: vals[0]!,
      lastCount: vals[vals.length - 1]!,
      slope: round2(olsSlope(vals)),
      grows: q4 >= cfg.rising.minGrowth * q1,
    });
  };
  for (let i = lo; i <= hi + 1; i++) {
    const c = i <= hi ? (s.counts.get(i) ?? 0) : 0;
    if (cur !== null && c > 0 && c >= cur[cur.length - 1]! * (1 - cfg.rising.maxDipPct / 100)) {
      cur.push(c);
      continue;
    }
    if (cur !== null) close(cur, curStart);
    cur = null;
    if (c > 0) {
      cur = [c];
      curStart = i;
    }
  }
  return runs;
}

function qualifies(r: Run, cfg: FindingsConfig): boolean {
  return r.last - r.start + 1 >= cfg.rising.minRun && r.lastCount >= cfg.rising.minLast && r.grows;
}

/** After a restart the rate need only grow again for half a run. */
function growsAgain(r: Run, cfg: FindingsConfig): boolean {
  return r.last - r.start + 1 >= Math.ceil(cfg.rising.minRun / 2) && r.lastCount > r.first && r.slope > 0;
}

function podsAt(s: NodeSeries, i: number): string[] {
  return [...(s.pods.get(i) ?? [])].sort();
}

function findRising(d: FpData, ctx: Ctx): Finding[] {
  const { cfg } = ctx;
  const rising: Array<{ node: string; runs: Run[] }> = [];
  const resets: Array<{ node: string; runs: Run[]; restarts: NonNullable<NodeEvidence['restarts']> }> = [];
  for (const [node, s] of d.nodes) {
    if (node === NO_NODE || s.lines < cfg.rising.minLast) continue;
    const runs = runsOf(s, cfg);
    const good = runs.filter((r) => qualifies(r, cfg));
    if (good.length === 0) continue;
    // A qualifying run that ends in zero steps and a run growing again after them, with a restart between.
    const restarts: NonNullable<NodeEvidence['restarts']> = [];
    const resetRuns: Run[] = [];
    for (let k = 0; k < runs.length - 1; k++) {
      const a = runs[k]!;
      if (!qualifies(a, cfg)) continue;
      // The run that starts after the first zero step following `a` (a partial step before the
      // restart may sit between them).
      let z = a.last + 1;
      while (z < d.n && (s.counts.get(z) ?? 0) > 0) z++;
      const b = runs.find((r) => r.start > z);
      if (!b || !growsAgain(b, cfg)) continue;
      let zeros = 0;
      for (let i = z; i < b.start; i++) if ((s.counts.get(i) ?? 0) === 0) zeros++;
      const before = podsAt(s, a.last);
      const after = podsAt(s, b.start);
      const newPod = after.length > 0 && before.length > 0 && !after.some((p) => before.includes(p));
      const gapMs = zeros * d.stepMs;
      if (!newPod && gapMs < cfg.resetOnRestart.minGapMs) continue;
      restarts.push({
        at: iso(d.base + z * d.stepMs),
        reason: newPod ? 'new-pod' : 'gap',
        pod_before: before[0] ?? null,
        pod_after: after[0] ?? null,
      });
      if (!resetRuns.includes(a)) resetRuns.push(a);
      if (!resetRuns.includes(b)) resetRuns.push(b);
    }
    if (restarts.length > 0) resets.push({ node, runs: resetRuns, restarts });
    else rising.push({ node, runs: good });
  }
  const out: Finding[] = [];
  const emit = (
    kind: 'rising' | 'reset-on-restart',
    items: Array<{ node: string; runs: Run[]; restarts?: NodeEvidence['restarts'] }>,
  ) => {
    if (items.length === 0) return;
    const nodes = items.map((x) => x.node).sort();
    const startStep = Math.min(...items.map((x) => x.runs[0]!.start));
    const started = Math.min(...items.map((x) => d.nodes.get(x.node)!.firstT.get(x.runs[0]!.start)!));
    let lines = 0;
    const per: NodeEvidence[] = [];
    for (const x of items.sort((a, b) => cmp(a.node, b.node))) {
      const s = d.nodes.get(x.node)!;
      let nl = 0;
      for (const r of x.runs) nl += sumRange(s.counts, r.start, r.last + 1).lines;
      lines += nl;
      per.push({
        node: x.node,
        lines: nl,
        first: iso(s.firstT.get(x.runs[0]!.start)!),
        runs: x.runs.map((r) => ({
          start: iso(d.base + r.start * d.stepMs),
          steps: r.last - r.start + 1,
          first_count: r.first,
          last_count: r.lastCount,
          slope: r.slope,
        })),
        ...(x.restarts ? { restarts: x.restarts } : {}),
      });
    }
    const endStep = Math.max(...items.flatMap((x) => x.runs.map((r) => r.last))) + 1;
    const f = baseFinding(kind, d, iso(started), started, d.base + endStep * d.stepMs, nodes, lines, cfg);
    const { series, cut, stepS } = seriesOf(d, nodes, startStep - PRE_STEPS, endStep);
    const lead = per.reduce((a, b) => (b.runs![0]!.steps > a.runs![0]!.steps ? b : a));
    const r0 = lead.runs![0]!;
    const shape =
      `on ${lead.node} from ${int(r0.first_count)} to ${int(r0.last_count)} lines per ${durText(d.stepMs)} over ${r0.steps} steps ` +
      `(slope ${r0.slope >= 0 ? '+' : ''}${r0.slope} lines per step)`;
    const explanation =
      kind === 'rising'
        ? `The rate of this ${d.meta.category} line from ${d.meta.component} kept growing on ${nodes.length} node(s): ${shape}. A rate that grows until a restart is how a leak shows in logs.`
        : `On ${nodes.length} node(s) the rate of this ${d.meta.category} line grew, dropped to zero when calico restarted (${lead.restarts!.map((r) => (r.reason === 'new-pod' ? `new pod ${r.pod_after}` : `a gap of logs at ${hhmm(Date.parse(r.at))}`)).join('; ')}) and then grew again: ${shape}. That is the shape of a leak a restart frees for a while.`;
    out.push({
      ...f,
      explanation,
      advice: adviceWith(
        f.known_issue,
        kind === 'rising'
          ? `Watch the resource behind it (file descriptors, memory, netlink sockets) of ${d.meta.component} on ${listNodes(nodes, 3)}: restart it there before it runs out, and look upstream for a fix of the version you run.`
          : `Restarting only buys time: look upstream for a leak fixed in a later release of ${d.meta.component}, and schedule restarts of ${listNodes(nodes, 3)} until you upgrade.`,
        nodes,
        issueAdviceOf(d),
      ),
      evidence: {
        step_s: stepS,
        series,
        series_cut: cut,
        per_node: per.slice(0, MAX_NODES),
        per_node_cut: Math.max(0, per.length - MAX_NODES),
      },
    });
  };
  emit('rising', rising);
  emit('reset-on-restart', resets);
  return out;
}

// ------------------------------------------------------------------------- known-issue, noise

/** The UTC day a state finding (noise, known issue) belongs to: the day the data ends in. */
const dayKey = (input: FindingsInput): string => iso(Math.max(input.from, input.to - 1)).slice(0, 10);

/**
 * The UTC day (YYYY-MM-DD) a finding is filed under: its onset's for onset kinds, the day the data
 * ends in for noise and known issues (whose id carries that day), so an updated finding keeps its index.
 */
export function findingDay(f: Finding, input: FindingsInput): string {
  return f.kind === 'noise' || f.kind === 'known-issue' ? dayKey(input) : f.started_at.slice(0, 10);
}

function findKnown(d: FpData, ctx: Ctx): Finding[] {
  const { cfg, input } = ctx;
  const m = matchKnownIssue(d.meta);
  if (!m || d.lines < cfg.knownIssues.minLines) return [];
  const nodesAll = [...d.nodes.keys()];
  const nodes = named(nodesAll);
  const f = baseFinding(
    'known-issue',
    d,
    `${m.issue.id}|${dayKey(input)}`,
    d.firstSeen,
    d.lastEnd,
    nodes,
    d.lines,
    cfg,
  );
  const first = Math.floor((d.firstSeen - d.base) / d.stepMs);
  const { series, cut, stepS } = seriesOf(d, nodesAll, first, d.n);
  const pn = perNode(d, nodes, 0, d.n);
  const ki = f.known_issue!;
  return [
    {
      ...f,
      explanation:
        `${int(d.lines)} lines of \`${d.meta.template}\` from ${d.meta.component}${nodes.length > 0 ? ` on ${nodes.length} node(s)` : ''} match a known Calico problem: ` +
        `${ki.title} (affected ${ki.affected}; ${ki.fixed_in ? `fixed in ${ki.fixed_in}` : 'upstream names no fixed release'}; matched by ${ki.matched_by}).`,
      advice: `${m.issue.advice}${versionAdvice(ki, nodes)}`,
      evidence: { step_s: stepS, series, series_cut: cut, per_node: pn.list, per_node_cut: pn.cut },
    },
  ];
}

function findNoise(all: FpData[], ctx: Ctx): Finding[] {
  const { cfg, input, totalLines } = ctx;
  if (totalLines === 0) return [];
  const hours = Math.max(1, (input.to - input.from) / HOUR);
  const cands: Array<{ d: FpData; share: number; sources: number; rate: number }> = [];
  for (const d of all) {
    if (!cfg.noise.categories.includes(d.meta.category as never)) continue;
    const share = (100 * d.lines) / totalLines;
    if (share < cfg.noise.minSharePct) continue;
    const sources = new Set<string>();
    for (const [node, s] of d.nodes) {
      const pods = new Set<string>();
      for (const ps of s.pods.values()) for (const p of ps) pods.add(p);
      if (pods.size === 0) sources.add(`node:${node}`);
      for (const p of pods) sources.add(`pod:${p}`);
    }
    const rate = d.lines / sources.size / hours;
    if (rate < cfg.noise.minPerSourcePerHour) continue;
    cands.push({ d, share, sources: sources.size, rate });
  }
  cands.sort((a, b) => b.d.lines - a.d.lines || cmp(a.d.fp, b.d.fp));
  return cands.slice(0, cfg.noise.top).map(({ d, share, sources, rate }) => {
    const nodesAll = [...d.nodes.keys()];
    const nodes = named(nodesAll);
    const f = baseFinding('noise', d, dayKey(input), d.firstSeen, d.lastEnd, nodes, d.lines, cfg);
    const first = Math.floor((d.firstSeen - d.base) / d.stepMs);
    const { series, cut, stepS } = seriesOf(d, nodesAll, first, d.n);
    const pn = perNode(d, nodes, 0, d.n);
    const sharePct = round2(share);
    return {
      ...f,
      explanation:
        `\`${d.meta.template}\` from ${d.meta.component} is ${sharePct}% of the Calico lines read (${int(d.lines)} of ${int(totalLines)}), ` +
        `about ${int(Math.round(rate))} lines per source per hour from ${sources} source(s).`,
      advice: adviceWith(
        f.known_issue,
        `You could drop ${sharePct}% of Calico log volume: filter or sample this template at the shipper, or lower ${d.meta.component}'s log level; logsift still counts it exactly.`,
        nodes,
        f.known_issue ? `You could drop ${sharePct}% of Calico log volume. ${issueAdviceOf(d)}` : null,
      ),
      evidence: {
        step_s: stepS,
        series,
        series_cut: cut,
        per_node: pn.list,
        per_node_cut: pn.cut,
        total_lines: totalLines,
        share_pct: sharePct,
        sources,
        hours: round2(hours),
      },
    };
  });
}

/**
 * Findings of one kind that share the onset step, the nodes, the component, category and known issue
 * are one event seen through several templates: merged into the one with the most lines.
 */
function mergeRelated(findings: Finding[], cfg: FindingsConfig): Finding[] {
  const groups = new Map<string, Finding[]>();
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.kind === 'noise') {
      out.push(f);
      continue;
    }
    const stepMs = Math.max(cfg.stepMs, f.evidence.step_s * 1000);
    const onset = f.kind === 'known-issue' ? '' : String(Math.floor(Date.parse(f.started_at) / stepMs));
    const key = [
      f.kind,
      f.category,
      f.component,
      f.known_issue?.id ?? '',
      f.evidence.step_s,
      onset,
      f.nodes.join(','),
    ].join('|');
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push(g[0]!);
      continue;
    }
    g.sort((a, b) => b.lines - a.lines || cmp(a.fingerprint, b.fingerprint));
    const primary = g[0]!;
    const rest = g.slice(1);
    const lines = g.reduce((a, f) => a + f.lines, 0);
    const byT = new Map<string, number>();
    for (const f of g) for (const p of f.evidence.series) byT.set(p.t, (byT.get(p.t) ?? 0) + p.count);
    const series = [...byT.entries()]
      .sort((a, b) => cmp(a[0], b[0]))
      .slice(0, MAX_SERIES)
      .map(([t, count]) => ({ t, count }));
    const perNodeMap = new Map<string, NodeEvidence>();
    for (const f of g)
      for (const n of f.evidence.per_node) {
        const cur = perNodeMap.get(n.node);
        if (!cur) perNodeMap.set(n.node, { ...n });
        else {
          cur.lines += n.lines;
          if (n.first < cur.first) cur.first = n.first;
        }
      }
    const fps = g.map((f) => f.fingerprint).sort();
    out.push({
      ...primary,
      id: findingId(
        primary.kind,
        fps.join(','),
        primary.kind === 'known-issue' ? primary.id : primary.started_at,
      ),
      started_at: g.map((f) => f.started_at).sort()[0]!,
      last_seen: g
        .map((f) => f.last_seen)
        .sort()
        .at(-1)!,
      lines,
      related: rest.map((f) => ({ fingerprint: f.fingerprint, template: f.template, lines: f.lines })),
      explanation: `${primary.explanation} ${rest.length} related template(s) of the same onset on the same nodes come with it: ${int(lines)} lines in all.`,
      evidence: {
        ...primary.evidence,
        series,
        per_node: [...perNodeMap.values()]
          .sort((a, b) => b.lines - a.lines || cmp(a.node, b.node))
          .slice(0, MAX_NODES),
      },
    });
  }
  return out;
}

const KIND_ORDER: Record<FindingKind, number> = {
  new: 0,
  spread: 1,
  rising: 2,
  'reset-on-restart': 3,
  'known-issue': 4,
  noise: 5,
};

/** Every finding over the input, sorted by kind, onset and fingerprint. */
export function computeFindings(
  input: FindingsInput,
  cfg: FindingsConfig = DEFAULT_FINDINGS_CONFIG,
): Finding[] {
  if (input.points.length === 0 || !(input.to > input.from)) return [];
  const rangeFrom = Math.max(input.from, input.rangeFrom ?? input.from);
  const all = prepare(input, cfg);
  // Noise and known issues describe the range only; the look-back window before it is history.
  const stateInput: FindingsInput =
    rangeFrom > input.from
      ? { ...input, points: input.points.filter((p) => p.t >= rangeFrom), from: rangeFrom }
      : input;
  const stateAll = stateInput === input ? all : prepare(stateInput, cfg);
  let totalLines = 0;
  for (const d of stateAll) totalLines += d.lines;
  const ctx: Ctx = { input, cfg, totalLines };
  const stateCtx: Ctx = { input: stateInput, cfg, totalLines };
  const out: Finding[] = [];
  for (const d of all) {
    for (const f of [...findNew(d, ctx), ...findSpread(d, ctx), ...findRising(d, ctx)])
      if (Date.parse(f.started_at) >= rangeFrom) out.push(f);
  }
  for (const d of stateAll) out.push(...findKnown(d, stateCtx));
  out.push(...findNoise(stateAll, stateCtx));
  return mergeRelated(out, cfg).sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      cmp(a.started_at, b.started_at) ||
      cmp(a.fingerprint, b.fingerprint) ||
      cmp(a.id, b.id),
  );
}

export type { FindingEvidence };
