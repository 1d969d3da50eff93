import { describe, expect, it } from 'vitest';
import {
  classifyItem,
  classifyRequestFailure,
  mgetErrorIsNotFound,
} from '../../../../src/sinks/elasticsearch/items.ts';

describe('classifyItem (every bulk item is read, docs/EXACTNESS.md F4)', () => {
  it.each([
    [200, undefined, 'ok'],
    [201, undefined, 'ok'],
    [409, { type: 'version_conflict_engine_exception' }, 'conflict'],
    [429, { type: 'es_rejected_execution_exception' }, 'retry'],
    [500, { type: 'internal' }, 'retry'],
    [503, { type: 'unavailable_shards_exception' }, 'retry'],
    [0, undefined, 'retry'],
    [400, { type: 'mapper_parsing_exception' }, 'reject'],
    [400, { type: 'document_parsing_exception' }, 'reject'],
    [404, { type: 'type_missing_exception' }, 'reject'],
    [413, undefined, 'split'],
  ] as const)('status %i %o -> %s', (status, error, want) => {
    expect(classifyItem(status, error)).toBe(want);
  });

  it('a write block halts the partition, the flood-stage block is retried (F10c)', () => {
    expect(
      classifyItem(403, {
        type: 'cluster_block_exception',
        reason: 'index [x] blocked by: [FORBIDDEN/8/index write (api)];',
      }),
    ).toBe('halt');
    expect(
      classifyItem(429, {
        type: 'cluster_block_exception',
        reason: 'index [x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark];',
      }),
    ).toBe('retry');
    expect(
      classifyItem(403, {
        type: 'cluster_block_exception',
        reason: 'blocked by: [FORBIDDEN/12/index read-only / allow delete (api)]',
      }),
    ).toBe('retry');
  });
});

describe('classifyRequestFailure', () => {
  it('no response (timeout, reset) is retried', () => {
    expect(classifyRequestFailure(undefined)).toBe('retry');
  });
  it('413 and the request circuit breaker split the request (F12)', () => {
    expect(classifyRequestFailure(413)).toBe('split');
    expect(classifyRequestFailure(429, 'circuit_breaking_exception')).toBe('split');
  });
  it('a plain 429 or 503 is retried', () => {
    expect(classifyRequestFailure(429, 'es_rejected_execution_exception')).toBe('retry');
    expect(classifyRequestFailure(503)).toBe('retry');
  });
});

describe('mget item errors are never "not found" (F4c)', () => {
  it('only a missing index means absent', () => {
    expect(mgetErrorIsNotFound('index_not_found_exception')).toBe(true);
    expect(mgetErrorIsNotFound('no_shard_available_action_exception')).toBe(false);
    expect(mgetErrorIsNotFound('index_closed_exception')).toBe(false);
    expect(mgetErrorIsNotFound(undefined)).toBe(false);
  });
});
