import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../../src/parse/envelopes/index.ts';

describe('docker json-file', () => {
  it('unwraps log/stream/time and strips the newline', () => {
    const u = unwrap('{"log":"bird: Started\\n","stream":"stderr","time":"2026-01-10T10:00:00.5Z"}');
    expect(u).toMatchObject({
      ok: true,
      wrapper: 'docker',
      text: 'bird: Started',
      stream: 'stderr',
      partial: false,
      envelopeTimeMs: Date.UTC(2026, 0, 10, 10, 0, 0, 500),
    });
  });

  it('a 16 KiB entry without newline is a partial line', () => {
    const big = 'x'.repeat(16384);
    const u = unwrap(JSON.stringify({ log: big, stream: 'stdout', time: '2026-01-10T10:00:00Z' }));
    expect(u.ok && u.partial).toBe(true);
    const small = unwrap(
      JSON.stringify({ log: 'no newline', stream: 'stdout', time: '2026-01-10T10:00:00Z' }),
    );
    expect(small.ok && small.partial).toBe(false);
  });
});
