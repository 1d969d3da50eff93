/**
 * classify(record) → fingerprint, category, template, params.
 *
 * Pure: no I/O, no logging, no clock, no state that can change a result; never throws on input
 * (any unexpected failure inside a rule falls back to the masked template of the raw text).
 * Order: the tier-exists and netlink rules first, then the template miner (masks only).
 */
import type { Category, Classification, ClassifiedRecord } from '../domain/classification.ts';
import type { Level, LogRecord } from '../domain/record.ts';
import { LOCATED_MEMO_CAP, locatedMemoStats } from '../parse/formats/calico.ts';
import type { CacheStats } from './cache.ts';
import { fingerprint, RULESET_VERSION, templateFingerprint } from './fingerprint.ts';
import { fieldsMemoStats, fieldsTail, maskText, textCache, valueCache } from './miner/template.ts';
import { birdSiteCache, errnoCache, felixSiteCache, netlinkParts } from './rules/netlink.ts';
import { tierExistsParts } from './rules/tier-exists.ts';
import { classifyByStatement, statementIdentityStats } from './statements/classify.ts';
import { shippedLibrary } from './statements/load.ts';
import { StatementMatcher } from './statements/matcher.ts';
import type { Library } from './statements/types.ts';

export type { CacheStats } from './cache.ts';
export { type FingerprintCacheStats, fingerprintCacheStats } from './fingerprint.ts';
export { RULESET_VERSION };

/** Counters of the bounded memo caches (mask-text, netlink errno/site) for telemetry. */
export function classifyCacheStats(): CacheStats[] {
  const located = locatedMemoStats();
  return [
    textCache.stats(),
    fieldsMemoStats(),
    valueCache.stats(),
    errnoCache.stats(),
    felixSiteCache.stats(),
    birdSiteCache.stats(),
    ...(shipped === null ? [] : [shipped.cacheStats()]),
    statementIdentityStats(),
    located,
    {
      // Kept in the located entries: their evictions are its evictions.
      name: 'classification',
      size: located.size,
      capacity: LOCATED_MEMO_CAP,
      hits: classificationMemo.hits,
      misses: classificationMemo.misses,
      evictions: 0,
    },
  ];
}

let shipped: StatementMatcher | null = null;

/** The matcher over the shipped statement library (built on first use). */
export function shippedMatcher(): StatementMatcher {
  if (shipped === null) shipped = new StatementMatcher(shippedLibrary().library);
  return shipped;
}

/** A classify function over another library (tests, tools comparing libraries). */
export function classifierFor(library: Library): (record: LogRecord) => Classification {
  const matcher = new StatementMatcher(library);
  return (record) => classifyWith(matcher, record);
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** Shape words that make a level-less line (BIRD, unparsed-but-structured) a warning. */
const TROUBLE =
  /\b(?:errors?|fail(?:ed|ure|s)?|unable|cannot|can't|unexpected|unknown|refused|timed out|timeout|expired|denied|invalid|dropped|lost)\b/i;

/** Category of a record that no rule claimed: by format and level, then by shape for level-less lines. */
export function categoryByLevel(record: LogRecord): Category {
  if (record.format === 'gopanic') return 'panic';
  const level: Level = record.level;
  switch (level) {
    case 'PANIC':
    case 'FATAL':
      return 'panic';
    case 'ERROR':
      return 'error-other';
    case 'WARNING':
      return 'warning-other';
    case 'INFO':
    case 'DEBUG':
      return 'routine-noise';
    default:
      if (record.format === 'unparsed') return 'unparsed-format';
      return TROUBLE.test(record.message) ? 'warning-other' : 'routine-noise';
  }
}

function classifyUnsafe(matcher: StatementMatcher, original: LogRecord): Classification {
  // A line that does not name its component is classified under the component its statement or
  // source file names, else `unknown` — never the container's name, so the fingerprint does not
  // depend on how the line was shipped.
  const fromLine = original.componentFromLine !== false;
  const probe: LogRecord =
    fromLine || original.component === 'unknown' ? original : { ...original, component: 'unknown' };
  const m = matcher.match(probe);
  if (m !== null) {
    const named = fromLine ? null : matcher.componentOf(m, original);
    const c = classifyByStatement(
      named === null ? probe : { ...probe, component: named },
      m,
      RULESET_VERSION,
      categoryByLevel,
    );
    return named !== null && named !== original.component ? { ...c, component: named } : c;
  }
  const named = fromLine ? null : matcher.componentOfFile(original.originFile);
  const record = named === null ? probe : { ...probe, component: named };
  const c = classifyRules(record);
  return named !== null && named !== original.component ? { ...c, component: named } : c;
}

/** The rules, then masking, for a line no statement matched. */
function classifyRules(record: LogRecord): Classification {
  const tier = tierExistsParts(record);
  if (tier !== null) {
    const tf = templateFingerprint(record.component, record.level, tier.head, tier.tail);
    return {
      fingerprint: tf.fingerprint,
      category: 'tier-exists',
      template: tf.template,
      params: tier.params,
    };
  }
  const nl = netlinkParts(record);
  if (nl !== null) {
    const tf = templateFingerprint(record.component, record.level, nl.head, nl.tail);
    return {
      fingerprint: tf.fingerprint,
      category: 'netlink-error',
      template: tf.template,
      params: nl.params,
    };
  }
  // The template of a record no rule claimed (template.ts buildTemplate), as head + interned tail.
  const unparsed = record.format === 'unparsed';
  const head = maskText(unparsed ? record.text : record.message);
  const tail = unparsed ? '' : fieldsTail(record.fields);
  const tf = templateFingerprint(record.component, record.level, head, tail);
  return {
    fingerprint: tf.fingerprint,
    category: categoryByLevel(record),
    template: tf.template,
    params: NO_PARAMS,
  };
}

/**
 * classify() plus the record as it is counted: under the component the classification names when
 * the line does not print one (a copy only for those lines).
 */
export function classifyRecord(record: LogRecord): ClassifiedRecord {
  const classification = classify(record);
  const c = classification.component;
  return {
    record: c === undefined || c === record.component ? record : { ...record, component: c },
    classification,
  };
}

/**
 * Classify one record. Total: returns a Classification for every input. A line that one of the
 * library's statements printed is classified by that statement (statements/classify.ts); the
 * others by the Tier-exists and netlink rules, then by masking.
 */
export function classify(record: LogRecord): Classification {
  const loc = record.located;
  if (loc === undefined || record.format !== 'calico') return classifyWith(shippedMatcher(), record);
  // A Calico line: what classify reads of it is its level, its component and the text from its
  // location on, which `loc` stands for (shared by every record of that text: message, fields and
  // origin are loc's). The last classification of that text is kept in loc, with its level and
  // component; a record that differs in either is classified again (and replaces it).
  const fromLine = record.componentFromLine !== false;
  const m = loc.memo as ClassificationMemo | null;
  if (
    m !== null &&
    m.level === record.level &&
    m.component === record.component &&
    m.fromLine === fromLine &&
    m.message === record.message &&
    m.fields === record.fields
  ) {
    classificationMemo.hits++;
    return m.classification;
  }
  classificationMemo.misses++;
  const classification = classifyWith(shippedMatcher(), record);
  // Kept only for a text seen twice: most texts of a non-repeating stream are never seen again.
  if (!loc.reused) return classification;
  loc.memo = {
    level: record.level,
    component: record.component,
    fromLine,
    message: record.message,
    fields: record.fields,
    classification,
  } satisfies ClassificationMemo;
  return classification;
}

interface ClassificationMemo {
  readonly level: Level;
  readonly component: string;
  readonly fromLine: boolean;
  readonly message: string;
  readonly fields: LogRecord['fields'];
  readonly classification: Classification;
}

/** Counters of classify()'s memo (kept in the located parts of Calico lines: their cap is its cap). */
const classificationMemo = { hits: 0, misses: 0 };

function classifyWith(matcher: StatementMatcher, record: LogRecord): Classification {
  try {
    return classifyUnsafe(matcher, record);
  } catch {
    // Defensive only (no known input reaches this): mask the raw text so the line is still counted.
    const text = typeof record?.text === 'string' ? record.text : String(record?.text ?? '');
    const template = maskText(text);
    const component = typeof record?.component === 'string' ? record.component : 'unknown';
    const level = typeof record?.level === 'string' ? record.level : 'UNKNOWN';
    return {
      fingerprint: fingerprint(component, level, template),
      category: 'unparsed-format',
      template,
      params: NO_PARAMS,
    };
  }
}
