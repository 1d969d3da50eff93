/**
 * `npm run bench` (part 1): parse + classify + aggregate over >= 1M lines generated from the corpus,
 * on one core, in process — the same stages and Epoch machinery as `replay` and `run`, with the
 * in-memory compare-and-set store in place of Elasticsearch.
 *
 * Input: the bundled one-day sample (samples/calico-day.log.gz: Fluent Bit / CRI / docker / raw
 * wrappers, every Calico format) repeated until LINES lines (default 1,000,000); each repetition is
 * shifted by one day so buckets do not merely collapse into the same documents.
 * Also writes the unwrapped messages to bench/.data/messages.txt for the Drain3 run (bench/drain3_bench.py),
 * so both miners see the same messages (Drain3 gets them pre-unwrapped: the comparison favours it).
 *
 * Prints one JSON line: {"lines":..., "seconds":..., "linesPerSec":..., "cpuLinesPerSec":..., "peakRssMb":...,
 * "summaries":..., "cpuUsPerLine": {"parse":..., "classify":..., "aggregate":..., "total":...}}.
 * `linesPerSec` is wall time (what `npm run bench` reports); `cpuLinesPerSec` and the per-stage
 * figures use this process's CPU time (user + system), which stays meaningful on a shared machine.
 * Per-stage CPU is sampled around each batch of 256 units, so the sampling itself costs < 0.1%.
 * BENCH_MEM=1 adds heap/RSS samples every 100k lines on stderr. BENCH_INPUT=<file> reads the messages
 * (one per line, .gz or plain; a plain file is streamed, see bench/bench-input.ts) from a file instead
 * of the bundled sample: `npm run bench` uses bench/gen-nonrepeating.ts's output.
 */
// First: the GC flags bin/logsift sets in production (src/v8-tuning.ts).
import '../src/v8-tuning.ts';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { PartitionState } from '../src/aggregate/epoch.ts';
import { classify, RULESET_VERSION } from '../src/classify/index.ts';
import { loadConfig, toAggregateConfig } from '../src/config/index.ts';
import type { SourceUnit } from '../src/domain/record.ts';
import { createParseStage, type ParseOutcome } from '../src/pipeline/parse-stage.ts';
import { MemoryCounterStore } from '../src/sinks/file/memory-store.ts';
import { openInput } from './bench-input.ts';

/** The repository root: the nearest directory above this file with a package.json (also when bundled). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ROOT = findRoot();
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);

// The input: the bundled sample, or BENCH_INPUT=<file> streamed (bench/bench-input.ts).
const input = openInput(ROOT);
/** Unit `i` (in order); repetition `rep` of the input is a day later. */
function unitAt(i: number): SourceUnit {
  return input.unitAt(i);
}

const config = loadConfig({ env: {} });
const agg = toAggregateConfig(config, RULESET_VERSION);
// As the file sink (replay) configures it: documents shared, not copied (src/sinks/file/index.ts).
const store = new MemoryCounterStore({ maxDocs: 5_000_000, copyDocuments: false });
// As the file pipeline (replay) runs it: documents changed in place (src/pipeline/file-pipeline.ts).
const state = new PartitionState('bench', 0, agg, { copyOnWrite: false });
const parse = createParseStage(config, 'kafka');

/** The unwrapped messages of one repetition, for Drain3 (bench/drain3_bench.py cycles them to LINES). */
function writeDrainMessages(): void {
  const pre = createParseStage(config, 'kafka');
  mkdirSync(join(ROOT, 'bench', '.data'), { recursive: true });
  const fd = openSync(join(ROOT, 'bench', '.data', 'messages.txt'), 'w');
  const write = (): void => {
    const chunk: string[] = [];
    for (const o of pre.drain()) if (o.kind === 'record') chunk.push(o.record.text.replaceAll('\n', ' '));
    if (chunk.length > 0) writeSync(fd, `${chunk.join('\n')}\n`);
  };
  let i = 0;
  for (const value of input.oneRepetition()) {
    pre.push({ position: { topic: 'pre', partition: 0, offset: i, timestampMs: input.t0 }, value });
    if (i++ % 4096 === 4095) write();
  }
  pre.flush();
  write();
  closeSync(fd);
}

/** CPU microseconds (user + system) of this process. */
function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const MEM = process.env.BENCH_MEM === '1';

/** Units pushed between drains (BENCH_BATCH). */
const BATCH = Number(process.env.BENCH_BATCH ?? 256);

async function run(): Promise<void> {
  // Units per epoch: the file pipeline's default (config epoch.fileRecords).
  const EPOCH = Number(process.env.BENCH_EPOCH ?? config.epoch.fileRecords);
  const t0 = process.hrtime.bigint();
  const c0 = cpuNow();
  let parseUs = 0;
  let classifyUs = 0;
  let aggregateUs = 0;
  let epoch = state.beginEpoch();
  const take = (outs: ParseOutcome[]): void => {
    // Classify the batch first, then aggregate it: two CPU samples per batch, not per line.
    const a = cpuNow();
    const cls = new Array<ReturnType<typeof classify> | null>(outs.length);
    for (let k = 0; k < outs.length; k++) {
      const o = outs[k]!;
      cls[k] = o.kind === 'record' ? classify(o.record) : null;
    }
    const b = cpuNow();
    for (let k = 0; k < outs.length; k++) {
      const o = outs[k]!;
      if (o.kind === 'record') epoch.add({ record: o.record, classification: cls[k]! });
      else epoch.addDeadLetter(o.deadLetter);
    }
    const c = cpuNow();
    classifyUs += b - a;
    aggregateUs += c - b;
  };
  const flush = async (): Promise<void> => {
    const a = cpuNow();
    epoch.provide(await store.load(epoch.missing()));
    const results = await store.write(epoch.build());
    for (const r of results) {
      if (!r.ok) throw new Error(`store refused ${r.id}: ${r.reason}`);
      epoch.acknowledge(r.id, r.seqNo, r.primaryTerm);
    }
    epoch.complete();
    epoch = state.beginEpoch();
    aggregateUs += cpuNow() - a;
  };
  let batchStart = cpuNow();
  for (let i = 0; i < LINES; i++) {
    parse.push(unitAt(i));
    if (i % BATCH === BATCH - 1) {
      const outs = parse.drain();
      parseUs += cpuNow() - batchStart;
      take(outs);
      if (epoch.units >= EPOCH) await flush();
      batchStart = cpuNow();
    }
    if (MEM && i % 100_000 === 99_999) {
      const m = process.memoryUsage();
      console.error(
        `mem @${i + 1}: rss ${(m.rss / 1048576).toFixed(0)} MB, heapUsed ${(m.heapUsed / 1048576).toFixed(0)} MB, heapTotal ${(m.heapTotal / 1048576).toFixed(0)} MB, external ${(m.external / 1048576).toFixed(0)} MB, arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(0)} MB`,
      );
    }
  }
  parse.flush();
  const outs = parse.drain();
  parseUs += cpuNow() - batchStart;
  take(outs);
  await flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (process.env.BENCH_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_SNAPSHOT);
  const cpuSeconds = (cpuNow() - c0) / 1e6;
  const docs = [...store.documents()];
  const total = docs.reduce(
    (a, d) => a + (d.doc.logsift.kind === 'stats' ? 0 : (d.doc.logsift as { count: number }).count),
    0,
  );
  if (total !== LINES) throw new Error(`invariant: counted ${total} != ${LINES} lines`);
  const summaryDocs = docs.filter((d) => d.doc.logsift.kind !== 'stats').length;
  // BENCH_DIGEST=1: a digest of every document (ids, indices, contents), to check that a speedup
  // changed no output (compare against a run of the previous commit).
  if (process.env.BENCH_DIGEST === '1') {
    const h = createHash('sha256');
    for (const d of docs) h.update(`${d.index}\0${d.id}\0${JSON.stringify(d.doc)}\n`);
    console.error(`documents digest ${h.digest('hex')} (${docs.length} documents)`);
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      lines: LINES,
      seconds: Number(seconds.toFixed(2)),
      linesPerSec: Math.round(LINES / seconds),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      cpuLinesPerSec: Math.round(LINES / cpuSeconds),
      cpuUsPerLine: {
        parse: Number((parseUs / LINES).toFixed(2)),
        classify: Number((classifyUs / LINES).toFixed(2)),
        aggregate: Number((aggregateUs / LINES).toFixed(2)),
        total: Number(((cpuSeconds * 1e6) / LINES).toFixed(2)),
      },
      peakRssMb: Math.round(peakRssMb),
      summaries: summaryDocs,
      reductionPct: Number((100 * (1 - summaryDocs / LINES)).toFixed(3)),
    }),
  );
}

if (process.env.BENCH_DRAIN !== '0') writeDrainMessages(); // BENCH_DRAIN=0: skip (profiling)
await run();
