/**
 * The embedded default: file/stdin → parse (PartitionAssembler) → classify → aggregate epochs →
 * in-memory counter store → NDJSON in --out DIR. The same Epoch machinery as the Kafka pipeline
 * (src/aggregate/epoch.ts): an epoch every `epoch.fileRecords` units is loaded, built, written with
 * compare-and-set semantics, acknowledged item by item and completed.
 *
 * The product's invariant is checked at the end and the run fails loudly (INVARIANT_VIOLATED, exit 3)
 * when it does not hold:  Σ logsift.count (summaries + dead-letter counters) == units read
 *                    and  Σ stats records_in == units read.
 *
 * Several inputs: each is its own partition (its index in the input list, src/sources/file/inputs.ts),
 * replayed after the one before with its own PartitionState and assembler, into one sink: a record
 * never spans two files, offsets stay line numbers, and the invariant is the same sum over all of
 * them (plus, per input, units handed to aggregation == lines read).
 */

import { type Epoch, PartitionState } from '../aggregate/epoch.ts';
import { classifyRecord, RULESET_VERSION } from '../classify/index.ts';
import { type Config, toAggregateConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import { FileSink, type FileSinkResult } from '../sinks/file/index.ts';
import { FileSource } from '../sources/file/index.ts';
import { createParseStage, type ParseOutcome } from './parse-stage.ts';

export interface Progress {
  readonly units: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Input size on disk when known (a regular file). */
  readonly totalBytes: number | null;
  readonly rawBytes: number;
}

export interface FilePipelineOptions {
  /** File path or `-` for stdin; or several (expanded already: src/sources/file/inputs.ts), in order. */
  readonly input: string | readonly string[];
  readonly outDir: string;
  readonly config: Config;
  /** Injected wall clock (progress and the stdin fallback timestamp only; never a document key). */
  readonly now: () => number;
  readonly stdin?: NodeJS.ReadableStream & import('node:stream').Readable;
  /** Called about once a second while reading. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressIntervalMs?: number;
}

/** One input's share of a run. */
export interface InputResult {
  readonly input: string;
  readonly topic: string;
  readonly partition: number;
  readonly unitsRead: number;
}

export interface FilePipelineResult {
  /** The first input and its topic (see `inputs` for all). */
  readonly input: string;
  readonly topic: string;
  readonly inputs: readonly InputResult[];
  readonly unitsRead: number;
  readonly bytesRead: number;
  readonly records: number;
  readonly deadLettered: number;
  readonly epochs: number;
  readonly elapsedMs: number;
  readonly sink: FileSinkResult;
  readonly linesCapped: number;
}

export async function runFilePipeline(options: FilePipelineOptions): Promise<FilePipelineResult> {
  const { config, now } = options;
  const started = now();
  const inputs = typeof options.input === 'string' ? [options.input] : options.input;
  // Every input is opened (stat) before anything is read or written: a missing file fails the run early.
  const sources = inputs.map(
    (input, partition) =>
      new FileSource({
        input,
        partition,
        nowMs: started,
        ...(options.stdin ? { stdin: options.stdin } : {}),
      }),
  );
  const aggregateConfig = toAggregateConfig(config, RULESET_VERSION);
  const sink = new FileSink({
    outDir: options.outDir,
    maxDocs: config.file.maxDocs,
    statsBucketMs: config.aggregate.statsBucketMs,
  });
  const run: RunState = { records: 0, deadLettered: 0, epochs: 0, lastProgress: started };
  const progress = (): Progress => progressOf(sources, now() - started);
  try {
    let countedUnits = 0;
    for (const source of sources) {
      const counted = await replayInput(source, sink, config, aggregateConfig, options, run, progress);
      if (counted !== source.stats.unitsRead) {
        throw invariantError([
          `${source.topic} (partition ${source.partition}): units handed to aggregation ${counted} != units read ${source.stats.unitsRead} (parse lost or invented units)`,
        ]);
      }
      countedUnits += counted;
    }
    const result = sink.finish();
    const unitsRead = sources.reduce((n, src) => n + src.stats.unitsRead, 0);
    checkInvariant(unitsRead, countedUnits, result);
    if (options.onProgress) options.onProgress(progress());
    return {
      input: inputs[0] ?? '-',
      topic: sources[0]?.topic ?? 'stdin',
      inputs: sources.map((src, i) => ({
        input: inputs[i]!,
        topic: src.topic,
        partition: src.partition,
        unitsRead: src.stats.unitsRead,
      })),
      unitsRead,
      bytesRead: sources.reduce((n, src) => n + src.stats.bytesRead, 0),
      records: run.records,
      deadLettered: run.deadLettered,
      epochs: run.epochs,
      elapsedMs: now() - started,
      sink: result,
      linesCapped: sources.reduce((n, src) => n + src.stats.linesCapped, 0),
    };
  } catch (err) {
    sink.discard();
    throw err;
  }
}

interface RunState {
  records: number;
  deadLettered: number;
  epochs: number;
  lastProgress: number;
}

/** One input = one partition: parse, classify and count its units in epochs. Returns the units counted. */
async function replayInput(
  source: FileSource,
  sink: FileSink,
  config: Config,
  aggregateConfig: ReturnType<typeof toAggregateConfig>,
  options: FilePipelineOptions,
  run: RunState,
  progress: () => Progress,
): Promise<number> {
  const now = options.now;
  // One writer, no abort (a failed write ends the run): epochs change documents in place.
  const state = new PartitionState(source.topic, source.partition, aggregateConfig, { copyOnWrite: false });
  const parse = createParseStage(config, 'file');

  let epoch = state.beginEpoch();
  let countedUnits = 0;
  let lastOffset = -1;
  const flushEvery = config.epoch.fileRecords;
  const progressEvery = options.progressIntervalMs ?? 1000;

  const take = async (outcomes: ParseOutcome[]): Promise<void> => {
    for (const o of outcomes) {
      const offset = o.kind === 'record' ? o.record.position.offset : o.deadLetter.position.offset;
      if (offset < lastOffset) await flushEpoch();
      lastOffset = offset;
      if (o.kind === 'record') {
        epoch.add(classifyRecord(o.record));
        run.records += 1;
        countedUnits += o.record.units;
      } else {
        epoch.addDeadLetter(o.deadLetter);
        run.deadLettered += 1;
        countedUnits += 1;
      }
    }
  };

  async function flushEpoch(): Promise<void> {
    if (epoch.units === 0) return;
    await commitEpoch(epoch, sink);
    run.epochs += 1;
    epoch = state.beginEpoch();
  }

  for await (const batch of source.batches()) {
    for (const unit of batch) parse.push(unit);
    await take(parse.drain());
    if (epoch.units >= flushEvery) await flushEpoch();
    if (options.onProgress) {
      const t = now();
      if (t - run.lastProgress >= progressEvery) {
        run.lastProgress = t;
        options.onProgress(progress());
      }
    }
  }
  parse.flush();
  await take(parse.drain());
  await flushEpoch();
  return countedUnits;
}

/** One epoch against the store, exactly as the Kafka pipeline does it (minus retries: a local store cannot be busy). */
async function commitEpoch(epoch: Epoch, sink: FileSink): Promise<void> {
  const missing = epoch.missing();
  if (missing.length > 0) epoch.provide(await sink.store.load(missing));
  const items = epoch.build();
  const results = await sink.store.write(items);
  for (const r of results) {
    if (!r.ok) {
      // One writer, one store: a conflict or rejection here is a bug, not a condition to retry.
      throw new LogsiftError('STORE_CONFLICT', `file store refused document ${r.id}: ${r.reason}`);
    }
    epoch.acknowledge(r.id, r.seqNo, r.primaryTerm);
  }
  epoch.complete();
}

function checkInvariant(unitsRead: number, countedUnits: number, sink: FileSinkResult): void {
  const problems: string[] = [];
  if (countedUnits !== unitsRead) {
    problems.push(
      `units handed to aggregation ${countedUnits} != units read ${unitsRead} (parse lost or invented units)`,
    );
  }
  if (sink.countTotal !== unitsRead) {
    problems.push(
      `Σ logsift.count of summaries + dead-letter counters ${sink.countTotal} != units read ${unitsRead}`,
    );
  }
  if (sink.statsRecordsIn !== unitsRead) {
    problems.push(`Σ stats records_in ${sink.statsRecordsIn} != units read ${unitsRead}`);
  }
  if (problems.length > 0) throw invariantError(problems);
}

function invariantError(problems: readonly string[]): LogsiftError {
  return new LogsiftError(
    'INVARIANT_VIOLATED',
    'exact-count invariant violated — this is a bug, please report it',
    {
      details: problems,
    },
  );
}

/** Progress over all inputs (total size known only when every input's is). */
function progressOf(sources: readonly FileSource[], elapsedMs: number): Progress {
  let units = 0;
  let bytes = 0;
  let rawBytes = 0;
  let totalBytes: number | null = 0;
  for (const src of sources) {
    units += src.stats.unitsRead;
    bytes += src.stats.bytesRead;
    rawBytes += src.stats.rawBytesRead;
    totalBytes = totalBytes === null || src.sizeBytes === null ? null : totalBytes + src.sizeBytes;
  }
  return { units, bytes, rawBytes, totalBytes, elapsedMs };
}
