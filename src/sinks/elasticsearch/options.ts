/**
 * Config -> @elastic/elasticsearch client options. Pure (the CA is read or fetched by the caller:
 * ./tls.ts). The one place the Elasticsearch password or API key is revealed, to hand it to the
 * client.
 *
 * `requestTimeout` comes from config (checked at load to be <= kafka.sessionTimeoutMs / 3) and
 * `maxRetries: 0`: the transport's own retries (connection errors, 502/503/504) would run without
 * a Kafka heartbeat, so every retry happens in the pipeline's loop, which heartbeats between
 * attempts (docs/EXACTNESS.md F7).
 */
import type { HttpServiceConfig } from '../../config/index.ts';

export interface EsClientOptions {
  readonly node: string;
  readonly requestTimeout: number;
  readonly maxRetries: number;
  readonly compression: false;
  readonly sniffOnStart: false;
  readonly auth?: { readonly username: string; readonly password: string } | { readonly apiKey: string };
  readonly tls?: { readonly ca: string };
  readonly name: string;
}

export interface EsConnection extends HttpServiceConfig {
  readonly requestTimeoutMs: number;
}

export function esClientOptions(
  es: EsConnection,
  caPem?: string,
  overrides: { maxRetries?: number } = {},
): EsClientOptions {
  if (es.url === undefined) throw new Error('elasticsearch.url is required');
  const auth =
    es.apiKey !== undefined
      ? { apiKey: es.apiKey.reveal() }
      : es.username !== undefined && es.password !== undefined
        ? { username: es.username, password: es.password.reveal() }
        : undefined;
  return {
    node: es.url,
    requestTimeout: es.requestTimeoutMs,
    maxRetries: overrides.maxRetries ?? 0,
    compression: false,
    sniffOnStart: false,
    name: 'logsift',
    ...(auth ? { auth } : {}),
    ...(caPem !== undefined ? { tls: { ca: caPem } } : {}),
  };
}

/** Who the client authenticates as, in words (never a secret). */
export function describeAuth(s: HttpServiceConfig): string {
  if (s.apiKey !== undefined) return 'an API key';
  if (s.username !== undefined) return `user "${s.username}"`;
  return 'no credentials';
}
