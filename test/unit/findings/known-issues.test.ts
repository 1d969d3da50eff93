// The advisor's data file against its schema, and the matching rules against the lines upstream quotes.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  isAffected,
  KNOWN_ISSUES,
  matchKnownIssue,
  versionOfImage,
} from '../../../src/findings/known-issues.ts';
import type { FingerprintMeta } from '../../../src/findings/types.ts';

const meta = (m: Partial<FingerprintMeta>): FingerprintMeta => ({
  category: 'routine-noise',
  template: '',
  component: 'felix',
  level: 'INFO',
  statement: null,
  ...m,
});
const byId = (id: string) => KNOWN_ISSUES.find((i) => i.id === id)!;

describe('known issues', () => {
  it('the data file validates against schemas/known-issues.schema.json; ids are unique', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../../schemas/known-issues.schema.json', import.meta.url), 'utf8'),
    );
    const data = JSON.parse(
      readFileSync(new URL('../../../src/findings/known-issues.json', import.meta.url), 'utf8'),
    );
    const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    expect(new Set(KNOWN_ISSUES.map((i) => i.id)).size).toBe(KNOWN_ISSUES.length);
  });

  it('states fixed versions only where upstream does, and cites the threads', () => {
    expect(byId('tier-exists-info-spam')).toMatchObject({ fixed_in: 'v3.29.2' });
    expect(byId('felix-netlink-handle-leak')).toMatchObject({ fixed_in: 'v3.29.2' });
    for (const id of ['unknown-field-status-warning', 'checking-cidr-info-spam', 'current-cidrs-info-spam']) {
      expect(byId(id).fixed_in, id).toBeNull();
      expect(byId(id).note, id).toMatch(/names no/);
    }
    const links = KNOWN_ISSUES.flatMap((i) => i.links.map((l) => l.url));
    for (const n of [9531, 9671, 9603, 9612, 13682, 13683, 13984, 4976, 4428])
      expect(
        links.some((u) => u.endsWith(`/${n}`)),
        String(n),
      ).toBe(true);
  });

  it('matches by template and component (the fallback), with level and category', () => {
    const tier = meta({
      component: 'kube-controllers',
      category: 'tier-exists',
      template: 'Tier <TIER> already exists. error=resource already exists: Tier(<TIER>)',
    });
    expect(matchKnownIssue(tier)).toMatchObject({ issue: { id: 'tier-exists-info-spam' }, by: 'template' });
    // v3.29.2 logs it at DEBUG: a DEBUG line is no INFO spam.
    expect(matchKnownIssue({ ...tier, level: 'DEBUG' })).toBeNull();
    const emfile = meta({
      category: 'netlink-error',
      level: 'ERROR',
      template: 'Failed to connect to netlink. error=too many open files table=<STR>',
    });
    expect(matchKnownIssue(emfile)?.issue.id).toBe('felix-netlink-handle-leak');
    expect(matchKnownIssue({ ...emfile, component: 'bird' })).toBeNull();
    expect(
      matchKnownIssue(
        meta({ component: 'calico-kube-controllers', template: 'Warning: unknown field "status"' }),
      )?.issue.id,
    ).toBe('unknown-field-status-warning');
    expect(
      matchKnownIssue(meta({ component: 'monitor-addresses', template: 'Checking CIDR CIDR=<CIDR>' }))?.issue
        .id,
    ).toBe('checking-cidr-info-spam');
    expect(matchKnownIssue(meta({ template: 'Current CIDRS: [<*>]' }))?.issue.id).toBe(
      'current-cidrs-info-spam',
    );
    expect(matchKnownIssue(meta({ template: 'Summarising <N> dataplane reconciliation loops' }))).toBeNull();
  });

  it('matches by statement (Calico source format and level) before the template', () => {
    const m = matchKnownIssue(
      meta({
        component: 'kube-controllers',
        template: 'something the miner made of it',
        statement: { id: 'libcalico-go/lib/clientv3/client.go:414', format: 'Tier %v already exists.' },
      }),
    );
    expect(m).toMatchObject({ issue: { id: 'tier-exists-info-spam' }, by: 'statement' });
  });

  it('reads versions from image tags and tells affected from fixed', () => {
    expect(versionOfImage('docker.io/calico/node:v3.29.1')).toBe('v3.29.1');
    expect(versionOfImage('quay.io/calico/kube-controllers:v3.29.0@sha256:abc')).toBe('v3.29.0');
    expect(versionOfImage('calico/node:latest')).toBeNull();
    const leak = byId('felix-netlink-handle-leak');
    expect(['v3.28.2', 'v3.29.0', 'v3.29.1', 'v3.29.2', 'v3.30.0'].map((v) => isAffected(leak, v))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect(isAffected(byId('tier-exists-info-spam'), 'v3.29.0')).toBe(false);
    expect(isAffected(byId('checking-cidr-info-spam'), 'v3.20.3')).toBe(true);
  });
});
