/**
 * `npm run eval:real`: how logsift groups and categorises REAL Calico log lines it was never tuned on.
 *
 * Input: test/fixtures/real-lines/lines.tsv (677 lines quoted from public issue threads, labelled by
 * hand by statement; see its README). Each row goes through logsift's own path — a fresh
 * PartitionAssembler (src/parse: unwrap, line formats, multi-line assembly) and classify()
 * (src/classify) — exactly as `logsift fingerprint` does, one row at a time.
 *
 * Prints per split (dev, test) and overall: grouping accuracy (Loghub definition) of logsift's
 * fingerprints and of Drain3 with its defaults on the same lines, Tier-exists recall/precision,
 * netlink-error precision/recall and the grouping accuracy of the netlink lines (their groups carry
 * the errno), component accuracy, Calico-format lines that came out `unparsed-format`, rows that did
 * not become exactly one record, and a wrapper-consistency check (every raw line re-wrapped by
 * bench/eval-real-wrappers.ts must keep its fingerprint and category). Always exits 0: it is a report.
 *
 * Usage: node --import tsx bench/eval-real.ts [--show <what>] [--split dev|test|all] [--limit N]
 *          [--no-drain3] [--json]
 *   --show split       true groups spread over several fingerprints, with their lines
 *   --show merged      fingerprints holding several true groups, with their lines
 *   --show netlink     netlink-error false negatives and false positives
 *   --show tier        Tier-exists misses and false alarms
 *   --show component   component mismatches (by truth -> logsift)
 *   --show unparsed    Calico-format lines that came out unparsed-format
 *   --show records     rows that did not become exactly one record
 *   --show wrappers    lines whose fingerprint or category changed under a wrapper
 *   --show drain3      Drain3's split/merged groups (for comparison)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classify, RULESET_VERSION } from '../src/classify/index.ts';
import type { Classification } from '../src/domain/classification.ts';
import type { LogRecord } from '../src/domain/record.ts';
import { FILE_DEAD_LETTER_POLICY, PartitionAssembler } from '../src/parse/index.ts';
import { CALICO_FORMATS, loadRealLines, type RealLine } from './eval-real-fixture.ts';
import { fmt, groupingAccuracy, groupingFailures, precisionRecall } from './eval-real-metrics.ts';
import { META, WRAPPERS } from './eval-real-wrappers.ts';

/** What logsift made of one row. */
export interface Outcome {
  readonly records: number;
  readonly deadLetters: number;
  /** The first record (a row is one record unless parsing split it). */
  readonly record: LogRecord | null;
  readonly c: Classification | null;
  /** Fingerprint used for grouping; a row without a record gets a unique one. */
  readonly fp: string;
  readonly category: string;
}

const UNIT_TIME_MS = Date.UTC(2026, 0, 10, 10, 0, 0);

/** Runs the units of one row through a fresh assembler and classifies the first record. */
export function runRow(units: readonly string[], id: string): Outcome {
  const asm = new PartitionAssembler({ deadLetter: FILE_DEAD_LETTER_POLICY });
  units.forEach((value, offset) => {
    asm.push({ position: { topic: 'real-lines', partition: 0, offset, timestampMs: UNIT_TIME_MS }, value });
  });
  asm.flush();
  const { records, deadLetters } = asm.drain();
  const record = records[0] ?? null;
  const c = record ? classify(record) : null;
  return {
    records: records.length,
    deadLetters: deadLetters.length,
    record,
    c,
    fp: c ? c.fingerprint : `no-record:${id}`,
    category: c ? c.category : 'dead-letter',
  };
}

type SplitName = 'dev' | 'test' | 'all';
const SPLITS: readonly SplitName[] = ['dev', 'test', 'all'];

interface Figures {
  lines: number;
  groups: number;
  fingerprints: number;
  grouping: number;
  drain3: number | null;
  drain3Clusters: number | null;
  tierRecall: number | null;
  tierPrecision: number | null;
  tierCounts: string;
  netlinkPrecision: number | null;
  netlinkRecall: number | null;
  netlinkCounts: string;
  netlinkGrouping: number | null;
  netlinkLines: number;
  component: number;
  unparsedCalico: number;
  notOneRecord: number;
}

function select(rows: readonly RealLine[], split: SplitName): number[] {
  const idx: number[] = [];
  rows.forEach((r, i) => {
    if (split === 'all' || r.split === split) idx.push(i);
  });
  return idx;
}

function figures(
  rows: readonly RealLine[],
  out: readonly Outcome[],
  idx: readonly number[],
  d3: string[] | null,
): Figures {
  const truth = idx.map((i) => rows[i]!.group);
  const pred = idx.map((i) => out[i]!.fp);
  const tier = precisionRecall(
    idx.map((i) => rows[i]!.category === 'tier-exists'),
    idx.map((i) => out[i]!.category === 'tier-exists'),
  );
  const nl = precisionRecall(
    idx.map((i) => rows[i]!.category === 'netlink-error'),
    idx.map((i) => out[i]!.category === 'netlink-error'),
  );
  const nlIdx = idx.filter((i) => rows[i]!.category === 'netlink-error');
  const compOk = idx.filter((i) => out[i]!.record?.component === rows[i]!.component).length;
  return {
    lines: idx.length,
    groups: new Set(truth).size,
    fingerprints: new Set(pred).size,
    grouping: groupingAccuracy(truth, pred).accuracy,
    drain3: d3 ? groupingAccuracy(truth, d3).accuracy : null,
    drain3Clusters: d3 ? new Set(d3).size : null,
    tierRecall: tier.recall,
    tierPrecision: tier.precision,
    tierCounts: `${tier.truePositives}/${tier.actual} found, ${tier.predicted} flagged`,
    netlinkPrecision: nl.precision,
    netlinkRecall: nl.recall,
    netlinkCounts: `${nl.truePositives}/${nl.actual} found, ${nl.predicted} flagged`,
    netlinkGrouping:
      nlIdx.length === 0
        ? null
        : groupingAccuracy(
            nlIdx.map((i) => rows[i]!.group),
            nlIdx.map((i) => out[i]!.fp),
          ).accuracy,
    netlinkLines: nlIdx.length,
    component: idx.length === 0 ? 1 : compOk / idx.length,
    unparsedCalico: idx.filter((i) => isUnparsedCalico(rows[i]!, out[i]!)).length,
    notOneRecord: idx.filter((i) => out[i]!.records !== 1).length,
  };
}

function isUnparsedCalico(r: RealLine, o: Outcome): boolean {
  return CALICO_FORMATS.has(r.format) && o.category === 'unparsed-format';
}

// ---------------------------------------------------------------------------------------------
// Drain3 (bench/.venv, the same pinned release bench/run.sh installs)

const VENV = join(import.meta.dirname, '.venv');
const PY = join(VENV, 'bin', 'python');
const DRAIN3_SCRIPT = join(import.meta.dirname, 'eval-real-drain3.py');

function ensureDrain3(): string | null {
  const ok = (): boolean => spawnSync(PY, ['-c', 'import drain3'], { stdio: 'ignore' }).status === 0;
  if (existsSync(PY) && ok()) return null;
  process.stderr.write('eval:real: creating bench/.venv with drain3 from PyPI (as bench/run.sh)\n');
  if (!existsSync(PY) && spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' }).status !== 0) {
    return 'python3 -m venv failed';
  }
  if (spawnSync(PY, ['-m', 'pip', 'install', '-q', 'drain3==0.9.11'], { stdio: 'inherit' }).status !== 0) {
    return 'pip install drain3 failed';
  }
  return ok() ? null : 'drain3 not importable';
}

/** Cluster ids of one Drain3 run over `texts` (one dataset, fresh miner). */
function drain3(texts: readonly string[]): string[] {
  const input = `${texts.map((t) => JSON.stringify(t)).join('\n')}\n`;
  const r = spawnSync(PY, [DRAIN3_SCRIPT], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`drain3 failed: ${r.stderr}`);
  const ids = r.stdout.split('\n').filter((l) => l.length > 0);
  if (ids.length !== texts.length)
    throw new Error(`drain3 returned ${ids.length} ids for ${texts.length} lines`);
  return ids;
}

/**
 * Drain3's input for a row: the line with its outer wrapper removed (logsift's unwrap, the record's
 * text), newlines of a multi-line record joined by spaces — what a user feeds a line-based miner.
 */
function drain3Text(r: RealLine, o: Outcome): string {
  return (o.record?.text ?? r.line).replace(/\n/g, ' ');
}

// ---------------------------------------------------------------------------------------------
// Wrapper consistency

interface WrapperResult {
  readonly name: string;
  readonly lines: number;
  readonly sameFingerprint: number;
  readonly sameCategory: number;
  readonly carriesPod: boolean;
  readonly carriesNamespace: boolean;
  readonly podLanded: number;
  readonly namespaceLanded: number;
  readonly failures: ReadonlyArray<{ readonly row: number; readonly got: Outcome }>;
}

function wrapperCheck(
  rows: readonly RealLine[],
  out: readonly Outcome[],
  idx: readonly number[],
): WrapperResult[] {
  const bare = idx.filter((i) => rows[i]!.wrapper === 'raw' && out[i]!.record !== null);
  return WRAPPERS.map((w) => {
    let sameFp = 0;
    let sameCat = 0;
    let pod = 0;
    let ns = 0;
    const failures: Array<{ row: number; got: Outcome }> = [];
    for (const i of bare) {
      const units = rows[i]!.line.split('\n').map((l) => w.wrap(l));
      const got = runRow(units, `${rows[i]!.id}/${w.name}`);
      const fpOk = got.fp === out[i]!.fp;
      const catOk = got.category === out[i]!.category;
      if (fpOk) sameFp++;
      if (catOk) sameCat++;
      if (!fpOk || !catOk) failures.push({ row: i, got });
      if (got.record?.kubernetes.pod === META.pod) pod++;
      if (got.record?.kubernetes.namespace === META.namespace) ns++;
    }
    return {
      name: w.name,
      lines: bare.length,
      sameFingerprint: sameFp,
      sameCategory: sameCat,
      carriesPod: w.carries.pod,
      carriesNamespace: w.carries.namespace,
      podLanded: pod,
      namespaceLanded: ns,
      failures,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Report

function excerpt(s: string, n = 170): string {
  const one = s.replace(/\n/g, '\\n');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function table(rowsOut: string[][]): string {
  const widths = rowsOut[0]!.map((_, c) => Math.max(...rowsOut.map((r) => r[c]!.length)));
  return rowsOut.map((r) => r.map((cell, c) => pad(cell, widths[c]!)).join('  ')).join('\n');
}

function describeRow(rows: readonly RealLine[], out: readonly Outcome[], i: number): string {
  const r = rows[i]!;
  const o = out[i]!;
  const rec = o.record;
  return (
    `    ${r.id} [${r.split}] truth ${r.component}/${r.category} | logsift ${rec?.component ?? '-'}/${o.category}` +
    ` fp ${o.fp.slice(0, 16)} ${rec?.format ?? '-'}\n      template: ${excerpt(o.c?.template ?? '-', 150)}` +
    `\n      line:     ${excerpt(r.line)}`
  );
}

function show(
  what: string,
  rows: readonly RealLine[],
  out: readonly Outcome[],
  idx: readonly number[],
  limit: number,
  d3: string[] | null,
): void {
  const lim = <T>(a: readonly T[]): readonly T[] => a.slice(0, limit);
  const pred = what === 'drain3' ? d3 : idx.map((i) => out[i]!.fp);
  if (what === 'split' || what === 'merged' || what === 'drain3') {
    if (!pred) {
      console.log('drain3 unavailable');
      return;
    }
    const { split, merged } = groupingFailures(
      idx.map((i) => rows[i]!.group),
      pred,
    );
    console.log(`\n${split.length} true groups split over several predicted groups:`);
    for (const s of lim(split)) {
      console.log(`\n  ${s.group} (${s.lines} lines -> ${s.parts.length} groups)`);
      for (const p of s.parts) {
        console.log(`   -> ${p.predicted.slice(0, 16)} (${p.members.length})`);
        for (const m of p.members.slice(0, 2)) console.log(describeRow(rows, out, idx[m]!));
      }
    }
    console.log(`\n${merged.length} predicted groups merging several true groups:`);
    for (const m of lim(merged)) {
      console.log(`\n  ${m.predicted.slice(0, 16)} holds ${m.parts.length} true groups`);
      for (const p of m.parts) {
        console.log(`   <- ${p.group} (${p.members.length})`);
        console.log(describeRow(rows, out, idx[p.members[0]!]!));
      }
    }
    return;
  }
  if (what === 'netlink' || what === 'tier') {
    const cat = what === 'netlink' ? 'netlink-error' : 'tier-exists';
    const missed = idx.filter((i) => rows[i]!.category === cat && out[i]!.category !== cat);
    const wrong = idx.filter((i) => rows[i]!.category !== cat && out[i]!.category === cat);
    console.log(`\n${missed.length} lines labelled ${cat} that logsift did not flag:`);
    for (const i of lim(missed)) console.log(describeRow(rows, out, i));
    console.log(`\n${wrong.length} lines flagged ${cat} that are labelled otherwise:`);
    for (const i of lim(wrong)) console.log(describeRow(rows, out, i));
    return;
  }
  if (what === 'component') {
    const bad = idx.filter((i) => out[i]!.record?.component !== rows[i]!.component);
    const by = new Map<string, number[]>();
    for (const i of bad) {
      const k = `${rows[i]!.component} -> ${out[i]!.record?.component ?? '(no record)'}`;
      by.set(k, [...(by.get(k) ?? []), i]);
    }
    console.log(`\n${bad.length} component mismatches (truth -> logsift):`);
    for (const [k, is] of [...by.entries()].sort((a, b) => b[1].length - a[1].length)) {
      console.log(`\n  ${k}: ${is.length}`);
      for (const i of is.slice(0, 2)) console.log(describeRow(rows, out, i));
    }
    return;
  }
  if (what === 'unparsed') {
    const un = idx.filter((i) => isUnparsedCalico(rows[i]!, out[i]!));
    console.log(`\n${un.length} Calico-format lines that came out unparsed-format:`);
    for (const i of lim(un)) console.log(describeRow(rows, out, i));
    return;
  }
  if (what === 'records') {
    const bad = idx.filter((i) => out[i]!.records !== 1);
    console.log(`\n${bad.length} rows that did not become exactly one record:`);
    for (const i of lim(bad)) {
      console.log(`  (${out[i]!.records} records, ${out[i]!.deadLetters} dead letters)`);
      console.log(describeRow(rows, out, i));
    }
    return;
  }
  if (what === 'wrappers') {
    for (const w of wrapperCheck(rows, out, idx)) {
      if (w.failures.length === 0) continue;
      console.log(`\n${w.name}: ${w.failures.length} of ${w.lines} lines changed fingerprint or category`);
      for (const f of lim(w.failures)) {
        const i = f.row;
        console.log(
          `    ${rows[i]!.id} bare ${out[i]!.category} ${out[i]!.fp.slice(0, 16)} -> ${f.got.category} ${f.got.fp.slice(0, 16)}` +
            ` (${f.got.record?.format ?? '-'}, wrapper ${f.got.record?.wrapper ?? '-'})\n      ${excerpt(rows[i]!.line, 140)}`,
        );
      }
    }
    return;
  }
  console.log(
    `unknown --show ${what}; one of split, merged, netlink, tier, component, unparsed, records, wrappers, drain3`,
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const rows = loadRealLines();
  const out = rows.map((r) => runRow(r.line.split('\n'), r.id));

  const d3err = args.includes('--no-drain3') ? 'disabled (--no-drain3)' : ensureDrain3();
  const d3: Partial<Record<SplitName, string[]>> = {};
  if (d3err === null) {
    for (const s of SPLITS) d3[s] = drain3(select(rows, s).map((i) => drain3Text(rows[i]!, out[i]!)));
  }

  const showWhat = opt('--show');
  if (showWhat) {
    const split = (opt('--split') ?? 'all') as SplitName;
    show(showWhat, rows, out, select(rows, split), Number(opt('--limit') ?? 40), d3[split] ?? null);
    return;
  }

  const fig = Object.fromEntries(
    SPLITS.map((s) => [s, figures(rows, out, select(rows, s), d3[s] ?? null)]),
  ) as Record<SplitName, Figures>;
  const wrappers = wrapperCheck(rows, out, select(rows, 'all'));
  const unparsed = select(rows, 'all').filter((i) => isUnparsedCalico(rows[i]!, out[i]!));

  if (args.includes('--json')) {
    console.log(
      JSON.stringify(
        {
          ruleset: RULESET_VERSION,
          drain3: d3err ?? 'ok',
          figures: fig,
          wrappers: wrappers.map(({ failures, ...w }) => ({ ...w, changed: failures.length })),
          unparsedCalico: unparsed.map((i) => rows[i]!.id),
        },
        null,
        2,
      ),
    );
    return;
  }

  console.log(
    `eval:real: ${rows.length} real Calico lines (test/fixtures/real-lines), ruleset ${RULESET_VERSION}`,
  );
  if (d3err !== null) console.log(`drain3: ${d3err}`);
  const line = (label: string, f: (x: Figures) => string): string[] => [
    label,
    ...SPLITS.map((s) => f(fig[s])),
  ];
  console.log(
    `\n${table([
      ['', ...SPLITS],
      line('lines', (x) => String(x.lines)),
      line('true groups', (x) => String(x.groups)),
      line('logsift fingerprints', (x) => String(x.fingerprints)),
      line('grouping accuracy', (x) => fmt(x.grouping)),
      line('  drain3 (defaults)', (x) => `${fmt(x.drain3)} (${x.drain3Clusters ?? '-'} clusters)`),
      line('tier-exists recall', (x) => fmt(x.tierRecall)),
      line('tier-exists precision', (x) => fmt(x.tierPrecision)),
      line('  tier-exists', (x) => x.tierCounts),
      line('netlink precision', (x) => fmt(x.netlinkPrecision)),
      line('netlink recall', (x) => fmt(x.netlinkRecall)),
      line('  netlink', (x) => x.netlinkCounts),
      line('netlink errno-grouping', (x) => `${fmt(x.netlinkGrouping)} (${x.netlinkLines} lines)`),
      line('component accuracy', (x) => fmt(x.component)),
      line('unparsed-format (Calico formats)', (x) => String(x.unparsedCalico)),
      line('rows not one record', (x) => String(x.notOneRecord)),
    ])}`,
  );

  console.log(`\nCalico-format lines that came out unparsed-format (${unparsed.length}):`);
  for (const i of unparsed) {
    console.log(
      `  ${rows[i]!.id} [${rows[i]!.split}] ${rows[i]!.format}/${rows[i]!.wrapper}: ${excerpt(rows[i]!.line, 130)}`,
    );
  }

  console.log(
    `\nWrapper consistency: the ${wrappers[0]?.lines ?? 0} raw lines re-wrapped (bench/eval-real-wrappers.ts); share keeping the bare line's fingerprint / category, and metadata that landed on the record`,
  );
  console.log(
    table([
      ['wrapper', 'fingerprint', 'category', 'pod on record', 'namespace on record'],
      ...wrappers.map((w) => [
        w.name,
        fmt(w.sameFingerprint / Math.max(1, w.lines)),
        fmt(w.sameCategory / Math.max(1, w.lines)),
        w.carriesPod ? fmt(w.podLanded / Math.max(1, w.lines)) : 'n/a',
        w.carriesNamespace ? fmt(w.namespaceLanded / Math.max(1, w.lines)) : 'n/a',
      ]),
    ]),
  );

  const t = fig.test;
  const minWrap = Math.min(...wrappers.map((w) => w.sameFingerprint / Math.max(1, w.lines)));
  console.log(
    `\neval:real test: grouping ${fmt(t.grouping, 2)} (drain3 ${fmt(t.drain3, 2)}), tier recall ${fmt(t.tierRecall, 2)}, ` +
      `netlink P ${fmt(t.netlinkPrecision, 2)} R ${fmt(t.netlinkRecall, 2)}, unparsed-calico ${t.unparsedCalico}; ` +
      `wrappers min ${fmt(minWrap, 2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (e) {
    // A report: print what broke, never fail the caller.
    console.error(`eval:real: ${e instanceof Error ? e.stack : String(e)}`);
  }
  process.exitCode = 0;
}
