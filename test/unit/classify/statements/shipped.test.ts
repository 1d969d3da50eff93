/**
 * classify() over the shipped library (src/classify/statements/library.ndjson.gz): real lines of
 * the kinds that public Calico issue threads carry, classified by the statement that printed them.
 */
import { describe, expect, it } from 'vitest';
import { classify } from '../../../../src/classify/index.ts';
import { makeRecord, parseLineForTest } from '../helpers.ts';

const line = (text: string) => classify(parseLineForTest(text));

describe('classification by the shipped library', () => {
  it('finds the netlink failures of route_table.go in every release, errno in the fingerprint', () => {
    const current = line(
      '2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=file exists ifaceName="ens29f1" ipVersion=0x4 tableIndex=0',
    );
    const old = line(
      '2020-03-02 11:01:47.123 [WARNING][58] route_table.go 577: Failed to add route error=file exists ifaceName="cali3d4b2b4a8f1" ipVersion=0x4',
    );
    const otherErrno = line(
      '2025-01-14 09:31:12.756 [WARNING][63] felix/route_table.go 690: Failed to add route error=no such device ifaceName="wireguard.cali" ipVersion=0x4 tableIndex=0',
    );
    expect(current.statement).toBeDefined();
    expect(current.statement).toBe(old.statement);
    expect(current.category).toBe('netlink-error');
    expect(current.fingerprint).toBe(old.fingerprint);
    expect(current.params).toMatchObject({ errno: 'file exists', ifaceName: 'ens29f1' });
    expect(otherErrno.category).toBe('netlink-error');
    expect(otherErrno.statement).toBe(current.statement);
    expect(otherErrno.fingerprint).not.toBe(current.fingerprint);
  });

  it('reads BIRD netlink errors with the errno in place of strerror', () => {
    const exists = classify(
      makeRecord({ component: 'bird', format: 'bird', level: 'UNKNOWN', message: 'Netlink: File exists' }),
    );
    const esrch = classify(
      makeRecord({
        component: 'bird',
        format: 'bird',
        level: 'UNKNOWN',
        message: 'Netlink: No such process',
      }),
    );
    expect(exists.category).toBe('netlink-error');
    expect(exists.template).toBe('Netlink: file exists');
    expect(exists.params).toEqual({ operation: 'netlink request', errno: 'file exists' });
    expect(esrch.statement).toBe(exists.statement);
    expect(esrch.fingerprint).not.toBe(exists.fingerprint);
  });

  it("gives a BIRD statement one fingerprint whether the line came from stderr (no level) or BIRD's log file (<WARN>)", () => {
    const bare = classify(
      makeRecord({ component: 'bird', format: 'bird', level: 'UNKNOWN', message: 'Netlink: File exists' }),
    );
    const logged = classify(
      makeRecord({ component: 'bird', format: 'bird', level: 'WARNING', message: 'Netlink: File exists' }),
    );
    expect(logged.fingerprint).toBe(bare.fingerprint);
    // A protocol name is one word: "Mesh_10_0_1_22: Received: Hold timer expired" (the BGP error a
    // neighbour sent) is not the "%s: Hold timer expired" statement with a name of two words.
    const received = classify(
      makeRecord({
        component: 'bird',
        format: 'bird',
        level: 'UNKNOWN',
        message: 'Mesh_10_0_1_22: Received: Hold timer expired',
      }),
    );
    const own = classify(
      makeRecord({
        component: 'bird',
        format: 'bird',
        level: 'UNKNOWN',
        message: 'Mesh_10_0_1_22: Hold timer expired',
      }),
    );
    expect(own.statement).toBeDefined();
    expect(received.statement).not.toBe(own.statement);
  });

  it('calls any Felix error whose error names netlink a netlink failure, keeping the errno', () => {
    const c = classify(
      makeRecord({
        level: 'ERROR',
        message: 'Shutting down due to fatal error',
        fields: [['error', 'failed to read from netlink (resync): no buffer space available']],
      }),
    );
    expect(c.statement).toBeDefined();
    expect(c.category).toBe('netlink-error');
    expect(c.params).toEqual({ operation: 'netlink receive', errno: 'no buffer space available' });
    const other = classify(
      makeRecord({
        level: 'ERROR',
        message: 'Shutting down due to fatal error',
        fields: [['error', 'datastore is read-only']],
      }),
    );
    expect(other.statement).toBe(c.statement);
    expect(other.category).toBe('error-other');
  });

  it('counts the Tier-exists lines of v3.29.1 (INFO, with error) and v3.29.2 (DEBUG) as tier-exists, tier as a parameter', () => {
    const tier = (name: string, component: string, level: 'INFO' | 'DEBUG') =>
      classify(
        makeRecord({
          component,
          level,
          message: `Tier ${name} already exists.`,
          fields: level === 'INFO' ? [['error', `resource already exists: Tier(${name})`]] : [],
        }),
      );
    const a = tier('default', 'kube-controllers', 'INFO');
    expect(a.category).toBe('tier-exists');
    expect(a.params).toEqual({ tier: 'default' });
    expect(tier('adminnetworkpolicy', 'kube-controllers', 'INFO').fingerprint).toBe(a.fingerprint);
    // One statement, whichever component's pod printed it: the fingerprint names the statement.
    expect(tier('default', 'typha', 'INFO').fingerprint).toBe(a.fingerprint);
    const debug = tier('default', 'kube-controllers', 'DEBUG');
    expect(debug.category).toBe('tier-exists');
    expect(debug.statement).not.toBe(a.statement);
    expect(debug.fingerprint).not.toBe(a.fingerprint);
  });

  it('makes one fingerprint of "Parsing value for" whatever the key and value', () => {
    const fps = new Set(
      [
        'MetadataAddr: None (from config file)',
        'LogSeverityScreen: info (from environment variable)',
        'FelixHostname: node-1 (from environment variable)',
        'IptablesBackend: auto (from datastore (global))',
      ].map(
        (rest) =>
          line(`2024-05-02 08:00:00.001 [INFO][10] felix/param_types.go 718: Parsing value for ${rest}`)
            .fingerprint,
      ),
    );
    expect(fps.size).toBe(1);
  });
});
