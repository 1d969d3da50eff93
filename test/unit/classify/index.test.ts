import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classify } from '../../../src/classify/index.ts';
import type { LogRecord } from '../../../src/domain/record.ts';
import { makeRecord, parseCorpus, parseLineForTest } from './helpers.ts';

const corpus = parseCorpus(
  readFileSync(join(import.meta.dirname, '../../fixtures/calico-templates.tsv'), 'utf8'),
);
const records: LogRecord[] = corpus.map((r) => parseLineForTest(r.line, r.row));

describe('classify', () => {
  it('categorises by format and level when no rule applies', () => {
    const cat = (p: Parameters<typeof makeRecord>[0]) =>
      classify(makeRecord({ message: 'Something happened', ...p })).category;
    expect(cat({ level: 'INFO' })).toBe('routine-noise');
    expect(cat({ level: 'DEBUG' })).toBe('routine-noise');
    expect(cat({ level: 'WARNING' })).toBe('warning-other');
    expect(cat({ level: 'ERROR' })).toBe('error-other');
    expect(cat({ level: 'PANIC' })).toBe('panic');
    expect(cat({ level: 'FATAL' })).toBe('panic');
    expect(cat({ format: 'gopanic', level: 'UNKNOWN' })).toBe('panic');
    expect(cat({ format: 'unparsed', level: 'UNKNOWN' })).toBe('unparsed-format');
    expect(cat({ format: 'bird', component: 'bird', level: 'UNKNOWN', message: 'Reconfigured' })).toBe(
      'routine-noise',
    );
    expect(
      cat({
        format: 'bird',
        component: 'bird',
        level: 'UNKNOWN',
        message: 'BGP: Unexpected connect from unknown address 10.0.0.9',
      }),
    ).toBe('warning-other');
  });

  it("a line's fingerprint does not depend on the lines classified before it (two orders)", () => {
    const first = records.map((r) => classify(r));
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          records.map((_, i) => i),
          { minLength: records.length },
        ),
        (order) => {
          for (const i of order) expect(classify(records[i]!)).toEqual(first[i]);
        },
      ),
      { numRuns: 5 },
    );
    const reversed = [...records].reverse().map((r) => classify(r));
    expect(reversed.reverse()).toEqual(first);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('calico', 'bird', 'unparsed', 'klog') as fc.Arbitrary<LogRecord['format']>,
        (s, format) => {
          const c = classify(makeRecord({ format, message: s, text: s, fields: [['error', s]] }));
          expect(c.fingerprint).toMatch(/^[0-9a-f]{16}$/);
        },
      ),
      { numRuns: 500 },
    );
    // Even a malformed record (missing fields) gets a classification.
    const broken = { ...makeRecord(), fields: null } as unknown as LogRecord;
    expect(classify(broken).fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('does not mutate the record', () => {
    const r = makeRecord({ message: 'x 1', fields: [['a', '1']] });
    const copy = structuredClone(r);
    classify(r);
    expect(r).toEqual(copy);
  });
});
