/**
 * Config -> @elastic/elasticsearch client options. Pure (the CA file is read by the caller).
 *
 * `requestTimeout` comes from config (checked at load to be <= kafka.sessionTimeoutMs / 3) and
 * `maxRetries: 0`: the transport's own retries (connection errors, 502/503/504) would run without
 * a Kafka heartbeat, so every retry happens in the pipeline's loop, which heartbeats between
 * attempts (docs/EXACTNESS.md F7).
 */
import type { Config } from '../../config/index.ts';

export interface EsClientOptions {
  readonly node: string;
  readonly requestTimeout: number;
  readonly maxRetries: 0;
  readonly compression: false;
  readonly sniffOnStart: false;
  readonly auth?: { readonly username: string; readonly password: string } | { readonly apiKey: string };
  readonly tls?: { readonly ca: string };
  readonly name: string;
}

export function esClientOptions(es: Config['elasticsearch'], caPem?: string): EsClientOptions {
  if (es.url === undefined) throw new Error('elasticsearch.url is required');
  const auth =
    es.apiKey !== undefined
      ? { apiKey: es.apiKey }
      : es.username !== undefined && es.password !== undefined
        ? { username: es.username, password: es.password }
        : undefined;
  return {
    node: es.url,
    requestTimeout: es.requestTimeoutMs,
    maxRetries: 0,
    compression: false,
    sniffOnStart: false,
    name: 'logsift',
    ...(auth ? { auth } : {}),
    ...(caPem !== undefined ? { tls: { ca: caPem } } : {}),
  };
}
