/**
 * The embedded default: file/stdin → the epoch runner (src/pipeline/epoch-runner.ts: parse,
 * classify, aggregate epochs) → in-memory counter store → NDJSON in --out DIR. The same runner as
 * `logsift run`, with the file policy: no retries (one writer, one local store: a failed write ends
 * the run) and no time cut (an epoch ends on `epoch.fileRecords` units, `epoch.maxDirtyDocs`
 * documents or `epoch.maxDeltaBytes`, and at the end of each input).
 *
 * The product's invariant is checked at the end and the run fails loudly (INVARIANT_VIOLATED, exit 3)
 * when it does not hold:  Σ logsift.count (summaries + dead-letter counters) == units read
 *                    and  Σ stats records_in == units read.
 *
 * Several inputs: each is its own partition (its index in the input list, src/sources/file/inputs.ts),
 * replayed after the one before with its own partition run (cache and assembler), into one sink: a
 * record never spans two files, offsets stay line numbers, and the invariant is the same sum over all
 * of them (plus, per input, units handed to aggregation == lines read).
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
  const progress = (): Progress => progressOf(sources, now() - started);
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = started;
  const onBatch = options.onProgress
    ? () => {
        const t = now();
        if (t - lastProgress >= progressEvery) {
          lastProgress = t;
          options.onProgress?.(progress());
        }
      }
    : undefined;
  const replay = new Replay(config, options.outDir);
  try {
    let countedUnits = 0;
    for (const source of sources) {
      const counted = await replay.input(source.topic, source.partition, source.batches(), onBatch);
      if (counted !== source.stats.unitsRead) {
        throw invariantError([
          `${source.topic} (partition ${source.partition}): units handed to aggregation ${counted} != units read ${source.stats.unitsRead} (parse lost or invented units)`,
        ]);
      }
      countedUnits += counted;
    }
    const result = replay.finish();
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
      records: replay.records,
      deadLettered: replay.deadLettered,
      epochs: replay.epochs,
      elapsedMs: now() - started,
      sink: result,
      linesCapped: sources.reduce((n, src) => n + src.stats.linesCapped, 0),
    };
  } catch (err) {
    replay.discard();
    throw err;
  }
}

export interface ReplayUnitsOptions {
  /** Batches of units of one partition, in offset order. */
  readonly units: AsyncIterable<readonly SourceUnit[]> | Iterable<readonly SourceUnit[]>;
  readonly topic: string;
  readonly outDir: string;
  readonly config: Config;
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

/** What `logsift replay` runs once an input is read into units (benchmarks call it directly). */
export async function replayUnits(o: ReplayUnitsOptions): Promise<ReplayUnitsResult> {
  const replay = new Replay(o.config, o.outDir, o.observe, o.timeStages);
  try {
    const countedUnits = await replay.input(o.topic, 0, o.units);
    return {
      sink: replay.finish(),
      countedUnits,
      records: replay.records,
      deadLettered: replay.deadLettered,
      epochs: replay.epochs,
      writes: replay.writes,
      summaryWrites: replay.summaryWrites,
    };
  } catch (err) {
    replay.discard();
    throw err;
  }
}

/** The runner over one file sink; inputs are replayed one after the other, each its own partition. */
class Replay {
  readonly #sink: FileSink;
  readonly #runner: EpochRunner;
  records = 0;
  deadLettered = 0;
  epochs = 0;
  writes = 0;
  summaryWrites = 0;
  #units = 0;

  constructor(config: Config, outDir: string, observe?: Observer, timeStages?: boolean) {
    this.#sink = new FileSink({
      outDir,
      maxDocs: config.file.maxDocs,
      statsBucketMs: config.aggregate.statsBucketMs,
    });
    this.#runner = new EpochRunner({
      config,
      store: this.#sink.store,
      mode: 'file',
      ...(timeStages ? { timeStages: true } : {}),
      observe: (ob) => {
        if (ob.kind === 'epoch' && ob.outcome !== 'aborted') {
          this.epochs += 1;
          this.#units += ob.units;
          this.deadLettered += ob.deadLetters.length;
          this.writes += ob.writes;
          this.summaryWrites += ob.summaryWrites;
        }
        observe?.(ob);
      },
    });
  }

  /** One input = one partition. Returns the units handed to aggregation. */
  async input(
    topic: string,
    partition: number,
    units: AsyncIterable<readonly SourceUnit[]> | Iterable<readonly SourceUnit[]>,
    onBatch?: () => void,
  ): Promise<number> {
    const before = this.#units;
    const part = this.#runner.partition(topic, partition);
    for await (const batch of units) {
      let i = 0;
      while (i < batch.length) {
        i = part.push(batch, i);
        const cause = part.due();
        if (cause !== null) await part.flush(FILE_CONTROL, cause);
      }
      // Records waiting for their documents: load them now (memory stays bounded by the batch).
      await part.load(FILE_CONTROL);
      onBatch?.();
    }
    part.finishInput();
    await part.flush(FILE_CONTROL, 'end');
    this.records += part.assembler.counters.recordsEmitted;
    return this.#units - before;
  }

  finish(): FileSinkResult {
    return this.#sink.finish();
  }

  discard(): void {
    this.#sink.discard();
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
