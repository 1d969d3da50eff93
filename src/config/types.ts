/** The resolved, frozen configuration every component receives (injected, never read from env). */
import type { Category } from '../domain/classification.ts';
import type { FindingsConfig } from '../findings/config.ts';

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
    readonly maxDirtyDocs: number;
    readonly fileRecords: number;
  };
  readonly file: { readonly maxDocs: number };
  readonly kafka: {
    readonly brokers: readonly string[];
    /** A list of topic names, or a RegExp when configured as `/regex/`. */
    readonly topics: readonly string[] | RegExp;
    readonly groupId: string;
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl?: {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    };
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
    readonly fromBeginning: boolean;
    readonly dlqSuffix: string;
    readonly maxBytesPerPartition: number;
    readonly partitionsConsumedConcurrently: number;
  };
  readonly elasticsearch: {
    readonly url?: string;
    readonly username?: string;
    readonly password?: string;
    readonly apiKey?: string;
    readonly caFile?: string;
    readonly requestTimeoutMs: number;
    readonly maxBulkBytes: number;
    /** index.number_of_replicas for the installed templates; undefined = the template's. */
    readonly replicas?: number;
    readonly refresh: boolean | 'wait_for';
  };
  readonly http: { readonly port: number; readonly host: string };
  readonly shutdownTimeoutMs: number;
  readonly log: { readonly level: LogLevel };
  /** Thresholds of the findings (src/findings/config.ts). */
  readonly findings: FindingsConfig;
  /** Where values came from, for `--help`-style diagnostics: config file path and env vars applied. */
  readonly provenance: { readonly configFile: string | null; readonly env: readonly string[] };
}
