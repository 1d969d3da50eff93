import { describe, expect, it } from 'vitest';
import { parseCri } from '../../../../src/parse/envelopes/cri.ts';

describe('parseCri', () => {
  it('F and P lines', () => {
    expect(parseCri('2026-01-10T10:00:00.123456789Z stderr F bird: Started')).toEqual({
      timeMs: Date.UTC(2026, 0, 10, 10, 0, 0, 123),
      stream: 'stderr',
      partial: false,
      text: 'bird: Started',
    });
    expect(parseCri('2026-01-10T10:00:00.1+02:00 stdout P part')).toMatchObject({
      partial: true,
      stream: 'stdout',
      text: 'part',
      timeMs: Date.UTC(2026, 0, 10, 8, 0, 0, 100),
    });
  });

  it('empty content, and non-CRI lines', () => {
    expect(parseCri('2026-01-10T10:00:00Z stdout F')!.text).toBe('');
    expect(parseCri('2026-01-10T10:00:00Z stdout F ')!.text).toBe('');
    expect(parseCri('2025-01-14 09:30:00.137 [INFO][1] x/y.go 1: m')).toBeNull();
    expect(parseCri('2026-01-10T10:00:00Z stdin F x')).toBeNull();
    expect(parseCri('2026-01-10T10:00:00Z stdout X? x')).toBeNull();
  });
});
