import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogsiftError } from '../../../../src/errors.ts';
import { expandInputs, glob, segmentRegExp } from '../../../../src/sources/file/inputs.ts';

/** A tree: path -> content (directories made as needed). */
function tree(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'logsift-inputs-'));
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x\n');
  }
  return root;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof LogsiftError ? e.code : 'not a LogsiftError';
  }
  return 'no error';
}

describe('expandInputs', () => {
  const root = tree([
    'containers/calico-node-b_calico-system_calico-node-1.log',
    'containers/calico-node-a_calico-system_calico-node-1.log',
    'containers/calico-typha-a_calico-system_calico-typha-1.log',
    'containers/.hidden.log',
    'pods/ns_a_u/calico-node/0.log',
    'pods/ns_a_u/calico-node/1.log',
    'pods/ns_b_u/install-cni/0.log',
    'pods/ns_b_u/install-cni/notes.txt',
  ]);
  const rel = (ps: string[]) => ps.map((p) => (p === '-' ? p : relative(root, p)));

  it('files keep their order; a glob expands in place, sorted; a file named twice is read once', () => {
    const a = join(root, 'pods/ns_b_u/install-cni/0.log');
    expect(rel(expandInputs([a, join(root, 'containers/calico-node-*.log'), a, '-']))).toEqual([
      'pods/ns_b_u/install-cni/0.log',
      'containers/calico-node-a_calico-system_calico-node-1.log',
      'containers/calico-node-b_calico-system_calico-node-1.log',
      '-',
    ]);
  });

  it('directories: every regular file below, sorted', () => {
    expect(rel(expandInputs([join(root, 'pods')]))).toEqual([
      'pods/ns_a_u/calico-node/0.log',
      'pods/ns_a_u/calico-node/1.log',
      'pods/ns_b_u/install-cni/0.log',
      'pods/ns_b_u/install-cni/notes.txt',
    ]);
  });

  it('**, ?, [...] and negated classes; wildcards skip dot files', () => {
    expect(rel(glob(join(root, 'pods/**/*.log')))).toEqual([
      'pods/ns_a_u/calico-node/0.log',
      'pods/ns_a_u/calico-node/1.log',
      'pods/ns_b_u/install-cni/0.log',
    ]);
    expect(rel(glob(join(root, '**/?.log')))).toEqual([
      'pods/ns_a_u/calico-node/0.log',
      'pods/ns_a_u/calico-node/1.log',
      'pods/ns_b_u/install-cni/0.log',
    ]);
    expect(rel(glob(join(root, 'pods/ns_[a-a]_u/*/[!0].log')))).toEqual(['pods/ns_a_u/calico-node/1.log']);
    expect(rel(glob(join(root, 'containers/*')))).toHaveLength(3);
    expect(rel(glob(join(root, 'containers/.*')))).toEqual(['containers/.hidden.log']);
  });

  it('symbolic links to files count (kubelet /var/log/containers); links to directories are not followed', () => {
    const r = tree(['real/0.log']);
    mkdirSync(join(r, 'links'));
    symlinkSync(join(r, 'real/0.log'), join(r, 'links/a.log'));
    symlinkSync(join(r, 'real'), join(r, 'links/dir'));
    expect(rel2(r, expandInputs([join(r, 'links')]))).toEqual(['links/a.log']);
    expect(rel2(r, glob(join(r, 'links/*.log')))).toEqual(['links/a.log']);
  });

  it('errors: no match, missing file, empty directory, stdin twice', () => {
    expect(codeOf(() => expandInputs([join(root, 'containers/nothing-*.log')]))).toBe('INPUT_NO_MATCH');
    expect(codeOf(() => expandInputs([join(root, 'missing.log')]))).toBe('INPUT_NOT_FOUND');
    mkdirSync(join(root, 'empty'), { recursive: true });
    expect(codeOf(() => expandInputs([join(root, 'empty')]))).toBe('INPUT_NO_MATCH');
    expect(codeOf(() => expandInputs(['-', '-']))).toBe('USAGE');
    expect(() => expandInputs([join(root, 'containers/nothing-*.log')])).toThrow(
      /no file matches .*nothing-\*\.log/,
    );
  });

  it('segmentRegExp: literal characters stay literal', () => {
    expect(segmentRegExp('a.b+(c)*').test('a.b+(c)xyz')).toBe(true);
    expect(segmentRegExp('a.b').test('axb')).toBe(false);
    expect(segmentRegExp('[abc').test('[abc')).toBe(true);
  });
});

function rel2(root: string, ps: string[]): string[] {
  return ps.map((p) => relative(root, p));
}
