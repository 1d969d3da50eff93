/**
 * Matching a parsed record against the statement library: which Calico log statement printed it.
 *
 * The format verbs are the variables; literal text must match exactly. Order of preference:
 *   1. statements with a call site at the line's printed file and line number (the header says
 *      where the call is; renumbered or moved calls of other releases fall through to 2.);
 *   2. every statement whose index word occurs in the message.
 * Among the statements that match, the most specific wins: most literal characters, then the one
 * whose own keys are all among the line's fields, then more keys, then a site in the same file,
 * then the same component, then the smallest id (so the choice is total and deterministic).
 * A statement of another level matches only when none of the line's level does (a release that
 * moved a call to another level).
 *
 * Pure: the result depends on the record and the library only. The message-keyed cache in front
 * only avoids matching a repeated line twice; it is bounded and counts its evictions.
 */
import type { Level, LineFormat } from '../../domain/record.ts';
import { BoundedCache, type CacheStats, MAX_CACHED_KEY_LENGTH } from '../cache.ts';
import { type CompiledFormat, compileFormat, messageWords } from './format.ts';
import { lineages } from './lineage.ts';
import type { Library, Statement, StatementKind } from './types.ts';

/** The parts of a record the matcher reads. */
export interface MatchInput {
  readonly format: LineFormat;
  readonly level: Level;
  readonly component: string;
  readonly originFile: string | null;
  readonly originLine: number | null;
  readonly message: string;
  readonly fields: ReadonlyArray<readonly [string, string]>;
}

export interface StatementMatch {
  readonly statement: Statement;
  /** Index of the statement in the library (stable for one library). */
  readonly index: number;
  readonly compiled: CompiledFormat;
  /** Text of each slot, in order. */
  readonly values: readonly string[];
  /** The representative of the statement's lineage of rewordings (lineage.ts): what the fingerprint names. */
  readonly root: { readonly statement: Statement; readonly index: number; readonly compiled: CompiledFormat };
}

export const MATCH_CACHE_CAPACITY = 50_000;

interface Entry {
  readonly statement: Statement;
  readonly index: number;
  readonly compiled: CompiledFormat;
  /** Base names of the printed files of its sites. */
  readonly files: ReadonlySet<string>;
}

function kindsOf(format: LineFormat): readonly StatementKind[] | null {
  switch (format) {
    case 'calico':
    case 'logrus':
      return ['logrus'];
    case 'klog':
      return ['klog', 'klogs'];
    case 'bird':
      return ['bird'];
    default:
      return null;
  }
}

function baseName(p: string): string {
  const s = p.lastIndexOf('/');
  return s >= 0 ? p.slice(s + 1) : p;
}

/** klog's structured calls print the message Go-quoted: `"Starting watch" key="v"`. */
function klogsMessage(message: string): string {
  if (message.length >= 2 && message.charCodeAt(0) === 34) {
    const end = message.indexOf('"', 1);
    if (end > 0) return message.slice(1, end);
  }
  return message;
}

export class StatementMatcher {
  readonly library: Library;
  readonly #entries: Entry[] = [];
  /** base file name -> line -> entry indices. */
  readonly #sites = new Map<string, Map<number, number[]>>();
  /** index word -> entry indices (each statement under its rarest word). */
  readonly #words = new Map<string, number[]>();
  readonly #cache = new BoundedCache<StatementMatch | null>('statement-match', MATCH_CACHE_CAPACITY);
  /** base file name -> the one component whose statements live there (null: several). */
  readonly #fileComponent = new Map<string, string | null>();
  #generic = 0;
  readonly #marks: Int32Array;
  #stamp = 0;
  readonly #roots: Int32Array;

  constructor(library: Library) {
    this.library = library;
    this.#roots = lineages(library);
    const df = new Map<string, number>();
    const compiled: CompiledFormat[] = [];
    for (const st of library.statements) {
      const c = compileFormat(st.format, st.kind, st.args);
      compiled.push(c);
      for (const w of c.words) df.set(w, (df.get(w) ?? 0) + 1);
    }
    library.statements.forEach((st, index) => {
      const c = compiled[index]!;
      const files = new Set(st.sites.map((s) => baseName(s.printed || s.file)));
      for (const f of files) {
        for (const comp of st.components) {
          const cur = this.#fileComponent.get(f);
          if (cur === undefined) this.#fileComponent.set(f, comp);
          else if (cur !== null && cur !== comp) this.#fileComponent.set(f, null);
        }
      }
      const i = this.#entries.length;
      this.#entries.push({ statement: st, index, compiled: c, files });
      if (c.re === null) {
        this.#generic++;
        return;
      }
      for (const s of st.sites) {
        const base = baseName(s.printed || s.file);
        let byLine = this.#sites.get(base);
        if (byLine === undefined) {
          byLine = new Map();
          this.#sites.set(base, byLine);
        }
        const list = byLine.get(s.line);
        if (list === undefined) byLine.set(s.line, [i]);
        else if (!list.includes(i)) list.push(i);
      }
      let anchor = c.words[0]!;
      for (const w of c.words) {
        const a = df.get(anchor)!;
        const b = df.get(w)!;
        if (b < a || (b === a && w.length > anchor.length)) anchor = w;
      }
      const list = this.#words.get(anchor);
      if (list === undefined) this.#words.set(anchor, [i]);
      else list.push(i);
    });
    this.#marks = new Int32Array(this.#entries.length);
  }

  /** Statements too generic to index (no literal word, or too little literal text). */
  get unindexed(): number {
    return this.#generic;
  }

  /** The component that owns a source file (by base name), when only one does. */
  componentOfFile(file: string | null): string | null {
    return file === null ? null : (this.#fileComponent.get(file) ?? null);
  }

  /** The component of a matched line that does not print its own. */
  componentOf(m: StatementMatch, r: MatchInput): string | null {
    const cs = m.statement.components;
    if (cs.length === 1) return cs[0]!;
    if (cs.includes(r.component)) return r.component;
    return this.componentOfFile(r.originFile);
  }

  cacheStats(): CacheStats {
    return this.#cache.stats();
  }

  match(r: MatchInput): StatementMatch | null {
    const kinds = kindsOf(r.format);
    if (kinds === null) return null;
    const message = r.message.trim();
    if (message.length === 0) return null;
    if (message.length > MAX_CACHED_KEY_LENGTH) return this.#match(r, kinds, message);
    const key = `${r.level}\0${r.originFile ?? ''}:${r.originLine ?? ''}\0${keysOf(r.fields)}\0${message}`;
    return this.#cache.get(key, () => this.#match(r, kinds, message));
  }

  #match(r: MatchInput, kinds: readonly StatementKind[], message: string): StatementMatch | null {
    // 1. The call site the header names.
    if (r.originFile !== null && r.originLine !== null) {
      const ids = this.#sites.get(r.originFile)?.get(r.originLine);
      if (ids !== undefined) {
        const m = this.#best(r, kinds, message, ids);
        if (m !== null) return m;
      }
    }
    // 2. Every statement indexed under a word of the message.
    const words: string[] = [];
    messageWords(message, words);
    const klogs = kinds.includes('klogs') ? klogsMessage(message) : message;
    if (klogs !== message) messageWords(klogs, words);
    this.#stamp++;
    if (this.#stamp === 0x7fffffff) {
      this.#marks.fill(0);
      this.#stamp = 1;
    }
    const cands: number[] = [];
    for (const w of words) {
      const ids = this.#words.get(w);
      if (ids === undefined) continue;
      for (const i of ids) {
        if (this.#marks[i] === this.#stamp) continue;
        this.#marks[i] = this.#stamp;
        cands.push(i);
      }
    }
    return cands.length === 0 ? null : this.#best(r, kinds, message, cands);
  }

  /** The most specific statement among `ids` that matches (same level first). */
  #best(
    r: MatchInput,
    kinds: readonly StatementKind[],
    message: string,
    ids: readonly number[],
  ): StatementMatch | null {
    let best: StatementMatch | null = null;
    let bestOther: StatementMatch | null = null;
    for (const i of ids) {
      const e = this.#entries[i]!;
      const st = e.statement;
      if (!kinds.includes(st.kind) || e.compiled.re === null) continue;
      // BIRD's stderr lines print no level (the parser guesses one from words): any level matches.
      const sameLevel =
        r.level === 'UNKNOWN' || st.level === r.level || (st.kind === 'bird' && r.format === 'bird');
      const cur = sameLevel ? best : bestOther;
      // Cannot beat the current best on text: skip the regex.
      if (cur !== null && e.compiled.literalChars < cur.compiled.literalChars) continue;
      const text = st.kind === 'klogs' ? klogsMessage(message) : message;
      const m = e.compiled.re.exec(text);
      if (m === null) continue;
      const cand: StatementMatch = {
        statement: st,
        index: e.index,
        compiled: e.compiled,
        values: m.slice(1),
        root: this.#entries[this.#roots[e.index]!]!,
      };
      if (cur === null || this.#better(r, e, cand, cur)) {
        if (sameLevel) best = cand;
        else bestOther = cand;
      }
    }
    return best ?? bestOther;
  }

  #better(r: MatchInput, e: Entry, a: StatementMatch, b: StatementMatch): boolean {
    if (a.compiled.literalChars !== b.compiled.literalChars) {
      return a.compiled.literalChars > b.compiled.literalChars;
    }
    const ka = hasKeys(r.fields, a.statement.keys);
    const kb = hasKeys(r.fields, b.statement.keys);
    if (ka !== kb) return ka;
    if (a.statement.keys.length !== b.statement.keys.length) {
      return a.statement.keys.length > b.statement.keys.length;
    }
    const eb = this.#entries[b.index]!;
    if (r.originFile !== null) {
      const fa = e.files.has(r.originFile);
      const fb = eb.files.has(r.originFile);
      if (fa !== fb) return fa;
    }
    const ca = a.statement.components.includes(r.component);
    const cb = b.statement.components.includes(r.component);
    if (ca !== cb) return ca;
    return a.statement.id < b.statement.id;
  }
}

function hasKeys(fields: ReadonlyArray<readonly [string, string]>, keys: readonly string[]): boolean {
  for (const k of keys) {
    let found = false;
    for (let i = 0; i < fields.length; i++) {
      if (fields[i]![0] === k) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

/** The field keys of a line: part of the cache key, since the choice between statements reads them. */
function keysOf(fields: ReadonlyArray<readonly [string, string]>): string {
  if (fields.length === 0) return '';
  let s = fields[0]![0];
  for (let i = 1; i < fields.length; i++) s += `\x01${fields[i]![0]}`;
  return s;
}
