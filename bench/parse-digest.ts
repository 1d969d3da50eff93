/**
 * Output digest of src/parse: the bundled sample (samples/calico-day.log.gz, as bytes and as strings)
 * plus every corpus example line (test/fixtures/calico-templates.tsv, raw / bytes / CRI / Fluent Bit
 * JSON) through PartitionAssembler under both dead-letter policies; prints the sha256 of
 * JSON.stringify of every record, dead letter and the final counters. A performance change to
 * src/parse must leave it unchanged. Run: `node --import tsx bench/parse-digest.ts`.
 *
 * `node --import tsx bench/parse-digest.ts FILE...` digests those files instead (one unit per line,
 * as bytes; e.g. the non-repeating input `npm run bench` generates into bench/.data/), same format.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SourceUnit } from '../src/domain/record.ts';
import {
  type DeadLetterPolicy,
  FILE_DEAD_LETTER_POLICY,
  KAFKA_DEAD_LETTER_POLICY,
  PartitionAssembler,
} from '../src/parse/index.ts';
import { corpusLines, cri, fluent } from './corpus-lines.ts';

const ROOT = join(import.meta.dirname, '..');
const buf = gunzipSync(readFileSync(join(ROOT, 'samples', 'calico-day.log.gz')));
const sampleBytes: Uint8Array[] = [];
for (let start = 0; start < buf.length; ) {
  let end = buf.indexOf(10, start);
  if (end < 0) end = buf.length;
  sampleBytes.push(buf.subarray(start, end));
  start = end + 1;
}
const corpus = corpusLines();
const enc = new TextEncoder();

/** The lines of a file as byte views (one unit per line, empty lines kept). */
function fileLines(path: string): Uint8Array[] {
  const b = readFileSync(path);
  const out: Uint8Array[] = [];
  for (let start = 0; start < b.length; ) {
    let end = b.indexOf(10, start);
    if (end < 0) end = b.length;
    out.push(b.subarray(start, end));
    start = end + 1;
  }
  return out;
}

const files = process.argv.slice(2);
const inputs: Array<[string, Array<Uint8Array | string>]> =
  files.length > 0
    ? files.map((f) => [f.split('/').pop()!, fileLines(f)])
    : [
        ['sample-bytes', sampleBytes],
        ['sample-strings', sampleBytes.map((b) => Buffer.from(b).toString('utf8'))],
        ['corpus-raw', corpus],
        ['corpus-bytes', corpus.map((l) => enc.encode(l))],
        ['corpus-cri', corpus.map(cri)],
        ['corpus-fluent', corpus.map(fluent)],
        ['corpus-fluent-bytes', corpus.map((l) => enc.encode(fluent(l)))],
      ];

const total = createHash('sha256');
for (const policy of [FILE_DEAD_LETTER_POLICY, KAFKA_DEAD_LETTER_POLICY] as DeadLetterPolicy[]) {
  for (const [name, values] of inputs) {
    const h = createHash('sha256');
    const a = new PartitionAssembler({ deadLetter: policy });
    let n = 0;
    const take = () => {
      const { records, deadLetters } = a.drain();
      for (const r of records) h.update(`R${JSON.stringify(r)}\n`);
      for (const d of deadLetters) h.update(`D${JSON.stringify(d)}\n`);
      n += records.length + deadLetters.length;
    };
    for (let i = 0; i < values.length; i++) {
      const u: SourceUnit = {
        position: { topic: name, partition: 0, offset: i, timestampMs: Date.UTC(2025, 0, 14) + i * 7 },
        value: values[i]!,
      };
      a.push(u);
      if ((i & 255) === 0) take();
    }
    a.flush();
    take();
    h.update(`C${JSON.stringify(a.counters)}`);
    const d = h.digest('hex');
    total.update(d);
    console.log(
      `${policy.oversize.padEnd(11)} ${name.padEnd(20)} ${String(n).padStart(6)} ${d.slice(0, 16)}`,
    );
  }
}
console.log(`digest ${total.digest('hex')}`);
