/**
 * TLS and SASL options for kafkajs from the configuration. The only place the SASL password is
 * revealed (handed to kafkajs, which keeps it inside its connection objects). Reads the PEM files
 * named in kafka.tls (the loader already checked that they are readable PEM).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from '../../config/index.ts';

export type KafkaTls = ConnectionOptions | false;

export interface KafkaSasl {
  readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly username: string;
  readonly password: string;
}

/** tls.connect options for kafkajs' `ssl` (false = plaintext). */
export function kafkaTlsOptions(tls: Config['kafka']['tls']): KafkaTls {
  if (!tls.enabled) return false;
  const out: ConnectionOptions = {
    ...(tls.caFile !== undefined ? { ca: readFileSync(tls.caFile, 'utf8') } : {}),
    ...(tls.certFile !== undefined ? { cert: readFileSync(tls.certFile, 'utf8') } : {}),
    ...(tls.keyFile !== undefined ? { key: readFileSync(tls.keyFile, 'utf8') } : {}),
    // kafkajs sets servername to the broker host unless it is an IP (network/socketFactory.js);
    // an explicit one wins because kafkajs spreads these options last.
    ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
  if (tls.insecureSkipVerify) out.checkServerIdentity = () => undefined;
  return out;
}

export function kafkaSaslOptions(k: Config['kafka']): KafkaSasl | undefined {
  if (!k.sasl) return undefined;
  return { mechanism: k.sasl.mechanism, username: k.sasl.username, password: k.sasl.password.reveal() };
}

/** What the client uses, in words, for error messages (never a secret). */
export function describeKafkaSecurity(k: Config['kafka']): string {
  const tls = k.tls.enabled
    ? `TLS${k.tls.caFile !== undefined ? ` (CA ${k.tls.caFile})` : ' (system CAs)'}${k.tls.certFile !== undefined ? ' with a client certificate' : ''}`
    : 'plaintext';
  return k.sasl ? `${tls}, SASL ${k.sasl.mechanism.toUpperCase()} as "${k.sasl.username}"` : tls;
}
