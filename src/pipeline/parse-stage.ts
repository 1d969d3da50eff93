/**
 * The parse stage as the pipelines see it: an adapter over src/parse's PartitionAssembler that
 * returns one list of outcomes (records and dead letters) per drain, merged in first-offset order.
 *
 * Ordering note: the assembler emits records in increasing first offset, and dead letters as soon
 * as they happen — so a dead letter can be drained before an older record that was still held back
 * behind an open multi-line group. Within one drain this adapter merges them by offset; across
 * drains, the file pipeline cuts the epoch when an outcome's offset goes backwards (Epoch requires
 * increasing offsets; per document the order still holds, since dead letters and records never
 * share a document).
 */
import type { Config } from '../config/index.ts';
import type { DeadLetter, LogRecord, SourceUnit } from '../domain/record.ts';
import {
  type AssemblerCounters,
  FILE_DEAD_LETTER_POLICY,
  KAFKA_DEAD_LETTER_POLICY,
  PartitionAssembler,
} from '../parse/index.ts';

export type ParseOutcome =
  | { readonly kind: 'record'; readonly record: LogRecord }
  | { readonly kind: 'dead-letter'; readonly deadLetter: DeadLetter };

export interface ParseStage {
  push(unit: SourceUnit): void;
  /** Outcomes completed so far, merged in first-offset order. */
  drain(): ParseOutcome[];
  /** End of input: close every open group. Call drain() afterwards. */
  flush(): void;
  readonly counters: Readonly<AssemblerCounters>;
}

/** `file`: only empty lines are dead-lettered; `kafka`: bad units go to the DLQ (src/parse/options.ts). */
export type ParseMode = 'file' | 'kafka';

/** One partition's assembler, configured from `parse.*` for the pipeline `mode`. */
export function createAssembler(config: Config, mode: ParseMode): PartitionAssembler {
  return new PartitionAssembler({
    defaultZone: config.parse.defaultZone,
    maxUnitBytes: config.parse.maxUnitBytes,
    groupGapMs: config.parse.groupGapMs,
    maxGroupLines: config.parse.maxGroupLines,
    maxGroupBytes: config.parse.maxGroupBytes,
    deadLetter: mode === 'file' ? FILE_DEAD_LETTER_POLICY : KAFKA_DEAD_LETTER_POLICY,
  });
}

export function createParseStage(config: Config, mode: ParseMode): ParseStage {
  const assembler = createAssembler(config, mode);
  return {
    push: (unit) => assembler.push(unit),
    flush: () => assembler.flush(),
    get counters() {
      return assembler.counters;
    },
    drain() {
      const { records, deadLetters } = assembler.drain();
      const out: ParseOutcome[] = [];
      let i = 0;
      let j = 0;
      while (i < records.length || j < deadLetters.length) {
        const r = records[i];
        const d = deadLetters[j];
        if (r !== undefined && (d === undefined || r.position.offset <= d.position.offset)) {
          out.push({ kind: 'record', record: r });
          i++;
        } else if (d !== undefined) {
          out.push({ kind: 'dead-letter', deadLetter: d });
          j++;
        }
      }
      return out;
    },
  };
}
