/**
 * Template-mining accuracy on the Loghub-2k samples (16 systems, test/fixtures/loghub: the
 * `*_2k.log_structured.csv` files of https://github.com/logpai/loghub, gzipped; LICENSE and CITATION beside them).
 *
 * For each system: every `Content` of <System>_2k.log_structured.csv becomes an `unparsed`
 * LogRecord (component = system name, level UNKNOWN) and gets a fingerprint from classify().
 * Grouping accuracy (GA, as in the logparser benchmarks): a line is right when the set of lines
 * sharing its fingerprint equals the set of lines sharing its EventId. The classifier never sees
 * the EventId, and one configuration serves all systems.
 *
 * Usage: node --import tsx bench/eval-loghub.ts [--dir <loghub dir>] [--show <System>] [--json]
 *   --show prints the ground-truth groups that were split or merged, for studying failures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { classify } from '../src/classify/index.ts';
import type { LogRecord } from '../src/domain/record.ts';

export const SYSTEMS = [
  'HDFS',
  'Hadoop',
  'Spark',
  'Zookeeper',
  'BGL',
  'HPC',
  'Thunderbird',
  'Windows',
  'Linux',
  'Android',
  'HealthApp',
  'Apache',
  'Proxifier',
  'OpenSSH',
  'OpenStack',
  'Mac',
] as const;

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field.length === 0) {
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A bare message routed as an unparsed record (what src/parse produces for an unknown format). */
export function bareRecord(component: string, text: string, offset = 0): LogRecord {
  return {
    position: { topic: 'loghub', partition: 0, offset, timestampMs: 0 },
    units: 1,
    lineNumber: offset + 1,
    lines: 1,
    bytes: text.length,
    wrapper: 'raw',
    format: 'unparsed',
    parsedTimeMs: null,
    envelopeTimeMs: null,
    level: 'UNKNOWN',
    component,
    pid: null,
    originFile: null,
    originLine: null,
    message: text,
    fields: [],
    text,
    stream: null,
    kubernetes: {},
    flags: [],
  };
}

export interface SystemResult {
  readonly system: string;
  readonly lines: number;
  readonly truthGroups: number;
  readonly predictedGroups: number;
  readonly accuracy: number;
  /** Distinct templates that still hold a literal date or time of day. */
  readonly dateTimeTemplates: readonly string[];
}

interface Row {
  readonly content: string;
  readonly eventId: string;
  readonly eventTemplate: string;
  readonly fp: string;
  readonly template: string;
}

/** `<dir>/<System>_2k.log_structured.csv.gz` (bundled), or the csv in a Loghub checkout's `<System>/`. */
function readStructured(dir: string, system: string): string {
  const gz = join(dir, `${system}_2k.log_structured.csv.gz`);
  if (existsSync(gz)) return gunzipSync(readFileSync(gz)).toString('utf8');
  return readFileSync(join(dir, system, `${system}_2k.log_structured.csv`), 'utf8');
}

function loadRows(dir: string, system: string): Row[] {
  const csv = parseCsv(readStructured(dir, system));
  const header = csv[0]!;
  const ci = header.indexOf('Content');
  const ei = header.indexOf('EventId');
  const ti = header.indexOf('EventTemplate');
  const rows: Row[] = [];
  for (let r = 1; r < csv.length; r++) {
    const rec = csv[r]!;
    if (rec.length < header.length) continue;
    const content = rec[ci]!;
    const c = classify(bareRecord(system, content, r - 1));
    rows.push({
      content,
      eventId: rec[ei]!,
      eventTemplate: rec[ti]!,
      fp: c.fingerprint,
      template: c.template,
    });
  }
  return rows;
}

/** Grouping accuracy: lines whose predicted group equals their true group, over all lines. */
export function groupingAccuracy(truth: readonly string[], predicted: readonly string[]): number {
  const byTruth = new Map<string, number[]>();
  const byPred = new Map<string, number[]>();
  truth.forEach((t, i) => {
    const a = byTruth.get(t);
    if (a) a.push(i);
    else byTruth.set(t, [i]);
    const p = predicted[i]!;
    const b = byPred.get(p);
    if (b) b.push(i);
    else byPred.set(p, [i]);
  });
  let correct = 0;
  for (const members of byPred.values()) {
    const t = truth[members[0]!]!;
    const tm = byTruth.get(t)!;
    if (tm.length === members.length && members.every((i) => truth[i] === t)) correct += members.length;
  }
  return truth.length === 0 ? 1 : correct / truth.length;
}

export function evaluate(dir: string): SystemResult[] {
  return SYSTEMS.map((system) => {
    const rows = loadRows(dir, system);
    const truth = rows.map((r) => r.eventId);
    const pred = rows.map((r) => r.fp);
    return {
      system,
      lines: rows.length,
      truthGroups: new Set(truth).size,
      predictedGroups: new Set(pred).size,
      accuracy: groupingAccuracy(truth, pred),
      dateTimeTemplates: [...new Set(rows.map((r) => r.template).filter((t) => DATE_TIME.test(t)))],
    };
  });
}

/** A literal date or time of day left in a template (a mask that missed it). */
export const DATE_TIME =
  /(?<![\w.])(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}\/\d{1,2}\/\d{2,4}|\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?)(?![\w.])/;

function show(dir: string, system: string): void {
  const rows = loadRows(dir, system);
  const byTruth = new Map<string, Row[]>();
  for (const r of rows) {
    const a = byTruth.get(r.eventId);
    if (a) a.push(r);
    else byTruth.set(r.eventId, [r]);
  }
  const byFp = new Map<string, Row[]>();
  for (const r of rows) {
    const a = byFp.get(r.fp);
    if (a) a.push(r);
    else byFp.set(r.fp, [r]);
  }
  for (const [eid, members] of byTruth) {
    const fps = new Map<string, Row>();
    for (const m of members) if (!fps.has(m.fp)) fps.set(m.fp, m);
    const merged = [...fps.keys()].some((fp) => byFp.get(fp)!.some((r) => r.eventId !== eid));
    if (fps.size === 1 && !merged) continue;
    console.log(`\n${eid} (${members.length} lines) truth: ${members[0]!.eventTemplate}`);
    if (fps.size > 1) {
      console.log(`  SPLIT into ${fps.size}:`);
      for (const r of [...fps.values()].slice(0, 6))
        console.log(`    ${r.template}\n      <- ${r.content.slice(0, 200)}`);
    }
    if (merged) {
      const others = new Set<string>();
      for (const fp of fps.keys())
        for (const r of byFp.get(fp)!) if (r.eventId !== eid) others.add(r.eventId);
      console.log(`  MERGED with ${[...others].join(', ')}: ${[...fps.values()][0]!.template}`);
    }
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const di = args.indexOf('--dir');
  const dir = resolve(di >= 0 ? args[di + 1]! : join(import.meta.dirname, '../test/fixtures/loghub'));
  const si = args.indexOf('--show');
  if (si >= 0) {
    show(dir, args[si + 1]!);
    return;
  }
  const results = evaluate(dir);
  if (args.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log('| System | Lines | True groups | Fingerprints | Grouping accuracy |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.system} | ${r.lines} | ${r.truthGroups} | ${r.predictedGroups} | ${r.accuracy.toFixed(3)} |`,
    );
  }
  const avg = results.reduce((s, r) => s + r.accuracy, 0) / results.length;
  console.log(`| **Average** | | | | **${avg.toFixed(3)}** |`);
  const dated = results.flatMap((r) => r.dateTimeTemplates.map((t) => `${r.system}: ${t}`));
  console.log(`\ntemplates keeping a literal date or time: ${dated.length}`);
  for (const t of dated.slice(0, 20)) console.log(`  ${t.slice(0, 200)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
