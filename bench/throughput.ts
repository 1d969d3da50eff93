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
 * Prints one JSON line: {"lines":..., "seconds":..., "linesPerSec":..., "peakRssMb":..., "summaries":...}
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { PartitionState } from '../src/aggregate/epoch.ts';
import { classify, RULESET_VERSION } from '../src/classify/index.ts';
import { loadConfig, toAggregateConfig } from '../src/config/index.ts';
import type { SourceUnit } from '../src/domain/record.ts';
import { createParseStage, type ParseOutcome } from '../src/pipeline/parse-stage.ts';
import { MemoryCounterStore } from '../src/sinks/file/memory-store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const DAY = 86_400_000;

const sample = gunzipSync(readFileSync(join(ROOT, 'samples', 'calico-day.log.gz'))).toString('utf8');
const base = sample.split('\n').filter((l) => l.length > 0);

const encoder = new TextEncoder();
const baseBytes = base.map((l) => encoder.encode(l));

/** Units generated on the fly (holding 1M units would dominate RSS): repetition `rep` is a day later. */
function unitAt(i: number): SourceUnit {
  const rep = Math.floor(i / base.length);
  return {
    position: { topic: 'bench', partition: 0, offset: i, timestampMs: Date.UTC(2025, 0, 14) + rep * DAY },
    value: baseBytes[i % base.length]!,
  };
}

const config = loadConfig({ env: {} });
const agg = toAggregateConfig(config, RULESET_VERSION);
const store = new MemoryCounterStore({ maxDocs: 5_000_000 });
const state = new PartitionState('bench', 0, agg);
const parse = createParseStage(config, 'kafka');

/** The unwrapped messages of one repetition, for Drain3 (bench/drain3_bench.py cycles them to LINES). */
function writeDrainMessages(): void {
  const pre = createParseStage(config, 'kafka');
  const out: string[] = [];
  for (let i = 0; i < base.length; i++)
    pre.push({ ...unitAt(i), position: { ...unitAt(i).position, topic: 'pre' } });
  pre.flush();
  for (const o of pre.drain()) if (o.kind === 'record') out.push(o.record.text.replaceAll('\n', ' '));
  mkdirSync(join(ROOT, 'bench', '.data'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', '.data', 'messages.txt'), `${out.join('\n')}\n`);
}

async function run(): Promise<void> {
  const EPOCH = 10_000;
  const t0 = process.hrtime.bigint();
  let epoch = state.beginEpoch();
  const take = (outs: ParseOutcome[]): void => {
    for (const o of outs) {
      if (o.kind === 'record') {
        epoch.add({ record: o.record, classification: classify(o.record) });
      } else epoch.addDeadLetter(o.deadLetter);
    }
  };
  const flush = async (): Promise<void> => {
    epoch.provide(await store.load(epoch.missing()));
    const results = await store.write(epoch.build());
    for (const r of results) {
      if (!r.ok) throw new Error(`store refused ${r.id}: ${r.reason}`);
      epoch.acknowledge(r.id, r.seqNo, r.primaryTerm);
    }
    epoch.complete();
    epoch = state.beginEpoch();
  };
  for (let i = 0; i < LINES; i++) {
    parse.push(unitAt(i));
    if (i % 256 === 255) take(parse.drain());
    if (epoch.units >= EPOCH) await flush();
  }
  parse.flush();
  take(parse.drain());
  await flush();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const docs = [...store.documents()];
  const total = docs.reduce(
    (a, d) => a + (d.doc.logsift.kind === 'stats' ? 0 : (d.doc.logsift as { count: number }).count),
    0,
  );
  if (total !== LINES) throw new Error(`invariant: counted ${total} != ${LINES} lines`);
  const summaryDocs = docs.filter((d) => d.doc.logsift.kind !== 'stats').length;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      lines: LINES,
      seconds: Number(seconds.toFixed(2)),
      linesPerSec: Math.round(LINES / seconds),
      peakRssMb: Math.round(peakRssMb),
      summaries: summaryDocs,
      reductionPct: Number((100 * (1 - summaryDocs / LINES)).toFixed(3)),
    }),
  );
}

writeDrainMessages();
await run();
