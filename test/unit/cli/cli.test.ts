import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULESET_VERSION } from '../../../src/classify/fingerprint.ts';
import { cli } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

const SAMPLE_LINES = [
  '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)',
  '2025-01-14 09:30:01.003 [ERROR][63] felix/route_table.go 911: Failed to connect to netlink. error=too many open files table="IPv4:254"',
  'bird: Netlink: File exists',
  '',
  'something no parser knows',
];

describe('logsift CLI', () => {
  it('prints top-level help with every command and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['replay', 'fingerprint', 'run', 'report', 'kibana'])
      expect(r.stdout).toContain(`  ${c}`);
    expect(r.stdout).toContain('Examples:');
  });

  it('no arguments: help, exit 2', async () => {
    expect((await cli([])).code).toBe(2);
  });

  it('--version prints the package version and the ruleset version (upgrades: docs/DEPLOY.md)', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await cli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version} (ruleset ${RULESET_VERSION})\n` });
  });

  it.each(['replay', 'fingerprint', 'run', 'report', 'kibana'])('%s --help exits 0 with usage', async (c) => {
    const r = await cli([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`logsift ${c}`);
  });

  it.each([
    [['nope'], /unknown command 'nope'/],
    [['--bogus'], /unknown option '--bogus'/],
    [['replay', '--bogus'], /logsift replay: Unknown option '--bogus'/],
    [['replay'], /missing input/],
    [['replay', 'missing-a.log', 'missing-b.log'], /cannot read missing-a\.log.*\[INPUT_NOT_FOUND\]/],
    [['replay', 'missing-*.log'], /no file matches missing-\*\.log \[INPUT_NO_MATCH\]/],
    [['replay', '-', '-'], /'-' \(stdin\) can be given only once/],
    [['fingerprint', 'missing-*.log'], /no file matches/],
    [['replay', '--sample', 'x.log'], /either FILE or --sample/],
    [['replay', '--sample', '--format', 'pdf'], /--format must be one of table, json, md, html/],
    [['fingerprint', '-x'], /Unknown option '-x'/],
  ])('bad arguments %j: one line on stderr, exit 2', async (argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a bad --bucket lists the valid categories, exit 2', async () => {
    const r = await cli([
      'replay',
      '--sample',
      '--bucket',
      'tiers=1h',
      '--out',
      mkdtempSync(join(tmpdir(), 'ls-')),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('valid categories: tier-exists, netlink-error, routine-noise');
  });

  it('a bad environment variable is a config error naming the variable, exit 2', async () => {
    const r = await cli(['fingerprint', '-'], { env: { LOGSIFT_HTTP_PORT: 'eighty' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('LOGSIFT_HTTP_PORT');
  });

  it('fingerprint: one JSON object per record with the documented shape', async () => {
    const r = await cli(['fingerprint', '-'], { stdin: `${SAMPLE_LINES.join('\n')}\n` });
    expect(r.code).toBe(0);
    const objs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objs).toHaveLength(5);
    for (const o of objs) {
      for (const k of [
        'line',
        'lines',
        'units',
        'fingerprint',
        'category',
        'component',
        'level',
        'template',
        'params',
      ]) {
        expect(o).toHaveProperty(k);
      }
    }
    expect(objs.map((o) => o.line)).toEqual([1, 2, 3, 4, 5]);
    expect(objs[0]).toMatchObject({
      category: 'tier-exists',
      component: 'kube-controllers',
      level: 'INFO',
      units: 1,
    });
    expect(objs[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(objs[1]).toMatchObject({ category: 'netlink-error', component: 'felix' });
    expect(objs[3]).toMatchObject({ category: 'dead-letter', fingerprint: 'dlq:empty' });
    expect(objs[4].category).toBe('unparsed-format');
  });

  it('fingerprint groups a multi-line record and counts its units', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ls-'));
    const p = join(dir, 'panic.log');
    writeFileSync(
      p,
      [
        '2025-01-14 14:40:03.000 [PANIC][71] felix/handle_manager.go 104: Repeatedly failed to connect to netlink. numFailures=10',
        'panic: (*logrus.Entry) 0xc000a1c2a0',
        '',
        'goroutine 218 [running]:',
        'github.com/sirupsen/logrus.(*Entry).log(0xc0004f8a80, 0x0, {0xc0012e4180, 0x2b})',
        '\t/go/pkg/mod/github.com/sirupsen/logrus@v1.9.3/entry.go:260 +0x491',
        '2025-01-14 14:40:12.000 [INFO][99] felix/daemon.go 132: Felix starting up',
      ].join('\n'),
    );
    const r = await cli(['fingerprint', p]);
    const objs = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objs.reduce((a, o) => a + o.units, 0)).toBe(7);
    expect(objs[0]).toMatchObject({ line: 1, level: 'PANIC' });
    expect(objs[0].units).toBeGreaterThan(1);
  });

  it('fingerprint | head: EPIPE ends the run cleanly (exit 0, no stack trace)', async () => {
    const child = spawn(
      'bash',
      [
        '-c',
        `node --import tsx src/main.ts fingerprint samples/calico-day.log.gz | head -2; echo "rc=\${PIPESTATUS[0]}" >&2`,
      ],
      { cwd: ROOT },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    await new Promise((resolve) => child.on('close', resolve));
    expect(out.trim().split('\n')).toHaveLength(2);
    expect(err).toContain('rc=0');
    expect(err).not.toMatch(/EPIPE|Error/);
  });
});
