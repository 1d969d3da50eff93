/**
 * The envelope fast paths (src/parse/envelopes/fast.ts) against the JSON.parse path
 * (unwrapReference): identical results on the generated benchmark input (bench/gen-nonrepeating.ts,
 * every envelope of its mix), on the real lines (test/fixtures/real-lines) and the corpus lines
 * (test/fixtures/calico-templates.tsv) in every shape the fast paths match, on escapes, unicode and
 * `\u` sequences, look-alike members, nested values, truncated and edited envelopes (the same
 * broken-envelope outcome). Each suite also checks that the fast paths answered, so it cannot pass
 * by declining everything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateNonRepeating, REAL_LINES_DIR, readRealLines } from '../../../../bench/gen-nonrepeating.ts';
import { decodeUnit } from '../../../../src/parse/decode.ts';
import {
  fastEnvelope,
  fastPathMetaCacheStats,
  META_CACHE_MAX,
} from '../../../../src/parse/envelopes/fast.ts';
import { unwrap, unwrapReference } from '../../../../src/parse/envelopes/index.ts';
import { FILE_DEAD_LETTER_POLICY, KAFKA_DEAD_LETTER_POLICY } from '../../../../src/parse/index.ts';
import { assemble, loadCorpus } from '../helpers.ts';

/** unwrap equals unwrapReference, key order included; returns whether a fast path answered. */
function same(text: string): boolean {
  const fast = unwrap(text);
  const ref = unwrapReference(text);
  expect(fast).toStrictEqual(ref);
  expect(JSON.stringify(fast)).toBe(JSON.stringify(ref));
  const i = text.search(/\S/);
  return i >= 0 && text.charCodeAt(i) === 123 && fastEnvelope(text, i) !== null;
}

const KUBE_FB =
  '{"pod_name":"calico-node-fpqs7","namespace_name":"calico-system","pod_id":"78e49601","labels":{"k8s-app":"calico-node"},"host":"k8s-worker-39","container_name":"calico-node","container_image":"docker.io/calico/node:v3.29.1"}';
const KUBE_VECTOR =
  '{"container_image":"docker.io/calico/node:v3.29.1","container_name":"calico-node","pod_labels":{"k8s-app":"calico-node"},"pod_name":"calico-node-w8jv4","pod_namespace":"calico-system","pod_node_name":"k8s-worker-4"}';
const FILEBEAT_MEMBERS =
  '"@metadata":{"beat":"filebeat","type":"_doc","version":"8.15.3"},"container":{"id":"5203c55c","image":{"name":"docker.io/calico/node:v3.29.1"},"runtime":"containerd"},"host":{"name":"k8s-control-1"},"kubernetes":{"pod":{"name":"calico-node-x"},"namespace":"calico-system","node":{"name":"k8s-control-1"},"container":{"name":"calico-node"}},"ecs":{"version":"8.0.0"},"input":{"type":"container"}';
const OTEL_MEMBERS =
  '"attributes":{"log.iostream":"stderr"},"resource":{"k8s.pod.name":"calico-node-bkg59","k8s.namespace.name":"calico-system","k8s.node.name":"k8s-worker-28","k8s.container.name":"calico-node","container.image.name":"docker.io/calico/node","container.image.tag":"v3.29.1"}';

const OTLP_RESOURCE =
  '{"attributes":[{"key":"k8s.pod.name","value":{"stringValue":"calico-node-g8mb4"}},{"key":"k8s.namespace.name","value":{"stringValue":"calico-system"}},{"key":"k8s.node.name","value":{"stringValue":"k8s-worker-8"}},{"key":"k8s.container.name","value":{"stringValue":"calico-node"}}]}';
/** OTLP/JSON with one log record. */
function otlp(resource: string, time: string, observed: string, body: string, stream: string): string {
  return `{"resourceLogs":[{"resource":${resource},"scopeLogs":[{"scope":{},"logRecords":[{"timeUnixNano":"${time}","observedTimeUnixNano":"${observed}","body":{"stringValue":${body}},"attributes":[{"key":"log.iostream","value":{"stringValue":"${stream}"}}]}]}]}]}`;
}

/** Every shape a fast path matches, around a message (a JS string, JSON-encoded here). */
const SHAPES: ReadonlyArray<(m: string) => string> = [
  (m) =>
    `{"date":1736834464.191,"time":"2025-01-14T06:01:04.189002990Z","stream":"stdout","_p":"F","log":${JSON.stringify(m)},"kubernetes":${KUBE_FB}}`,
  (m) =>
    `{"@timestamp":1736834441.655,"time":"2025-01-14T06:00:41.653001993Z","stream":"stderr","_p":"F","log":${JSON.stringify(m)},"kubernetes":${KUBE_FB}}`,
  (m) => `{"@timestamp":1736834710.684,"log":${JSON.stringify(m)},"file":"/var/log/calico/cni/cni.log"}`,
  (m) => `{"date":1736834710,"log":${JSON.stringify(`${m}\n`)},"file":"/var/log/calico/cni/cni.log"}`,
  (m) => `{"log":${JSON.stringify(`${m}\n`)},"stream":"stdout","time":"2025-01-14T06:06:33.609018942Z"}`,
  (m) => `{"log":${JSON.stringify(m)},"stream":"stderr","time":"2025-01-14T06:06:33+02:00"}`,
  (m) =>
    `{"file":"/var/log/pods/calico-system_calico-node-w8jv4/calico-node/0.log","kubernetes":${KUBE_VECTOR},"message":${JSON.stringify(m)},"source_type":"kubernetes_logs","stream":"stdout","timestamp":"2025-01-14T06:00:00.079000003Z"}`,
  (m) =>
    `{"@timestamp":"2025-01-14T06:00:00.123Z",${FILEBEAT_MEMBERS},"message":${JSON.stringify(m)},"stream":"stdout"}`,
  (m) => `{"body":${JSON.stringify(m)},"timeUnixNano":"1736835064265031903",${OTEL_MEMBERS}}`,
];

describe('envelope fast paths vs JSON.parse', () => {
  it('agree on the generated benchmark input (every envelope of its mix)', () => {
    let json = 0;
    let answered = 0;
    const wrappers = new Set<string>();
    for (const l of generateNonRepeating({ lines: 30_000, seed: 20250114 })) {
      const text = decodeUnit(l.line).text;
      const hit = same(text);
      if (text.charCodeAt(0) === 123) json++;
      if (hit) {
        answered++;
        const u = unwrap(text);
        if (u.ok) wrappers.add(u.wrapper);
      }
    }
    expect(json).toBeGreaterThan(15_000);
    // All but zap's JSON lines (not envelopes) and broken envelopes take a fast path.
    expect(answered / json).toBeGreaterThan(0.98);
    expect([...wrappers].sort()).toEqual(['docker', 'filebeat', 'fluentbit', 'otel', 'vector']);
  });

  it('agree on the real lines and the corpus lines in every shape', () => {
    const messages = [
      ...readRealLines(REAL_LINES_DIR).map((r) => r.text),
      ...loadCorpus().map((r) => r.line),
    ];
    expect(messages.length).toBeGreaterThan(500);
    let answered = 0;
    for (const m of messages) for (const shape of SHAPES) if (same(shape(m))) answered++;
    expect(answered).toBe(messages.length * SHAPES.length);
  });

  it('agree on escapes, unicode and \\u sequences (raw and escaped)', () => {
    const texts = [
      'plain',
      '',
      'q "quoted" and \\ backslash / slash',
      'ctl \b\f\n\r\t end',
      'multi\nline\n',
      'trailing CRLF\r\n',
      'é ü ß 中文 😀',
      '\u2028\u2029',
      '\u0000\u001f\u007f',
      '\ud800 lone high, \udc00 lone low',
    ];
    let answered = 0;
    for (const t of texts) {
      for (const shape of SHAPES) {
        const env = shape(t);
        if (same(env)) answered++;
        // The same text with every non-ASCII character \u-escaped, and with escaped slashes.
        const esc = env.replace(
          /[\u0080-\uffff]/g,
          (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
        );
        if (same(esc)) answered++;
        if (same(env.replaceAll('/', '\\/'))) answered++;
      }
    }
    expect(answered).toBeGreaterThan(texts.length * SHAPES.length * 2);
  });

  it('agree on look-alike members, duplicates and nested values', () => {
    const cases = [
      // Duplicate keys: JSON.parse keeps the last one.
      `{"@timestamp":"2025-01-14T06:00:00.123Z","@timestamp":"2026-01-01T00:00:00Z",${FILEBEAT_MEMBERS},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z",${FILEBEAT_MEMBERS},"stream":"stderr","message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z",${FILEBEAT_MEMBERS},"message":"early","x":1,"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","resourceLogs":[],${FILEBEAT_MEMBERS},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","log":"a string log",${FILEBEAT_MEMBERS},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","log":{"offset":1},${FILEBEAT_MEMBERS},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","log":7,${FILEBEAT_MEMBERS},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","source_type":"x","message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","kubernetes":{"pod_name":"vector-like"},"message":"m","stream":"stdout"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z","time":"2026-01-01T00:00:00Z","message":"m","stream":"stdout"}`,
      `{"file":"f","kubernetes":${KUBE_VECTOR},"log":"x","message":"m","source_type":"s","stream":"stdout","timestamp":"2025-01-14T06:00:00Z"}`,
      `{"file":"f","extra":1,"kubernetes":${KUBE_VECTOR},"message":"m","source_type":"s","stream":"stdout","timestamp":"2025-01-14T06:00:00Z"}`,
      `{"file":"f","kubernetes":"not an object","message":"m","source_type":"s","stream":"stdout","timestamp":"2025-01-14T06:00:00Z"}`,
      `{"file":"f","kubernetes":{"a":"},\\"message\\":\\""},"message":"m","source_type":"s","stream":"stdout","timestamp":"t"}`,
      `{"body":"m","timeUnixNano":"1736835064265031903","body":"other",${OTEL_MEMBERS}}`,
      `{"body":"m","timeUnixNano":"0","observedTimeUnixNano":"1736835064265031903",${OTEL_MEMBERS}}`,
      `{"body":"m","timeUnixNano":"1736835064265031903","resourceLogs":[]}`,
      `{"body":"m","timeUnixNano":"1736835064265031903","log":"x"}`,
      `{"body":"m","timeUnixNano":"1736835064265031903","message":"x"}`,
      `{"body":"m","timeUnixNano":"1736835064265031903","timestamp":"2025-01-14T06:00:00Z"}`,
      '{"log":"x\\n","stream":"stdout","time":"2025-01-14T06:00:00Z","kubernetes":{"pod_name":"p"}}',
      '{"log":"x","stream":"stdout","time":"not a time"}',
      `{"log":${JSON.stringify('y'.repeat(16 * 1024))},"stream":"stdout","time":"2025-01-14T06:00:00Z"}`,
      `{"log":${JSON.stringify(`${'y'.repeat(16 * 1024)}\n`)},"stream":"stdout","time":"2025-01-14T06:00:00Z"}`,
      '{"log":"2025-01-14T06:00:00.1Z stderr P part","stream":"stdout","time":"2025-01-14T06:00:00Z"}',
      '{"log":"{\\"log\\":\\"inner\\\\n\\",\\"stream\\":\\"stderr\\"}","stream":"stdout","time":"2025-01-14T06:00:00Z"}',
      '{"@timestamp":-0,"log":"m","file":"f"}',
      '{"@timestamp":1e3,"log":"m","file":"f"}',
      '{"date":1736834710.5,"log":"m","file":"f","stream":"stderr"}',
      otlp(
        '{"attributes":[{"key":"log.iostream","value":{"stringValue":"stderr"}}]}',
        '1',
        '2',
        '"m"',
        'stdout',
      ),
      otlp(
        '{"attributes":[{"key":"log.iostream","value":{"stringValue":"bogus"}}]}',
        '1',
        '2',
        '"m"',
        'stdout',
      ),
      otlp(
        '{"attributes":{"k8s.pod.name":"p","log.iostream":"stderr"}}',
        '1736834401423000060',
        '0',
        '"m"',
        'stdout',
      ),
      otlp('"not an object"', '1736834401423000060', '', '"m"', 'stdout'),
      otlp('null', '0', '0', '"m"', 'stdout'),
      otlp(`${OTLP_RESOURCE},"resource":{}`, '1736834401423000060', '0', '"m"', 'stdout'),
      otlp(OTLP_RESOURCE, '1736834401423000060', '0', '"m\\r\\n\\r\\n"', 'stdout'),
      otlp(OTLP_RESOURCE, '1736834401423000060', '0', '"m"', 'stdout').replace(
        ']}]}]}',
        ']},{"body":"second"}]}]}',
      ),
      // A message that is not a string (an object: messageText serialises it).
      `{"@timestamp":"2025-01-14T06:00:00.123Z",${FILEBEAT_MEMBERS},"message":{"a":[1,2,{"b":null}]},"stream":"stdout"}`,
      `{"body":{"stringValue":"m"},"timeUnixNano":"1736835064265031903",${OTEL_MEMBERS}}`,
      `{"file":"f","kubernetes":${KUBE_VECTOR},"message":42,"source_type":"s","stream":"stdout","timestamp":"t"}`,
      // Whitespace the fast paths do not expect.
      `{ "log":"x","stream":"stdout","time":"2025-01-14T06:00:00Z"}`,
      `{"log":"x","stream":"stdout","time":"2025-01-14T06:00:00Z"} `,
      `  {"log":"x","stream":"stdout","time":"2025-01-14T06:00:00Z"}`,
      `{"@timestamp":"2025-01-14T06:00:00.123Z", ${FILEBEAT_MEMBERS} ,"message":"m","stream":"stdout"}`,
    ];
    for (const c of cases) same(c);
  });

  it('give the same broken-envelope outcome for truncated envelopes, in unwrap and the assembler', () => {
    const m = '2025-01-14 06:00:00.113 [INFO][1] felix/x.go 1: "q" é \\ end';
    const broken: string[] = [];
    for (const shape of SHAPES) {
      const env = shape(m);
      for (let cut = 1; cut < env.length; cut += 7) {
        const t = env.slice(0, cut);
        same(t);
        const u = unwrap(t);
        if (!u.ok) broken.push(t);
      }
    }
    expect(broken.length).toBeGreaterThan(100);
    for (const t of broken) expect(unwrap(t)).toEqual({ ok: false, reason: 'json-syntax', text: t });
    const kafka = assemble(broken, { deadLetter: KAFKA_DEAD_LETTER_POLICY });
    expect(kafka.records).toHaveLength(0);
    expect(kafka.deadLetters.map((d) => d.reason)).toEqual(broken.map(() => 'broken-envelope'));
    const file = assemble(broken, { deadLetter: FILE_DEAD_LETTER_POLICY });
    expect(file.records.map((r) => r.flags.includes('broken-envelope'))).toEqual(broken.map(() => true));
  });

  it('agree on random edits of every shape', () => {
    const edit = fc
      .tuple(
        fc.nat({ max: SHAPES.length - 1 }),
        fc.string({ maxLength: 12 }),
        fc.nat(),
        fc.nat({ max: 3 }),
        fc.constantFrom('"', '\\', '}', '{', ',', ':', ' ', 'x', '\u0001', '0', '[', 'é'),
      )
      .map(([s, m, at, op, ch]) => {
        const e = SHAPES[s]!(m);
        const i = at % e.length;
        if (op === 0) return e.slice(0, i);
        if (op === 1) return e.slice(0, i) + ch + e.slice(i);
        if (op === 2) return e.slice(0, i) + e.slice(i + 1);
        return e.slice(0, i) + ch + e.slice(i + 1);
      });
    let answered = 0;
    fc.assert(
      fc.property(edit, (t) => {
        if (same(t)) answered++;
      }),
      { numRuns: 5000 },
    );
    expect(answered).toBeGreaterThan(500);
  });
});

describe('envelope metadata memos', () => {
  it('hold at most META_CACHE_MAX texts over all shapes, counting each time the cap bites', () => {
    const before = fastPathMetaCacheStats();
    const n = META_CACHE_MAX + 100;
    for (let i = 0; i < n; i++) {
      const pod = `calico-node-${i}`;
      const fb = `{"date":1736834464.191,"time":"2025-01-14T06:01:04Z","stream":"stdout","_p":"F","log":"m","kubernetes":{"pod_name":"${pod}"}}`;
      const vector = `{"file":"f","kubernetes":{"pod_name":"${pod}"},"message":"m","source_type":"s","stream":"stdout","timestamp":"2025-01-14T06:00:00Z"}`;
      expect(same(fb)).toBe(true);
      expect(same(vector)).toBe(true);
      expect(fastPathMetaCacheStats().size).toBeLessThanOrEqual(META_CACHE_MAX);
    }
    const after = fastPathMetaCacheStats();
    expect(after.clears - before.clears).toBeGreaterThanOrEqual(2);
    expect(after.misses - before.misses).toBeGreaterThanOrEqual(2 * n);
  });
});
