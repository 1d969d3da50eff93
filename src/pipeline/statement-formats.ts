/**
 * Statement id -> format string over the shipped statement library (the one classify matches
 * against), so summaries carry `logsift.statement.format` beside the id Classification gives. Built
 * on first use; its size is the library's, which is fixed.
 */
import { shippedLibrary } from '../classify/statements/load.ts';

let formats: Map<string, string> | null = null;

export function shippedStatementFormat(id: string): string | undefined {
  if (formats === null) {
    const m = new Map<string, string>();
    for (const s of shippedLibrary().library.statements) m.set(s.id, s.format);
    formats = m;
  }
  return formats.get(id);
}
