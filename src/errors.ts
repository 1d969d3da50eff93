/**
 * The one error registry. Every error the process can end with carries a code,
 * whether retrying can help, and its cause. Bad *input* never throws: it becomes a counted outcome
 * (dead letter, `unparsed-format`). These errors are for configuration, usage and infrastructure.
 */

export interface ErrorSpec {
  /** Retrying the same operation later can succeed (a broker restarting, ES returning 503). */
  readonly retriable: boolean;
  /** Process exit code when the error ends the process. */
  readonly exitCode: number;
  readonly description: string;
}

export const ERROR_CODES = {
  // Usage and configuration: the user must change something. Exit 2.
  USAGE: { retriable: false, exitCode: 2, description: 'invalid command-line arguments' },
  CONFIG_INVALID: { retriable: false, exitCode: 2, description: 'configuration failed validation' },
  CONFIG_FILE: {
    retriable: false,
    exitCode: 2,
    description: 'configuration file unreadable or not YAML/JSON',
  },

  // Local I/O.
  INPUT_NOT_FOUND: { retriable: false, exitCode: 2, description: 'input file not found or unreadable' },
  INPUT_NO_MATCH: {
    retriable: false,
    exitCode: 2,
    description: 'an input pattern or directory matched no file',
  },
  INPUT_READ: { retriable: false, exitCode: 1, description: 'input stream failed while reading' },
  OUTPUT_WRITE: { retriable: false, exitCode: 1, description: 'could not write an output file' },

  // The exactness invariant failed: a bug, never a condition to retry.
  INVARIANT_VIOLATED: { retriable: false, exitCode: 3, description: 'exact-count invariant violated' },
  STORE_CONFLICT: {
    retriable: true,
    exitCode: 1,
    description: 'compare-and-set conflict in the counter store',
  },
  CAP_EXCEEDED: {
    retriable: false,
    exitCode: 1,
    description: 'an explicit cap was exceeded and cannot spill',
  },

  // Security: the credentials or certificates given do not fit the server. Retrying cannot help; the
  // user must change a setting, so these exit 2 like configuration errors, at once.
  KAFKA_AUTH: { retriable: false, exitCode: 2, description: 'Kafka rejected the SASL credentials' },
  KAFKA_TLS: {
    retriable: false,
    exitCode: 2,
    description: 'TLS to Kafka failed: untrusted certificate, wrong name, or TLS/plaintext mismatch',
  },
  ES_AUTH: {
    retriable: false,
    exitCode: 2,
    description: 'Elasticsearch or Kibana rejected the credentials (401) or lacks a privilege (403)',
  },
  ES_TLS: {
    retriable: false,
    exitCode: 2,
    description:
      'TLS to Elasticsearch or Kibana failed: untrusted certificate, wrong name, or http/https mismatch',
  },

  // Infrastructure (Kafka, Elasticsearch): retriable unless stated.
  KAFKA_CONNECT: { retriable: true, exitCode: 1, description: 'cannot reach Kafka' },
  KAFKA_COMMIT: { retriable: true, exitCode: 1, description: 'offset commit failed' },
  KAFKA_PRODUCE: { retriable: true, exitCode: 1, description: 'producing to Kafka (DLQ) failed' },
  KAFKA_OFFSET_RESET: { retriable: false, exitCode: 1, description: 'offsets were reset (data gap)' },
  ES_CONNECT: { retriable: true, exitCode: 1, description: 'cannot reach Elasticsearch' },
  ES_BULK: { retriable: true, exitCode: 1, description: 'Elasticsearch bulk write failed' },
  ES_REJECT: { retriable: false, exitCode: 1, description: 'Elasticsearch rejected a document permanently' },
  ES_SETUP: {
    retriable: false,
    exitCode: 1,
    description: 'Elasticsearch index templates or settings are wrong',
  },

  NOT_IMPLEMENTED: { retriable: false, exitCode: 1, description: 'command not implemented yet' },
  SHUTDOWN_TIMEOUT: { retriable: false, exitCode: 1, description: 'shutdown did not finish in time' },
  INTERNAL: { retriable: false, exitCode: 1, description: 'internal error (a bug)' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class LogsiftError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly exitCode: number;
  /** Extra lines shown to the user (e.g. every config problem at once). */
  readonly details: readonly string[];

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LogsiftError';
    this.code = code;
    this.retriable = ERROR_CODES[code].retriable;
    this.exitCode = ERROR_CODES[code].exitCode;
    this.details = options.details ?? [];
  }
}

export function isLogsiftError(err: unknown): err is LogsiftError {
  return err instanceof LogsiftError;
}

/** Exit code for any thrown value: LogsiftError says, anything else is a bug (1). */
export function exitCodeOf(err: unknown): number {
  return isLogsiftError(err) ? err.exitCode : 1;
}

export const usageError = (message: string): LogsiftError => new LogsiftError('USAGE', message);
