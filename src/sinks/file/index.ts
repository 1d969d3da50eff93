/**
 * The local sink of the embedded default: an in-memory counter store (./memory-store.ts) whose
 * documents end up as NDJSON in `--out DIR`:
 *
 *   summaries.ndjson  every summary and dead-letter counter document
 *   stats.ndjson      every stats document, with the computed fields filled in
 *
 * One document per line, shaped like an Elasticsearch search hit:
 *   {"_index":"logsift-summaries-2025.01.14","_id":"<32 hex>","_source":{...document...}}
 * `_source` is the document exactly as it would be indexed (src/domain/documents.ts). Lines are in
 * (@timestamp, _index, _id) order, so two runs over the same input write the same bytes. When the
 * in-memory cap made a document spill early and a later record updated it, the id appears again
 * further down: as in Elasticsearch, the LAST line with an id is the document (src/report reads it so).
 *
 * Stats computed fields (docs/DESIGN.md: computed, not counted; here at the end of the run):
 *   summaries_out    summary + dead-letter documents of that topic/partition/component whose bucket
 *                    start falls in the stats bucket
 *   bytes_out        Σ UTF-8 bytes of those documents' `_source` JSON
 *   reduction_ratio  1 - summaries_out / records_in (0 when records_in is 0)
 *
 * Files are written as `<name>.partial` and renamed at the end, so a failed run never leaves a
 * complete-looking output behind.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { cloneJson } from '../../domain/clone.ts';
import type { StatsDoc, SummaryDoc } from '../../domain/documents.ts';
import { LogsiftError } from '../../errors.ts';
import { MemoryCounterStore, type SpillArea, type SpilledDoc } from './memory-store.ts';

export {
  MemoryCounterStore,
  type MemoryStoreStats,
  type SpillArea,
  type SpilledDoc,
  type StoredDoc,
} from './memory-store.ts';

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
  /** Distinct summary + dead-letter documents. */
  readonly summaries: number;
  readonly stats: number;
  /** Σ logsift.count over the final version of every summary and dead-letter document. */
  readonly countTotal: number;
  /** Σ logsift.records_in over every stats document. */
  readonly statsRecordsIn: number;
  /** Documents spilled early because the in-memory cap bit (0 normally). */
  readonly spilled: number;
  /** Spilled documents read back and updated. */
  readonly reopened: number;
}

/** What the sink remembers of a written summary: where its latest line is, and its tallies. */
interface Written {
  pos: number;
  len: number;
  seqNo: number;
  statsKey: string;
  bytes: number;
  count: number;
}

export class FileSink {
  readonly store: MemoryCounterStore;
  readonly #outDir: string;
  readonly #statsBucketMs: number;
  readonly #summariesPartial: string;
  readonly #fd: number;
  #pos = 0;
  readonly #written = new Map<string, Written>();

  constructor(options: FileSinkOptions) {
    this.#outDir = options.outDir;
    this.#statsBucketMs = options.statsBucketMs;
    try {
      mkdirSync(options.outDir, { recursive: true });
      this.#summariesPartial = join(options.outDir, `${SUMMARIES_FILE}.partial`);
      this.#fd = openSync(this.#summariesPartial, 'w+');
    } catch (cause) {
      throw new LogsiftError(
        'OUTPUT_WRITE',
        `cannot write to ${options.outDir}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    const spill: SpillArea = {
      write: (docs) => this.#appendSummaries(docs),
      read: (id) => this.#readBack(id),
    };
    // The file pipeline writes each epoch once and never changes a written document: share them.
    this.store = new MemoryCounterStore({ maxDocs: options.maxDocs, spill, copyDocuments: false });
  }

  /** Write the remaining documents, fill the stats' computed fields, rename into place. */
  finish(): FileSinkResult {
    const docs = this.store.documents();
    this.#appendSummaries(docs.filter((d) => d.doc.logsift.kind !== 'stats'));
    const stats = docs.filter((d) => d.doc.logsift.kind === 'stats');

    const tallies = new Map<string, { docs: number; bytes: number }>();
    let countTotal = 0;
    for (const w of this.#written.values()) {
      const t = tallies.get(w.statsKey) ?? { docs: 0, bytes: 0 };
      t.docs += 1;
      t.bytes += w.bytes;
      tallies.set(w.statsKey, t);
      countTotal += w.count;
    }

    let statsRecordsIn = 0;
    const statsLines: string[] = [];
    for (const s of stats) {
      const doc = cloneJson(s.doc) as StatsDoc;
      const key = statsKeyOf(
        doc.kafka.topic,
        doc.kafka.partition,
        doc.calico.component,
        Date.parse(doc['@timestamp']),
      );
      const t = tallies.get(key);
      doc.logsift.summaries_out = t?.docs ?? 0;
      doc.logsift.bytes_out = t?.bytes ?? 0;
      doc.logsift.reduction_ratio =
        doc.logsift.records_in > 0 ? round6(1 - doc.logsift.summaries_out / doc.logsift.records_in) : 0;
      statsRecordsIn += doc.logsift.records_in;
      statsLines.push(hitLine(s.index, s.id, JSON.stringify(doc)));
    }
    const summariesPath = join(this.#outDir, SUMMARIES_FILE);
    const statsPath = join(this.#outDir, STATS_FILE);
    try {
      closeSync(this.#fd);
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
      summaries: this.#written.size,
      stats: stats.length,
      countTotal,
      statsRecordsIn,
      spilled: this.store.stats.spilled,
      reopened: this.store.stats.reopened,
    };
  }

  /** Remove the partial output (after a failure). */
  discard(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // already closed
    }
    rmSync(this.#summariesPartial, { force: true });
  }

  #appendSummaries(docs: readonly SpilledDoc[]): void {
    if (docs.length === 0) return;
    const parts: string[] = [];
    let pos = this.#pos;
    for (const d of docs) {
      const doc = d.doc as SummaryDoc;
      const source = JSON.stringify(doc);
      const text = `${hitLine(d.index, d.id, source)}\n`;
      const len = Buffer.byteLength(text);
      this.#written.set(d.id, {
        pos,
        len,
        seqNo: d.seqNo,
        statsKey: statsKeyOf(
          doc.kafka.topic,
          doc.kafka.partition,
          doc.calico.component,
          this.#statsBucketStart(Date.parse(doc.logsift.bucket.start)),
        ),
        bytes: Buffer.byteLength(source),
        count: doc.logsift.count,
      });
      pos += len;
      parts.push(text);
    }
    try {
      const buf = Buffer.from(parts.join(''));
      writeSync(this.#fd, buf, 0, buf.length, this.#pos);
      this.#pos += buf.length;
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

  #readBack(id: string): SpilledDoc | null {
    const w = this.#written.get(id);
    if (w === undefined) return null;
    const buf = Buffer.alloc(w.len);
    readSync(this.#fd, buf, 0, w.len, w.pos);
    const hit = JSON.parse(buf.toString('utf8')) as { _index: string; _id: string; _source: SummaryDoc };
    return { index: hit._index, id: hit._id, doc: hit._source, seqNo: w.seqNo };
  }

  #statsBucketStart(ms: number): number {
    return Math.floor(ms / this.#statsBucketMs) * this.#statsBucketMs;
  }
}

function statsKeyOf(topic: string, partition: number, component: string, bucketStartMs: number): string {
  return `${topic}\0${partition}\0${component}\0${bucketStartMs}`;
}

function hitLine(index: string, id: string, sourceJson: string): string {
  return `{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},"_source":${sourceJson}}`;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
