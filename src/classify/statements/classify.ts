/**
 * The Classification of a record that matched a library statement.
 *
 * Fingerprint contract: the first 16 hex of
 *   sha256(RULESET_VERSION \0 "statement" \0 level \0 kind \0 format \0 keys joined by \x01 [\0 errno])
 * with the line's level, the statement's kind, format and own keys, and for netlink failures the
 * normalised errno (different errnos are different problems). Never the file, line number,
 * component or release: the same statement keeps its fingerprint across Calico releases, file
 * moves and renumbering, with or without the `felix/` prefix.
 *
 * The template is the format with each verb shown as `<operand>` plus ` key=<*>` per own key (the
 * errno in place of the error value for netlink failures). Parameters are named after what the
 * statement prints: each verb's operand expression, the statement's field keys, and `site`
 * (file:line as printed) so reports can show where the call is.
 */
import { createHash } from 'node:crypto';
import type { Category, Classification } from '../../domain/classification.ts';
import type { Level, LogRecord } from '../../domain/record.ts';
import { BoundedCache, type CacheStats } from '../cache.ts';
import { maskFieldValue } from '../miner/template.ts';
import { findErrno, netlinkFacts, netlinkOperation, netlinkParts } from '../rules/netlink.ts';
import { slotName } from './format.ts';
import type { StatementMatch } from './matcher.ts';
import type { StatementLevel } from './types.ts';

/** Words that make an INFO/DEBUG netlink statement without an error field a failure ("Failed to connect"). */
const FAILURE_WORDS = /\b(?:fail(?:ed|ure|s)?|errors?|unable|cannot|can't)\b/i;

/** Longest parameter value kept (top values are for reading, not for storage). */
export const MAX_PARAM_CHARS = 200;
/** At most this many parameters per record. */
export const MAX_PARAMS = 8;

interface Identity {
  readonly fingerprint: string;
  readonly template: string;
}

const identities = new BoundedCache<Identity>('statement-identity', 20_000);

export function statementIdentityStats(): CacheStats {
  return identities.stats();
}

function identity(ruleset: string, m: StatementMatch, level: string, errno: string | null): Identity {
  // The lineage's representative: a reworded call keeps the fingerprint (and template) of its newest wording.
  const root = m.root;
  const st = root.statement;
  const key = `${root.index}\0${level}\0${errno ?? ''}`;
  return identities.get(key, () => {
    const keys = [...st.keys].sort();
    let h = `${ruleset}\0statement\0${level}\0${st.kind}\0${st.format}\0${keys.join('\x01')}`;
    if (errno !== null) h += `\0${errno}`;
    const fingerprint = createHash('sha256').update(h).digest('hex').slice(0, 16);
    let template = root.compiled.template;
    for (const k of keys) {
      template += errno !== null && isErrorKey(k) ? ` ${k}=${errno}` : ` ${k}=<*>`;
    }
    if (errno !== null && !keys.some(isErrorKey)) {
      // The error is a verb of the message (`Netlink: %m` in BIRD): the errno reads in its place.
      const slot = errorSlot(st.args);
      const name = slot < 0 ? null : `<${slotName(st.args, slot)}>`;
      template =
        name !== null && template.includes(name)
          ? template.replace(name, errno)
          : `${template} <errno: ${errno}>`;
    }
    return { fingerprint, template };
  });
}

function domainLevel(l: StatementLevel): Level {
  return l === 'TRACE' ? 'DEBUG' : l;
}

function isErrorKey(k: string): boolean {
  return k === 'error' || k === 'err' || k === 'errors';
}

/** True for a verb operand that is the error itself (`err`, `r.err`, `lastErr`, BIRD's `strerror(ec)`). */
function isErrorOperand(a: string): boolean {
  return a === 'err' || a === 'e' || a.endsWith('.err') || a.endsWith('Err') || a.startsWith('strerror(');
}

/** Index of the verb that prints the error, or -1. */
function errorSlot(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) if (isErrorOperand(args[i]!)) return i;
  return -1;
}

function clip(v: string): string {
  return v.length > MAX_PARAM_CHARS ? v.slice(0, MAX_PARAM_CHARS) : v;
}

function unquote(v: string): string {
  return v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v;
}

/** "Failed to add route" -> "route add": an operation name for netlink sites not in the rule table. */
function operationFromFormat(format: string): string {
  const m =
    /\b(?:to|when|while)\s+(add|delete|del|remove|set|list|get|update|replace|create|sync|flush|dump|read|subscribe|connect|configure)\w*\s+(?:an?\s+|the\s+|some\s+)?([A-Za-z/]+)/i.exec(
      format,
    );
  if (m === null) return 'netlink';
  const verb = m[1]!.toLowerCase().replace(/^remove$|^delete$/, 'del');
  return `${m[2]!.toLowerCase()} ${verb}`;
}

export function classifyByStatement(
  record: LogRecord,
  m: StatementMatch,
  ruleset: string,
  byLevel: (r: LogRecord) => Category,
): Classification {
  const st = m.statement;
  // BIRD prints its level only into its own log file (`<WARN>`), not on stderr, and other lines may
  // print none: their level is the statement's, so every way a line is printed keeps one fingerprint.
  const level = st.kind === 'bird' || record.level === 'UNKNOWN' ? domainLevel(st.level) : record.level;
  if (level !== record.level) record = { ...record, level };
  let category: Category = st.category ?? byLevel(record);
  let errno: string | null = null;
  let params: Record<string, string> = {};
  // A statement the generator did not mark is still a netlink failure when the netlink rule claims
  // the line: a call site of its table (a statement whose wording does not say netlink), or a
  // warning or error whose error names netlink (a daemon giving up on `failed to read from netlink`).
  // Not for BIRD: its statements are marked from its netlink.c, whose reports about routes it read
  // from the kernel ("KRT: Received route ... with strange next-hop") are not failed operations.
  const rule = st.category === null && st.kind !== 'bird' ? netlinkParts(record) : null;
  if (rule !== null) {
    category = 'netlink-error';
    errno = rule.params.errno ?? null;
    params = { ...rule.params };
  } else if (st.category === 'netlink-error') {
    const err = errorValue(record, m);
    const quiet = record.level === 'INFO' || record.level === 'DEBUG';
    if (
      err === '<nil>' ||
      err === '' ||
      (err === undefined && quiet && !FAILURE_WORDS.test(record.message))
    ) {
      // The call logged a nil error, or an INFO/DEBUG notice with no error and no word of failure
      // ("CNI skipping add route. Route already exists"): nothing failed in netlink.
      category = byLevel(record);
    } else {
      const message = record.message.trim();
      const op = netlinkOperation(record.format === 'bird', message) ?? operationFromFormat(st.format);
      const facts = netlinkFacts(record, message, op);
      errno = facts.errno ?? (err !== undefined ? findErrno(err) : null);
      if (errno === null && err !== undefined) errno = maskFieldValue('error', lastCause(err)).toLowerCase();
      if (errno !== null) facts.params.errno = errno;
      params = facts.params;
    }
  }
  const id = identity(ruleset, m, level, errno);
  // What the errno or the tier already says is not repeated as the error or the name it came from.
  const errorSaid = category === 'netlink-error' || category === 'tier-exists';
  const tierSlot = category === 'tier-exists' ? 0 : -1;
  const skipSlot = errorSaid ? errorSlot(st.args) : -1;
  let n = Object.keys(params).length;
  const values = m.values;
  if (tierSlot === 0 && params.tier === undefined && values.length > 0) {
    params.tier = clip(unquote(values[0]!.trim()));
    n++;
  }
  for (let i = 0; i < values.length && n < MAX_PARAMS; i++) {
    if (i === tierSlot || i === skipSlot) continue;
    const name = slotName(st.args, i);
    if (params[name] === undefined) {
      params[name] = clip(unquote(values[i]!.trim()));
      n++;
    }
  }
  const fields = record.fields;
  for (let i = 0; i < fields.length && n < MAX_PARAMS; i++) {
    const [k, v] = fields[i]!;
    if (params[k] !== undefined || (errorSaid && isErrorKey(k))) continue;
    if (!st.keys.includes(k) && !st.context_keys.includes(k)) continue;
    params[k] = clip(v);
    n++;
  }
  if (record.originFile !== null && record.originLine !== null && n < MAX_PARAMS + 1) {
    params.site = `${record.originFile}:${record.originLine}`;
  }
  return {
    fingerprint: id.fingerprint,
    category,
    template: id.template,
    params,
    statement: st.id,
  };
}

/** The error a netlink statement logged: its error field, else the slot of an `err` operand. */
function errorValue(record: LogRecord, m: StatementMatch): string | undefined {
  for (const [k, v] of record.fields) if (isErrorKey(k)) return v;
  const slot = errorSlot(m.statement.args);
  return slot >= 0 && slot < m.values.length ? m.values[slot]!.trim() : undefined;
}

function lastCause(v: string): string {
  const last = v.lastIndexOf(': ');
  return (last >= 0 ? v.slice(last + 2) : v).trim();
}
