/**
 * The CA an https client trusts, for Elasticsearch (and Kibana, which the CLI reaches with the same
 * settings): the PEM of `caFile`, or the certificate in the server's chain whose SHA-256
 * fingerprint is `caFingerprint` (what Elasticsearch prints at its first start).
 *
 * The fingerprint is used to *select* a CA, not to skip verification: one handshake without
 * verification reads the chain the server sends, the certificate whose fingerprint matches becomes
 * the only trusted CA, and every real connection is then verified against it (chain and server
 * name). The client library's own `caFingerprint` option compares the fingerprint with
 * `rejectUnauthorized: false` on every connection, which trusts whatever leaf comes with a copy of
 * the (public) CA certificate.
 *
 * Also: turning a failed https/http exchange into a message that names the problem (shared by the
 * start-up probe, `report --es` and `kibana import`). No Elasticsearch client import here.
 */
import { readFileSync } from 'node:fs';
import { type DetailedPeerCertificate, connect as tlsConnect } from 'node:tls';
import type { HttpServiceConfig } from '../../config/index.ts';
import { LogsiftError } from '../../errors.ts';

function toPem(raw: Buffer): string {
  const b64 = raw
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The certificates the server at `url` presents (leaf first), without verifying them. */
export function presentedChain(url: URL, timeoutMs: number): Promise<DetailedPeerCertificate[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host,
      port,
      rejectUnauthorized: false,
      ...(/^[0-9.]+$|:/.test(host) ? {} : { servername: host }),
    });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(Object.assign(new Error(`TLS handshake with ${url.host} timed out`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', (err) => reject(err));
    socket.once('secureConnect', () => {
      const chain: DetailedPeerCertificate[] = [];
      let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        chain.push(c);
        c = c.issuerCertificate;
      }
      socket.destroy();
      resolve(chain);
    });
  });
}

/** The PEM of the CA to trust, or undefined for the system CAs. Throws ES_TLS when the fingerprint matches nothing. */
export async function trustedCaPem(
  s: HttpServiceConfig,
  what: { label: string; envPrefix: string },
  timeoutMs = 5_000,
): Promise<string | undefined> {
  if (s.caFile !== undefined) return readFileSync(s.caFile, 'utf8');
  if (s.caFingerprint === undefined || s.url === undefined) return undefined;
  const url = new URL(s.url);
  let chain: DetailedPeerCertificate[];
  try {
    chain = await presentedChain(url, timeoutMs);
  } catch (err) {
    throw httpFailure(err, { ...what, url: s.url, service: s });
  }
  const want = s.caFingerprint;
  const match = chain.find((c) => c.fingerprint256.toUpperCase() === want);
  if (!match) {
    throw new LogsiftError(
      'ES_TLS',
      `${what.label} at ${url.origin}: no certificate in the chain it presents has the SHA-256 fingerprint in ${what.envPrefix}_CA_FINGERPRINT (presented: ${chain.map((c) => c.fingerprint256).join(', ') || 'none'}); check the fingerprint, or give the CA file in ${what.envPrefix}_CA_FILE (a server that sends only its own certificate needs the file)`,
    );
  }
  return toPem(match.raw);
}

const TLS_VERIFY =
  /self[- ]signed certificate|unable to verify|unable to get (local )?issuer|certificate has expired|not yet valid|certificate signature failure|CERT_|SELF_SIGNED|UNABLE_TO/i;
const ALTNAME = /altnames|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME_INVALID/i;
const NOT_TLS =
  /wrong version number|packet length too long|EPROTO|before secure TLS connection|unknown protocol|http request/i;

/** OpenSSL's `803C...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/...` -> `wrong version number`. */
export function shortTlsMessage(message: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return m?.[1] ?? message;
}

export interface FailureContext {
  /** `Elasticsearch` or `Kibana`. */
  readonly label: string;
  /** `ES` or `KIBANA`: the variables the advice names. */
  readonly envPrefix: string;
  readonly url: string;
  readonly service: HttpServiceConfig;
  /** HTTP status and the server's reason, when there was an answer. */
  readonly status?: number | undefined;
  readonly reason?: string | undefined;
}

function who(s: HttpServiceConfig): string {
  if (s.apiKey !== undefined) return 'the API key';
  if (s.username !== undefined) return `user "${s.username}"`;
  return 'a request without credentials';
}

/**
 * A LogsiftError naming the problem: ES_AUTH (401/403) and ES_TLS (certificate, http/https
 * mismatch) exit 2; anything else is ES_CONNECT (retriable). `err` is whatever the client threw.
 */
export function httpFailure(err: unknown, ctx: FailureContext): LogsiftError {
  const origin = (() => {
    try {
      return new URL(ctx.url).origin;
    } catch {
      return ctx.url;
    }
  })();
  const p = ctx.envPrefix;
  const at = `${ctx.label} at ${origin}`;
  const reason = ctx.reason ? `: ${ctx.reason.slice(0, 300)}` : '';
  if (ctx.status === 401) {
    return new LogsiftError(
      'ES_AUTH',
      `${at} rejected ${who(ctx.service)} (HTTP 401${reason}); check ${ctx.service.apiKey !== undefined ? `${p}_API_KEY(_FILE)` : `${p}_USERNAME and ${p}_PASSWORD(_FILE)`}`,
      { cause: err },
    );
  }
  if (ctx.status === 403) {
    return new LogsiftError(
      'ES_AUTH',
      `${at}: ${who(ctx.service)} lacks a privilege (HTTP 403${reason}); grant it the role in docs/DEPLOY.md ("Security")`,
      { cause: err },
    );
  }
  const raw = err as { message?: string; code?: string } | undefined;
  const e = raw && { code: raw.code, message: shortTlsMessage(raw.message ?? String(err)) };
  const msg = `${e?.code ?? ''} ${e?.message ?? String(err)}`.trim();
  const https = origin.startsWith('https:');
  if (https && ALTNAME.test(msg)) {
    return new LogsiftError(
      'ES_TLS',
      `${at}: the server certificate is not for this host (${e?.message ?? msg}); use the name the certificate carries in ${p}_URL`,
      { cause: err },
    );
  }
  if (https && TLS_VERIFY.test(msg)) {
    const ca =
      ctx.service.caFile ??
      (ctx.service.caFingerprint !== undefined ? 'the CA selected by fingerprint' : undefined);
    return new LogsiftError(
      'ES_TLS',
      `${at}: the server certificate is not trusted (${e?.message ?? msg}); ${ca !== undefined ? `${ca} is not the CA that signed it: give the right one in ${p}_CA_FILE` : `set ${p}_CA_FILE to the CA that signed it (or ${p}_CA_FINGERPRINT)`}`,
      { cause: err },
    );
  }
  if (https && NOT_TLS.test(msg)) {
    return new LogsiftError(
      'ES_TLS',
      `${at}: the server does not speak TLS (${e?.message ?? msg}); use http:// in ${p}_URL, or the https port`,
      { cause: err },
    );
  }
  const short = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET/.exec(
    msg,
  )?.[0];
  return new LogsiftError(
    'ES_CONNECT',
    `${at}: ${ctx.status !== undefined ? `HTTP ${ctx.status}${reason}` : short ? `connect ${short}` : (e?.message ?? msg)}`,
    { cause: err },
  );
}
