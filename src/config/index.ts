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
import { ENV_VARS, SECRET_SPECS, type SecretSpec } from './env.ts';
import { REDACTED, Secret, type SecretSource } from './secret.ts';
import type { BucketCategory, Config } from './types.ts';

export { formatDuration, parseDuration } from './duration.ts';
export { ENV_VARS, SECRET_SPECS } from './env.ts';
export { isSecret, REDACTED, Secret, type SecretSource } from './secret.ts';
export type {
  BucketCategory,
  Config,
  HttpServiceConfig,
  KafkaTlsConfig,
  LogLevel,
  SaslMechanism,
} from './types.ts';

export const BUCKET_CATEGORIES: readonly BucketCategory[] = [...CATEGORIES, 'dead-letter'];

export interface LoadOptions {
  /** Environment to read; defaults to process.env (tests pass their own). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** `--config FILE`: YAML or JSON. */
  readonly configFile?: string | undefined;
  /** `--bucket CATEGORY=DURATION` flags, highest precedence. */
  readonly buckets?: readonly string[] | undefined;
  /**
   * Command-line settings (`report --es URL --password-file F`), highest precedence. `path` is the
   * config key; for a secret, its value key (`elasticsearch.password`) or file key (`...passwordFile`).
   */
  readonly flags?: readonly FlagSetting[];
  /** Sections the command needs filled in (`run` needs kafka and elasticsearch). */
  readonly require?: readonly ('kafka' | 'elasticsearch' | 'kibana')[];
}

export interface FlagSetting {
  readonly path: string;
  readonly value: unknown;
  /** The flag as the user typed it, for messages (`--ca-file`). */
  readonly flag: string;
}

/** What `logsift config show` prints: the validated tree (defaults filled, secrets redacted). */
export interface EffectiveConfig {
  readonly config: Config;
  /** The configuration as a user would write it, after defaults, file, env and flags; secrets are `**REDACTED**`. */
  readonly tree: Record<string, unknown>;
  /** Every secret that is set: its config path and where it came from (never its value). */
  readonly secrets: readonly { readonly path: string; readonly source: SecretSource }[];
}

type Tree = Record<string, unknown>;

// verbose: errors carry the offending value, so messages can say what was found (never for secrets).
const ajv = new Ajv2020({
  allErrors: true,
  useDefaults: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
});
const validate = ajv.compile(schema);

/** Load, merge, validate and freeze. Throws LogsiftError('CONFIG_INVALID' | 'CONFIG_FILE') listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  return loadEffectiveConfig(options).config;
}

/** loadConfig, plus the effective tree and the secrets' sources (for `logsift config show`). */
export function loadEffectiveConfig(options: LoadOptions = {}): EffectiveConfig {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  /** dotted path -> where the value came from, to point the user at the right knob. */
  const origin = new Map<string, string>();
  /** secret value path -> where it came from (before the file is read). */
  const secretOrigin = new Map<string, SecretSource>();

  let tree: Tree = {};
  if (options.configFile !== undefined) {
    tree = readConfigFile(options.configFile);
    for (const spec of SECRET_SPECS) {
      if (getPath(tree, spec.path) !== undefined) {
        secretOrigin.set(spec.path, {
          from: 'config',
          name: `${spec.path} in --config ${options.configFile}`,
        });
      }
    }
  }
  // An explicit `kafka.tls.enabled: false` next to a CA file is a contradiction worth reporting.
  const tlsExplicit = getPath(tree, 'kafka.tls.enabled');

  const envApplied: string[] = [];
  for (const spec of ENV_VARS) {
    const raw = env[spec.name];
    if (raw === undefined || raw.trim() === '') continue;
    setPath(tree, spec.path, spec.parse(raw));
    origin.set(spec.path, spec.name);
    envApplied.push(spec.name);
  }
  for (const spec of SECRET_SPECS) {
    const value = env[spec.env];
    const file = env[spec.fileEnv];
    const hasValue = value !== undefined && value !== '';
    const hasFile = file !== undefined && file.trim() !== '';
    if (hasValue && hasFile) {
      problems.push(`${spec.env} and ${spec.fileEnv} are both set: keep one (${spec.fileEnv} is safer)`);
      continue;
    }
    if (!hasValue && !hasFile) continue;
    // env wins over the config file, whichever of value/file each one used.
    deletePath(tree, spec.path);
    deletePath(tree, spec.filePath);
    if (hasValue) {
      setPath(tree, spec.path, value);
      origin.set(spec.path, spec.env);
      secretOrigin.set(spec.path, { from: 'env', name: spec.env });
      envApplied.push(spec.env);
    } else {
      setPath(tree, spec.filePath, (file ?? '').trim());
      origin.set(spec.filePath, spec.fileEnv);
      origin.set(spec.path, spec.fileEnv);
      envApplied.push(spec.fileEnv);
    }
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
  for (const f of options.flags ?? []) {
    const spec = SECRET_SPECS.find((s) => s.path === f.path || s.filePath === f.path);
    if (spec) {
      deletePath(tree, spec.path);
      deletePath(tree, spec.filePath);
      if (f.path === spec.path) secretOrigin.set(spec.path, { from: 'flag', name: f.flag });
      else origin.set(spec.path, f.flag);
    }
    setPath(tree, f.path, f.value);
    origin.set(f.path, f.flag);
  }

  forgive(tree);
  const secrets = readSecrets(tree, origin, secretOrigin, problems);

  if (!validate(tree)) {
    for (const err of validate.errors ?? []) {
      const msg = describeSchemaError(err, origin);
      if (msg !== null && !problems.includes(msg)) problems.push(msg);
    }
  }

  // Cross-field rules run even when the schema failed, so the user sees every problem at once;
  // they skip values the schema already rejected.
  for (const msg of crossChecks(tree, origin, options.require ?? [], tlsExplicit)) {
    if (!problems.includes(msg)) problems.push(msg);
  }
  if (problems.length > 0) {
    throw new LogsiftError('CONFIG_INVALID', `invalid configuration (${problems.length} problem(s))`, {
      details: problems,
    });
  }
  const config = deepFreeze(resolve(tree, secrets, options.configFile ?? null, envApplied));
  const shown = structuredClone(tree);
  for (const path of secrets.keys()) setPath(shown, path, REDACTED);
  return {
    config,
    tree: deepFreeze(shown),
    secrets: [...secrets].map(([path, s]) => ({ path, source: s.source })),
  };
}

/**
 * Warnings about a valid but risky configuration, for the command to log at start-up (the loader
 * does not log): credentials in clear text, certificate checks off.
 */
export function configWarnings(config: Config): string[] {
  const out: string[] = [];
  const k = config.kafka;
  if (k.tls.insecureSkipVerify) {
    out.push(
      'kafka.tls.insecureSkipVerify is ON: any broker certificate is accepted, so anyone on the network path can read and change the traffic and take the SASL credentials; set it false and give KAFKA_TLS_CA_FILE instead',
    );
  }
  if (k.sasl && !k.tls.enabled) {
    out.push(
      k.sasl.mechanism === 'plain'
        ? 'SASL PLAIN without TLS: the Kafka password crosses the network in clear text; set KAFKA_TLS=true (or KAFKA_TLS_CA_FILE)'
        : `SASL ${k.sasl.mechanism.toUpperCase()} without TLS: the password is not sent, but every log line is readable on the network; set KAFKA_TLS=true (or KAFKA_TLS_CA_FILE)`,
    );
  }
  for (const [name, s] of [
    ['elasticsearch', config.elasticsearch],
    ['kibana', config.kibana],
  ] as const) {
    if ((s.password !== undefined || s.apiKey !== undefined) && s.url?.startsWith('http://')) {
      out.push(
        `${name}.url is http:// but credentials are set: they cross the network in clear text; use https://`,
      );
    }
  }
  return out;
}

/** Normalise a SHA-256 fingerprint to `AA:BB:...` (64 hex digits), or null when it is not one. */
export function normalizeFingerprint(text: string): string | null {
  // openssl prints `sha256 Fingerprint=AB:CD:...`; Elasticsearch prints bare hex.
  const hex = text
    .trim()
    .replace(/^sha-?256\s*fingerprint\s*=\s*/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  return hex.toUpperCase().match(/../g)!.join(':');
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

function deletePath(tree: Tree, path: string): void {
  const keys = path.split('.');
  const parent = getPath(tree, keys.slice(0, -1).join('.'));
  if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) {
    delete (parent as Tree)[keys[keys.length - 1]!];
  }
}

const commaList = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * The config file is as forgiving as the environment: one broker or topic may be written as a
 * plain string (`brokers: kafka-0:9092`, `topics: calico`, or a comma list), and enum-like words
 * in any case (`mechanism: SCRAM-SHA-512`, `level: INFO`).
 */
function forgive(tree: Tree): void {
  const brokers = getPath(tree, 'kafka.brokers');
  if (typeof brokers === 'string') setPath(tree, 'kafka.brokers', commaList(brokers));
  const topics = getPath(tree, 'kafka.topics');
  if (typeof topics === 'string' && !/^\/.+\/$/.test(topics.trim())) {
    setPath(tree, 'kafka.topics', commaList(topics));
  }
  for (const path of ['kafka.sasl.mechanism', 'log.level']) {
    const v = getPath(tree, path);
    if (typeof v === 'string') setPath(tree, path, v.trim().toLowerCase());
  }
}

/**
 * Reads every `*File` secret and turns every secret into a Secret. The plain value stays in the
 * tree only for validation (the tree never leaves the loader unredacted).
 */
function readSecrets(
  tree: Tree,
  origin: Map<string, string>,
  secretOrigin: Map<string, SecretSource>,
  problems: string[],
): Map<string, Secret> {
  const out = new Map<string, Secret>();
  for (const spec of SECRET_SPECS) {
    const value = getPath(tree, spec.path);
    const file = getPath(tree, spec.filePath);
    if (value !== undefined && file !== undefined) {
      problems.push(
        `${spec.path} and ${spec.filePath} are both set: keep one (${spec.filePath} / ${spec.fileEnv} is safer)`,
      );
      continue;
    }
    if (typeof file === 'string' && file !== '') {
      const name = origin.get(spec.filePath) ?? spec.filePath;
      const read = readSecretFile(file, name, spec);
      if (typeof read !== 'string') {
        problems.push(read.problem);
        deletePath(tree, spec.filePath);
        continue;
      }
      setPath(tree, spec.path, read);
      out.set(spec.path, new Secret(read, { from: 'file', name, path: file }));
    } else if (typeof value === 'string' && value !== '') {
      out.set(
        spec.path,
        new Secret(value, secretOrigin.get(spec.path) ?? { from: 'config', name: spec.path }),
      );
    }
  }
  return out;
}

/** The file's text without its trailing newline(s) (`echo pw > file`, Kubernetes Secrets), or a problem naming variable and path. */
function readSecretFile(path: string, name: string, spec: SecretSpec): string | { problem: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    return {
      problem: `${name}: cannot read ${path} (${why}) — mount the secret there or point ${name === spec.fileEnv ? spec.fileEnv : name} at the file that holds it`,
    };
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '')
    return { problem: `${name}: ${path} is empty — put the ${spec.path.split('.').pop()} in it` };
  return value;
}

/** A config file's CA/certificate/key: readable and PEM, or a problem. */
function pemProblem(tree: Tree, path: string, origin: Map<string, string>): string | null {
  const file = getPath(tree, path);
  if (typeof file !== 'string' || file === '') return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return `${path}: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code}) — ${howToSet(path, origin)}`;
  }
  if (!text.includes('-----BEGIN ')) {
    return `${path}: ${file} is not a PEM file (no "-----BEGIN" line) — give the PEM file (convert DER with: openssl x509 -inform der -in FILE -out FILE.pem)`;
  }
  return null;
}

/** How to change a key: its env var when one exists, else the config file. */
function howToSet(path: string, origin: Map<string, string>): string {
  const from = origin.get(path);
  if (from === '--bucket') return 'fix the --bucket flag';
  if (from !== undefined) return `fix ${from}`;
  const env = ENV_VARS.find((v) => v.path === path);
  if (env) return `set ${env.name}=${env.example.split(' ')[0]} or ${path} in --config`;
  const secret = SECRET_SPECS.find((s) => s.path === path);
  if (secret)
    return `set ${secret.fileEnv}=/path/to/secret (or ${secret.env}) or ${secret.filePath} in --config`;
  return `set ${path} in --config`;
}

const SECRET_PATHS = new Set(SECRET_SPECS.map((s) => s.path));

/** What a key expects, in words. */
function expectation(path: string, type: string): string {
  if (path === 'kafka.brokers') return 'a list of host:port';
  if (/^kafka\.brokers\.\d+$/.test(path)) return 'host:port text';
  if (path === 'kafka.topics') return 'a list of topic names or one "/regex/"';
  switch (type) {
    case 'array':
      return 'a list';
    case 'string':
      return 'text';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
      return 'a mapping (key: value lines)';
    default:
      return type;
  }
}

/** What was found, in words; a secret's value is never shown. */
function found(value: unknown, path: string): string {
  const secret = SECRET_PATHS.has(path);
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'number':
      return secret ? 'a number (quote it in YAML)' : `a number (${value})`;
    case 'boolean':
      return secret ? 'true/false' : String(value);
    case 'string':
      return secret ? 'text' : `"${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** `kafka.brokers.0` -> `kafka.brokers[0]`. */
function display(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

function describeSchemaError(err: ErrorObject, origin: Map<string, string>): string | null {
  const path = err.instancePath
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const where = path === '' ? '(top level)' : display(path);
  // The key the user sets: list items are set through their list.
  const knob = path.replace(/\.\d+$/, '');
  const fix = howToSet(knob, origin);
  const got = found(err.data, path);
  switch (err.keyword) {
    case 'additionalProperties': {
      const extra = String((err.params as { additionalProperty: string }).additionalProperty);
      const full = path === '' ? extra : `${path}.${extra}`;
      if (full === 'kafka.ssl')
        return 'kafka.ssl: replaced by kafka.tls.enabled (or KAFKA_TLS=true) — rename it';
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
        return `${where}: bad duration ${got} — use a whole number with a unit (10s, 1m, 1h, 1d); ${fix}`;
      }
      if (path.endsWith('.url'))
        return `${where}: expected a URL starting with http:// or https://, got ${got} — ${fix}`;
      if (path === 'aggregate.indexPrefix') {
        return `${where}: expected lower-case letters, digits, '_', '.' or '-' (starting with a letter or digit), got ${got} — ${fix}`;
      }
      return `${where}: ${got} does not match ${(err.params as { pattern: string }).pattern} — ${fix}`;
    case 'oneOf':
      if (path === 'kafka.topics')
        return `kafka.topics: expected ${expectation(path, '')}, got ${got} — ${fix}`;
      return `${where}: ${err.message} — ${fix}`;
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) =>
        JSON.stringify(v),
      );
      return `${where}: must be one of ${allowed.join(', ')}, got ${got} — ${fix}`;
    }
    case 'type':
      // oneOf branches of kafka.topics are summarised by the oneOf message.
      if (path.startsWith('kafka.topics')) return null;
      return `${where}: expected ${expectation(path, String((err.params as { type: string }).type))}, got ${got} — ${fix}`;
    case 'minimum':
    case 'maximum': {
      const limit = (err.params as { limit: number }).limit;
      return `${where}: must be ${err.keyword === 'minimum' ? 'at least' : 'at most'} ${limit}, got ${got} — ${fix}`;
    }
    case 'minLength':
      if (path.startsWith('kafka.topics')) return null;
      return `${where}: must not be empty — ${fix}`;
    case 'minItems':
      if (path.startsWith('kafka.topics')) return null;
      return `${where}: must not be an empty list — ${fix}`;
    default:
      return `${where}: ${err.message ?? err.keyword} — ${fix}`;
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
function crossChecks(
  tree: Tree,
  origin: Map<string, string>,
  require: readonly string[],
  tlsExplicit: unknown,
): string[] {
  const out: string[] = [];
  out.push(...securityChecks(tree, origin, tlsExplicit));
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
  if (require.includes('kibana') && getPath(tree, 'kibana.url') === undefined) {
    out.push(`kibana.url: required — pass --url URL or set KIBANA_URL=https://kibana:5601`);
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

/** TLS files, SASL and HTTP credentials that make sense together. */
function securityChecks(tree: Tree, origin: Map<string, string>, tlsExplicit: unknown): string[] {
  const out: string[] = [];
  const files = ['kafka.tls.caFile', 'kafka.tls.certFile', 'kafka.tls.keyFile'];
  for (const path of [...files, 'elasticsearch.caFile', 'kibana.caFile']) {
    const p = pemProblem(tree, path, origin);
    if (p !== null) out.push(p);
  }
  if (tlsExplicit === false && files.some((f) => getPath(tree, f) !== undefined)) {
    out.push(
      'kafka.tls.enabled is false but a TLS file (caFile/certFile/keyFile) is set — remove one of them',
    );
  }
  if (
    (getPath(tree, 'kafka.tls.certFile') === undefined) !==
    (getPath(tree, 'kafka.tls.keyFile') === undefined)
  ) {
    out.push(
      'kafka.tls.certFile and kafka.tls.keyFile go together (KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE): set both or neither',
    );
  }
  const sasl = getPath(tree, 'kafka.sasl');
  if (sasl !== null && typeof sasl === 'object' && Object.keys(sasl).length > 0) {
    for (const key of ['mechanism', 'username', 'password']) {
      if (getPath(tree, `kafka.sasl.${key}`) === undefined && !problemAlreadyFor(out, `kafka.sasl.${key}`)) {
        out.push(
          `kafka.sasl.${key}: required with the other kafka.sasl settings — ${howToSet(`kafka.sasl.${key}`, origin)}`,
        );
      }
    }
  }
  for (const [section, envPrefix] of [
    ['elasticsearch', 'ES'],
    ['kibana', 'KIBANA'],
  ] as const) {
    const apiKey = getPath(tree, `${section}.apiKey`);
    const user = getPath(tree, `${section}.username`);
    const password = getPath(tree, `${section}.password`);
    if (apiKey !== undefined && (user !== undefined || password !== undefined)) {
      out.push(
        `${section}: set either an API key (${envPrefix}_API_KEY_FILE / ${envPrefix}_API_KEY) or username and password (${envPrefix}_USERNAME + ${envPrefix}_PASSWORD_FILE / ${envPrefix}_PASSWORD), not both`,
      );
    } else if (user !== undefined && password === undefined) {
      out.push(
        `${section}.password: required with ${section}.username — ${howToSet(`${section}.password`, origin)}`,
      );
    } else if (user === undefined && password !== undefined) {
      out.push(
        `${section}.username: required with ${section}.password — ${howToSet(`${section}.username`, origin)}`,
      );
    }
    const url = getPath(tree, `${section}.url`);
    if (typeof url === 'string' && /^https?:\/\//.test(url)) {
      let parsed: URL | null = null;
      try {
        parsed = new URL(url);
      } catch {
        out.push(`${section}.url: not a valid URL — ${howToSet(`${section}.url`, origin)}`);
      }
      if (parsed && (parsed.username !== '' || parsed.password !== '')) {
        out.push(
          `${section}.url: contains credentials (user:password@) — remove them from the URL and set ${envPrefix}_USERNAME and ${envPrefix}_PASSWORD_FILE`,
        );
      }
      const fp = getPath(tree, `${section}.caFingerprint`);
      if (
        parsed?.protocol === 'http:' &&
        (fp !== undefined || getPath(tree, `${section}.caFile`) !== undefined)
      ) {
        out.push(`${section}: a CA (caFile/caFingerprint) is set but the URL is http:// — use https://`);
      }
    }
    const fp = getPath(tree, `${section}.caFingerprint`);
    if (typeof fp === 'string') {
      if (normalizeFingerprint(fp) === null) {
        out.push(
          `${section}.caFingerprint: expected a SHA-256 fingerprint (64 hex digits, colons optional, as Elasticsearch prints it), got ${JSON.stringify(fp.slice(0, 100))} — ${howToSet(`${section}.caFingerprint`, origin)}`,
        );
      } else if (getPath(tree, `${section}.caFile`) !== undefined) {
        out.push(`${section}: set caFile or caFingerprint, not both`);
      }
    }
  }
  const brokers = getPath(tree, 'kafka.brokers');
  if (Array.isArray(brokers)) {
    brokers.forEach((b, i) => {
      if (typeof b === 'string' && b !== '' && !/^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):[0-9]{1,5}$/.test(b)) {
        out.push(
          `kafka.brokers[${i}]: ${JSON.stringify(b)} is not host:port — write it like kafka-0:9092; ${howToSet('kafka.brokers', origin)}`,
        );
      }
    });
  }
  return out;
}

function problemAlreadyFor(problems: readonly string[], path: string): boolean {
  return problems.some((p) => p.startsWith(`${path}:`));
}

function ms(tree: Tree, path: string): number {
  return parseDuration(String(getPath(tree, path))) as number;
}

function resolve(tree: Tree, secrets: Map<string, Secret>, configFile: string | null, env: string[]): Config {
  const t = tree as unknown as {
    parse: Config['parse'];
    aggregate: { indexPrefix: string; caps: Config['aggregate']['caps'] };
    epoch: Config['epoch'];
    file: Config['file'];
    kafka: Omit<Config['kafka'], 'topics' | 'sasl' | 'tls'> & {
      topics: string[] | string;
      tls: Omit<Config['kafka']['tls'], 'enabled'> & { enabled: boolean };
      sasl?: { mechanism: NonNullable<Config['kafka']['sasl']>['mechanism']; username: string };
    };
    elasticsearch: Omit<Config['elasticsearch'], 'password' | 'apiKey'> & {
      passwordFile?: string;
      apiKeyFile?: string;
    };
    kibana: Omit<Config['kibana'], 'password' | 'apiKey'> & { passwordFile?: string; apiKeyFile?: string };
    http: Config['http'];
    startup: Config['startup'];
    shutdownTimeoutMs: number;
    log: Config['log'];
  };
  const bucketMs = Object.fromEntries(
    BUCKET_CATEGORIES.map((c) => [c, ms(tree, `aggregate.buckets.${c}`)]),
  ) as Record<BucketCategory, number>;
  const topics = t.kafka.topics;
  const { sasl, tls, ...kafka } = t.kafka;
  const saslPassword = secrets.get('kafka.sasl.password');
  const service = (
    name: 'elasticsearch' | 'kibana',
    s: typeof t.kibana,
  ): Omit<typeof s, 'passwordFile' | 'apiKeyFile'> & Pick<Config['kibana'], 'password' | 'apiKey'> => {
    const { passwordFile: _p, apiKeyFile: _a, caFingerprint, ...rest } = s;
    const password = secrets.get(`${name}.password`);
    const apiKey = secrets.get(`${name}.apiKey`);
    return {
      ...rest,
      ...(caFingerprint !== undefined ? { caFingerprint: normalizeFingerprint(caFingerprint)! } : {}),
      ...(password ? { password } : {}),
      ...(apiKey ? { apiKey } : {}),
    };
  };
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
    kafka: {
      ...kafka,
      topics: typeof topics === 'string' ? new RegExp(topics.slice(1, -1)) : [...topics],
      tls: {
        ...tls,
        enabled:
          tls.enabled || tls.caFile !== undefined || tls.certFile !== undefined || tls.keyFile !== undefined,
      },
      ...(sasl?.mechanism !== undefined && saslPassword !== undefined
        ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: saslPassword } }
        : {}),
    },
    elasticsearch: service('elasticsearch', t.elasticsearch) as Config['elasticsearch'],
    kibana: service('kibana', t.kibana),
    http: { ...t.http },
    startup: { ...t.startup },
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
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof RegExp) &&
    !(value instanceof Secret) &&
    !Object.isFrozen(value)
  ) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
