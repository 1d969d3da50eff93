/**
 * The local sink of the embedded default: an in-memory counter store (./memory-store.ts) whose
 * documents end up as NDJSON in `--out DIR`:
 *
 *   summaries.ndjson  every summary and dead-letter counter document
 *   stats.ndjson      every stats document, with the computed fields filled in
 *
 * One document per line: `{"_index": "...", "_id": "...", ...document}` — the document exactly as it
 * would be indexed in Elasticsearch (src/domain/documents.ts) with its target index and id first.
 * Lines are ordered by (@timestamp, _index, _id), so two runs over the same input write the same bytes.
 *
 * Stats computed fields (DESIGN.md: "computed at query time"; here at the end of the run):
 *   summaries_out    summary + dead-letter documents of that topic/partition/component whose bucket
 *                    start falls in the stats bucket
 *   bytes_out        Σ UTF-8 bytes of those documents' JSON (the document, without _index/_id)
 *   reduction_ratio  1 - summaries_out / records_in (0 when records_in is 0)
 *
 * Files are written as `<name>.partial` and renamed at the end, so a failed run never leaves a
 * complete-looking output behind.
 */
import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsDoc, SummaryDoc } from '../../domain/documents.ts';
import { LogsiftError } from '../../errors.ts';
import { MemoryCounterStore, type StoredDoc } from './memory-store.ts';

export { MemoryCounterStore, type MemoryStoreStats, type StoredDoc } from './memory-store.ts';

export const SUMMARIES_FILE = 'summaries.ndjson';
export const STATS_FILE = 'stats.ndjson';

export interface FileSinkOptions {
  readonly outDir: string;
  /** Cap on documents held in memory (config `file.maxDocs`). */
  readonly maxDocs: number;
  /** Stats bucket length (config `aggregate.statsBucket`), to attribute summaries to stats documents. */
  readonly statsBucketMs: number;
}

export interface FileSinkResult {
  readonly summariesPath: string;
  readonly statsPath: string;
  /** Summary + dead-letter documents written (spilled ones included). */
  readonly summaries: number;
  readonly stats: number;
  /** Σ logsift.count over every summary and dead-letter document written. */
  readonly countTotal: number;
  /** Σ logsift.records_in over every stats document. */
  readonly statsRecordsIn: number;
  readonly spilled: number;
  readonly reopened: number;
}

interface Tally {
  docs: number;
  bytes: number;
}

export class FileSink {
  readonly store: MemoryCounterStore;
  readonly #outDir: string;
  readonly #statsBucketMs: number;
  readonly #summariesPartial: string;
  readonly #tallies = new Map<string, Tally>();
  #summariesWritten = 0;
  #countTotal = 0;

  constructor(options: FileSinkOptions) {
    this.#outDir = options.outDir;
    this.#statsBucketMs = options.statsBucketMs;
    try {
      mkdirSync(options.outDir, { recursive: true });
      this.#summariesPartial = join(options.outDir, `${SUMMARIES_FILE}.partial`);
      writeFileSync(this.#summariesPartial, '');
    } catch (cause) {
      throw new LogsiftError(
        'OUTPUT_WRITE',
        `cannot write to ${options.outDir}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    this.store = new MemoryCounterStore({
      maxDocs: options.maxDocs,
      onSpill: (docs) => this.#appendSummaries(docs),
    });
  }

  /** Write the remaining documents, fill the stats' computed fields, rename into place. */
  finish(): FileSinkResult {
    const docs = this.store.documents();
    const summaries = docs.filter((d) => d.doc.logsift.kind !== 'stats');
    const stats = docs.filter((d) => d.doc.logsift.kind === 'stats');
    this.#appendSummaries(summaries);

    let statsRecordsIn = 0;
    const statsLines: string[] = [];
    for (const s of stats) {
      const doc = structuredClone(s.doc) as StatsDoc;
      const t = this.#tallies.get(
        statsKeyOf(doc.kafka.topic, doc.kafka.partition, doc.calico.component, Date.parse(doc['@timestamp'])),
      );
      doc.logsift.summaries_out = t?.docs ?? 0;
      doc.logsift.bytes_out = t?.bytes ?? 0;
      doc.logsift.reduction_ratio =
        doc.logsift.records_in > 0 ? round6(1 - doc.logsift.summaries_out / doc.logsift.records_in) : 0;
      statsRecordsIn += doc.logsift.records_in;
      statsLines.push(line(s.index, s.id, doc));
    }
    const summariesPath = join(this.#outDir, SUMMARIES_FILE);
    const statsPath = join(this.#outDir, STATS_FILE);
    try {
      const statsPartial = `${statsPath}.partial`;
      writeFileSync(statsPartial, statsLines.length > 0 ? `${statsLines.join('\n')}\n` : '');
      renameSync(this.#summariesPartial, summariesPath);
      renameSync(statsPartial, statsPath);
    } catch (cause) {
      throw new LogsiftError('OUTPUT_WRITE', `cannot write to ${this.#outDir}: ${(cause as Error).message}`, {
        cause,
      });
    }
    return {
      summariesPath,
      statsPath,
      summaries: this.#summariesWritten,
      stats: stats.length,
      countTotal: this.#countTotal,
      statsRecordsIn,
      spilled: this.store.stats.spilled,
      reopened: this.store.stats.reopened,
    };
  }

  /** Remove the partial output (after a failure). */
  discard(): void {
    rmSync(this.#summariesPartial, { force: true });
  }

  #appendSummaries(docs: readonly StoredDoc[]): void {
    if (docs.length === 0) return;
    const lines: string[] = [];
    for (const d of docs) {
      const doc = d.doc as SummaryDoc;
      const json = JSON.stringify(doc);
      const key = statsKeyOf(
        doc.kafka.topic,
        doc.kafka.partition,
        doc.calico.component,
        this.#statsBucketStart(Date.parse(doc.logsift.bucket.start)),
      );
      const t = this.#tallies.get(key) ?? { docs: 0, bytes: 0 };
      t.docs += 1;
      t.bytes += Buffer.byteLength(json);
      this.#tallies.set(key, t);
      this.#countTotal += doc.logsift.count;
      lines.push(`{"_index":${JSON.stringify(d.index)},"_id":${JSON.stringify(d.id)},${json.slice(1)}`);
    }
    this.#summariesWritten += docs.length;
    try {
      appendFileSync(this.#summariesPartial, `${lines.join('\n')}\n`);
    } catch (cause) {
      throw new LogsiftError(
        'OUTPUT_WRITE',
        `cannot write ${this.#summariesPartial}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  #statsBucketStart(ms: number): number {
    return Math.floor(ms / this.#statsBucketMs) * this.#statsBucketMs;
  }
}

function statsKeyOf(topic: string, partition: number, component: string, bucketStartMs: number): string {
  return `${topic}\0${partition}\0${component}\0${bucketStartMs}`;
}

function line(index: string, id: string, doc: object): string {
  return `{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},${JSON.stringify(doc).slice(1)}`;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
