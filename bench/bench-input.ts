/**
 * The input of bench/throughput.ts: the bundled one-day sample (held in memory, 17 MB), or
 * BENCH_INPUT=<file> (one message per line) read sequentially in 4 MiB chunks, so a 1M-line
 * non-repeating input (bench/gen-nonrepeating.ts, ~600 MB) adds a chunk, not the file, to the
 * harness's RSS. A `.gz` input is inflated whole (fine for small files only).
 *
 * Repetition r of the input (when more lines are asked for than it has) carries Kafka timestamps
 * r days later, so buckets do not merely collapse into the same documents. Empty lines are skipped.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SourceUnit } from '../src/domain/record.ts';

const DAY = 86_400_000;
const CHUNK = 4 << 20;

/** Line views into one buffer (no copies). */
function splitLines(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (end > start) out.push(buf.subarray(start, end));
    start = end + 1;
  }
  return out;
}

/** Sequential lines of a plain file; a fresh buffer per chunk, since units may outlive the next read. */
class FileLines {
  #fd: number;
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  #eof = false;
  constructor(path: string) {
    this.#fd = openSync(path, 'r');
  }
  next(): Uint8Array | null {
    for (;;) {
      const nl = this.#buf.indexOf(10, this.#pos);
      if (nl >= 0) {
        const line = this.#buf.subarray(this.#pos, nl);
        this.#pos = nl + 1;
        if (line.length > 0) return line;
        continue;
      }
      if (this.#eof) {
        const rest = this.#buf.subarray(this.#pos);
        this.#pos = this.#buf.length;
        if (rest.length > 0) return rest;
        closeSync(this.#fd);
        return null;
      }
      const rest = this.#buf.subarray(this.#pos);
      const next = Buffer.allocUnsafe(Math.max(CHUNK, rest.length * 2));
      rest.copy(next, 0);
      const n = readSync(this.#fd, next, rest.length, next.length - rest.length, null);
      if (n === 0) this.#eof = true;
      this.#buf = next.subarray(0, rest.length + n);
      this.#pos = 0;
    }
  }
}

export interface BenchInput {
  /** Kafka timestamp of the first repetition. */
  readonly t0: number;
  /** Unit `i`; a streamed input must be asked for i = 0, 1, 2, ... in order. */
  unitAt(i: number): SourceUnit;
  /** The lines of one repetition (for the Drain3 messages), from a separate reader. */
  oneRepetition(): Iterable<Uint8Array>;
}

export function openInput(root: string, input = process.env.BENCH_INPUT): BenchInput {
  if (input === undefined || input.endsWith('.gz')) {
    const raw = readFileSync(input ?? join(root, 'samples', 'calico-day.log.gz'));
    const lines = splitLines(gunzipSync(raw));
    // The sample's day, or an input file's mtime (the generators stamp it just after their last event).
    const t0 = input === undefined ? Date.UTC(2025, 0, 14) : Math.ceil(statSync(input).mtimeMs);
    return {
      t0,
      unitAt: (i) => ({
        position: {
          topic: 'bench',
          partition: 0,
          offset: i,
          timestampMs: t0 + Math.floor(i / lines.length) * DAY,
        },
        value: lines[i % lines.length]!,
      }),
      oneRepetition: () => lines,
    };
  }
  const t0 = Math.ceil(statSync(input).mtimeMs);
  let reader = new FileLines(input);
  let rep = 0;
  let expected = 0;
  return {
    t0,
    unitAt(i) {
      if (i !== expected)
        throw new Error(`bench input: unit ${i} asked for, ${expected} expected (streamed input)`);
      expected++;
      let value = reader.next();
      if (value === null) {
        reader = new FileLines(input);
        rep++;
        value = reader.next();
        if (value === null) throw new Error(`bench input: ${input} has no lines`);
      }
      return { position: { topic: 'bench', partition: 0, offset: i, timestampMs: t0 + rep * DAY }, value };
    },
    *oneRepetition() {
      const r = new FileLines(input);
      for (let l = r.next(); l !== null; l = r.next()) yield l;
    },
  };
}
