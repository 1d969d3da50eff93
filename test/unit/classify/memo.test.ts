/**
 * The memos of a Calico line's located part (parse/formats/calico.ts) and of its classification
 * (classify/index.ts classify()): a record classified through them gets exactly what it gets
 * without them (a classifier over the same library has neither), whatever came before it — the
 * same text at another level, under another component, after the memo's sets were overwritten.
 */
import { describe, expect, it } from 'vitest';
import { REAL_LINES_DIR, readRealLines } from '../../../bench/gen-nonrepeating.ts';
import { classifierFor, classify, classifyCacheStats } from '../../../src/classify/index.ts';
import { shippedLibrary } from '../../../src/classify/statements/load.ts';
import type { LogRecord } from '../../../src/domain/record.ts';
import { LOCATED_MEMO_CAP, locatedMemoStats, parseCalico } from '../../../src/parse/formats/calico.ts';
import { assemble, loadCorpus } from '../parse/helpers.ts';

const reference = classifierFor(shippedLibrary().library);

/** The record without its memo slot: what classify() computes from the line alone. */
function unmemoised(r: LogRecord): LogRecord {
  return { ...r, located: undefined };
}

function stat(name: string) {
  const s = classifyCacheStats().find((c) => c.name === name);
  if (s === undefined) throw new Error(`no cache ${name}`);
  return s;
}

/** Calico lines of the fixtures: the corpus and the real lines. */
function calicoLines(): string[] {
  const lines = [
    ...loadCorpus().map((r) => r.line.split('\n')[0]!),
    ...readRealLines(REAL_LINES_DIR).map((l) => l.text),
  ];
  return lines.filter((l) => parseCalico(l) !== null);
}

describe('located and classification memos', () => {
  const lines = calicoLines();

  it('has Calico lines to test on', () => {
    expect(lines.length).toBeGreaterThan(500);
  });

  it('classifies every line as without the memos, on first sight and on a hit', () => {
    const hits0 = stat('classification').hits;
    // Each line three times, with other headers (time, pid): the text enters the memo the second
    // time, with its classification, and both are hits the third time.
    const values = lines.flatMap((l) => {
      const rest = l.slice(l.indexOf('] ', 24) + 2);
      return [
        l,
        `2026-12-04 01:02:03.456 [${levelOf(l)}][4242] ${rest}`,
        `2026-12-04 01:02:04.5 [${levelOf(l)}][7] ${rest}`,
      ];
    });
    const { records } = assemble(values);
    let memoised = 0;
    for (const r of records) {
      if (r.located !== undefined) memoised++;
      expect(classify(r)).toStrictEqual(reference(unmemoised(r)));
    }
    expect(memoised).toBeGreaterThan(lines.length);
    expect(stat('classification').hits - hits0).toBeGreaterThan(lines.length / 2);
  });

  it('gives the same text at another level or under another component its own classification', () => {
    const text =
      'route_table.go 1097: Error listing routes error=netlink: operation not permitted ifaceName="cali12345678901"';
    const { records } = assemble([
      `2026-12-04 01:02:03.456 [ERROR][1] ${text}`,
      `2026-12-04 01:02:03.457 [ERROR][1] ${text}`,
      `2026-12-04 01:02:03.458 [WARNING][1] ${text}`,
      `2026-12-04 01:02:03.459 [ERROR][1] ${text}`,
    ]);
    expect(records[2]!.located).toBe(records[1]!.located);
    const other: LogRecord = { ...records[2]!, component: 'calico-node' };
    for (const r of [...records, other]) expect(classify(r)).toStrictEqual(reference(unmemoised(r)));
    expect(classify(records[1]!).fingerprint).not.toBe(classify(records[2]!).fingerprint);
  });

  it('keeps a text and its classification only once the text is seen a second time', () => {
    const text = `felix/route_table.go 575: Syncing routes ifaceRegex="^cali.*" seen=${Date.now()}`;
    const at = (t: string) => assemble([`2026-12-04 01:02:${t} [INFO][1] ${text}`]).records[0]!;
    const first = at('03.456');
    classify(first);
    expect(first.located?.memo).toBeNull();
    const second = at('09.001');
    expect(second.located).not.toBe(first.located);
    expect(classify(second)).toStrictEqual(reference(unmemoised(second)));
    expect(second.located?.memo).not.toBeNull();
    const third = at('11.5');
    expect(third.located).toBe(second.located);
    expect(classify(third)).toBe(classify(second));
  });

  it('stays exact when more texts pass than it holds (entries replaced, counted)', () => {
    const ev0 = locatedMemoStats().evictions;
    const n = LOCATED_MEMO_CAP * 2;
    const values: string[] = [];
    for (let i = 0; i < n; i++) {
      // Twice each: a text enters the memo when it is seen again.
      const line = `2026-12-04 01:02:03.456 [INFO][1] felix/int_dataplane.go ${1000 + (i % 500)}: Applying dataplane updates n=${i}`;
      values.push(line, line);
    } // Then lines seen before, in another order.
    for (let i = 0; i < 2000; i++) values.push(values[(i * 7919) % (2 * n)]!);
    const { records } = assemble(values);
    for (let i = 0; i < records.length; i += 97) {
      expect(classify(records[i]!)).toStrictEqual(reference(unmemoised(records[i]!)));
      const p = parseCalico(values[i]!)!;
      expect({ ...p, located: undefined }).toStrictEqual({
        ...parseCalico(`${values[i]!.slice(0, 24)}[INFO][1] ${values[i]!.slice(34)}`)!,
        located: undefined,
      });
    }
    expect(locatedMemoStats().evictions - ev0).toBeGreaterThan(LOCATED_MEMO_CAP / 2);
    expect(locatedMemoStats().size).toBeLessThanOrEqual(LOCATED_MEMO_CAP);
  });
});

function levelOf(line: string): string {
  return line.slice(line.indexOf('[', 20) + 1, line.indexOf(']', 20));
}
