/**
 * A statement's format string as a pattern over the printed message: literal text and variable
 * slots (the format verbs). Go's fmt verbs (`%[flags][width][.prec]verb`, `%%`, `%[n]v`) for
 * logrus and klog; BIRD's own printf (lib/printf.c: `%I` address, `%M`/`%m` strerror, `%R` router
 * id, `%N` network, `%V`, plus the C ones) for BIRD. Pure.
 */
import type { StatementKind } from './types.ts';

export interface CompiledFormat {
  /** Anchored regular expression over the whole (trimmed) message; null when too generic to match. */
  readonly re: RegExp | null;
  /** Characters of literal text: the specificity of a match. */
  readonly literalChars: number;
  /** Literal words (letters first, >= 3 word chars) that do not touch a slot: index keys. */
  readonly words: readonly string[];
  /** Number of verbs (slots). */
  readonly slots: number;
  /** The format with each verb replaced by `<name>`: the statement's template head. */
  readonly template: string;
  /** True when only the first line of a multi-line format is matched. */
  readonly firstLineOnly: boolean;
}

/** A format whose literal text is shorter than this matches too much to identify a statement. */
export const MIN_LITERAL_CHARS = 6;

const VERB = /%(?:%|[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:[hlLqjzt]{0,2})([a-zA-Z]))/g;

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** BIRD operands that print a protocol or channel name (`p->name`, `p->p.name`): one word, no colon. */
const BIRD_NAME = /(?:^|->|\.)name$/;

/** The regex of one verb's output. */
function slotRe(verb: string, kind: StatementKind, last: boolean, arg: string | undefined): string {
  if (kind === 'bird' && verb === 's' && arg !== undefined && BIRD_NAME.test(arg)) return '[^\\s:]+';
  switch (verb) {
    case 'd':
    case 'i':
    case 'u':
      return '\\s*[-+]?\\d+';
    case 't':
      return kind === 'bird' ? '[\\s\\S]*?' : '(?:true|false)';
    default:
      return last ? '[\\s\\S]*' : '[\\s\\S]*?';
  }
}

/** The parameter name of slot i: the Go expression of its operand, simplified. */
export function slotName(args: readonly string[], i: number): string {
  const a = args[i];
  if (a === undefined || a.length === 0) return `arg${i + 1}`;
  // `r.ipVersion` -> ipVersion, `x.Name()` -> Name; keep other expressions short.
  const sel = /^(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)(?:\(\))?$/.exec(a);
  if (sel !== null) return sel[1]!;
  return a.length > 40 ? `${a.slice(0, 37)}...` : a;
}

const WORD = /[A-Za-z]\w{2,}/g;

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

export function compileFormat(format: string, kind: StatementKind, args: readonly string[]): CompiledFormat {
  let f = format;
  let firstLineOnly = false;
  const nl = f.indexOf('\n');
  if (nl >= 0 && nl < f.length - 1 && f.slice(nl + 1).trim().length > 0) {
    f = f.slice(0, nl);
    firstLineOnly = true;
  }
  f = f.trim();
  // Split into literal segments and verbs.
  const literals: string[] = [];
  const verbs: string[] = [];
  let cur = '';
  let at = 0;
  VERB.lastIndex = 0;
  for (let m = VERB.exec(f); m !== null; m = VERB.exec(f)) {
    cur += f.slice(at, m.index);
    at = m.index + m[0].length;
    if (m[0] === '%%') {
      cur += '%';
      continue;
    }
    literals.push(cur);
    verbs.push(m[1]!);
    cur = '';
  }
  cur += f.slice(at);
  literals.push(cur);

  let literalChars = 0;
  const words = new Set<string>();
  let re = '^';
  let template = '';
  for (let i = 0; i < literals.length; i++) {
    const lit = literals[i]!;
    literalChars += lit.replace(/\s+/g, '').length;
    re += escapeRe(lit);
    template += lit;
    // Words inside the literal that a slot does not touch.
    WORD.lastIndex = 0;
    for (let w = WORD.exec(lit); w !== null; w = WORD.exec(lit)) {
      const start = w.index;
      const end = start + w[0].length;
      if (start > 0 && isWordChar(lit.charCodeAt(start - 1))) continue;
      if (end < lit.length && isWordChar(lit.charCodeAt(end))) continue;
      if (start === 0 && i > 0) continue; // a slot ends right before it
      if (end === lit.length && i < verbs.length) continue; // a slot starts right after it
      words.add(w[0]);
    }
    if (i < verbs.length) {
      re += `(${slotRe(verbs[i]!, kind, i === verbs.length - 1 && literals[i + 1] === '', args[i])})`;
      template += `<${slotName(args, i)}>`;
    }
  }
  re += firstLineOnly ? '' : '$';
  const usable = literalChars >= MIN_LITERAL_CHARS && words.size > 0;
  return {
    re: usable ? new RegExp(re) : null,
    literalChars,
    words: [...words].sort(),
    slots: verbs.length,
    template,
    firstLineOnly,
  };
}

/** Words of a message, as compileFormat finds them in literals (same boundaries). */
export function messageWords(message: string, out: string[]): void {
  WORD.lastIndex = 0;
  for (let w = WORD.exec(message); w !== null; w = WORD.exec(message)) {
    const start = w.index;
    if (start > 0 && isWordChar(message.charCodeAt(start - 1))) continue;
    out.push(w[0]);
  }
}
