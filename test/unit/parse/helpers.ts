/** Test helpers for parse: corpus loading and unit construction. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogRecord, SourceUnit } from '../../../src/domain/record.ts';
import { PartitionAssembler } from '../../../src/parse/index.ts';
import type { ParseOptions } from '../../../src/parse/options.ts';

export const CORPUS_PATH = join(import.meta.dirname, '../../fixtures/calico-templates.tsv');

export interface CorpusRow {
  /** 1-based line number in the TSV (header = 1), as reviewers cite rows. */
  readonly row: number;
  readonly component: string;
  readonly level: string;
  readonly sourceRef: string;
  readonly category: string;
  readonly template: string;
  readonly line: string;
}

/** Corpus fields are backslash-escaped: `\\` backslash, `\t` tab, `\n` newline. */
export function unescapeField(s: string): string {
  return s.replace(/\\([\\tn])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

export function loadCorpus(): CorpusRow[] {
  const lines = readFileSync(CORPUS_PATH, 'utf8').split('\n');
  const out: CorpusRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length === 0) continue;
    const c = l.split('\t');
    out.push({
      row: i + 1,
      component: c[0]!,
      level: c[1]!,
      sourceRef: c[2]!,
      category: c[3]!,
      template: unescapeField(c[4]!),
      line: unescapeField(c[5]!),
    });
  }
  return out;
}

export const T0 = Date.UTC(2025, 0, 14, 9, 30, 0);

export function unit(offset: number, value: string | Uint8Array, timestampMs = T0, topic = 't'): SourceUnit {
  return { position: { topic, partition: 0, offset, timestampMs }, value };
}

/** Pushes values at offsets 0.., flushes, returns every record and dead letter. */
export function assemble(
  values: ReadonlyArray<string | Uint8Array>,
  opts?: Partial<ParseOptions>,
  tsOf: (i: number) => number = () => T0,
): {
  records: LogRecord[];
  deadLetters: ReturnType<PartitionAssembler['drain']>['deadLetters'];
  a: PartitionAssembler;
} {
  const a = new PartitionAssembler(opts);
  values.forEach((v, i) => {
    a.push(unit(i, v, tsOf(i)));
  });
  a.flush();
  const d = a.drain();
  return { records: d.records, deadLetters: d.deadLetters, a };
}

/** The single record of one unit (fails loudly if there is not exactly one). */
export function one(value: string | Uint8Array, opts?: Partial<ParseOptions>): LogRecord {
  const { records } = assemble([value], opts);
  if (records.length !== 1) throw new Error(`expected 1 record, got ${records.length}`);
  return records[0]!;
}
