/**
 * Reading the statement library (types.ts): NDJSON text -> Library. Pure; the file itself is read
 * once by load.ts. A malformed file is a packaging bug, so it throws (at start-up, never per line).
 */
import { createHash } from 'node:crypto';
import type { Library, LibraryHeader, Statement, StatementSite } from './types.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The library's ~125k call sites repeat the same few thousand paths and release ranges, and
 * JSON.parse gives every occurrence its own string and arrays (39 MB of heap for the shipped
 * library, more than the rest of a running pipeline). Equal values are shared instead (they are
 * read-only): the same Library, in a fraction of the memory.
 */
class Interner {
  readonly #strings = new Map<string, string>();
  readonly #ranges = new Map<string, StatementSite['releases']>();
  readonly #lists = new Map<string, readonly string[]>();

  string(s: string): string {
    const seen = this.#strings.get(s);
    if (seen !== undefined) return seen;
    this.#strings.set(s, s);
    return s;
  }

  /** A list of strings (keys, components), shared with every equal list. */
  list(l: readonly string[]): readonly string[] {
    const k = l.join('\0');
    const seen = this.#lists.get(k);
    if (seen !== undefined) return seen;
    const own = l.map((x) => this.string(x));
    this.#lists.set(k, own);
    return own;
  }

  releases(r: StatementSite['releases']): StatementSite['releases'] {
    const k = r.join(';');
    const seen = this.#ranges.get(k);
    if (seen !== undefined) return seen;
    this.#ranges.set(k, r);
    return r;
  }

  /** The statement with its values shared, in place: `st` is JSON.parse's, owned by the caller. */
  statement(st: Statement): Statement {
    const m = st as Mutable<Statement>;
    m.keys = this.list(st.keys);
    m.context_keys = this.list(st.context_keys);
    m.components = this.list(st.components);
    for (const site of st.sites as Mutable<StatementSite>[]) {
      site.file = this.string(site.file);
      site.printed = this.string(site.printed);
      site.releases = this.releases(site.releases);
    }
    return st;
  }
}

export function parseLibrary(text: string): Library {
  const lines = text.split('\n');
  let header: LibraryHeader | null = null;
  const statements: Statement[] = [];
  const interner = new Interner();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.length === 0) continue;
    const v = JSON.parse(line) as Statement | LibraryHeader;
    if ((v as LibraryHeader).kind === 'header') {
      if (header !== null || statements.length > 0) {
        throw new Error(`statement library: header on line ${i + 1} is not the first line`);
      }
      header = v as LibraryHeader;
      continue;
    }
    if (header === null) throw new Error('statement library: the first line is not a header');
    const st = v as Statement;
    if (typeof st.id !== 'string' || typeof st.format !== 'string' || !Array.isArray(st.sites)) {
      throw new Error(`statement library: line ${i + 1} is not a statement`);
    }
    statements.push(interner.statement(st));
  }
  if (header === null) throw new Error('statement library: empty');
  const digest = createHash('sha256').update(text).digest('hex');
  return { header, statements, digest };
}

/** A library from statements given in code (tests, and the empty library). */
export function libraryOf(statements: readonly Statement[], releases: readonly string[] = []): Library {
  const header: LibraryHeader = { kind: 'header', schema: 1, releases };
  const text = [JSON.stringify(header), ...statements.map((s) => JSON.stringify(s))].join('\n');
  return parseLibrary(`${text}\n`);
}
