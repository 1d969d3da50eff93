import { describe, expect, it } from 'vitest';
import { classifierFor, classifyRecord } from '../../../../src/classify/index.ts';
import { compileFormat } from '../../../../src/classify/statements/format.ts';
import { libraryOf } from '../../../../src/classify/statements/library.ts';
import { StatementMatcher } from '../../../../src/classify/statements/matcher.ts';
import type { Statement } from '../../../../src/classify/statements/types.ts';
import { parseLineForTest } from '../helpers.ts';

function st(p: Partial<Statement> & Pick<Statement, 'id' | 'format'>): Statement {
  return {
    level: 'INFO',
    kind: 'logrus',
    args: [],
    keys: [],
    context_keys: [],
    dynamic_keys: false,
    components: ['felix'],
    rate_limited: false,
    category: null,
    sites: [],
    ...p,
  };
}

// Statements as they are in Calico's source (felix/routetable/route_table.go, felix/config,
// libcalico-go/lib/clientv3/client.go at v3.29.1 and v3.29.2).
const ADD_ROUTE = st({
  id: '0000000000000001',
  level: 'WARNING',
  format: 'Failed to add route',
  keys: ['error'],
  context_keys: ['ifaceName', 'ipVersion', 'tableIndex'],
  category: 'netlink-error',
  sites: [
    {
      file: 'felix/routetable/route_table.go',
      line: 690,
      printed: 'felix/route_table.go',
      releases: [[0, 0]],
    },
  ],
});
const PARSING = st({
  id: '0000000000000002',
  format: 'Parsing value for %v: %v (from %v)',
  args: ['name', 'rawValue', 'source'],
});
const TIER_INFO = st({
  id: '0000000000000003',
  format: 'Tier %v already exists.',
  args: ['name'],
  keys: ['error'],
  components: ['kube-controllers', 'typha', 'startup', 'calico-apiserver'],
  category: 'tier-exists',
});
const TIER_DEBUG = st({ ...TIER_INFO, id: '0000000000000004', level: 'DEBUG', keys: [] });
const GENERIC = st({ id: '0000000000000005', format: 'Failed to %v: %v', args: ['op', 'err'] });

const LIB = libraryOf([ADD_ROUTE, PARSING, TIER_INFO, TIER_DEBUG, GENERIC]);
const classify = classifierFor(LIB);

describe('compileFormat', () => {
  it('turns verbs into slots and keeps literal text exact', () => {
    const c = compileFormat('Parsing value for %v: %v (from %v)', 'logrus', ['name', 'rawValue', 'source']);
    expect(c.slots).toBe(3);
    expect(c.template).toBe('Parsing value for <name>: <rawValue> (from <source>)');
    expect(c.re!.exec('Parsing value for MTU: 1440 (from env)')?.slice(1)).toEqual(['MTU', '1440', 'env']);
    expect(c.re!.test('Parsing value for MTU 1440 from env')).toBe(false);
    expect(c.words).toEqual(['Parsing', 'for', 'from', 'value']);
  });
  it('treats %% as text and numeric verbs as numbers', () => {
    const c = compileFormat('Used %d%% of %s pool', 'logrus', []);
    expect(c.re!.test('Used 42% of the pool')).toBe(true);
    expect(c.re!.test('Used many% of the pool')).toBe(false);
  });
  it('refuses formats too generic to identify a statement', () => {
    expect(compileFormat('%v: %v', 'logrus', []).re).toBeNull();
    expect(compileFormat('%s', 'logrus', []).re).toBeNull();
  });
  it('does not index words a slot touches', () => {
    expect(compileFormat('interface cali%s is down', 'logrus', []).words).toEqual(['down', 'interface']);
  });
});

describe('statement matching', () => {
  it('keys a statement the same across releases, files and line numbers', () => {
    const a = classify(
      parseLineForTest(
        '2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=file exists ifaceName="ens29f1" ipVersion=0x4 tableIndex=0',
      ),
    );
    // An older release: no component prefix, another line number, another interface.
    const b = classify(
      parseLineForTest(
        '2021-06-01 10:00:00.000 [WARNING][12] route_table.go 577: Failed to add route error=file exists ifaceName="cali12345678901" ipVersion=0x4',
      ),
    );
    expect(a.statement).toBe(ADD_ROUTE.id);
    expect(b.statement).toBe(ADD_ROUTE.id);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.category).toBe('netlink-error');
    expect(a.params.errno).toBe('file exists');
    expect(a.params.ifaceName).toBe('ens29f1');
    expect(a.params.site).toBe('route_table.go:690');
  });
  it('keeps the errno in a netlink fingerprint', () => {
    const line = (e: string) =>
      parseLineForTest(
        `2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=${e} ifaceName="wireguard.cali"`,
      );
    const exists = classify(line('file exists'));
    const nodev = classify(line('no such device'));
    expect(nodev.category).toBe('netlink-error');
    expect(nodev.params.errno).toBe('no such device');
    expect(nodev.fingerprint).not.toBe(exists.fingerprint);
    expect(nodev.template).toContain('error=no such device');
  });
  it('a nil error is not a netlink failure', () => {
    const c = classify(
      parseLineForTest(
        '2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=<nil>',
      ),
    );
    expect(c.statement).toBe(ADD_ROUTE.id);
    expect(c.category).toBe('warning-other');
  });
  it('makes one fingerprint of a statement whatever its variables print', () => {
    const lines = [
      'Parsing value for MTU: 1440 (from environment variable)',
      'Parsing value for FelixHostname: node-7 (from config file)',
      'Parsing value for IptablesBackend: auto (from datastore (global))',
    ].map((m) =>
      classify(parseLineForTest(`2025-01-14 09:31:12.756 [INFO][63] felix/param_types.go 204: ${m}`)),
    );
    expect(new Set(lines.map((c) => c.fingerprint)).size).toBe(1);
    expect(lines[1]!.params.name).toBe('FelixHostname');
    expect(lines[0]!.template).toBe('Parsing value for <name>: <rawValue> (from <source>)');
  });
  it('prefers the most specific statement', () => {
    const c = classify(
      parseLineForTest('2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: Failed to add route'),
    );
    // GENERIC "Failed to %v: %v" does not match (no colon); ADD_ROUTE is WARNING: used across levels.
    expect(c.statement).toBe(ADD_ROUTE.id);
    const g = classify(
      parseLineForTest('2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: Failed to frob: boom'),
    );
    expect(g.statement).toBe(GENERIC.id);
  });
  it('tells the Tier-exists statements of v3.29.1 and v3.29.2 apart by level and keys', () => {
    const info = classify(
      parseLineForTest(
        '2025-01-14 09:31:12.756 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)',
      ),
    );
    const debug = classify(
      parseLineForTest(
        '2025-03-01 09:31:12.756 [DEBUG][1] kube-controllers/client.go 414: Tier adminnetworkpolicy already exists.',
      ),
    );
    expect(info.statement).toBe(TIER_INFO.id);
    expect(debug.statement).toBe(TIER_DEBUG.id);
    expect(info.category).toBe('tier-exists');
    expect(debug.category).toBe('tier-exists');
    expect(info.params.tier).toBe('default');
    expect(debug.params.tier).toBe('adminnetworkpolicy');
  });
  it('falls back to masking for lines no statement printed', () => {
    const c = classify(
      parseLineForTest('2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: Something else entirely 42'),
    );
    expect(c.statement).toBeUndefined();
    expect(c.template).toContain('<N>');
  });
  it('is a pure function of the line: order and the cache do not change a result', () => {
    const lines = [
      '2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=file exists',
      '2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: Failed to frob: boom',
      '2025-01-14 09:31:12.756 [INFO][63] felix/param_types.go 204: Parsing value for MTU: 1440 (from env)',
    ];
    const fresh = () => classifierFor(LIB);
    const forward = lines.map((l) => fresh()(parseLineForTest(l)).fingerprint);
    const c = fresh();
    const backward = [...lines]
      .reverse()
      .map((l) => c(parseLineForTest(l)).fingerprint)
      .reverse();
    const again = lines.map((l) => c(parseLineForTest(l)).fingerprint);
    expect(backward).toEqual(forward);
    expect(again).toEqual(forward);
  });
  it('counts cache hits', () => {
    const m = new StatementMatcher(LIB);
    const r = parseLineForTest('2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: Failed to frob: boom');
    m.match(r);
    m.match(r);
    expect(m.cacheStats().hits).toBe(1);
  });

  it('names the component from the statement when the line does not print one, never from the container', () => {
    const bare = parseLineForTest(
      '2021-06-01 10:00:00.000 [WARNING][12] route_table.go 577: Failed to add route error=file exists',
    );
    const raw = { ...bare, component: 'unknown', componentFromLine: false };
    const shipped = {
      ...raw,
      component: 'calico-node',
      kubernetes: { container: 'calico-node', pod: 'calico-node-x' },
    };
    const a = classify(raw);
    const b = classify(shipped);
    expect(a.component).toBe('felix');
    expect(b.component).toBe('felix');
    expect(a.fingerprint).toBe(b.fingerprint);
    // A line no statement matched is fingerprinted under `unknown`, whatever container shipped it.
    const other = parseLineForTest('2021-06-01 10:00:00.000 [INFO][12] nowhere.go 1: Nothing known 42');
    const c = classify({ ...other, component: 'unknown', componentFromLine: false });
    const d = classify({ ...other, component: 'calico-node', componentFromLine: false });
    expect(c.fingerprint).toBe(d.fingerprint);
    expect(d.component).toBeUndefined();
  });
});

describe('classifyRecord', () => {
  it('counts a line under the component its classification names', () => {
    const r = parseLineForTest(
      '2025-01-14 09:31:12.756 [INFO][1] kube-controllers/x.go 1: Tier default already exists.',
    );
    expect(classifyRecord(r).record).toBe(r); // printed component: the record is used as it is
  });
});
