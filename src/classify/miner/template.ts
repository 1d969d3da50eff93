/**
 * Templates by masking: the message with its variables replaced by placeholders, then the
 * record's structured fields as ` key=<MASK>` in printed order.
 *
 * A template depends only on the record (never on other records), which is what lets the
 * fingerprint key exact counters (DESIGN.md "Classification", EXACTNESS-REVIEW.md F1).
 */
import type { LogRecord } from '../../domain/record.ts';
import { maskCore, P } from './masks.ts';
import { kvSplit, splitToken, words } from './tokenize.ts';

/** Words after which the next word is a name, whatever it looks like ("user webmaster"). */
const NAME_AFTER: ReadonlyMap<string, string> = new Map([
  ['user', P.user],
  ['tier', P.tier],
]);

function isPlaceholder(s: string): boolean {
  return s.length > 2 && s.charCodeAt(0) === 60 && s.charCodeAt(s.length - 1) === 62 && s.indexOf(' ') < 0;
}

/** Mask one whitespace token. `prev` is the previous raw token (for name-introducing words). */
export function maskWord(tok: string, prev: string | undefined): string {
  const { lead, core, trail } = splitToken(tok);
  if (core.length === 0) return tok;
  if (prev !== undefined) {
    const ph = NAME_AFTER.get(prev.toLowerCase());
    if (ph !== undefined && lead === '' && /^[A-Za-z][\w.-]*$/.test(core)) return ph + trail;
  }
  const eq = kvSplit(core);
  if (eq > 0) {
    const v = core.slice(eq + 1);
    if (v.length === 0) return tok;
    const vp = splitToken(v);
    return `${lead}${core.slice(0, eq + 1)}${vp.lead}${maskCore(vp.core)}${vp.trail}${trail}`;
  }
  const m = maskCore(core);
  if (m === core) return tok;
  return lead + m + trail;
}

/**
 * Mask free text. Whitespace runs become one space; consecutive tokens that masked to the same
 * bare placeholder collapse into one (variable-length lists: `<N> <N> <N>` → `<N>`).
 */
export function maskText(text: string): string {
  const toks = words(text);
  let out = '';
  let last = '';
  let prev: string | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!;
    const m = maskWord(t, prev);
    prev = t;
    if (m === last && isPlaceholder(m)) continue;
    out = out.length === 0 ? m : `${out} ${m}`;
    last = m;
  }
  return out;
}

/** Field keys whose value is an error text: its masked wording stays in the template. */
const ERROR_KEYS: ReadonlySet<string> = new Set(['error', 'err', 'errors', 'currentErr', 'Error']);

/**
 * Mask a field value by its type: `<nil>` and empty stay, error texts keep their masked wording,
 * anything else becomes one placeholder (`<N>`, `<IP>`, `<BOOL>`, ... or `<STR>` for free text).
 */
export function maskFieldValue(key: string, value: string): string {
  if (value.length === 0 || value === '<nil>') return value;
  if (ERROR_KEYS.has(key)) return maskText(value);
  const m = maskText(value);
  if (isPlaceholder(m)) return m;
  return '<STR>';
}

/** Masked fields in printed order: ` k1=<MASK> k2=<MASK>` (leading space included when non-empty). */
export function fieldsTemplate(
  fields: ReadonlyArray<readonly [string, string]>,
  override?: (key: string, value: string) => string | undefined,
): string {
  let out = '';
  for (const [k, v] of fields) {
    const o = override?.(k, v);
    out += ` ${k}=${o ?? maskFieldValue(k, v)}`;
  }
  return out;
}

/** The template of a record that no rule claimed. Unparsed records: the whole text is masked. */
export function buildTemplate(record: LogRecord): string {
  if (record.format === 'unparsed') return maskText(record.text);
  return maskText(record.message) + fieldsTemplate(record.fields);
}

export { isPlaceholder };
