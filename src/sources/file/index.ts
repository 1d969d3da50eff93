/**
 * File / stdin source for the embedded default (`logsift replay`, `logsift fingerprint`).
 *
 * Each line is one SourceUnit: topic = the file's basename (or `stdin`), partition = the input's
 * index in the command's input list (./inputs.ts; 0 for a single input), offset = 0-based line
 * index, value = the line's bytes without `\n` / `\r\n`, meta = the pod, namespace and container
 * a kubelet log file's name tells (./path-meta.ts), when it does. The timestamp rule is
 * in ./timestamp.ts. Streams: never reads the whole file; gzip (detected by its magic bytes, so
 * `.gz` files and gzipped stdin both work) is inflated on the fly. A final line without a newline is
 * a unit; the empty string after a final newline is not.
 *
 * Cap: a line longer than `maxLineBytes` keeps its first `maxLineBytes` bytes (the parser then
 * truncates and flags it); the dropped bytes are counted in `stats.bytesDropped`.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { KubernetesMeta, SourceUnit } from '../../domain/record.ts';
import { LogsiftError } from '../../errors.ts';
import { metaFromPath } from './path-meta.ts';
import { TimestampCarrier } from './timestamp.ts';

export { expandInputs, STDIN } from './inputs.ts';
export { metaFromPath } from './path-meta.ts';
export { scanTimestamp, TimestampCarrier } from './timestamp.ts';

export interface FileSourceOptions {
  /** Path, or `-` for stdin. */
  readonly input: string;
  /** Lines longer than this are cut (explicit cap; default 16 MiB). */
  readonly maxLineBytes?: number;
  /** Fallback timestamp for stdin lines before any timestamp: the command's start time (injected). */
  readonly nowMs: number;
  /** Override stdin (tests). */
  readonly stdin?: Readable;
  /** Topic label override (default: basename without `.gz`, or `stdin`). */
  readonly topic?: string;
  /** The input's index in the command's input list (default 0). */
  readonly partition?: number;
  /** Meta for every unit (default: metaFromPath(input) for a file; null: none). */
  readonly meta?: KubernetesMeta | null;
}

export interface FileSourceStats {
  unitsRead: number;
  /** Bytes of input (after gunzip), newlines included. */
  bytesRead: number;
  /** Bytes read from disk / stdin (compressed when gzipped). */
  rawBytesRead: number;
  linesCapped: number;
  bytesDropped: number;
  gzip: boolean;
}

const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export class FileSource {
  readonly topic: string;
  readonly partition: number;
  /** What the file's name tells of its pod (null: nothing). */
  readonly meta: KubernetesMeta | null;
  readonly stats: FileSourceStats = {
    unitsRead: 0,
    bytesRead: 0,
    rawBytesRead: 0,
    linesCapped: 0,
    bytesDropped: 0,
    gzip: false,
  };
  /** Total size on disk, when known (for progress). */
  readonly sizeBytes: number | null;
  readonly #options: FileSourceOptions;
  readonly #fallbackMs: number;
  readonly #maxLineBytes: number;

  constructor(options: FileSourceOptions) {
    this.#options = options;
    this.#maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.partition = options.partition ?? 0;
    const meta =
      options.meta !== undefined ? options.meta : options.input === '-' ? null : metaFromPath(options.input);
    this.meta = meta === null ? null : Object.freeze({ ...meta });
    if (options.input === '-') {
      this.topic = options.topic ?? 'stdin';
      this.#fallbackMs = options.nowMs;
      this.sizeBytes = null;
    } else {
      let st: ReturnType<typeof statSync>;
      try {
        st = statSync(options.input);
      } catch (cause) {
        throw new LogsiftError(
          'INPUT_NOT_FOUND',
          `cannot read ${options.input}: ${(cause as Error).message}`,
          {
            cause,
          },
        );
      }
      if (!st.isFile()) throw new LogsiftError('INPUT_NOT_FOUND', `${options.input} is not a regular file`);
      this.topic = options.topic ?? basename(options.input).replace(/\.gz$/, '');
      this.#fallbackMs = Math.floor(st.mtimeMs);
      this.sizeBytes = st.size;
    }
  }

  /** Units in batches (one batch per input chunk: fewer awaits on the hot path). */
  async *batches(): AsyncGenerator<SourceUnit[]> {
    const raw: Readable =
      this.#options.input === '-'
        ? (this.#options.stdin ?? process.stdin)
        : createReadStream(this.#options.input, { highWaterMark: 1 << 20 });
    const carrier = new TimestampCarrier(this.#fallbackMs);
    const topic = this.topic;
    const partition = this.partition;
    const meta = this.meta;
    const max = this.#maxLineBytes;
    const stats = this.stats;

    // The current, unfinished line: pieces kept (at most `max` bytes) and whether the cap bit.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let pendingCapped = false;
    let offset = 0;

    const keep = (piece: Buffer): void => {
      const room = max - pendingBytes;
      if (piece.length <= room) {
        pending.push(Buffer.from(piece)); // copy: a record must not pin a whole 1 MiB chunk
        pendingBytes += piece.length;
        return;
      }
      if (room > 0) pending.push(Buffer.from(piece.subarray(0, room)));
      pendingBytes += Math.max(room, 0);
      stats.bytesDropped += piece.length - Math.max(room, 0);
      if (!pendingCapped) stats.linesCapped += 1;
      pendingCapped = true;
    };

    const takeLine = (): SourceUnit => {
      let value = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      pendingCapped = false;
      if (value.length > 0 && value[value.length - 1] === 13) value = value.subarray(0, value.length - 1);
      const timestampMs = carrier.next(value.toString('latin1', 0, Math.min(value.length, 512)));
      const position = { topic, partition, offset, timestampMs };
      const unit: SourceUnit = meta === null ? { position, value } : { position, value, meta };
      offset += 1;
      return unit;
    };

    try {
      const stream = await this.#maybeGunzip(raw);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        stats.bytesRead += chunk.length;
        const out: SourceUnit[] = [];
        let start = 0;
        for (;;) {
          const nl = chunk.indexOf(10, start);
          if (nl === -1) break;
          keep(chunk.subarray(start, nl));
          out.push(takeLine());
          start = nl + 1;
        }
        if (start < chunk.length) keep(chunk.subarray(start));
        stats.unitsRead += out.length;
        if (out.length > 0) yield out;
      }
      if (pending.length > 0) {
        // Last line without a final newline.
        stats.unitsRead += 1;
        yield [takeLine()];
      }
    } catch (cause) {
      if (cause instanceof LogsiftError) throw cause;
      throw new LogsiftError(
        'INPUT_READ',
        `reading ${this.#options.input} failed: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }

  /** Peeks at the first bytes: 1f 8b = gzip. */
  async #maybeGunzip(raw: Readable): Promise<AsyncIterable<Buffer>> {
    const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    const stats = this.stats;
    async function* rest(): AsyncGenerator<Buffer> {
      if (!first.done) {
        stats.rawBytesRead += first.value.length;
        yield first.value;
      }
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        stats.rawBytesRead += r.value.length;
        yield r.value;
      }
    }
    if (!first.done && first.value.length >= 2 && first.value[0] === 0x1f && first.value[1] === 0x8b) {
      this.stats.gzip = true;
      const gunzip = createGunzip();
      // pipeline() forwards a read error into gunzip, so the consumer's for-await throws it.
      pipeline(Readable.from(rest()), gunzip, () => {});
      return gunzip;
    }
    return rest();
  }
}
