// Helpers for integration tests that talk to the real Kafka and Elasticsearch of the test stack
// (scripts/stack/, docs/STACK.md). test/integration/global-setup.ts starts the stack unless
// KAFKA_BROKERS and ES_URL are already set, and hands both values to the test files with
// `project.provide` (read here with `inject`) and in process.env.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type estypes } from '@elastic/elasticsearch';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    KAFKA_BROKERS: string;
    ES_URL: string;
  }
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const STACK_SCRIPTS = resolve(REPO_ROOT, 'scripts/stack');

/** `LOGSIFT_STACK_DIR` when set (as scripts/stack/lib.sh reads it), else `<repo>/.stack`. */
export function stackDir(): string {
  return process.env.LOGSIFT_STACK_DIR ?? resolve(REPO_ROOT, '.stack');
}

export interface StackEnv {
  /** `host:port` list, from KAFKA_BROKERS (comma-separated). */
  readonly kafkaBrokers: string[];
  /** Elasticsearch base URL, from ES_URL. */
  readonly esUrl: string;
}

/** Parses the `KEY=value` lines of .stack/env (blank lines and `#` comments ignored). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

function injected(key: 'KAFKA_BROKERS' | 'ES_URL'): string | undefined {
  try {
    return inject(key) || undefined;
  } catch {
    return undefined; // not inside a vitest worker
  }
}

/** The servers to test against: what global setup provided, else process.env. Throws when unset. */
export function stackEnv(): StackEnv {
  const brokers = injected('KAFKA_BROKERS') ?? process.env.KAFKA_BROKERS;
  const esUrl = injected('ES_URL') ?? process.env.ES_URL;
  if (!brokers || !esUrl) {
    throw new Error(
      'KAFKA_BROKERS and ES_URL are not set: run the integration project (its global setup starts ' +
        'the stack) or `npm run stack:up && set -a && . .stack/env && set +a`',
    );
  }
  return {
    kafkaBrokers: brokers
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
    esUrl,
  };
}

/**
 * A unique name, valid both as a Kafka topic and as an Elasticsearch index or group id:
 * lower-case `[a-z0-9-]`, starting with the (sanitised) prefix.
 */
export function randomName(prefix = 'it'): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+/, '') || 'it';
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A KafkaJS client on the stack's brokers; quiet (errors only) unless `config.logLevel` says. */
export function kafkaClient(clientId = 'logsift-it', config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId,
    brokers: stackEnv().kafkaBrokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 5_000,
    retry: { initialRetryTime: 100, retries: 8 },
    ...config,
  });
}

/** An Elasticsearch client on the stack's ES_URL. Close it (`await client.close()`) when done. */
export function esClient(options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
  return new Client({ node: stackEnv().esUrl, requestTimeout: 30_000, maxRetries: 2, ...options });
}

/** True for the error a search gets from an index whose primary shard is not assigned yet (just created by the run under test). */
function unallocated(err: unknown): boolean {
  const body = (
    err as { meta?: { body?: { error?: { type?: string; root_cause?: Array<{ type?: string }> } } } }
  ).meta?.body;
  const types = [body?.error?.type, ...(body?.error?.root_cause ?? []).map((c) => c.type)];
  return types.includes('no_shard_available_action_exception');
}

/**
 * `es.search` for tests that poll indices the process under test is creating: a search that meets a shard
 * not yet allocated waits for the indices to reach yellow health and searches again (at most 10 times),
 * so a poll right after index creation is not a test failure. Any other error is thrown as is.
 */
export async function searchAllocated<R = unknown>(
  es: Client,
  params: Parameters<Client['search']>[0] & { index: string },
): Promise<estypes.SearchResponse<R>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await es.search(params)) as estypes.SearchResponse<R>;
    } catch (err) {
      if (attempt >= 10 || !unallocated(err)) throw err;
      await es.cluster
        .health({ index: params.index, wait_for_status: 'yellow', timeout: '10s' })
        .catch(() => undefined);
    }
  }
}

/** True when this checkout's stack scripts control the servers (state written by up.sh). */
export function stackControllable(): boolean {
  return existsSync(resolve(stackDir(), 'state')) && existsSync(resolve(stackDir(), 'env'));
}

export type CtlAction = 'stop' | 'kill' | 'start' | 'restart';

/** Runs scripts/stack/<script> <action> without blocking the event loop; rejects on failure. */
function ctl(script: 'es-ctl.sh' | 'kafka-ctl.sh', action: CtlAction): Promise<void> {
  if (!stackControllable()) {
    return Promise.reject(
      new Error(`${script} ${action}: no stack started by scripts/stack/up.sh in ${stackDir()}`),
    );
  }
  return new Promise((resolveCtl, reject) => {
    const child = spawn('bash', [resolve(STACK_SCRIPTS, script), action], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), 5 * 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveCtl();
      else reject(new Error(`${script} ${action} failed: ${code !== null ? `exit ${code}` : signal}`));
    });
  });
}

/**
 * Only Elasticsearch, keeping its data: `stop` (SIGTERM), `kill` (SIGKILL, a crash), `start`
 * (resolves once health is yellow/green), `restart`. Asynchronous on purpose: the code under
 * test keeps running in this process while ES is down. Outage test:
 * `await esCtl('stop'); await sleep(20_000); await esCtl('start')`.
 */
export function esCtl(action: CtlAction): Promise<void> {
  return ctl('es-ctl.sh', action);
}

/** Only the Kafka broker, keeping topics and committed offsets; same actions as esCtl. */
export function kafkaCtl(action: CtlAction): Promise<void> {
  return ctl('kafka-ctl.sh', action);
}

/** Reads `.stack/env`; undefined when the file is missing. */
export function readStackEnvFile(): Record<string, string> | undefined {
  const file = resolve(stackDir(), 'env');
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : undefined;
}
