import { describe, expect, it } from 'vitest';
import { dailyIndicesAround } from '../../../../src/sinks/elasticsearch/setup.ts';

describe('dailyIndicesAround (today + 1 pre-created, docs/EXACTNESS.md F10)', () => {
  it('names today and tomorrow in UTC, across a month and a year boundary', () => {
    expect(dailyIndicesAround('logsift', Date.parse('2026-12-31T23:59:59Z'))).toEqual([
      'logsift-summaries-2026.12.31',
      'logsift-stats-2026.12.31',
      'logsift-summaries-2027.01.01',
      'logsift-stats-2027.01.01',
    ]);
    expect(dailyIndicesAround('p', Date.parse('2026-02-28T00:00:00Z'))).toEqual([
      'p-summaries-2026.02.28',
      'p-stats-2026.02.28',
      'p-summaries-2026.03.01',
      'p-stats-2026.03.01',
    ]);
  });
});
