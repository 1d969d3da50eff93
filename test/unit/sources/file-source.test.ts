import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { SourceUnit } from '../../../src/domain/record.ts';
import { LogsiftError } from '../../../src/errors.ts';
import { FileSource, scanTimestamp } from '../../../src/sources/file/index.ts';

function tmp(name: string, content: string | Buffer): string {
  const p = join(mkdtempSync(join(tmpdir(), 'logsift-src-')), name);
  writeFileSync(p, content);
  return p;
}

async function read(src: FileSource): Promise<SourceUnit[]> {
  const out: SourceUnit[] = [];
  for await (const b of src.batches()) out.push(...b);
  return out;
}

const text = (u: SourceUnit): string => Buffer.from(u.value as Uint8Array).toString('utf8');

describe('FileSource', () => {
  it('splits LF and CRLF, keeps a last line without newline, numbers offsets from 0', async () => {
    const p = tmp('felix.log', 'a\r\nb\n\nc');
    const src = new FileSource({ input: p, nowMs: 0 });
    const units = await read(src);
    expect(units.map(text)).toEqual(['a', 'b', '', 'c']);
    expect(units.map((u) => u.position.offset)).toEqual([0, 1, 2, 3]);
    expect(units.every((u) => u.position.topic === 'felix.log' && u.position.partition === 0)).toBe(true);
    expect(src.stats.unitsRead).toBe(4);
  });

  it('does not invent a unit after a final newline; an empty file has none', async () => {
    expect((await read(new FileSource({ input: tmp('x', 'a\nb\n'), nowMs: 0 }))).length).toBe(2);
    expect((await read(new FileSource({ input: tmp('x', ''), nowMs: 0 }))).length).toBe(0);
  });

  it('inflates gzip (detected by magic bytes) and labels the topic without .gz', async () => {
    const p = tmp('day.log.gz', gzipSync('one\r\ntwo\nthree'));
    const src = new FileSource({ input: p, nowMs: 0 });
    expect((await read(src)).map(text)).toEqual(['one', 'two', 'three']);
    expect(src.topic).toBe('day.log');
    expect(src.stats.gzip).toBe(true);
  });

  it('reads stdin, gzipped or not, in tiny chunks across line boundaries', async () => {
    const chunks = ['ab', 'c\r', '\nd', 'e\n', 'f'].map((s) => Buffer.from(s));
    const src = new FileSource({ input: '-', nowMs: 5, stdin: Readable.from(chunks) });
    expect((await read(src)).map(text)).toEqual(['abc', 'de', 'f']);
    expect(src.topic).toBe('stdin');
    const gz = gzipSync('x\ny\n');
    const src2 = new FileSource({
      input: '-',
      nowMs: 5,
      stdin: Readable.from([gz.subarray(0, 5), gz.subarray(5)]),
    });
    expect((await read(src2)).map(text)).toEqual(['x', 'y']);
  });

  it('carries timestamps forward; lines before any timestamp take the file mtime', async () => {
    const p = tmp(
      'mixed.log',
      [
        'bird: Reconfigured',
        '2025-01-14 09:30:00.137 [INFO][1] felix/summary.go 100: x',
        'bird: Started',
        '2025-01-14T10:00:00.123456789Z stdout F hello',
        '{"time":"2025-01-14T11:00:00+01:00","log":"y"}',
      ].join('\n'),
    );
    utimesSync(p, 1_700_000_000, 1_700_000_000);
    const ts = (await read(new FileSource({ input: p, nowMs: 0 }))).map((u) => u.position.timestampMs);
    expect(ts).toEqual([
      1_700_000_000_000,
      Date.UTC(2025, 0, 14, 9, 30, 0, 137),
      Date.UTC(2025, 0, 14, 9, 30, 0, 137),
      Date.UTC(2025, 0, 14, 10, 0, 0, 123),
      Date.UTC(2025, 0, 14, 10, 0, 0, 0),
    ]);
  });

  it('caps very long lines and counts it', async () => {
    const long = 'x'.repeat(5000);
    const src = new FileSource({
      input: '-',
      nowMs: 0,
      maxLineBytes: 1000,
      stdin: Readable.from([Buffer.from(`${long}\nok\n`)]),
    });
    const units = await read(src);
    expect(units.map((u) => (u.value as Uint8Array).length)).toEqual([1000, 2]);
    expect(src.stats.linesCapped).toBe(1);
    expect(src.stats.bytesDropped).toBe(4000);
    const chunked = Array.from({ length: 10 }, () => Buffer.from('y'.repeat(500)));
    const src2 = new FileSource({ input: '-', nowMs: 0, maxLineBytes: 1000, stdin: Readable.from(chunked) });
    expect((await read(src2)).map((u) => (u.value as Uint8Array).length)).toEqual([1000]);
    expect(src2.stats.linesCapped).toBe(1);
  });

  it('a missing file is a coded error', () => {
    expect(() => new FileSource({ input: '/nonexistent/file.log', nowMs: 0 })).toThrow(LogsiftError);
  });
});

describe('scanTimestamp', () => {
  it('finds Calico, CRI, RFC 3339 with offsets; null otherwise', () => {
    expect(scanTimestamp('2025-01-14 09:30:00.137 [INFO]')).toBe(Date.UTC(2025, 0, 14, 9, 30, 0, 137));
    expect(scanTimestamp('x 2025-01-14T09:30:00-02:00')).toBe(Date.UTC(2025, 0, 14, 11, 30));
    expect(scanTimestamp('bird: Started')).toBeNull();
    expect(scanTimestamp('2025-13-14 09:30:00')).toBeNull();
  });

  it('units carry the partition given and the meta of a kubelet file name; stdin and other names carry none', async () => {
    const id = 'a3f1c2d4e5b6978812345678901234567890abcdefabcdefabcdefabcdef0123';
    const p = tmp(`calico-node-x_calico-system_calico-node-${id}.log`, 'a\nb\n');
    const src = new FileSource({ input: p, nowMs: 0, partition: 3 });
    const units = await read(src);
    expect(units.map((u) => u.position.partition)).toEqual([3, 3]);
    const meta = { pod: 'calico-node-x', namespace: 'calico-system', container: 'calico-node' };
    expect(src.meta).toEqual(meta);
    expect(units.every((u) => u.meta === src.meta)).toBe(true);
    expect(
      (await read(new FileSource({ input: tmp('felix.log', 'a\n'), nowMs: 0 })))[0]!.meta,
    ).toBeUndefined();
    const stdin = new FileSource({ input: '-', nowMs: 0, stdin: Readable.from([Buffer.from('a\n')]) });
    expect((await read(stdin))[0]!.meta).toBeUndefined();
    // An explicit meta wins; null: none.
    expect(new FileSource({ input: p, nowMs: 0, meta: null }).meta).toBeNull();
  });
});
