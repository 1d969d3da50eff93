/**
 * The inputs of `logsift replay` / `logsift fingerprint`: command-line arguments -> the list of
 * files to read, in a deterministic order. Each argument is
 *   `-`          stdin (at most once);
 *   a directory  every regular file below it (recursively; symbolic links to files count, links to
 *                directories are not followed), sorted;
 *   a pattern    `*`, `?`, `[…]` (`[!…]` / `[^…]` negated, ranges `a-z`) within one path segment,
 *                `**` for any number of directories; matches are regular files, sorted; like a
 *                shell, wildcards do not match a leading `.` of a name;
 *   a file       itself.
 * Arguments keep their order, each expanding in place (sorted by UTF-16 code units, never by
 * locale); a file named twice is read once, at its first place. A pattern or directory that
 * yields no file, or a file that does not exist, is an error (LogsiftError, exit 2) before
 * anything is read. Node 20 has no fs.glob: the matching is this file's own, and minimal.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { LogsiftError } from '../../errors.ts';

export const STDIN = '-';

/** Cap on directory entries visited while expanding one argument (a pattern at `/` must not walk the disk forever). */
export const MAX_VISITED = 1_000_000;

export function expandInputs(args: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const key = p === STDIN ? STDIN : resolve(p);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  for (const arg of args) {
    if (arg === STDIN) {
      if (seen.has(STDIN)) throw new LogsiftError('USAGE', "'-' (stdin) can be given only once");
      add(STDIN);
      continue;
    }
    if (hasWildcard(arg)) {
      const found = glob(arg);
      if (found.length === 0) {
        throw new LogsiftError('INPUT_NO_MATCH', `no file matches ${arg}`);
      }
      for (const f of found) add(f);
      continue;
    }
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(arg);
    } catch (cause) {
      throw new LogsiftError('INPUT_NOT_FOUND', `cannot read ${arg}: ${(cause as Error).message}`, { cause });
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      walk(arg, files, { visited: 0 }, arg);
      if (files.length === 0) throw new LogsiftError('INPUT_NO_MATCH', `directory ${arg} has no files`);
      for (const f of files.sort(byCodeUnits)) add(f);
    } else if (st.isFile()) add(arg);
    else throw new LogsiftError('INPUT_NOT_FOUND', `${arg} is not a regular file or directory`);
  }
  return out;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?') || s.includes('[');
}

interface Budget {
  visited: number;
}

function entries(dir: string, budget: Budget, arg: string) {
  let list: import('node:fs').Dirent[];
  try {
    list = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // unreadable directories are skipped, as a shell glob does
  }
  budget.visited += list.length;
  if (budget.visited > MAX_VISITED) {
    throw new LogsiftError(
      'INPUT_NO_MATCH',
      `${arg}: more than ${MAX_VISITED} directory entries visited; narrow it`,
    );
  }
  return list;
}

/** Regular file (following a symbolic link), directory (not following one), or neither. */
function kind(path: string, d: import('node:fs').Dirent): 'file' | 'dir' | null {
  if (d.isDirectory()) return 'dir';
  if (d.isFile()) return 'file';
  if (d.isSymbolicLink()) {
    try {
      return statSync(path).isFile() ? 'file' : null;
    } catch {
      return null;
    }
  }
  return null;
}

function walk(dir: string, out: string[], budget: Budget, arg: string): void {
  for (const d of entries(dir, budget, arg)) {
    const p = join(dir, d.name);
    const k = kind(p, d);
    if (k === 'file') out.push(p);
    else if (k === 'dir') walk(p, out, budget, arg);
  }
}

/** Matches of a pattern, sorted. */
export function glob(pattern: string): string[] {
  const absolute = pattern.startsWith('/') || pattern.startsWith(sep);
  const segs = pattern.split(/[\\/]+/).filter((s) => s.length > 0);
  // The literal leading directories are the base; matching starts at the first wildcard segment.
  let i = 0;
  while (i < segs.length - 1 && !hasWildcard(segs[i]!)) i++;
  const baseParts = segs.slice(0, i);
  const base = absolute ? `/${baseParts.join('/')}` : baseParts.length > 0 ? baseParts.join('/') : '.';
  const budget: Budget = { visited: 0 };
  const found = new Set<string>();
  match(base, segs.slice(i), baseParts.length === 0 && !absolute, found, budget, pattern);
  return [...found].sort(byCodeUnits);
}

function match(
  dir: string,
  segs: readonly string[],
  relativeToCwd: boolean,
  found: Set<string>,
  budget: Budget,
  arg: string,
): void {
  const [seg, ...rest] = segs;
  if (seg === undefined) return;
  const at = (name: string): string => (relativeToCwd ? name : join(dir, name));
  if (seg === '**') {
    // Zero directories here, or one more and `**` again.
    match(dir, rest, relativeToCwd, found, budget, arg);
    for (const d of entries(dir, budget, arg)) {
      if (d.name.startsWith('.') || !d.isDirectory()) continue;
      match(at(d.name), segs, false, found, budget, arg);
    }
    return;
  }
  if (!hasWildcard(seg)) {
    const p = at(seg);
    if (rest.length === 0) {
      if (isFile(p)) found.add(p);
    } else if (isDir(p)) match(p, rest, false, found, budget, arg);
    return;
  }
  const re = segmentRegExp(seg);
  for (const d of entries(dir, budget, arg)) {
    if (d.name.startsWith('.') && !seg.startsWith('.')) continue;
    if (!re.test(d.name)) continue;
    const p = at(d.name);
    const k = kind(p, d);
    if (rest.length === 0) {
      if (k === 'file') found.add(p);
    } else if (k === 'dir') match(p, rest, false, found, budget, arg);
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** One path segment's pattern as an anchored RegExp (`*`, `?`, `[…]`; everything else literal). */
export function segmentRegExp(seg: string): RegExp {
  let re = '^';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') {
      while (seg[i + 1] === '*') i++;
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = seg.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = seg.slice(i + 1, close);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      re += `[${neg ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`);
}
