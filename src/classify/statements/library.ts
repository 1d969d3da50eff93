/**
 * Reading the statement library (types.ts): NDJSON text -> Library. Pure; the file itself is read
 * once by load.ts. A malformed file is a packaging bug, so it throws (at start-up, never per line).
 */
import { createHash } from 'node:crypto';
import type { Library, LibraryHeader, Statement } from './types.ts';

export function parseLibrary(text: string): Library {
  const lines = text.split('\n');
  let header: LibraryHeader | null = null;
  const statements: Statement[] = [];
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
    statements.push(st);
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
