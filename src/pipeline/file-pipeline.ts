/**
 * The embedded default: file/stdin → parse (PartitionAssembler) → classify → aggregate epochs →
 * in-memory counter store → NDJSON in --out DIR. The same Epoch machinery as the Kafka pipeline
 * (src/aggregate/epoch.ts): an epoch every `epoch.fileRecords` units is loaded, built, written with
 * compare-and-set semantics, acknowledged item by item and completed.
 *
 * The product's invariant is checked at the end and the run fails loudly (INVARIANT_VIOLATED, exit 3)
 * when it does not hold:  Σ logsift.count (summaries + dead-letter counters) == units read
 *                    and  Σ stats records_in == units read.
 */

import { type Epoch, PartitionState } from '../aggregate/epoch.ts';
import { classify, RULESET_VERSION } from '../classify/index.ts';
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
  const aggregateConfig = toAggregateConfig(config, RULESET_VERSION);
  const sink = new FileSink({
    outDir: options.outDir,
    maxDocs: config.file.maxDocs,
    statsBucketMs: config.aggregate.statsBucketMs,
  });
  // One writer, no abort (a failed write ends the run): epochs change documents in place.
  const state = new PartitionState(source.topic, 0, aggregateConfig, { copyOnWrite: false });
  const parse = createParseStage(config, 'file');

  let epoch = state.beginEpoch();
  let epochs = 0;
  let records = 0;
  let deadLettered = 0;
  let countedUnits = 0;
  let lastOffset = -1;
  const flushEvery = config.epoch.fileRecords;
  const progressEvery = options.progressIntervalMs ?? 1000;
  let lastProgress = started;

  const take = async (outcomes: ParseOutcome[]): Promise<void> => {
    for (const o of outcomes) {
      const offset = o.kind === 'record' ? o.record.position.offset : o.deadLetter.position.offset;
      if (offset < lastOffset) await flushEpoch();
      lastOffset = offset;
      if (o.kind === 'record') {
        epoch.add({ record: o.record, classification: classify(o.record) });
        records += 1;
        countedUnits += o.record.units;
      } else {
        epoch.addDeadLetter(o.deadLetter);
        deadLettered += 1;
        countedUnits += 1;
      }
    }
  };

  async function flushEpoch(): Promise<void> {
    if (epoch.units === 0) return;
    await commitEpoch(epoch, sink);
    epochs += 1;
    epoch = state.beginEpoch();
  }

  try {
    for await (const batch of source.batches()) {
      for (const unit of batch) parse.push(unit);
      await take(parse.drain());
      if (epoch.units >= flushEvery) await flushEpoch();
      if (options.onProgress) {
        const t = now();
        if (t - lastProgress >= progressEvery) {
          lastProgress = t;
          options.onProgress(progressOf(source, t - started));
        }
      }
    }
    parse.flush();
    await take(parse.drain());
    await flushEpoch();
    const result = sink.finish();
    const unitsRead = source.stats.unitsRead;
    checkInvariant(unitsRead, countedUnits, result);
    if (options.onProgress) options.onProgress(progressOf(source, now() - started));
    return {
      input: options.input,
      topic: source.topic,
      unitsRead,
      bytesRead: source.stats.bytesRead,
      records,
      deadLettered,
      epochs,
      elapsedMs: now() - started,
      sink: result,
      linesCapped: source.stats.linesCapped,
    };
  } catch (err) {
    sink.discard();
    throw err;
  }
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
