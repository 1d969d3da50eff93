/**
 * Parse micro benchmark: the corpus example lines (raw, CRI-wrapped and Fluent Bit JSON) repeated
 * to 200k units, pushed through PartitionAssembler (decode + unwrap + parse + assembly).
 * Also parseLine alone on the Calico lines. Run: `node --import tsx bench/parse.bench.ts`.
 */
import os from 'node:os';
import type { SourceUnit } from '../src/domain/record.ts';
import { PartitionAssembler, parseLine } from '../src/parse/index.ts';
import { corpusLines, cri, fluent } from './corpus-lines.ts';

const N = 200_000;
const lines = corpusLines();

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
