/** The resolved, frozen configuration every component receives (injected, never read from env). */
import type { Category } from '../domain/classification.ts';
import type { FindingsConfig } from '../findings/config.ts';
import type { Secret } from './secret.ts';

export type BucketCategory = Category | 'dead-letter';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface Config {
  readonly parse: {
    readonly maxUnitBytes: number;
    readonly defaultZone: string;
    readonly groupGapMs: number;
    readonly maxGroupLines: number;
    readonly maxGroupBytes: number;
  };
  readonly aggregate: {
    readonly bucketMs: Readonly<Record<BucketCategory, number>>;
    readonly statsBucketMs: number;
    readonly lateAfterMs: number;
    readonly plausiblePastMs: number;
    readonly plausibleFutureMs: number;
    readonly indexPrefix: string;
    readonly caps: {
      readonly topValues: number;
      readonly params: number;
      readonly sampleChars: number;
      readonly templateChars: number;
      readonly cacheDocs: number;
    };
  };
  readonly epoch: {
    readonly maxRecords: number;
    readonly maxMs: number;
    /** Kafka: an epoch that received nothing for this long is flushed (0 = only maxMs). */
    readonly idleMs: number;
    readonly maxDirtyDocs: number;
    /** Estimated bytes an open epoch's delta may hold before it is flushed (per partition). */
    readonly maxDeltaBytes: number;
    readonly fileRecords: number;
  };
  readonly file: { readonly maxDocs: number };
  readonly kafka: {
    readonly brokers: readonly string[];
    /** A list of topic names, or a RegExp when configured as `/regex/`. */
    readonly topics: readonly string[] | RegExp;
    readonly groupId: string;
    readonly clientId: string;
    readonly tls: KafkaTlsConfig;
    readonly sasl?: {
      readonly mechanism: SaslMechanism;
      readonly username: string;
      readonly password: Secret;
    };
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly fromBeginning: boolean;
    readonly dlqSuffix: string;
    readonly maxBytesPerPartition: number;
    readonly partitionsConsumedConcurrently: number;
  };
  readonly elasticsearch: HttpServiceConfig & {
    readonly requestTimeoutMs: number;
    readonly maxBulkBytes: number;
    /** index.number_of_replicas for the installed templates; undefined = the template's. */
    readonly replicas?: number;
    readonly refresh: boolean | 'wait_for';
  };
  readonly kibana: HttpServiceConfig;
  readonly http: { readonly port: number; readonly host: string };
  readonly startup: { readonly timeoutMs: number };
  readonly shutdownTimeoutMs: number;
  readonly log: { readonly level: LogLevel };
  /** Thresholds of the findings (src/findings/config.ts). */
  readonly findings: FindingsConfig;
  /** Where values came from, for `--help`-style diagnostics: config file path and env vars applied. */
  readonly provenance: { readonly configFile: string | null; readonly env: readonly string[] };
}

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaTlsConfig {
  /** TLS on: kafka.tls.enabled, or implied by a CA/cert/key file. */
  readonly enabled: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly servername?: string;
  readonly insecureSkipVerify: boolean;
}

/** Elasticsearch and Kibana: where, who, and which CA. */
export interface HttpServiceConfig {
  readonly url?: string;
  readonly username?: string;
  readonly password?: Secret;
  readonly apiKey?: Secret;
  readonly caFile?: string;
  /** Normalised: 64 upper-case hex digits joined by colons (`AA:BB:...`). */
  readonly caFingerprint?: string;
}
