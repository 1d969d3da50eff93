/**
 * Templates by masking: the message with its variables replaced by placeholders, then the
 * record's structured fields as ` key=<MASK>` in printed order.
 *
 * A template depends only on the record (never on other records), which is what lets the
 * fingerprint key exact counters (docs/DESIGN.md "Classification and fingerprints", docs/EXACTNESS.md F1).
 */
import type { LogRecord } from '../../domain/record.ts';
import { BoundedCache, type CacheStats, MAX_CACHED_KEY_LENGTH } from '../cache.ts';
import { maskCore, P } from './masks.ts';
import { kvSplit, splitToken, words } from './tokenize.ts';

/** Words after which the next word is a name, whatever it looks like ("user webmaster"). */
const NAME_AFTER: ReadonlyMap<string, string> = new Map([
  ['user', P.user],
  ['tier', P.tier],
]);

/** Words that never are such a name ("invalid user from ..." has an empty user name). */
const STOPWORDS: ReadonlySet<string> = new Set(
  'from for to in on at by with is was are and or the of as not no unknown'.split(' '),
);

const MONTHS: ReadonlySet<string> = new Set(
  'jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july august september october november december'.split(
    ' ',
  ),
);
const WEEKDAYS: ReadonlySet<string> = new Set(
  'mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday'.split(' '),
);
const ZONES: ReadonlySet<string> = new Set('utc gmt z est edt cst cdt mst mdt pst pdt cet cest'.split(' '));

function isPlaceholder(s: string): boolean {
  return s.length > 2 && s.charCodeAt(0) === 60 && s.charCodeAt(s.length - 1) === 62 && s.indexOf(' ') < 0;
}

/** Values of inline `key=value` tokens that stay literal: they are flags, not variables. */
const LITERAL_VALUES: ReadonlySet<string> = new Set(['true', 'false']);

/** Mask one whitespace token. `prev` is the previous raw token (for name-introducing words). */
export function maskWord(tok: string, prev: string | undefined): string {
  const { lead, core, trail } = splitToken(tok);
  if (core.length === 0) return tok === '()' || tok === '[]' ? `${tok[0]}${P.any}${tok[1]}` : tok;
  if (prev !== undefined) {
    const ph = NAME_AFTER.get(prev.toLowerCase());
    if (ph !== undefined && lead === '' && !STOPWORDS.has(core.toLowerCase()) && !isPlaceholder(core)) {
      return ph + trail;
    }
  }
  const eq = kvSplit(core);
  if (eq > 0) {
    const v = core.slice(eq + 1);
    if (v.length === 0) return tok;
    const vp = splitToken(v);
    if (vp.core.length === 0) return tok;
    let m = maskCore(vp.core);
    // k=v-aware: the key stays and the value is a variable, whatever its shape (except flags).
    if (m === vp.core && !LITERAL_VALUES.has(vp.core) && !isPlaceholder(vp.core)) m = P.any;
    return `${lead}${core.slice(0, eq + 1)}${vp.lead}${m}${vp.trail}${trail}`;
  }
  const m = maskCore(core);
  if (m === core) return tok;
  // A standalone bracketed variable is "some value" whatever its type, like an empty `()`.
  if (isGroup(lead, trail) && isPlaceholder(m)) return `${lead}${P.any}${trail}`;
  return lead + m + trail;
}

/** `(`…`)` or `[`…`]` wrapping a whole token (trailing punctuation after the bracket allowed). */
function isGroup(lead: string, trail: string): boolean {
  if (lead.length !== 1) return false;
  const close = lead === '(' ? ')' : lead === '[' ? ']' : '';
  return close !== '' && trail.startsWith(close);
}

/**
 * Join `key="a b c"` values that whitespace split apart, so the quoted value masks as one.
 * Returns the index of the last token consumed.
 */
function joinQuoted(toks: readonly string[], i: number): number {
  const t = toks[i]!;
  const q = t.indexOf('="');
  if (q < 0) return i;
  // Closed in the same token?
  if (t.indexOf('"', q + 2) >= 0) return i;
  for (let j = i + 1; j < toks.length && j < i + 32; j++) {
    if (toks[j]!.indexOf('"') >= 0) return j;
  }
  return i;
}

/**
 * Mask free text. Whitespace runs become one space; consecutive tokens that masked to the same
 * bare placeholder collapse into one (variable-length lists: `<N> <N> <N>` → `<N>`); a time of
 * day absorbs the weekday, month, day, year and zone words around it (`Fri Jun 17 07:07:00 2005`
 * → `<TS>`).
 */
export function maskText(text: string): string {
  return text.length > MAX_CACHED_KEY_LENGTH ? maskTextUncached(text) : textCache.get(text, maskTextUncached);
}

/** Memo of maskText (messages and error texts repeat far more than their variables change). */
export const TEXT_CACHE_CAPACITY = 50_000;
export const textCache = new BoundedCache<string>('mask-text', TEXT_CACHE_CAPACITY);

function maskTextUncached(text: string): string {
  const toks = words(text);
  const out: string[] = [];
  let prev: string | undefined;
  for (let i = 0; i < toks.length; i++) {
    let t = toks[i]!;
    const end = joinQuoted(toks, i);
    if (end > i) {
      const q = t.indexOf('="');
      const last = toks[end]!;
      const close = last.lastIndexOf('"');
      t = `${t.slice(0, q + 2)}${P.any}${last.slice(close)}`;
      i = end;
      out.push(t);
      prev = t;
      continue;
    }
    let m = maskWord(t, prev);
    prev = t;
    if (m === P.ts) {
      // Absorb the date words before a time of day.
      while (out.length > 0) {
        const b = out[out.length - 1]!;
        const bl = b.toLowerCase().replace(/[,.]$/, '');
        if (b === P.num || b === P.ts || MONTHS.has(bl) || WEEKDAYS.has(bl)) out.pop();
        else break;
      }
      // ... and the zone and year after it.
      while (i + 1 < toks.length) {
        const a = toks[i + 1]!;
        const al = a.toLowerCase().replace(/[,.)]$/, '');
        if (ZONES.has(al) || /^(?:19|20)\d\d$/.test(al) || /^[+-]\d{4}$/.test(al)) {
          i++;
          if (a.endsWith(')')) m += ')';
        } else break;
      }
    }
    if (isPlaceholder(m) && out.length > 0 && out[out.length - 1] === m) continue;
    out.push(m);
  }
  return out.join(' ');
}

/** Field keys whose value is an error text: its masked wording stays in the template. */
const ERROR_KEYS: ReadonlySet<string> = new Set(['error', 'err', 'errors', 'currentErr', 'Error']);

const STR = '<STR>';

/** Placeholders a field value keeps; any other value of a field is free text: `<STR>`. */
const FIELD_TYPES: ReadonlySet<string> = new Set([P.num, P.duration, P.ip, P.cidr, P.ts, P.mac, P.bool]);

/** Keys whose value is an interface name, whatever it looks like (`lo`, `*NoOIF*`, `cali…`). */
const IFACE_KEYS: ReadonlySet<string> = new Set(['iface', 'ifaceName', 'ifName', 'interface', 'Interface']);

/**
 * Mask a field value by its type: `<nil>` and empty stay, error texts keep their masked wording,
 * numbers, durations, addresses, CIDRs, times, MACs and booleans become their placeholder,
 * interface keys `<IFACE>`, and anything else `<STR>`. A call site's keys are fixed, so a small
 * closed set of value types keeps one call site on one template (node `k8s-worker-2` and node
 * `master` are both `<STR>`).
 */
export function maskFieldValue(key: string, value: string): string {
  if (value === '<nil>') return value;
  // An empty value is a value of the field like any other (`Request.Namespace=""` of a cluster-scoped
  // object beside a namespaced one): one template. An empty error stays apart (no error).
  if (value.length === 0) return ERROR_KEYS.has(key) ? value : STR;
  if (ERROR_KEYS.has(key)) return maskText(value);
  if (IFACE_KEYS.has(key)) return P.iface;
  if (value === 'true' || value === 'false') return P.bool;
  // One scan decides the commonest shapes without a regular expression (same results as maskCore):
  // all digits is a number; letters, `_` and `-` only is a word or a name (never a FIELD_TYPES
  // placeholder: maskCore keeps it, or makes it an interface or a pod, both `<STR>` here);
  // any whitespace makes free text.
  let digits = 0;
  let words = 0;
  const n = value.length;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 45) words++;
    else if (c === 32 || c === 9 || c === 10 || c === 13) return STR;
  }
  if (digits === n) return P.num;
  if (words === n) return STR;
  return n > MAX_CACHED_VALUE_LENGTH ? valueType(value) : valueCache.get(value, valueType);
}

/** The type placeholder of a single-token field value (`<STR>` when it is none of FIELD_TYPES). */
function valueType(value: string): string {
  const { core } = splitToken(value);
  const m = core.length === 0 ? value : maskCore(core);
  return FIELD_TYPES.has(m) ? m : STR;
}

/**
 * Memo of valueType: field values other than numbers and words are few per call site (pod, node,
 * set and interface names, `0x4`, `IPv4:254`): 117 distinct of 6,194 in the bundled sample's day.
 */
export const VALUE_CACHE_CAPACITY = 10_000;
const MAX_CACHED_VALUE_LENGTH = 128;
export const valueCache = new BoundedCache<string>('field-value', VALUE_CACHE_CAPACITY);

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

/**
 * Interned field templates: a trie over (key, masked value) pairs whose nodes hold the template of
 * the fields so far. `fieldsTail` returns the same string object as `fieldsTemplate` would build,
 * without concatenating per line; the fingerprint memo then keys on that object (its hash is
 * computed once). Bounded: FIELDS_MEMO_CAPACITY nodes, masked values up to MAX_MEMO_VALUE_LENGTH
 * characters (longer ones are concatenated as in fieldsTemplate); when the cap is reached the trie
 * is dropped and rebuilt (counted in `evictions`).
 */
interface FieldsNode {
  readonly key: string;
  readonly value: string;
  readonly tail: string;
  /** First children: a node has a handful, so a scan comparing short strings beats hashing fresh keys. */
  readonly next: FieldsNode[];
  /** Children past FIELDS_SCAN (error fields with many wordings): key → masked value → node. */
  more: Map<string, Map<string, FieldsNode>> | null;
}

const FIELDS_SCAN = 8;

export const FIELDS_MEMO_CAPACITY = 20_000;
const MAX_MEMO_VALUE_LENGTH = 256;
let fieldsRoot: FieldsNode = newNode('', '', '');
const fieldsStats = { size: 0, hits: 0, misses: 0, evictions: 0 };

/** Counters of the field-template trie, in the shape of the other memo caches. */
export function fieldsMemoStats(): CacheStats {
  return { name: 'fields-template', capacity: FIELDS_MEMO_CAPACITY, ...fieldsStats };
}

function newNode(key: string, value: string, tail: string): FieldsNode {
  return { key, value, tail, next: [], more: null };
}

/** `fieldsTemplate(fields, override)`, the string memoised per distinct sequence of masked fields. */
export function fieldsTail(
  fields: ReadonlyArray<readonly [string, string]>,
  override?: (key: string, value: string) => string | undefined,
): string {
  const n = fields.length;
  if (n === 0) return '';
  if (fieldsStats.size >= FIELDS_MEMO_CAPACITY) {
    fieldsRoot = newNode('', '', '');
    fieldsStats.evictions += fieldsStats.size;
    fieldsStats.size = 0;
  }
  let node = fieldsRoot;
  let created = false;
  for (let i = 0; i < n; i++) {
    const f = fields[i]!;
    const k = f[0];
    const v = f[1];
    const m = (override === undefined ? undefined : override(k, v)) ?? maskFieldValue(k, v);
    if (m.length > MAX_MEMO_VALUE_LENGTH) {
      // Not memoised: finish by concatenation, exactly as fieldsTemplate does.
      let out = `${node.tail} ${k}=${m}`;
      for (let j = i + 1; j < n; j++) {
        const [k2, v2] = fields[j]!;
        out += ` ${k2}=${override?.(k2, v2) ?? maskFieldValue(k2, v2)}`;
      }
      fieldsStats.misses++;
      return out;
    }
    const next = node.next;
    let child: FieldsNode | undefined;
    for (let j = 0; j < next.length; j++) {
      const c = next[j]!;
      if (c.value === m && c.key === k) {
        child = c;
        break;
      }
    }
    if (child === undefined && node.more !== null) child = node.more.get(k)?.get(m);
    if (child === undefined) {
      child = newNode(k, m, `${node.tail} ${k}=${m}`);
      if (next.length < FIELDS_SCAN) next.push(child);
      else {
        node.more ??= new Map();
        let byValue = node.more.get(k);
        if (byValue === undefined) {
          byValue = new Map();
          node.more.set(k, byValue);
        }
        byValue.set(m, child);
      }
      fieldsStats.size++;
      created = true;
    }
    node = child;
  }
  if (created) fieldsStats.misses++;
  else fieldsStats.hits++;
  return node.tail;
}

/** The template of a record that no rule claimed. Unparsed records: the whole text is masked. */
export function buildTemplate(record: LogRecord): string {
  if (record.format === 'unparsed') return maskText(record.text);
  return maskText(record.message) + fieldsTemplate(record.fields);
}

export { isPlaceholder };
