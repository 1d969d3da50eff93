/**
 * Property (fast-check): a generated Calico line wrapped in any tool's prefix — kubectl
 * --timestamps / --prefix (with and without timestamps), stern (plain, with namespace, coloured,
 * with --timestamps), syslog, journalctl short-iso, svlogd -tt / -ttt, a logrus wrapper — is the
 * same record as the bare line (message, level, component, fields, origin, time), and the prefix's
 * pod / container / namespace / node are the record's kubernetes meta. (A line that names no
 * component — old releases' `route_table.go 303:` — takes its container's name, as with any
 * envelope that says the container; with none it stays `unknown`.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/domain/record.ts';
import { one } from './helpers.ts';

/** The time aggregation buckets by (src/aggregate/keys.ts eventTime, before plausibility). */
const eventTimeOf = (r: LogRecord) => r.envelopeTimeMs ?? r.parsedTimeMs;

// Names start with a letter (as every Calico pod's and container's does): stern's prefix is only
// looked for on lines that start with a lower-case letter (prefix.ts).
const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
const podName = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?(\.[a-z0-9]{1,5})?$/);
const host = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const printable = fc.stringMatching(/^[ -~]{0,40}$/);
const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/);

const fieldValue = fc.oneof(
  printable.map((s) => JSON.stringify(s)), // strconv.Quote of ASCII
  fc.stringMatching(/^[a-z0-9.:/-]{1,15}$/),
  fc.integer().map(String),
);

const calicoLine = fc
  .record({
    ms: fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }),
    level: fc.constantFrom('INFO', 'WARNING', 'ERROR', 'DEBUG', 'FATAL'),
    pid: fc.integer({ min: 1, max: 99999 }),
    component: fc.constantFrom('felix', 'typha', 'kube-controllers', 'cni-plugin', 'confd', 'startup', null),
    file: fc.stringMatching(/^[a-z_]{1,15}\.go$/),
    line: fc.integer({ min: 1, max: 9999 }),
    message: fc.tuple(word, printable).map(([w, p]) => `${w}${p}`.trimEnd()),
    fields: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), fieldValue), {
      selector: ([k]) => k,
      maxLength: 4,
    }),
  })
  .map((g) => {
    const stamp = new Date(g.ms).toISOString().replace('T', ' ').slice(0, 23);
    const loc = `${g.component === null ? '' : `${g.component}/`}${g.file} ${g.line}`;
    const kvs = [...g.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => ` ${k}=${v}`);
    return {
      ms: g.ms,
      named: g.component !== null,
      line: `${stamp} [${g.level}][${g.pid}] ${loc}: ${g.message}${kvs.join('')}`,
    };
  });

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The kubelet's RFC 3339 nano time of the same instant (sub-millisecond digits added). */
const rfcNano = (ms: number, extra: number) => `${new Date(ms).toISOString().slice(0, 23)}${pad(extra, 6)}Z`;

interface Wrapped {
  readonly text: string;
  readonly meta: Record<string, string>;
}

const wrapping = fc.record({
  kind: fc.constantFrom(
    'kubectl-ts',
    'kubectl-prefix',
    'kubectl-prefix-ts',
    'stern',
    'stern-ns',
    'stern-colour',
    'stern-ts',
    'syslog',
    'journal-iso',
    'svlogd-tt',
    'svlogd-ttt',
    'logrus',
  ),
  pod: podName,
  container: label,
  namespace: label,
  host,
  extra: fc.integer({ min: 0, max: 999_999 }),
  pid: fc.integer({ min: 1, max: 4_000_000 }),
});

type Wrapping = typeof wrapping extends fc.Arbitrary<infer T> ? T : never;

function wrap(line: string, ms: number, w: Wrapping): Wrapped {
  const d = new Date(ms);
  const { pod, container, namespace } = w;
  switch (w.kind) {
    case 'kubectl-ts':
      return { text: `${rfcNano(ms, w.extra)} ${line}`, meta: {} };
    case 'kubectl-prefix':
      return { text: `[pod/${pod}/${container}] ${line}`, meta: { pod, container } };
    case 'kubectl-prefix-ts':
      return { text: `[pod/${pod}/${container}] ${rfcNano(ms, w.extra)} ${line}`, meta: { pod, container } };
    case 'stern':
      return { text: `${pod} ${container} ${line}`, meta: { pod, container } };
    case 'stern-ns':
      return { text: `${namespace} ${pod} ${container} ${line}`, meta: { namespace, pod, container } };
    case 'stern-colour':
      return {
        text: `\u001b[3${w.pid % 7}m${pod}\u001b[0m \u001b[1;32m${container}\u001b[0m ${line}`,
        meta: { pod, container },
      };
    case 'stern-ts':
      return { text: `${pod} ${container} ${rfcNano(ms, w.extra)} ${line}`, meta: { pod, container } };
    case 'syslog': {
      const day = d.getUTCDate();
      const stamp = `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ${d.toISOString().slice(11, 19)}`;
      return { text: `${stamp} ${w.host} calico-node[${w.pid}]: ${line}`, meta: { node: w.host } };
    }
    case 'journal-iso':
      return {
        text: `${d.toISOString().slice(0, 19)}+0000 ${w.host} calico-node[${w.pid}]: ${line}`,
        meta: { node: w.host },
      };
    case 'svlogd-tt':
      return {
        text: `${d.toISOString().slice(0, 10)}_${d.toISOString().slice(11, 23)}${pad(w.extra % 100)} ${line}`,
        meta: {},
      };
    case 'svlogd-ttt':
      return { text: `${d.toISOString().slice(0, 23)}${pad(w.extra % 100)} ${line}`, meta: {} };
    default:
      return { text: `time="${d.toISOString()}" level=info msg=${JSON.stringify(line)}`, meta: {} };
  }
}

const view = (r: LogRecord) => ({
  format: r.format,
  message: r.message,
  level: r.level,
  component: r.component,
  fields: r.fields,
  originFile: r.originFile,
  originLine: r.originLine,
  pid: r.pid,
  parsedTimeMs: r.parsedTimeMs,
});

describe('prefixes are transparent', () => {
  it('wrapped Calico lines give the bare record, with the prefix meta', () => {
    fc.assert(
      fc.property(calicoLine, wrapping, ({ line, ms, named }, w) => {
        const bare = one(line);
        const wrapped = wrap(line, ms, w);
        const r = one(wrapped.text);
        const component = named ? bare.component : (wrapped.meta.container ?? 'unknown');
        expect(view(r)).toEqual({ ...view(bare), component });
        expect(r.text).toBe(bare.text);
        expect(eventTimeOf(r)).toBe(eventTimeOf(bare));
        expect(r.kubernetes).toEqual(wrapped.meta);
        expect(r.parsedTimeMs).toBe(ms);
      }),
      {
        numRuns: 500,
        // A namespace that ends like a generated pod name (`a-bbbfb`) once read as the pod.
        examples: [
          [
            { ms: 1577836800000, named: true, line: '2020-01-01 00:00:00.000 [INFO][1] felix/a.go 1: A' },
            { kind: 'stern-ns', pod: 'a', container: 'a', namespace: 'a-bbbfb', host: 'a', extra: 0, pid: 1 },
          ],
        ],
      },
    );
  });

  it('a bare Calico line is never taken for a prefixed one', () => {
    fc.assert(
      fc.property(calicoLine, ({ line }) => {
        expect(one(line).wrapper).toBe('raw');
      }),
    );
  });
});
