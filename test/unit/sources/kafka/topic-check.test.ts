import { describe, expect, it } from 'vitest';
import { topicConfigProblems } from '../../../../src/sources/kafka/topic-check.ts';

const cfg = (entries: Record<string, string>) => ({
  topic: 'calico',
  entries: new Map(Object.entries(entries)),
});

describe('topicConfigProblems (docs/EXACTNESS.md F9)', () => {
  it('accepts delete with a week of retention, and infinite retention', () => {
    expect(topicConfigProblems(cfg({ 'cleanup.policy': 'delete', 'retention.ms': '604800000' }))).toEqual([]);
    expect(topicConfigProblems(cfg({ 'cleanup.policy': 'delete', 'retention.ms': '-1' }))).toEqual([]);
    expect(topicConfigProblems(cfg({}))).toEqual([]);
  });

  it('names compaction, alone or combined with delete, and says what to set', () => {
    for (const policy of ['compact', 'compact,delete', 'delete, compact']) {
      const p = topicConfigProblems(cfg({ 'cleanup.policy': policy }));
      expect(p).toHaveLength(1);
      expect(p[0]).toContain(`cleanup.policy=${policy}`);
      expect(p[0]).toContain('set cleanup.policy=delete on calico');
    }
  });

  it('flags a retention shorter than the outage it must outlast', () => {
    const p = topicConfigProblems(cfg({ 'cleanup.policy': 'delete', 'retention.ms': '3600000' }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('retention.ms=3600000 (1.0 h)');
    expect(p[0]).toContain('raise retention.ms to at least 86400000');
    expect(topicConfigProblems(cfg({ 'retention.ms': '3600000' }), 1_800_000)).toEqual([]);
  });
});
