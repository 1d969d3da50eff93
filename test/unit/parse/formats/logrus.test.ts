import { describe, expect, it } from 'vitest';
import { parseLogrus } from '../../../../src/parse/formats/logrus.ts';

describe('parseLogrus', () => {
  it('parses time, level, msg and keeps other keys in order', () => {
    const p = parseLogrus(
      'time="2025-01-14T09:30:04Z" level=warning msg="Tier default already exists." file="/go/src/x/client.go:414" error="resource already exists: Tier(default)"',
    )!;
    expect(p).toMatchObject({ format: 'logrus', level: 'WARNING', originFile: 'client.go', originLine: 414 });
    expect(p.message).toBe('Tier default already exists.');
    expect(p.timeKind).toBe('utc');
    expect(p.timeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
    expect(p.fields).toEqual([
      ['file', '/go/src/x/client.go:414'],
      ['error', 'resource already exists: Tier(default)'],
    ]);
  });

  it('bare values and zoned offsets', () => {
    const p = parseLogrus('time="2025-01-14T10:30:04+01:00" level=error msg=boom k=v')!;
    expect(p.timeMs).toBe(Date.UTC(2025, 0, 14, 9, 30, 4));
    expect(p.message).toBe('boom');
    expect(p.fields).toEqual([['k', 'v']]);
  });

  it('rejects lines without a level or with broken quoting', () => {
    expect(parseLogrus('time="2025" msg="x"')).toBeNull();
    expect(parseLogrus('time="2025 level=info')).toBeNull();
    expect(parseLogrus('timeout reached')).toBeNull();
  });
});
