/**
 * Dead-letter messages for `<topic><dlqSuffix>`: payload storage, not the count (the count is the
 * `dlq:<reason>` summary in Elasticsearch, docs/EXACTNESS.md F6). Key = `topic/partition/offset`, so a
 * replay that produces the same dead letter again is a duplicate by key only. Pure.
 */
import type { DeadLetter } from '../../domain/record.ts';

/** Payload bytes kept of a dead letter; the broker's default max.message.bytes is ~1 MiB. */
export const DLQ_MAX_VALUE_BYTES = 512 * 1024;

export interface DlqMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

export function dlqTopic(topic: string, suffix: string): string {
  return `${topic}${suffix}`;
}

export function dlqKey(dl: DeadLetter): string {
  return `${dl.position.topic}/${dl.position.partition}/${dl.position.offset}`;
}

export function dlqMessage(dl: DeadLetter, maxBytes = DLQ_MAX_VALUE_BYTES): DlqMessage {
  const full = typeof dl.value === 'string' ? Buffer.from(dl.value, 'utf8') : Buffer.from(dl.value);
  const truncated = full.length > maxBytes;
  const headers: Record<string, string> = {
    'logsift.reason': dl.reason,
    'logsift.source.topic': dl.position.topic,
    'logsift.source.partition': String(dl.position.partition),
    'logsift.source.offset': String(dl.position.offset),
    'logsift.source.timestamp': String(dl.position.timestampMs),
    'logsift.bytes': String(full.length),
  };
  if (truncated) headers['logsift.truncated'] = 'true';
  return { key: dlqKey(dl), value: truncated ? full.subarray(0, maxBytes) : full, headers };
}
