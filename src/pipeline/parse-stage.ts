/**
 * The parse stage as the pipelines see it: units in (first-offset order), outcomes out (records or
 * dead letters, in first-offset order), flush at the end of input.
 *
 * INTERIM: src/parse's PartitionAssembler has not landed yet. Until it does, `createParseStage`
 * returns a stand-in that makes one `unparsed` record per unit (no unwrapping, no multi-line
 * assembly, empty units dead-lettered as `empty`), which keeps the pipeline, the counting and the
 * invariant testable. It is replaced by an adapter over PartitionAssembler as soon as that exists.
 */
import type { Config } from '../config/index.ts';
import type { DeadLetter, LogRecord, SourceUnit } from '../domain/record.ts';

export type ParseOutcome =
  | { readonly kind: 'record'; readonly record: LogRecord }
  | { readonly kind: 'dead-letter'; readonly deadLetter: DeadLetter };

export interface ParseStage {
  push(unit: SourceUnit): void;
  /** Outcomes completed so far, in first-offset order. */
  drain(): ParseOutcome[];
  /** End of input: close every open group. Call drain() afterwards. */
  flush(): void;
}

export type ParseMode = 'file' | 'kafka';

export function createParseStage(
  _topic: string,
  _partition: number,
  _config: Config,
  _mode: ParseMode,
): ParseStage {
  const out: ParseOutcome[] = [];
  const decoder = new TextDecoder('utf-8');
  return {
    push(unit) {
      const text = typeof unit.value === 'string' ? unit.value : decoder.decode(unit.value);
      const bytes = typeof unit.value === 'string' ? Buffer.byteLength(unit.value) : unit.value.length;
      if (text.trim() === '') {
        out.push({
          kind: 'dead-letter',
          deadLetter: { position: unit.position, reason: 'empty', bytes, value: unit.value },
        });
        return;
      }
      out.push({
        kind: 'record',
        record: {
          position: unit.position,
          units: 1,
          lineNumber: unit.position.offset + 1,
          lines: 1,
          bytes,
          wrapper: 'raw',
          format: 'unparsed',
          parsedTimeMs: null,
          envelopeTimeMs: null,
          level: 'UNKNOWN',
          component: 'unknown',
          pid: null,
          originFile: null,
          originLine: null,
          message: text,
          fields: [],
          text,
          stream: null,
          kubernetes: {},
          flags: [],
        },
      });
    },
    drain() {
      return out.splice(0, out.length);
    },
    flush() {},
  };
}
