/**
 * Start-up probe of `logsift run` for Elasticsearch: the CA (file, or selected by fingerprint), the
 * client, and one `_cluster/health` that must answer. Unreachable (refused, timeout, DNS, 5xx) is
 * retried with backoff until the start-up deadline, then one message says where, what was tried
 * and for how long (ES_CONNECT, exit 1). Wrong credentials (401/403), an untrusted certificate and
 * an http/https mismatch are reported at once (ES_AUTH / ES_TLS, exit 2).
 */
import { connect as tlsConnect } from 'node:tls';
import { type Client, errors } from '@elastic/elasticsearch';
import type { Config } from '../../config/index.ts';
import { LogsiftError } from '../../errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { describeAuth } from './options.ts';
import { createEsClient } from './store.ts';
import { type FailureContext, httpFailure, shortTlsMessage, trustedCaPem } from './tls.ts';

export interface EsProbeOptions {
  readonly deadline: number;
  readonly now?: () => number;
  readonly stopped?: () => boolean;
}

const ES = { label: 'Elasticsearch', envPrefix: 'ES' } as const;

/** Does host:port complete a TLS handshake (certificate not checked)? */
function speaksTls(host: string, port: number, timeoutMs = 3_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false });
    const done = (v: boolean): void => {
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A thrown client error as a LogsiftError naming the problem (async: may check whether the port speaks TLS). */
export async function diagnoseEsError(
  err: unknown,
  service: FailureContext['service'],
  label = ES,
): Promise<LogsiftError> {
  if (err instanceof LogsiftError) return err;
  const url = service.url ?? '';
  let status: number | undefined;
  let reason: string | undefined;
  if (err instanceof errors.ResponseError) {
    status = err.meta?.statusCode;
    const body = err.meta?.body as { error?: { type?: string; reason?: string } | string } | undefined;
    reason =
      typeof body?.error === 'object'
        ? [body.error.type, body.error.reason].filter(Boolean).join(': ')
        : typeof body?.error === 'string'
          ? body.error
          : undefined;
  }
  const failure = httpFailure(err, { ...label, url, service, status, reason });
  if (failure.code === 'ES_CONNECT' && status === undefined && url.startsWith('http:')) {
    const u = new URL(url);
    if (
      /closed|hang up|ECONNRESET|UND_ERR_SOCKET/i.test((err as Error).message ?? '') &&
      (await speaksTls(u.hostname, Number(u.port || 80)))
    ) {
      return new LogsiftError(
        'ES_TLS',
        `${label.label} at ${u.origin} expects https and closed the plaintext connection (${shortTlsMessage((err as Error).message).replace(/ - Local:.*$/, '')}); use https:// in ${label.envPrefix}_URL (with ${label.envPrefix}_CA_FILE for a private CA)`,
        { cause: err },
      );
    }
  }
  return failure;
}

/** A client that reached Elasticsearch with the configured TLS and credentials. */
export async function connectElasticsearch(
  es: Config['elasticsearch'],
  log: Logger,
  options: EsProbeOptions,
): Promise<Client> {
  const now = options.now ?? Date.now;
  const started = now();
  const url = es.url ?? '';
  const origin = url === '' ? url : new URL(url).origin;
  const how = `${url.startsWith('https:') ? `https${es.caFile !== undefined ? ` (CA ${es.caFile})` : es.caFingerprint !== undefined ? ' (CA by fingerprint)' : ' (system CAs)'}` : 'http'}, ${describeAuth(es)}`;
  let attempts = 0;
  let wait = 500;
  let warned = false;
  let client: Client | undefined;
  for (;;) {
    attempts++;
    const remaining = Math.max(500, options.deadline - now());
    try {
      if (client === undefined) {
        const ca = await trustedCaPem(es, ES, Math.min(5_000, remaining));
        client = createEsClient(es, ca);
      }
      await client.cluster.health({}, { requestTimeout: Math.min(5_000, remaining), maxRetries: 0 });
      log.debug({ url: origin, attempts, ms: now() - started }, 'elasticsearch reachable');
      return client;
    } catch (err) {
      const failure = await diagnoseEsError(err, es);
      if (!failure.retriable) {
        await client?.close().catch(() => undefined);
        throw failure;
      }
      const reason = failure.message.replace(/^Elasticsearch at \S+: /, '');
      if (options.stopped?.() || now() + wait > options.deadline) {
        await client?.close().catch(() => undefined);
        const secs = Math.round((now() - started) / 1000);
        throw new LogsiftError(
          'ES_CONNECT',
          `cannot reach Elasticsearch at ${origin} (${reason}) after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${secs} s (${how}); check ES_URL`,
          { cause: err },
        );
      }
      if (!warned) {
        warned = true;
        log.warn(
          { url: origin, reason },
          `Elasticsearch at ${origin} not reachable yet (${reason}); retrying until ${Math.round((options.deadline - started) / 1000)} s after start`,
        );
      } else {
        log.debug({ url: origin, reason, attempts }, 'elasticsearch probe failed; retrying');
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5_000);
    }
  }
}
