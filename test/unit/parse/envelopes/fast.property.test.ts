/**
 * The Fluent Bit fast path (src/parse/envelopes/fast.ts) must give exactly what the JSON.parse
 * path gives, or decline (null). Generated envelopes: Fluent Bit's own key order and shuffled
 * orders, duplicate keys, escapes, whitespace, nested look-alike keys, other value types, and
 * random edits of all of those (mostly invalid JSON, which the fast path must decline).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastFluentBit } from '../../../../src/parse/envelopes/fast.ts';
import { fromJson, unwrap } from '../../../../src/parse/envelopes/index.ts';
import { isObject } from '../../../../src/parse/envelopes/json.ts';

/** The JSON.parse path: fromJson(JSON.parse(text)), or undefined when JSON.parse throws / not an object. */
function reference(text: string): unknown {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(o) ? fromJson(o) : undefined;
}

const str = fc.oneof(
  fc.constantFrom(
    '',
    'stdout',
    'stderr',
    'calico-node',
    'a"b',
    'a\\b',
    'x\ny',
    'é',
    '\u2028',
    '\ud800',
    'k8s-worker-1',
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const scalar = fc.oneof(
  str,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const kubeKey = fc.constantFrom(
  'pod_name',
  'namespace_name',
  'container_name',
  'host',
  'labels',
  'container_image',
  'kubernetes',
);
const kubeVal = fc.oneof(
  str,
  str,
  scalar,
  fc.dictionary(fc.constantFrom('k8s-app', 'kubernetes', 'log'), str, { maxKeys: 2 }),
);
const kube = fc.array(fc.tuple(kubeKey, kubeVal), { maxLength: 6 });
const time = fc.oneof(
  fc.constantFrom('2025-01-14T00:00:03.139000000Z', '2025-01-14T00:00:03+02:00', 'garbage', ''),
  scalar,
);
const log = fc.oneof(
  fc.constantFrom(
    '2025-01-14 00:00:03.137 [INFO][1] felix/x.go 1: hi\n',
    '2026-01-10T10:00:00.1Z stderr F 2025-01-14 00:00:03.137 [INFO][1] felix/x.go 1: hi',
    '{"log":"inner\\n","stream":"stdout","time":"2025-01-14T00:00:03Z"}\n',
    'a ,"kubernetes":{"pod_name":"p"} b',
    'tab\there "quoted" \\ back\r\n',
  ),
  str,
  str,
  str,
  scalar,
);
const topKey = fc.constantFrom(
  'date',
  'time',
  'stream',
  '_p',
  'log',
  'kubernetes',
  'message',
  'resourceLogs',
  '@timestamp',
  'extra',
  'lo\\u0067',
);

type Entry = [string, unknown];

function enc(v: unknown, ws: boolean): string {
  const sp = ws ? ' ' : '';
  if (Array.isArray(v)) {
    return `{${(v as Entry[]).map(([k, x]) => `${sp}${k.includes('\\') ? `"${k}"` : JSON.stringify(k)}${sp}:${sp}${enc(x, ws)}`).join(',')}}`;
  }
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return JSON.stringify(v) ?? 'null';
}

const canonical = fc
  .record({
    date: fc.oneof(fc.double({ min: 0, max: 2e9, noNaN: true }), fc.integer()),
    time,
    stream: fc.constantFrom('stdout', 'stderr'),
    p: fc.constantFrom('F', 'P'),
    log,
    kube,
  })
  .map((r): Entry[] => [
    ['date', r.date],
    ['time', r.time],
    ['stream', r.stream],
    ['_p', r.p],
    ['log', r.log],
    ['kubernetes', r.kube],
  ]);
const shuffled = fc.array(
  fc.oneof(
    fc.tuple(topKey, scalar),
    fc.tuple(fc.constant('log'), log),
    fc.tuple(fc.constant('time'), time),
    fc.tuple(
      fc.constant('kubernetes'),
      fc.oneof(
        kube,
        kube.map((k) => [...k, ['kubernetes', k]] as Entry[]),
      ),
    ),
  ),
  { maxLength: 8 },
);
const envelope = fc
  .tuple(
    fc.oneof(canonical, canonical, shuffled),
    fc.constantFrom(false, false, false, true),
    fc.constantFrom('', '', '', ' ', '\n', ' \t'),
  )
  .map(([entries, ws, tail]) => `${enc(entries, ws)}${tail}`);

/** Random edits: cut, insert, delete, replace one character. */
const edited = fc
  .tuple(
    envelope,
    fc.nat(),
    fc.nat({ max: 4 }),
    fc.constantFrom('"', '\\', '}', '{', ',', ':', ' ', 'x', '\u0001', '0'),
  )
  .map(([s, at, op, ch]) => {
    const i = s.length === 0 ? 0 : at % s.length;
    if (op === 0) return s.slice(0, i);
    if (op === 1) return s.slice(0, i) + ch + s.slice(i);
    if (op === 2) return s.slice(0, i) + s.slice(i + 1);
    return s.slice(0, i) + ch + s.slice(i + 1);
  });

let answered = 0;

describe('Fluent Bit fast path', () => {
  it('equals the JSON.parse path whenever it answers', () => {
    fc.assert(
      fc.property(fc.oneof(envelope, edited), (text) => {
        const fast = fastFluentBit(text, 0);
        // Twice: the second answer comes from the meta memo.
        const again = fastFluentBit(text, 0);
        expect(again).toEqual(fast);
        if (fast !== null) {
          answered++;
          expect(fast).toEqual(reference(text));
          expect(Object.isFrozen(fast.kubernetes)).toBe(true);
        }
      }),
      { numRuns: 20000 },
    );
    // The property must exercise the fast path, not only its refusals.
    expect(answered).toBeGreaterThan(2000);
  });

  it('answers for the dominant shapes (both head variants)', () => {
    const k = '{"pod_name":"p","namespace_name":"n","host":"h","container_name":"c","labels":{"a":"b"}}';
    const canon = `{"date":1736812803.139,"time":"2025-01-14T00:00:03.139000000Z","stream":"stdout","_p":"F","log":"x \\"q\\" \\u00e9\\n","kubernetes":${k}}`;
    const other = `{"log":"x\\n","stream":"stderr","time":"2025-01-14T00:00:03Z","kubernetes":${k}}`;
    for (const t of [canon, other]) {
      const f = fastFluentBit(t, 0);
      expect(f).not.toBeNull();
      expect(f).toEqual(reference(t));
    }
    expect(fastFluentBit(canon, 0)!.kubernetes).toBe(fastFluentBit(other, 0)!.kubernetes);
  });

  it('unwrap gives the same result as before for a leading-space envelope', () => {
    const t =
      ' {"log":"2025-01-14 00:00:03.137 [INFO][1] felix/x.go 1: hi\\n","time":"2025-01-14T00:00:03Z","kubernetes":{"pod_name":"p"}}';
    expect(unwrap(t)).toEqual({ ok: true, innerWrapper: null, ...(reference(t.slice(1)) as object) });
  });
});
