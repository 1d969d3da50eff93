/**
 * Parse micro benchmark: the corpus example lines (raw, CRI-wrapped and Fluent Bit JSON) repeated
 * to 200k units, pushed through PartitionAssembler (decode + unwrap + parse + assembly).
 * Also parseLine alone on the Calico lines. Run: `node --import tsx bench/parse.bench.ts`.
 *
 * `BENCH_INPUT=<file>` instead streams that file (one unit per line, bench/bench-input.ts; e.g. the
 * non-repeating input `npm run bench` generates into bench/.data/) through the parse stage alone, as
 * the epoch runner drives it (file mode, a drain per 256 units), `BENCH_LINES` units (default: 1M),
 * and prints its CPU µs per unit.
 */
import os from 'node:os';
import { loadConfig } from '../src/config/index.ts';
import type { SourceUnit } from '../src/domain/record.ts';
import { PartitionAssembler, parseLine } from '../src/parse/index.ts';
import { createAssembler } from '../src/pipeline/parse-stage.ts';
import { openInput } from './bench-input.ts';
import { corpusLines, cri, fluent } from './corpus-lines.ts';

const N = 200_000;
/** The corpus lines (read only by the corpus benchmarks: a bundled copy may run from elsewhere with BENCH_INPUT). */
const lines = process.env.BENCH_INPUT === undefined ? corpusLines() : [];

/** CPU seconds (user + system) of this process since c0: steadier than wall time on a shared machine. */
function cpuSeconds(c0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1e6;
}

function units(wrap: (l: string) => string | Uint8Array): SourceUnit[] {
  const out: SourceUnit[] = [];
  for (let i = 0; i < N; i++) {
    out.push({
      position: { topic: 't', partition: 0, offset: i, timestampMs: 1736847000000 + i },
      value: wrap(lines[i % lines.length]!),
    });
  }
  return out;
}

const enc = new TextEncoder();

function report(name: string, n: number, wall: number, cpu: number, what: string): void {
  const rate = (sec: number) =>
    Math.round(n / sec)
      .toLocaleString('en-US')
      .padStart(10);
  console.log(
    `${name.padEnd(34)} cpu ${rate(cpu)} ${what}/s ${((cpu / n) * 1e6).toFixed(2)} µs | wall ${rate(wall)} ${what}/s ${((wall / n) * 1e6).toFixed(2)} µs`,
  );
}

function bench(name: string, us: SourceUnit[]): void {
  // Warm-up pass, then the measured pass.
  for (let round = 0; round < 2; round++) {
    const a = new PartitionAssembler();
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let recs = 0;
    for (let i = 0; i < us.length; i++) {
      a.push(us[i]!);
      if ((i & 1023) === 0) recs += a.drain().records.length;
    }
    a.flush();
    recs += a.drain().records.length;
    const cpu = cpuSeconds(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (recs !== us.length) throw new Error(`expected ${us.length} records, got ${recs}`);
    if (round === 1) report(name, us.length, wall, cpu, 'units');
  }
}

/** Calibration: JSON.parse of one Fluent Bit envelope (~1 µs on an idle modern core). */
function benchReference(): void {
  const json = fluent(lines[0]!);
  for (let round = 0; round < 2; round++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let n = 0;
    for (let i = 0; i < N; i++) n += (JSON.parse(json) as { log: string }).log.length;
    const cpu = cpuSeconds(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (round === 1 && n > 0) report('reference: JSON.parse(envelope)', N, wall, cpu, 'ops');
  }
}

function benchParseLine(): void {
  const cal = lines.filter((l) => /^\d{4}-/.test(l)).map((l) => l.split('\n')[0]!);
  for (let round = 0; round < 2; round++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    let n = 0;
    for (let i = 0; i < N; i++) n += parseLine(cal[i % cal.length]!).fields.length;
    const cpu = cpuSeconds(c0);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (round === 1 && n > 0) report('parseLine (Calico lines only)', N, wall, cpu, 'lines');
  }
}

/** The parse stage over BENCH_INPUT (streamed), CPU µs per unit. */
function benchInput(path: string): void {
  const n = Number(process.env.BENCH_LINES ?? 1_000_000);
  const input = openInput(process.cwd(), path);
  const a = createAssembler(loadConfig({ env: {} }), 'file');
  const c0 = process.cpuUsage();
  let readUs = 0;
  let recs = 0;
  const chunk: SourceUnit[] = [];
  for (let i = 0; i < n; ) {
    const r0 = process.cpuUsage();
    chunk.length = 0;
    for (let k = 0; k < 256 && i < n; k++, i++) chunk.push(input.unitAt(i));
    const r = process.cpuUsage(r0);
    readUs += r.user + r.system;
    for (const u of chunk) a.push(u);
    const d = a.drain();
    recs += d.records.length + d.deadLetters.length;
  }
  a.flush();
  recs += a.drain().records.length;
  const c = process.cpuUsage(c0);
  const us = c.user + c.system - readUs;
  console.log(
    `parse stage over ${n} units of ${path}: ${(us / n).toFixed(2)} CPU µs/unit (${recs} outcomes; reading ${(readUs / n).toFixed(2)} µs/unit apart; loadavg ${os.loadavg()[0]!.toFixed(1)})`,
  );
}

const inputPath = process.env.BENCH_INPUT;
if (inputPath !== undefined) {
  benchInput(inputPath);
  process.exit(0);
}

console.log(
  `node ${process.version}, ${N} units over ${lines.length} corpus lines, loadavg ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`,
);
benchReference();
benchParseLine();
bench(
  'assembler: raw strings',
  units((l) => l),
);
bench(
  'assembler: raw bytes (Uint8Array)',
  units((l) => enc.encode(l)),
);
bench('assembler: CRI', units(cri));
bench('assembler: Fluent Bit JSON', units(fluent));
