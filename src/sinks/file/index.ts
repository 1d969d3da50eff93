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
import type { CounterDoc, StatsDoc } from '../../domain/documents.ts';
import { LogsiftError } from '../../errors.ts';
import { type HeldDoc, MemoryCounterStore, type SpillArea } from './memory-store.ts';
import { WrittenIndex } from './written-index.ts';

export {
  type HeldDoc,
  MemoryCounterStore,
  type MemoryStoreStats,
  type SpillArea,
} from './memory-store.ts';

export const SUMMARIES_FILE = 'summaries.ndjson';
export const STATS_FILE = 'stats.ndjson';

/**
 * JSON bytes of documents held in memory by default (config `file.maxDocs` caps their number):
 * past it the oldest buckets are spilled to the output early. ~100k lean summaries.
 */
export const DEFAULT_MAX_HELD_BYTES = 48 * 1024 * 1024;

/** UTF-8 bytes of NDJSON collected before each write to the output file. */
const WRITE_CHUNK = 1 << 20;

export interface FileSinkOptions {
  readonly outDir: string;
  /** Cap on documents held in memory (config `file.maxDocs`). */
  readonly maxDocs: number;
  /** Cap on the JSON bytes of the documents held in memory (default DEFAULT_MAX_HELD_BYTES). */
  readonly maxBytes?: number;
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
  /** JSON bytes of the summaries written (their final versions): "bytes out". */
  readonly bytesOut: number;
}

/** Summaries written so far, per stats bucket: the stats documents' computed fields. */
interface Tally {
  /** Its place in FileSink's tally list (the written index refers to it by number). */
  readonly i: number;
  docs: number;
  bytes: number;
}

/** What the store keeps beside each document. */
interface DocMeta {
  /** The stats bucket tally the summary belongs to (null for stats documents). */
  readonly tally: Tally | null;
  readonly count: number;
}

export class FileSink {
  readonly store: MemoryCounterStore<DocMeta>;
  readonly #outDir: string;
  readonly #statsBucketMs: number;
  readonly #summariesPartial: string;
  readonly #fd: number;
  #pos = 0;
  /** Where each summary's latest line is, and what it added to the tallies (one compact row each). */
  readonly #written = new WrittenIndex();
  /** Index names and tallies per stats bucket: few, shared by many documents, referred to by number. */
  readonly #indices = new Map<string, number>();
  readonly #indexNames: string[] = [];
  readonly #tallies = new Map<string, Tally>();
  readonly #tallyList: Tally[] = [];
  #countTotal = 0;
  #bytesOut = 0;

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
    const spill: SpillArea<DocMeta> = {
      write: (docs) => this.#appendSummaries(docs),
      read: (id) => this.#readBack(id),
    };
    this.store = new MemoryCounterStore<DocMeta>({
      maxDocs: options.maxDocs,
      maxBytes: options.maxBytes ?? DEFAULT_MAX_HELD_BYTES,
      spill,
      describe: (doc) => this.#describe(doc),
    });
  }

  /** Write the remaining documents, fill the stats' computed fields, rename into place. */
  finish(): FileSinkResult {
    const docs = this.store.documents();
    this.#appendSummaries(docs.filter((d) => !d.stats));
    const stats = docs.filter((d) => d.stats);

    let statsRecordsIn = 0;
    const statsLines: string[] = [];
    for (const s of stats) {
      const doc = JSON.parse(s.json) as StatsDoc;
      const t = this.#tallies.get(
        statsKeyOf(doc.kafka.topic, doc.kafka.partition, doc.calico.component, Date.parse(doc['@timestamp'])),
      );
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
      countTotal: this.#countTotal,
      statsRecordsIn,
      spilled: this.store.stats.spilled,
      reopened: this.store.stats.reopened,
      bytesOut: this.#bytesOut,
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

  #describe(doc: CounterDoc): DocMeta {
    if (doc.logsift.kind === 'stats') return { tally: null, count: 0 };
    const key = statsKeyOf(
      doc.kafka.topic,
      doc.kafka.partition,
      doc.calico.component,
      this.#statsBucketStart(Date.parse(doc.logsift.bucket.start)),
    );
    let t = this.#tallies.get(key);
    if (t === undefined) {
      t = { i: this.#tallyList.length, docs: 0, bytes: 0 };
      this.#tallies.set(key, t);
      this.#tallyList.push(t);
    }
    return { tally: t, count: doc.logsift.count };
  }

  #appendSummaries(docs: readonly HeldDoc<DocMeta>[]): void {
    if (docs.length === 0) return;
    // Written in chunks of about WRITE_CHUNK bytes: the end of a run appends every held
    // document at once, and one joined string plus its Buffer would double the store's size in RSS.
    // Each line goes out as three parts (head, the held JSON, `}\n`): no per-line concatenation to
    // flatten, and the JSON's UTF-8 length is measured once (the head is short).
    let parts: string[] = [];
    let partsBytes = 0;
    let pos = this.#pos;
    for (const d of docs) {
      const head = hitHead(d.index, d.id);
      const bytes = Buffer.byteLength(d.json);
      const len = Buffer.byteLength(head) + bytes + 2;
      // An earlier version of this document is in the file already: the last line wins, so only
      // this one counts in the tallies.
      const r = this.#written.find(d.id);
      if (r >= 0) {
        const old = this.#written.row(r);
        const tally = old.tally >= 0 ? this.#tallyList[old.tally] : undefined;
        if (tally !== undefined) {
          tally.docs -= 1;
          tally.bytes -= old.bytes;
        }
        this.#countTotal -= old.count;
        this.#bytesOut -= old.bytes;
      }
      if (d.meta.tally) {
        d.meta.tally.docs += 1;
        d.meta.tally.bytes += bytes;
      }
      this.#countTotal += d.meta.count;
      this.#bytesOut += bytes;
      let index = this.#indices.get(d.index);
      if (index === undefined) {
        index = this.#indexNames.length;
        this.#indexNames.push(d.index);
        this.#indices.set(d.index, index);
      }
      this.#written.set(d.id, {
        pos,
        len,
        seqNo: d.seqNo,
        index,
        tally: d.meta.tally?.i ?? -1,
        count: d.meta.count,
        bytes,
      });
      pos += len;
      parts.push(head, d.json, '}\n');
      partsBytes += len;
      if (partsBytes >= WRITE_CHUNK) {
        this.#writeOut(parts, partsBytes);
        parts = [];
        partsBytes = 0;
      }
    }
    this.#writeOut(parts, partsBytes);
    if (this.#pos !== pos) throw new Error(`file sink: wrote to ${this.#pos}, index says ${pos}`);
  }

  /** Write `parts` (`bytes` UTF-8 bytes in all) at the end of the output, encoded into one buffer. */
  #writeOut(parts: readonly string[], bytes: number): void {
    if (parts.length === 0) return;
    try {
      const buf = Buffer.allocUnsafe(bytes);
      let off = 0;
      for (const p of parts) off += buf.write(p, off);
      if (off !== bytes) throw new Error(`encoded ${off} bytes, expected ${bytes}`);
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

  #readBack(id: string): HeldDoc<DocMeta> | null {
    const r = this.#written.find(id);
    if (r < 0) return null;
    const w = this.#written.row(r);
    const index = this.#indexNames[w.index]!;
    const buf = Buffer.alloc(w.len);
    readSync(this.#fd, buf, 0, w.len, w.pos);
    const line = buf.toString('utf8');
    // `{"_index":…,"_id":…,"_source":<json>}\n`: the source is the rest of the line, byte for byte.
    const prefix = hitHead(index, id).length;
    const json = line.slice(prefix, line.length - 2);
    const ts = /^\{"@timestamp":"([^"]*)"/.exec(json)?.[1] ?? '';
    const meta: DocMeta = { tally: w.tally >= 0 ? this.#tallyList[w.tally]! : null, count: w.count };
    return { index, id, json, seqNo: w.seqNo, stats: false, timestamp: ts, meta };
  }

  #statsBucketStart(ms: number): number {
    return Math.floor(ms / this.#statsBucketMs) * this.#statsBucketMs;
  }
}

function statsKeyOf(topic: string, partition: number, component: string, bucketStartMs: number): string {
  return `${topic}\0${partition}\0${component}\0${bucketStartMs}`;
}

/** `{"_index":…,"_id":…,"_source":`: a search hit's line up to its source. */
function hitHead(index: string, id: string): string {
  return `{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},"_source":`;
}

function hitLine(index: string, id: string, sourceJson: string): string {
  return `${hitHead(index, id)}${sourceJson}}`;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
