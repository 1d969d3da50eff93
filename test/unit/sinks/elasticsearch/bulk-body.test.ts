import { describe, expect, it } from 'vitest';
import { type WriteItem, withDoc } from '../../../../src/aggregate/store.ts';
import { docBytesOf, measureDocBytes } from '../../../../src/domain/doc-extras.ts';
import type { CounterDoc } from '../../../../src/domain/documents.ts';
import {
  actionLine,
  assertUniqueIds,
  serializeItem,
  splitByBytes,
} from '../../../../src/sinks/elasticsearch/bulk-body.ts';

const doc = (n: number): CounterDoc => ({ pad: 'x'.repeat(n) }) as unknown as CounterDoc;
const create = (id: string, n = 10): WriteItem => ({ op: 'create', index: 'i', id, doc: doc(n) });

describe('bulk body', () => {
  it('new ids are `create`, loaded ids are `index` conditional on seq_no/primary_term', () => {
    expect(JSON.parse(actionLine(create('a')))).toEqual({ create: { _index: 'i', _id: 'a' } });
    const idx: WriteItem = { op: 'index', index: 'i', id: 'b', doc: doc(1), ifSeqNo: 7, ifPrimaryTerm: 2 };
    expect(JSON.parse(actionLine(idx))).toEqual({
      index: { _index: 'i', _id: 'b', if_seq_no: 7, if_primary_term: 2 },
    });
  });

  it('counts bytes as UTF-8 with both newlines', () => {
    const s = serializeItem({ op: 'create', index: 'i', id: 'é', doc: { m: 'ü' } as unknown as CounterDoc });
    const wire = `${s.lines[0]}\n${s.lines[1]}\n`;
    expect(s.bytes).toBe(Buffer.byteLength(wire));
  });

  it('splits into chunks of at most maxBytes, in order, every item once', () => {
    const items = Array.from({ length: 50 }, (_, i) => serializeItem(create(`id${i}`, 100 + i * 13)));
    const max = 1500;
    const chunks = splitByBytes(items, max);
    expect(chunks.flat().map((s) => s.item.id)).toEqual(items.map((s) => s.item.id));
    for (const c of chunks) {
      const size = c.reduce((a, s) => a + s.bytes, 0);
      expect(c.length === 1 || size <= max).toBe(true);
    }
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('an item larger than maxBytes goes alone', () => {
    const items = [create('a', 10), create('big', 5000), create('c', 10)].map(serializeItem);
    const chunks = splitByBytes(items, 1000);
    expect(chunks.map((c) => c.map((s) => s.item.id))).toEqual([['a'], ['big'], ['c']]);
  });

  it('refuses one _id twice in a bulk (F8)', () => {
    expect(() => assertUniqueIds([create('a'), create('a')])).toThrow(/twice/);
    expect(() => assertUniqueIds([create('a'), create('b')])).not.toThrow();
  });

  it("sends the builder's JSON when there is one, and never a stale one after withDoc()", () => {
    const item: WriteItem = { op: 'create', index: 'i', id: 'a', doc: doc(3), source: '{"built":1}' };
    expect(serializeItem(item).lines[1]).toBe('{"built":1}');
    const other = doc(5);
    expect(serializeItem(withDoc(item, other)).lines[1]).toBe(JSON.stringify(other));
  });
});

describe('measureDocBytes', () => {
  const base = (): CounterDoc =>
    ({
      message: 'Grüße — ünïcödé ✓',
      logsift: { kind: 'summary', count: 3, params: { p: { values: { doc_bytes: 4 }, other: 0 } } },
    }) as unknown as CounterDoc;

  it('sets doc_bytes to the JSON size without it (as docBytesOf) and returns the JSON with it', () => {
    for (const d of [
      base(),
      { ...base(), logsift: { doc_bytes: 123456, ...base().logsift } } as CounterDoc,
    ]) {
      const json = measureDocBytes(d);
      expect(json).toBe(JSON.stringify(d));
      expect(d.logsift.doc_bytes).toBe(docBytesOf(d));
      expect(Buffer.byteLength(json)).toBeGreaterThan(d.logsift.doc_bytes!);
    }
  });
});
