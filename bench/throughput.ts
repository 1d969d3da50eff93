/**
 * `npm run bench` (part 1): what `logsift replay` runs — the epoch runner (parse, classify,
 * aggregate epochs) over the file sink (in-memory compare-and-set store, NDJSON output) — over
 * >= 1M lines generated from the corpus, on one core, in process. Only the file reader is replaced
 * by a generator (src/pipeline/file-pipeline.ts replayUnits is the same call replay makes).
 *
 * Input: the bundled one-day sample (samples/calico-day.log.gz: Fluent Bit / CRI / docker / raw
 * wrappers, every Calico format) repeated until LINES lines (default 1,000,000); each repetition is
 * shifted by one day so buckets do not merely collapse into the same documents.
 * Also writes the unwrapped messages to bench/.data/messages.txt for the Drain3 run (bench/drain3_bench.py),
 * so both miners see the same messages (Drain3 gets them pre-unwrapped: the comparison favours it).
 *
 * Prints one JSON line: {"lines":..., "seconds":..., "linesPerSec":..., "cpuLinesPerSec":..., "peakRssMb":...,
 * "summaries":..., "writes":..., "cpuUsPerLine": {"parse":..., "classify":..., "aggregate":..., "total":...}}.
 * `linesPerSec` is wall time (what `npm run bench` reports); `cpuLinesPerSec` and the per-stage
 * figures use this process's CPU time (user + system), which stays meaningful on a shared machine.
 * Per-stage CPU is the runner's own stage timing (sampled around each chunk of 256 units); the
 * rest of the total (flushes: build, serialise, store; the sink's output) is counted in "aggregate".
 * BENCH_MEM=1 adds heap/RSS samples every 100k lines on stderr; BENCH_SNAPSHOT_AT=<lines> writes a heap
 * snapshot once that many lines are generated. BENCH_INPUT=<file> reads the messages
 * (one per line, .gz or plain; a plain file is streamed, see bench/bench-input.ts) from a file instead
 * of the bundled sample: `npm run bench` uses bench/gen-nonrepeating.ts's output. BENCH_DIGEST=1
 * prints a digest of the output files (compare two commits).
 */
// First: the GC flags bin/logsift sets in production (src/v8-tuning.ts).
import '../src/v8-tuning.ts';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeHeapSnapshot } from 'node:v8';
import { loadConfig } from '../src/config/index.ts';
import type { SourceUnit } from '../src/domain/record.ts';
import { replayUnits } from '../src/pipeline/file-pipeline.ts';
import { createParseStage } from '../src/pipeline/parse-stage.ts';
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

/** BENCH_SNAPSHOT_AT=<lines>: a heap snapshot (into the working directory) once that many lines are generated. */
const SNAPSHOT_AT = Number(process.env.BENCH_SNAPSHOT_AT ?? 0);

/** Units per source batch (BENCH_BATCH; the file reader yields ~2k lines per 1 MiB chunk). */
const BATCH = Number(process.env.BENCH_BATCH ?? 2048);

/** Batches of units, generated on the fly (holding 1M units would dominate RSS). */
function* batches(): Generator<SourceUnit[]> {
  for (let i = 0; i < LINES; ) {
    const n = Math.min(BATCH, LINES - i);
    const out = new Array<SourceUnit>(n);
    for (let k = 0; k < n; k++) out[k] = unitAt(i + k);
    i += n;
    if (MEM && Math.floor((i - n) / 100_000) !== Math.floor(i / 100_000)) {
      const m = process.memoryUsage();
      console.error(
        `mem @${i}: rss ${(m.rss / 1048576).toFixed(0)} MB, heapUsed ${(m.heapUsed / 1048576).toFixed(0)} MB, heapTotal ${(m.heapTotal / 1048576).toFixed(0)} MB, external ${(m.external / 1048576).toFixed(0)} MB, arrayBuffers ${(m.arrayBuffers / 1048576).toFixed(0)} MB`,
      );
    }
    if (SNAPSHOT_AT > 0 && i - n < SNAPSHOT_AT && i >= SNAPSHOT_AT) {
      console.error(`heap snapshot @${i}: ${writeHeapSnapshot()}`);
    }
    yield out;
  }
}

async function run(): Promise<void> {
  // BENCH_EPOCH: units per epoch (default: the replay default, config epoch.fileRecords).
  // BENCH_EPOCH_DOCS: epoch.maxDirtyDocs; BENCH_CACHE_DOCS: aggregate.caps.cacheDocs (experiments).
  const env = process.env;
  const cfg = {
    ...config,
    epoch: {
      ...config.epoch,
      ...(env.BENCH_EPOCH !== undefined ? { fileRecords: Number(env.BENCH_EPOCH) } : {}),
      ...(env.BENCH_EPOCH_DOCS !== undefined ? { maxDirtyDocs: Number(env.BENCH_EPOCH_DOCS) } : {}),
    },
    aggregate: {
      ...config.aggregate,
      caps: {
        ...config.aggregate.caps,
        ...(env.BENCH_CACHE_DOCS !== undefined ? { cacheDocs: Number(env.BENCH_CACHE_DOCS) } : {}),
      },
    },
  };
  const outDir = mkdtempSync(join(tmpdir(), 'logsift-bench-'));
  const t0 = process.hrtime.bigint();
  const c0 = cpuNow();
  let parseUs = 0;
  let classifyUs = 0;
  let stagedUs = 0;
  const r = await replayUnits({
    units: batches(),
    topic: 'bench',
    outDir,
    config: cfg,
    timeStages: true,
    observe: (o) => {
      if (o.kind === 'stages') {
        parseUs += o.parseUs;
        classifyUs += o.classifyUs;
        stagedUs += o.parseUs + o.classifyUs + o.aggregateUs;
      }
    },
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (process.env.BENCH_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_SNAPSHOT);
  const cpuTotalUs = cpuNow() - c0;
  const cpuSeconds = cpuTotalUs / 1e6;
  if (r.sink.countTotal !== LINES)
    throw new Error(`invariant: counted ${r.sink.countTotal} != ${LINES} lines`);
  if (r.countedUnits !== LINES) throw new Error(`invariant: aggregated ${r.countedUnits} != ${LINES} lines`);
  // BENCH_DIGEST=1: a digest of the output (ids, indices, contents), to check that a speedup
  // changed no output (compare against a run of the previous commit).
  if (process.env.BENCH_DIGEST === '1') {
    const h = createHash('sha256');
    h.update(readFileSync(r.sink.summariesPath));
    h.update(readFileSync(r.sink.statsPath));
    console.error(`output digest ${h.digest('hex')} (${r.sink.summaries} summaries, ${r.sink.stats} stats)`);
  }
  rmSync(outDir, { recursive: true, force: true });
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  // Everything but parse and classify is aggregation: the epochs' hot path plus their flushes
  // (build, serialise, store) and the sink's output.
  const aggregateUs = cpuTotalUs - parseUs - classifyUs;
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
      summaries: r.sink.summaries,
      reductionPct: Number((100 * (1 - r.sink.summaries / LINES)).toFixed(3)),
      epochs: r.epochs,
      writes: r.writes,
      writesPerLine: Number((r.writes / LINES).toFixed(4)),
      staged: Number((stagedUs / LINES).toFixed(2)),
    }),
  );
}

if (process.env.BENCH_DRAIN !== '0') writeDrainMessages(); // BENCH_DRAIN=0: skip (profiling)
await run();
