/**
 * Start-up check of the input topics' retention settings (docs/EXACTNESS.md F9). A compacted topic
 * drops records below the consumer without any gap the pipeline could see, and a retention shorter
 * than an Elasticsearch outage deletes lines before they are counted. Neither is an error logsift can
 * fix, so the check reports them (log at error level, `logsift_topic_config_problems`) and runs on.
 * Pure: the Kafka call lives in ./index.ts.
 */

export interface TopicConfig {
  readonly topic: string;
  /** Config name -> value as the broker reports it (undefined when the broker did not answer). */
  readonly entries: ReadonlyMap<string, string>;
}

/** Names to ask the broker for. */
export const TOPIC_CONFIG_NAMES = ['cleanup.policy', 'retention.ms'] as const;

/** The longest Elasticsearch outage the retention must outlast by default: 24 h. */
export const DEFAULT_MIN_RETENTION_MS = 86_400_000;

/** One message per problem, each saying what to change. */
export function topicConfigProblems(t: TopicConfig, minRetentionMs = DEFAULT_MIN_RETENTION_MS): string[] {
  const out: string[] = [];
  const policy = t.entries.get('cleanup.policy');
  if (policy?.split(',').some((p) => p.trim() === 'compact')) {
    out.push(
      `topic ${t.topic} has cleanup.policy=${policy}: compaction drops log lines that logsift never sees, so they are never counted; set cleanup.policy=delete on ${t.topic}`,
    );
  }
  const retention = t.entries.get('retention.ms');
  if (retention !== undefined) {
    const ms = Number(retention);
    if (Number.isFinite(ms) && ms >= 0 && ms < minRetentionMs) {
      out.push(
        `topic ${t.topic} has retention.ms=${retention} (${(ms / 3_600_000).toFixed(1)} h): an Elasticsearch outage or lag longer than that deletes lines before they are counted; raise retention.ms to at least ${minRetentionMs} on ${t.topic}`,
      );
    }
  }
  return out;
}
