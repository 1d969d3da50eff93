/**
 * What an Elasticsearch answer means for an exact counter (docs/EXACTNESS.md F4, F8, F10, F12).
 * Pure: every bulk item, every mget item and every request-level failure is read and classified;
 * nothing is assumed to have succeeded.
 */

/** What to do with one bulk item or request. */
export type ItemAction =
  /** 2xx: acknowledged. */
  | 'ok'
  /** 429 (incl. flood-stage disk block), 5xx, timeouts, connection errors: resend after a backoff. */
  | 'retry'
  /** 409: someone wrote the document since we read it (maybe our own ambiguous earlier write). */
  | 'conflict'
  /** 413 / circuit breaker on a request: the same request can never succeed; send it in halves. */
  | 'split'
  /** 403 write block (cluster_block_exception other than flood-stage): halt the partition and alert. */
  | 'halt'
  /** Any other 4xx (mapping, parse, 400): resending the same document cannot help. */
  | 'reject';

export interface EsErrorCause {
  readonly type?: string | undefined;
  readonly reason?: string | null | undefined;
}

/**
 * The flood-stage disk watermark block answers 429 since ES 7.x (retry is right: it lifts by
 * itself); older servers answered 403 with this text, so both are retried.
 */
function isFloodStage(error: EsErrorCause | undefined): boolean {
  const reason = error?.reason ?? '';
  return /flood[- ]stage|read_only_allow_delete|allow delete|TOO_MANY_REQUESTS/i.test(reason);
}

/** One bulk item: its status and error. */
export function classifyItem(status: number, error?: EsErrorCause): ItemAction {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 409) return 'conflict';
  if (status === 429 || status >= 500 || status === 0 || status === 408) return 'retry';
  if (status === 403 || error?.type === 'cluster_block_exception') {
    return isFloodStage(error) ? 'retry' : 'halt';
  }
  if (status === 413) return 'split';
  // An index that is being deleted/closed while we write answers 404/400 with these types: the
  // state is transient (re-created from the template on the next attempt).
  if (error?.type === 'index_closed_exception') return 'halt';
  return 'reject';
}

/**
 * A request-level failure (the whole bulk or mget). `status` is the HTTP status (undefined when no
 * response arrived: timeout, connection reset, DNS).
 */
export function classifyRequestFailure(status: number | undefined, errorType?: string): ItemAction {
  if (status === undefined) return 'retry';
  if (status === 413) return 'split';
  if (errorType === 'circuit_breaking_exception') return 'split';
  return classifyItem(status, { type: errorType });
}

/** mget item errors that mean "the document does not exist", not "unknown". */
export function mgetErrorIsNotFound(errorType: string | undefined): boolean {
  // A daily index that was never created holds no document: `create` (op_type create) then either
  // creates the index from the template or answers 409 if someone created the document meanwhile,
  // so treating it as absent can never overwrite a count. Every other item error is retried.
  return errorType === 'index_not_found_exception';
}
