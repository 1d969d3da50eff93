// The secure side of the test stack (scripts/stack/lib.sh `stack_write_secure`, docs/STACK.md
// "Secure listeners"): the Kafka SASL_SSL and mutual-TLS listeners, the security-enabled
// Elasticsearch, the CA and client certificate files, and the random passwords up.sh generated.
// Absent when the servers come from KAFKA_BROKERS/ES_URL (tests skip with `secureStack() === undefined`).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { parseEnvFile, REPO_ROOT, stackDir } from './stack.ts';

export interface SecureStack {
  readonly saslSslBrokers: string;
  readonly sslBrokers: string;
  /** https URL of the security-enabled Elasticsearch (undefined with LOGSIFT_STACK_SECURE=0). */
  readonly esUrl: string | undefined;
  readonly caFile: string;
  readonly otherCaFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  readonly kafkaUser: string;
  readonly kafkaPassword: string;
  readonly esUser: string;
  readonly esPassword: string;
  readonly esAdminUser: string;
  readonly esAdminPassword: string;
}

export function secureStack(): SecureStack | undefined {
  const file = resolve(stackDir(), 'secure', 'env');
  if (!existsSync(file)) return undefined;
  const env = parseEnvFile(readFileSync(file, 'utf8'));
  const creds = parseEnvFile(readFileSync(env.CREDENTIALS_FILE!, 'utf8'));
  return {
    saslSslBrokers: env.KAFKA_SASL_SSL_BROKERS!,
    sslBrokers: env.KAFKA_SSL_BROKERS!,
    esUrl: env.ES_SECURE_URL,
    caFile: env.CA_FILE!,
    otherCaFile: env.OTHER_CA_FILE!,
    clientCertFile: env.CLIENT_CERT_FILE!,
    clientKeyFile: env.CLIENT_KEY_FILE!,
    kafkaUser: creds.KAFKA_SASL_USERNAME!,
    kafkaPassword: creds.KAFKA_SASL_PASSWORD!,
    esUser: creds.ES_USERNAME!,
    esPassword: creds.ES_PASSWORD!,
    esAdminUser: creds.ES_ADMIN_USERNAME!,
    esAdminPassword: creds.ES_ADMIN_PASSWORD!,
  };
}

/** A superuser client of the secure Elasticsearch (test set-up and checks only). */
export function secureEsAdmin(s: SecureStack): Client {
  return new Client({
    node: s.esUrl!,
    auth: { username: s.esAdminUser, password: s.esAdminPassword },
    tls: { ca: readFileSync(s.caFile, 'utf8') },
    requestTimeout: 30_000,
    maxRetries: 2,
  });
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall-clock milliseconds from spawn to exit, measured. */
  readonly ms: number;
}

/** `bin/logsift <args>` as its own process with exactly `env` (plus PATH); resolves on exit. */
export function runLogsift(
  args: readonly string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; onStderr?: (all: string) => void } = {},
): Promise<CliRun> & { kill: (sig?: NodeJS.Signals) => void } {
  const t0 = Date.now();
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/logsift'), ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    options.onStderr?.(err);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const p = new Promise<CliRun>((resolveRun) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout: out, stderr: err, ms: Date.now() - t0 });
    }),
  ) as Promise<CliRun> & { kill: (sig?: NodeJS.Signals) => void };
  p.kill = (sig = 'SIGTERM') => child.kill(sig);
  return p;
}
