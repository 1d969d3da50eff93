/**
 * Classification throughput over the Calico corpus lines, repeated (with varied IPs, interface
 * names and numbers) to 200,000 lines.
 *
 *   node --import tsx bench/classify.bench.ts [--lines N]
 *
 * Prints lines/s and µs/line for:
 *   classify        classify() over pre-parsed LogRecords (the stage alone)
 *   parse only      src/parse parseLine + record build (the baseline to subtract)
 *   parse+classify  src/parse parseLine + record build + classify (the per-line CPU path; strings
 *                   are fresh per line, as in production, so cache lookups pay for hashing)
 * Each is run 5 times after a warm-up; the median process CPU time is reported (wall time too).
 */
import { classify, fingerprintCacheStats } from '../src/classify/index.ts';
import type { LogRecord } from '../src/domain/record.ts';
import { parseLine } from '../src/parse/index.ts';
import { corpusLines } from './corpus-lines.ts';

const args = process.argv.slice(2);
const li = args.indexOf('--lines');
const TOTAL = li >= 0 ? Number(args[li + 1]) : 200_000;

const base = corpusLines();

/** Vary the variable parts so that repeated lines are not byte-identical. */
function vary(line: string, r: number): string {
  return line
    .replace(/\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.)\d{1,3}\b/g, (_, p: string) => `${p}${r % 250}`)
    .replace(
      /cali[0-9a-f]{11}/g,
      () => `cali${(0x1000000 + r * 7919).toString(16).padStart(11, '0').slice(-11)}`,
    )
    .replace(/numFailures=\d+/g, `numFailures=${r % 17}`);
}

const lines: string[] = [];
for (let r = 0; lines.length < TOTAL; r++) {
  for (const l of base) {
    if (lines.length >= TOTAL) break;
    lines.push(vary(l, r));
  }
}

function toRecord(line: string, offset: number): LogRecord {
  const nl = line.indexOf('\n');
  const p = parseLine(nl >= 0 ? line.slice(0, nl) : line);
  return {
    position: { topic: 'bench', partition: 0, offset, timestampMs: 0 },
    units: 1,
    lineNumber: offset + 1,
    lines: 1,
    bytes: line.length,
    wrapper: 'raw',
    format: p.format,
    parsedTimeMs: null,
    envelopeTimeMs: null,
    level: p.level,
    component: p.component ?? 'unknown',
    pid: p.pid,
    originFile: p.originFile,
    originLine: p.originLine,
    message: p.message,
    fields: p.fields,
    text: line,
    stream: null,
    kubernetes: {},
    flags: [],
  };
}

const records = lines.map((l, i) => toRecord(l, i));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function run(name: string, fn: () => number): void {
  fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  let sink = 0;
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    sink += fn();
    wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  // CPU time of this process: robust when the machine is shared; wall time printed alongside.
  const t = median(cpu);
  const w = median(wall);
  console.log(
    `${name.padEnd(16)} ${Math.round(TOTAL / t)
      .toLocaleString('en-US')
      .padStart(
        12,
      )} lines/s CPU  ${((t / TOTAL) * 1e6).toFixed(2)} µs/line CPU  (wall ${((w / TOTAL) * 1e6).toFixed(2)} µs/line; median of 5; checksum ${sink % 997})`,
  );
}

console.log(`node ${process.version}, ${base.length} corpus lines repeated to ${TOTAL}`);
run('classify', () => {
  let n = 0;
  for (const r of records) n += classify(r).fingerprint.length;
  return n;
});
run('parse only', () => {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += toRecord(lines[i]!, i).message.length;
  return n;
});
run('parse+classify', () => {
  let n = 0;
  for (let i = 0; i < lines.length; i++) n += classify(toRecord(lines[i]!, i)).fingerprint.length;
  return n;
});
const s = fingerprintCacheStats();
console.log(
  `fingerprint cache: size ${s.size}/${s.capacity}, hits ${s.hits}, misses ${s.misses}, evictions ${s.evictions}`,
);
