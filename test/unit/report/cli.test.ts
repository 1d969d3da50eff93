import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../../src/cli/report.ts';
import type { CliIO } from '../../../src/cli/types.ts';
import { buildFixture, writeFixture } from './fixture.ts';
import { schemaValidator } from './helpers.ts';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c) => {
    o += c;
  });
  stderr.on('data', (c) => {
    e += c;
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    now: () => Date.parse('2025-01-15T00:00:00Z'),
    stderrIsTTY: false,
    out: () => o,
    err: () => e,
  };
}

describe('logsift report (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'logsift-report-cli-'));
    writeFixture(dir, buildFixture());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help', async () => {
    const x = io();
    expect(await command.run(['--help'], x)).toBe(0);
    expect(x.out()).toMatch(/--es URL/);
    expect(x.out()).toMatch(/--format F/);
  });

  it('table by default, with totals and the known-issue advice', async () => {
    const x = io();
    expect(await command.run(['--dir', dir], x)).toBe(0);
    expect(x.out()).toMatch(/^TOTALS$/m);
    expect(x.out()).toMatch(/Upgrade calico-kube-controllers to v3\.29\.2 or later/);
    expect(x.out()).toMatch(/Upgrade calico-node to v3\.29\.2 or later/);
  });

  it('json validates; --from 24h is relative to the injected now', async () => {
    const x = io();
    expect(await command.run(['--dir', dir, '--format', 'json', '--from', '24h'], x)).toBe(0);
    const m = JSON.parse(x.out());
    expect(schemaValidator('report.schema.json')(m)).toEqual([]);
    expect(m.range).toEqual({ from: '2025-01-14T00:00:00.000Z', to: null });
    expect(m.new_fingerprints.total).toBe(1);
  });

  it('md to stdout; html to report.html-style --out file', async () => {
    const x = io();
    expect(await command.run(['--dir', dir, '-f', 'md'], x)).toBe(0);
    expect(x.out()).toMatch(/^# calico-logsift report/);
    expect(x.out()).toMatch(/\| component \| lines in \|/);
    const out = join(dir, 'r.html');
    const y = io();
    expect(await command.run(['--dir', dir, '--format', 'html', '--out', out], y)).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
    expect(y.err()).toMatch(/wrote .*r\.html/);
  });

  it.each([
    [[], /exactly one of --es URL or --dir DIR/],
    [['--dir', 'x', '--es', 'http://e:9200'], /exactly one of/],
    [['--dir', 'x', '--format', 'pdf'], /--format must be one of/],
    [['--dir', 'x', '--from', 'yesterday'], /--from: cannot read "yesterday"/],
    [['--dir', 'x', '--from', '2025-01-15', '--to', '2025-01-14'], /must be before --to/],
    [['--dir', 'x', '--bogus'], /Unknown option '--bogus'/],
    [['--es', 'http://e:9200', '--username', 'u'], /--username and --password go together/],
    [['--dir', 'x', '--top', '0'], /--top must be a positive integer/],
  ])('usage error %j', async (argv, re) => {
    await expect(command.run(argv, io())).rejects.toMatchObject({
      code: 'USAGE',
      exitCode: 2,
      message: expect.stringMatching(re),
    });
  });
});
