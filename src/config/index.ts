/**
 * Configuration: declared once in schemas/config.schema.json, validated once with ajv, frozen and
 * injected. This folder is the only reader of process.env.
 *
 * Precedence (lowest first): schema defaults < `--config FILE` (YAML or JSON) < environment
 * variables (src/config/env.ts) < command-line flags (`--bucket CATEGORY=DURATION`).
 * Every problem is reported at once, each saying what to change; the error exits 2.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import schema from '../../schemas/config.schema.json' with { type: 'json' };
import { type AggregateConfig, DEFAULT_AGGREGATE_CONFIG } from '../aggregate/config.ts';
import { CATEGORIES } from '../domain/classification.ts';
import { LogsiftError } from '../errors.ts';
import type { FindingsConfig } from '../findings/config.ts';
import { isValidZone } from '../parse/timestamp.ts';
import { parseDuration } from './duration.ts';
import { ENV_VARS } from './env.ts';
import type { BucketCategory, Config } from './types.ts';

export { formatDuration, parseDuration } from './duration.ts';
export { ENV_VARS } from './env.ts';
export type { BucketCategory, Config, LogLevel } from './types.ts';

export const BUCKET_CATEGORIES: readonly BucketCategory[] = [...CATEGORIES, 'dead-letter'];

export interface LoadOptions {
  /** Environment to read; defaults to process.env (tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** `--config FILE`: YAML or JSON. */
  readonly configFile?: string | undefined;
  /** `--bucket CATEGORY=DURATION` flags, highest precedence. */
  readonly buckets?: readonly string[] | undefined;
  /** Sections the command needs filled in (`run` needs both). */
  readonly require?: readonly ('kafka' | 'elasticsearch')[];
}

type Tree = Record<string, unknown>;

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** Load, merge, validate and freeze. Throws LogsiftError('CONFIG_INVALID' | 'CONFIG_FILE') listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  /** dotted path -> where the value came from, to point the user at the right knob. */
  const origin = new Map<string, string>();

  let tree: Tree = {};
  if (options.configFile !== undefined) {
    tree = readConfigFile(options.configFile);
  }

  const envApplied: string[] = [];
  for (const spec of ENV_VARS) {
    const raw = env[spec.name];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(tree, spec.path, spec.parse(raw));
    origin.set(spec.path, spec.name);
    envApplied.push(spec.name);
  }

  for (const flag of options.buckets ?? []) {
    const parsed = parseBucketFlag(flag);
    if (typeof parsed === 'string') {
      problems.push(parsed);
      continue;
    }
    setPath(tree, `aggregate.buckets.${parsed.category}`, parsed.text);
    origin.set(`aggregate.buckets.${parsed.category}`, '--bucket');
  }

  if (!validate(tree)) {
    for (const err of validate.errors ?? []) {
      const msg = describeSchemaError(err, origin);
      if (msg !== null && !problems.includes(msg)) problems.push(msg);
    }
  }

  // Cross-field rules run even when the schema failed, so the user sees every problem at once;
  // they skip values the schema already rejected.
  for (const msg of crossChecks(tree, origin, options.require ?? [])) {
    if (!problems.includes(msg)) problems.push(msg);
  }
  if (problems.length > 0) {
    throw new LogsiftError('CONFIG_INVALID', `invalid configuration (${problems.length} problem(s))`, {
      details: problems,
    });
  }
  return deepFreeze(resolve(tree, options.configFile ?? null, envApplied));
}

/** The AggregateConfig the pure aggregate/ code takes, from the resolved config and the classifier's ruleset. */
export function toAggregateConfig(config: Config, rulesetVersion: string): AggregateConfig {
  return Object.freeze({
    ...DEFAULT_AGGREGATE_CONFIG,
    rulesetVersion,
    bucketMs: Object.freeze({ ...config.aggregate.bucketMs }),
    statsBucketMs: config.aggregate.statsBucketMs,
    plausiblePastMs: config.aggregate.plausiblePastMs,
    plausibleFutureMs: config.aggregate.plausibleFutureMs,
    lateAfterMs: config.aggregate.lateAfterMs,
    indexPrefix: config.aggregate.indexPrefix,
    caps: Object.freeze({ ...config.aggregate.caps }),
  });
}

/** `CATEGORY=DURATION` -> parts, or a message saying what is wrong and what is accepted. */
export function parseBucketFlag(
  flag: string,
): { category: BucketCategory; text: string; ms: number } | string {
  const eq = flag.indexOf('=');
  if (eq <= 0) {
    return `--bucket ${JSON.stringify(flag)}: expected CATEGORY=DURATION, e.g. --bucket tier-exists=1d`;
  }
  const category = flag.slice(0, eq).trim();
  const text = flag.slice(eq + 1).trim();
  if (!(BUCKET_CATEGORIES as readonly string[]).includes(category)) {
    return `--bucket ${JSON.stringify(flag)}: unknown category ${JSON.stringify(category)} — valid categories: ${BUCKET_CATEGORIES.join(', ')}`;
  }
  const ms = parseDuration(text);
  if (ms === null || ms < 1000) {
    return `--bucket ${JSON.stringify(flag)}: bad duration ${JSON.stringify(text)} — use a whole number with s, m, h or d, e.g. 10s, 1m, 1h, 1d`;
  }
  return { category: category as BucketCategory, text, ms };
}

function readConfigFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new LogsiftError('CONFIG_FILE', `--config ${path}: cannot read the file`, {
      cause,
      details: [`--config ${path}: ${(cause as Error).message} — pass an existing YAML or JSON file`],
    });
  }
  let parsed: unknown;
  try {
    // YAML 1.2 is a superset of JSON, so one parser serves both.
    parsed = text.trim() === '' ? {} : parseYaml(text);
  } catch (cause) {
    throw new LogsiftError('CONFIG_FILE', `--config ${path}: not valid YAML/JSON`, {
      cause,
      details: [`--config ${path}: ${(cause as Error).message.split('\n')[0]} — fix the syntax`],
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LogsiftError('CONFIG_FILE', `--config ${path}: the top level must be a mapping`, {
      details: [
        `--config ${path}: the top level must be a mapping of sections (parse, aggregate, kafka, ...)`,
      ],
    });
  }
  return parsed as Tree;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Tree = tree;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Tree;
  }
  node[keys[keys.length - 1]!] = value;
}

function getPath(tree: Tree, path: string): unknown {
  let node: unknown = tree;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Tree)[key];
  }
  return node;
}

/** How to change a key: its env var when one exists, else the config file. */
function howToSet(path: string, origin: Map<string, string>): string {
  const from = origin.get(path);
  if (from === '--bucket') return 'fix the --bucket flag';
  if (from !== undefined) return `fix ${from}`;
  const env = ENV_VARS.find((v) => v.path === path);
  return env
    ? `set ${env.name}=${env.example.split(' ')[0]} or ${path} in --config`
    : `set ${path} in --config`;
}

function describeSchemaError(err: ErrorObject, origin: Map<string, string>): string | null {
  const path = err.instancePath
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const where = path === '' ? '(top level)' : path;
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty: string }).additionalProperty);
      const full = path === '' ? extra : `${path}.${extra}`;
      const allowed = allowedKeys(path);
      return `${full}: unknown key — remove it${allowed ? ` (allowed here: ${allowed})` : ''}`;
    }
    case 'required': {
      const missing = String((err.params as { missingProperty: string }).missingProperty);
      const full = path === '' ? missing : `${path}.${missing}`;
      return `${full}: required — ${howToSet(full, origin)}`;
    }
    case 'pattern':
      if (/duration|bucket|lateAfter|plausible|statsBucket/i.test(where)) {
        return `${where}: bad duration — use a whole number with a unit (10s, 1m, 1h, 1d); ${howToSet(path, origin)}`;
      }
      return `${where}: ${err.message} — ${howToSet(path, origin)}`;
    case 'oneOf':
      if (path === 'kafka.topics') {
        return `kafka.topics: must be a list of topic names or one "/regex/" string — ${howToSet(path, origin)}`;
      }
      return `${where}: ${err.message} — ${howToSet(path, origin)}`;
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) =>
        JSON.stringify(v),
      );
      return `${where}: must be one of ${allowed.join(', ')} — ${howToSet(path, origin)}`;
    }
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'minLength':
    case 'minItems':
      // oneOf branches of kafka.topics are summarised by the oneOf message.
      if (path.startsWith('kafka.topics')) return null;
      return `${where}: ${err.message} — ${howToSet(path, origin)}`;
    default:
      return `${where}: ${err.message ?? err.keyword} — ${howToSet(path, origin)}`;
  }
}

function allowedKeys(path: string): string | null {
  let node: Record<string, unknown> = schema as unknown as Record<string, unknown>;
  for (const key of path.split('.').filter((s) => s.length > 0)) {
    const props = node.properties as Record<string, Record<string, unknown>> | undefined;
    const next = props?.[key];
    if (!next) return null;
    node = next;
  }
  const props = node.properties as Record<string, unknown> | undefined;
  return props ? Object.keys(props).join(', ') : null;
}

const DAY_MS = 86_400_000;

/** Rules JSON Schema cannot say: durations that make sense, timeouts that respect each other, required sections. */
function crossChecks(tree: Tree, origin: Map<string, string>, require: readonly string[]): string[] {
  const out: string[] = [];
  for (const category of BUCKET_CATEGORIES) {
    const path = `aggregate.buckets.${category}`;
    const ms = parseDuration(String(getPath(tree, path)));
    if (ms === null) continue; // reported by the schema
    if (ms < 1000 || ms > DAY_MS || DAY_MS % ms !== 0) {
      out.push(
        `${path}: ${JSON.stringify(getPath(tree, path))} must be between 1s and 1d and divide a day evenly (so a bucket never spans two daily indices) — ${howToSet(path, origin)}`,
      );
    }
  }
  const stats = parseDuration(String(getPath(tree, 'aggregate.statsBucket')));
  if (stats !== null && (stats > DAY_MS || DAY_MS % stats !== 0)) {
    out.push(
      'aggregate.statsBucket: must divide a day evenly (e.g. 1h) — set aggregate.statsBucket in --config',
    );
  }
  const zone = getPath(tree, 'parse.defaultZone');
  if (typeof zone === 'string' && !isValidZone(zone)) {
    out.push(
      `parse.defaultZone: ${JSON.stringify(zone)} is not a known time zone — use UTC, a fixed offset like +02:00, or an IANA name like Europe/Berlin; set parse.defaultZone in --config`,
    );
  }
  const session = Number(getPath(tree, 'kafka.sessionTimeoutMs'));
  const heartbeat = Number(getPath(tree, 'kafka.heartbeatIntervalMs'));
  const esTimeout = Number(getPath(tree, 'elasticsearch.requestTimeoutMs'));
  if (Number.isFinite(session) && heartbeat * 3 > session) {
    out.push(
      'kafka.heartbeatIntervalMs: must be at most a third of kafka.sessionTimeoutMs — lower it or raise kafka.sessionTimeoutMs in --config',
    );
  }
  if (Number.isFinite(session) && esTimeout * 3 > session) {
    out.push(
      'elasticsearch.requestTimeoutMs: must be at most a third of kafka.sessionTimeoutMs (a stuck bulk must not outlive group membership) — lower it in --config',
    );
  }
  if (require.includes('kafka')) {
    const brokers = getPath(tree, 'kafka.brokers');
    if (!Array.isArray(brokers) || brokers.length === 0) {
      out.push(`kafka.brokers: required — ${howToSet('kafka.brokers', origin)}`);
    }
    const topics = getPath(tree, 'kafka.topics');
    if (Array.isArray(topics) && topics.length === 0) {
      out.push(`kafka.topics: required — ${howToSet('kafka.topics', origin)}`);
    }
  }
  if (require.includes('elasticsearch') && getPath(tree, 'elasticsearch.url') === undefined) {
    out.push(`elasticsearch.url: required — ${howToSet('elasticsearch.url', origin)}`);
  }
  const apiKey = getPath(tree, 'elasticsearch.apiKey');
  const user = getPath(tree, 'elasticsearch.username');
  if (apiKey !== undefined && user !== undefined) {
    out.push(
      'elasticsearch: set either apiKey (ES_API_KEY) or username/password (ES_USERNAME/ES_PASSWORD), not both',
    );
  }
  if ((user === undefined) !== (getPath(tree, 'elasticsearch.password') === undefined)) {
    out.push('elasticsearch.username/password: set both or neither (ES_USERNAME and ES_PASSWORD)');
  }
  const topics = getPath(tree, 'kafka.topics');
  if (typeof topics === 'string' && /^\/.+\/$/.test(topics)) {
    try {
      new RegExp(topics.slice(1, -1));
    } catch (e) {
      out.push(
        `kafka.topics: ${JSON.stringify(topics)} is not a valid regular expression (${(e as Error).message}) — ${howToSet('kafka.topics', origin)}`,
      );
    }
  }
  return out;
}

function ms(tree: Tree, path: string): number {
  return parseDuration(String(getPath(tree, path))) as number;
}

function resolve(tree: Tree, configFile: string | null, env: string[]): Config {
  const t = tree as unknown as {
    parse: Config['parse'];
    aggregate: { indexPrefix: string; caps: Config['aggregate']['caps'] };
    epoch: Config['epoch'];
    file: Config['file'];
    kafka: Omit<Config['kafka'], 'topics'> & { topics: string[] | string };
    elasticsearch: Config['elasticsearch'];
    http: Config['http'];
    shutdownTimeoutMs: number;
    log: Config['log'];
  };
  const bucketMs = Object.fromEntries(
    BUCKET_CATEGORIES.map((c) => [c, ms(tree, `aggregate.buckets.${c}`)]),
  ) as Record<BucketCategory, number>;
  const topics = t.kafka.topics;
  return {
    parse: { ...t.parse },
    aggregate: {
      bucketMs,
      statsBucketMs: ms(tree, 'aggregate.statsBucket'),
      lateAfterMs: ms(tree, 'aggregate.lateAfter'),
      plausiblePastMs: ms(tree, 'aggregate.plausiblePast'),
      plausibleFutureMs: ms(tree, 'aggregate.plausibleFuture'),
      indexPrefix: t.aggregate.indexPrefix,
      caps: { ...t.aggregate.caps },
    },
    epoch: { ...t.epoch },
    file: { ...t.file },
    kafka: { ...t.kafka, topics: typeof topics === 'string' ? new RegExp(topics.slice(1, -1)) : [...topics] },
    elasticsearch: { ...t.elasticsearch },
    http: { ...t.http },
    shutdownTimeoutMs: t.shutdownTimeoutMs,
    log: { ...t.log },
    findings: resolveFindings(tree),
    provenance: { configFile, env },
  };
}

/** The findings section: durations to ms (the schema filled every default). */
function resolveFindings(tree: Tree): FindingsConfig {
  const f = getPath(tree, 'findings') as {
    new: FindingsConfig['new'];
    spread: { categories: FindingsConfig['spread']['categories']; minNodes: number; minLinesPerNode: number };
    rising: FindingsConfig['rising'];
    noise: FindingsConfig['noise'];
    knownIssues: FindingsConfig['knownIssues'];
    service: { maxPoints: number };
    calicoVersion: string | null;
  };
  const version = f.calicoVersion;
  return {
    stepMs: ms(tree, 'findings.step'),
    lookbackMs: ms(tree, 'findings.lookback'),
    minHistoryMs: ms(tree, 'findings.minHistory'),
    new: { ...f.new, categories: [...f.new.categories] },
    spread: {
      categories: [...f.spread.categories],
      windowMs: ms(tree, 'findings.spread.window'),
      minNodes: f.spread.minNodes,
      minLinesPerNode: f.spread.minLinesPerNode,
    },
    rising: { ...f.rising },
    resetOnRestart: { minGapMs: ms(tree, 'findings.resetOnRestart.minGap') },
    noise: { ...f.noise, categories: [...f.noise.categories] },
    knownIssues: { ...f.knownIssues },
    service: {
      intervalMs: ms(tree, 'findings.service.interval'),
      windowMs: ms(tree, 'findings.service.window'),
      maxPoints: f.service.maxPoints,
    },
    calicoVersion: version === null ? null : version.startsWith('v') ? version : `v${version}`,
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof RegExp) && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
