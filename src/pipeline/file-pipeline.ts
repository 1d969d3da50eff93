/**
 * The embedded default: file/stdin → the epoch runner (src/pipeline/epoch-runner.ts: parse,
 * classify, aggregate epochs) → in-memory counter store → NDJSON in --out DIR. The same runner as
 * `logsift run`, with the file policy: no retries (one writer, one local store: a failed write ends
 * the run) and no time cut (an epoch ends on `epoch.fileRecords` units, `epoch.maxDirtyDocs`
 * documents or `epoch.maxDeltaBytes`, and at the end of the input).
 *
 * The product's invariant is checked at the end and the run fails loudly (INVARIANT_VIOLATED, exit 3)
 * when it does not hold:  Σ logsift.count (summaries + dead-letter counters) == units read
 *                    and  Σ stats records_in == units read.
 */

import type { Config } from '../config/index.ts';
import type { SourceUnit } from '../domain/record.ts';
import { LogsiftError } from '../errors.ts';
import { FileSink, type FileSinkResult } from '../sinks/file/index.ts';
import { FileSource } from '../sources/file/index.ts';
import { EpochRunner, FILE_CONTROL, type Observer } from './epoch-runner.ts';

export interface Progress {
  readonly units: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Input size on disk when known (a regular file). */
  readonly totalBytes: number | null;
  readonly rawBytes: number;
}

export interface FilePipelineOptions {
  /** File path or `-` for stdin. */
  readonly input: string;
  readonly outDir: string;
  readonly config: Config;
  /** Injected wall clock (progress and the stdin fallback timestamp only; never a document key). */
  readonly now: () => number;
  readonly stdin?: NodeJS.ReadableStream & import('node:stream').Readable;
  /** Called about once a second while reading. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressIntervalMs?: number;
}

export interface FilePipelineResult {
  readonly input: string;
  readonly topic: string;
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
  const source = new FileSource({
    input: options.input,
    nowMs: started,
    ...(options.stdin ? { stdin: options.stdin } : {}),
  });
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = started;
  const onBatch = options.onProgress
    ? () => {
        const t = now();
        if (t - lastProgress >= progressEvery) {
          lastProgress = t;
          options.onProgress?.(progressOf(source, t - started));
        }
      }
    : undefined;
  const r = await replayUnits({
    units: source.batches(),
    topic: source.topic,
    outDir: options.outDir,
    config,
    ...(onBatch ? { onBatch } : {}),
  });
  const unitsRead = source.stats.unitsRead;
  checkInvariant(unitsRead, r.countedUnits, r.sink);
  if (options.onProgress) options.onProgress(progressOf(source, now() - started));
  return {
    input: options.input,
    topic: source.topic,
    unitsRead,
    bytesRead: source.stats.bytesRead,
    records: r.records,
    deadLettered: r.deadLettered,
    epochs: r.epochs,
    elapsedMs: now() - started,
    sink: r.sink,
    linesCapped: source.stats.linesCapped,
  };
}

export interface ReplayUnitsOptions {
  /** Batches of units of one partition, in offset order. */
  readonly units: AsyncIterable<readonly SourceUnit[]> | Iterable<readonly SourceUnit[]>;
  readonly topic: string;
  readonly outDir: string;
  readonly config: Config;
  /** Called after each batch (progress). */
  readonly onBatch?: () => void;
  /** Also receives the runner's observations (benchmarks). */
  readonly observe?: Observer;
  /** Sample each stage's CPU time (benchmarks; see RunnerOptions.timeStages). */
  readonly timeStages?: boolean;
}

export interface ReplayUnitsResult {
  readonly sink: FileSinkResult;
  /** Units handed to aggregation (records' units + dead letters). */
  readonly countedUnits: number;
  readonly records: number;
  readonly deadLettered: number;
  readonly epochs: number;
  /** Documents written (all epochs), summaries and dead-letter counters among them. */
  readonly writes: number;
  readonly summaryWrites: number;
}

/** What `logsift replay` runs once the input is read into units: the runner over a file sink. */
export async function replayUnits(o: ReplayUnitsOptions): Promise<ReplayUnitsResult> {
  const { config } = o;
  const sink = new FileSink({
    outDir: o.outDir,
    maxDocs: config.file.maxDocs,
    statsBucketMs: config.aggregate.statsBucketMs,
  });
  let epochs = 0;
  let units = 0;
  let deadLettered = 0;
  let writes = 0;
  let summaryWrites = 0;
  const runner = new EpochRunner({
    config,
    store: sink.store,
    mode: 'file',
    ...(o.timeStages ? { timeStages: true } : {}),
    observe: (ob) => {
      if (ob.kind === 'epoch' && ob.outcome !== 'aborted') {
        epochs += 1;
        units += ob.units;
        deadLettered += ob.deadLetters.length;
        writes += ob.writes;
        summaryWrites += ob.summaryWrites;
      }
      o.observe?.(ob);
    },
  });
  const part = runner.partition(o.topic, 0);
  try {
    for await (const batch of o.units) {
      let i = 0;
      while (i < batch.length) {
        i = part.push(batch, i);
        const cause = part.due();
        if (cause !== null) await part.flush(FILE_CONTROL, cause);
      }
      // Records waiting for their documents: load them now (memory stays bounded by the batch).
      await part.load(FILE_CONTROL);
      o.onBatch?.();
    }
    part.finishInput();
    await part.flush(FILE_CONTROL, 'end');
    return {
      sink: sink.finish(),
      countedUnits: units,
      records: part.assembler.counters.recordsEmitted,
      deadLettered,
      epochs,
      writes,
      summaryWrites,
    };
  } catch (err) {
    sink.discard();
    throw err;
  }
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
  if (problems.length > 0) {
    throw new LogsiftError(
      'INVARIANT_VIOLATED',
      'exact-count invariant violated — this is a bug, please report it',
      {
        details: problems,
      },
    );
  }
}

function progressOf(source: FileSource, elapsedMs: number): Progress {
  return {
    units: source.stats.unitsRead,
    bytes: source.stats.bytesRead,
    rawBytes: source.stats.rawBytesRead,
    totalBytes: source.sizeBytes,
    elapsedMs,
  };
}
