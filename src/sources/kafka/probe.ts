/**
 * Start-up probe of `logsift run`: can we reach, secure and authenticate to the brokers? One
 * admin connection without kafkajs retries (retries: 0), tried again with backoff while the
 * failure may pass (connection refused, timeout, DNS), and classified at once when it cannot:
 * wrong password or mechanism (KAFKA_AUTH), certificate or TLS/plaintext mismatch (KAFKA_TLS), both
 * exit 2. The outcome is one message naming the brokers, what was tried and what to change;
 * kafkajs' own lines of the probe go to debug.
 */
import { isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Config } from '../../config/index.ts';
import { LogsiftError } from '../../errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { kafkaLogCreator } from './logging.ts';
import { kafkaClientOptions } from './options.ts';
import { describeKafkaSecurity } from './security.ts';

export interface ProbeOptions {
  /** Give up (KAFKA_CONNECT) when this wall-clock time (ms) has passed. */
  readonly deadline: number;
  readonly now?: () => number;
  /** True once the process is asked to stop: give up quietly. */
  readonly stopped?: () => boolean;
}

interface Classified {
  readonly fatal: boolean;
  readonly code: 'KAFKA_AUTH' | 'KAFKA_TLS' | 'KAFKA_CONNECT';
  /** Short reason: `connect ECONNREFUSED`, `SASL authentication failed`. */
  readonly reason: string;
  readonly advice: string;
}

const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Innermost error of a kafkajs chain (retriers wrap the cause). */
function innermost(err: unknown): Error & { code?: string; type?: string } {
  let e = err as Error & { cause?: unknown; originalError?: unknown };
  for (let i = 0; i < 5; i++) {
    const next = e.originalError ?? e.cause;
    if (!(next instanceof Error)) break;
    e = next as typeof e;
  }
  return e as Error & { code?: string; type?: string };
}

/** Does host:port complete a TLS handshake (certificate not checked)? */
export function speaksTls(host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({
      host,
      port,
      rejectUnauthorized: false,
      ...(isIP(host) ? {} : { servername: host }),
    });
    const done = (v: boolean): void => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(broker: string): { host: string; port: number } {
  const i = broker.lastIndexOf(':');
  return { host: broker.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(broker.slice(i + 1)) };
}

async function classify(err: unknown, k: Config['kafka']): Promise<Classified> {
  const e = innermost(err);
  const name = (err as Error).name;
  const msg = e.message ?? String(err);
  const code = e.code;
  if (name === 'KafkaJSSASLAuthenticationError' || e.name === 'KafkaJSSASLAuthenticationError') {
    const unsupported = /not supported|unsupported|UNSUPPORTED_SASL_MECHANISM/i.test(msg);
    return {
      fatal: true,
      code: 'KAFKA_AUTH',
      reason: unsupported
        ? `the broker does not offer SASL ${k.sasl?.mechanism.toUpperCase()} on this listener`
        : `SASL ${k.sasl?.mechanism.toUpperCase()} login of user "${k.sasl?.username}" was rejected`,
      advice: unsupported
        ? 'check KAFKA_SASL_MECHANISM against the listener (sasl.enabled.mechanisms)'
        : 'check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD(_FILE), and KAFKA_SASL_MECHANISM',
    };
  }
  if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
    const altname = code === 'ERR_TLS_CERT_ALTNAME_INVALID';
    return {
      fatal: true,
      code: 'KAFKA_TLS',
      reason: altname
        ? `the broker certificate is not for this host (${msg.replace(/^Connection error: /, '')})`
        : `the broker certificate is not trusted (${code}: ${msg.replace(/^Connection error: /, '')})`,
      advice: altname
        ? 'use the name the certificate carries in KAFKA_BROKERS or set KAFKA_TLS_SERVERNAME'
        : k.tls.caFile !== undefined
          ? `KAFKA_TLS_CA_FILE (${k.tls.caFile}) is not the CA that signed the broker certificate; give the right CA`
          : 'the system CAs do not know the broker CA: set KAFKA_TLS_CA_FILE to the CA that signed it',
    };
  }
  if (
    k.tls.enabled &&
    (/before secure TLS connection|wrong version number|EPROTO|packet length too long/i.test(msg) ||
      code === 'EPROTO')
  ) {
    return {
      fatal: true,
      code: 'KAFKA_TLS',
      reason: `TLS handshake failed (${msg.replace(/^Connection error: /, '')}): the port does not speak TLS`,
      advice: 'point KAFKA_BROKERS at the TLS listener, or set KAFKA_TLS=false for a plaintext one',
    };
  }
  if (/certificate|ssl|tls/i.test(msg) && k.tls.enabled && !/ECONNREFUSED|ETIMEDOUT|ENOTFOUND/.test(msg)) {
    return {
      fatal: true,
      code: 'KAFKA_TLS',
      reason: `TLS failed (${msg.replace(/^Connection error: /, '')})`,
      advice: 'check KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE',
    };
  }
  if (
    !k.tls.enabled &&
    (name === 'KafkaJSConnectionClosedError' || /Closed connection|ECONNRESET/i.test(msg))
  ) {
    // A TLS listener drops a plaintext request without an answer: find out whether that is why.
    for (const b of k.brokers) {
      const { host, port } = hostPort(b);
      if (await speaksTls(host, port)) {
        return {
          fatal: true,
          code: 'KAFKA_TLS',
          reason: `${b} expects TLS and closed the plaintext connection`,
          advice:
            'set KAFKA_TLS=true (and KAFKA_TLS_CA_FILE for a private CA), or use the plaintext listener port',
        };
      }
    }
  }
  const short =
    code !== undefined && /^E[A-Z]+$/.test(code) ? `connect ${code}` : msg.replace(/^Connection error: /, '');
  return { fatal: false, code: 'KAFKA_CONNECT', reason: short, advice: 'check KAFKA_BROKERS' };
}

/** Resolves once a broker answered a metadata request with our TLS/SASL settings; throws LogsiftError otherwise. */
export async function probeKafka(k: Config['kafka'], log: Logger, options: ProbeOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const started = now();
  const brokers = k.brokers.join(',');
  const how = describeKafkaSecurity(k);
  let attempts = 0;
  let wait = 500;
  let warned = false;
  for (;;) {
    attempts++;
    const remaining = options.deadline - now();
    const c = kafkaClientOptions(k);
    const kafka = new Kafka({
      ...c,
      sasl: c.sasl as KafkaConfig['sasl'],
      connectionTimeout: Math.max(500, Math.min(5_000, remaining)),
      authenticationTimeout: Math.max(500, Math.min(10_000, remaining)),
      requestTimeout: Math.max(500, Math.min(10_000, remaining)),
      retry: { retries: 0 },
      logLevel: log.isLevelEnabled('trace') ? logLevel.DEBUG : logLevel.INFO,
      // Every kafkajs line of the probe is at debug or below: the outcome is reported once, here.
      logCreator: kafkaLogCreator(log, { quiet: () => true }),
    });
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect().catch(() => undefined);
      log.debug({ brokers, attempts, ms: now() - started, security: how }, 'kafka reachable');
      return;
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      const c = await classify(err, k);
      const secs = Math.round((now() - started) / 1000);
      if (c.fatal) {
        throw new LogsiftError(c.code, `Kafka at ${brokers} (${how}): ${c.reason}; ${c.advice}`, {
          cause: err,
        });
      }
      if (options.stopped?.()) {
        throw new LogsiftError('KAFKA_CONNECT', `stopped while waiting for Kafka at ${brokers}`);
      }
      if (now() + wait > options.deadline) {
        throw new LogsiftError(
          'KAFKA_CONNECT',
          `cannot reach Kafka at ${brokers} (${c.reason}) after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${secs} s (${how}); ${c.advice}`,
          { cause: err },
        );
      }
      if (!warned) {
        warned = true;
        log.warn(
          { brokers, reason: c.reason },
          `Kafka at ${brokers} not reachable yet (${c.reason}); retrying until ${Math.round((options.deadline - started) / 1000)} s after start`,
        );
      } else {
        log.debug({ brokers, reason: c.reason, attempts }, 'kafka probe failed; retrying');
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5_000);
    }
  }
}
