import { describe, expect, it } from 'vitest';
import { parseKlog } from '../../../../src/parse/formats/klog.ts';

describe('parseKlog', () => {
  it('reads level, month/day, time of day, thread id, file:line', () => {
    const p = parseKlog('W0917 20:44:13.515488      14 reflector.go:107] failed to list *v1.Node')!;
    expect(p).toMatchObject({
      format: 'klog',
      level: 'WARNING',
      pid: 14,
      originFile: 'reflector.go',
      originLine: 107,
    });
    expect(p.timeKind).toBe('yearless');
    expect(p.month).toBe(9);
    expect(p.day).toBe(17);
    expect(p.timeOfDayMs).toBe(((20 * 60 + 44) * 60 + 13) * 1000 + 515);
    expect(p.message).toBe('failed to list *v1.Node');
  });

  it('splits klog structured messages', () => {
    const p = parseKlog('I0114 09:30:05.412337       1 server.go:12] "Starting" name="x y" count=3')!;
    expect(p.message).toBe('Starting');
    expect(p.fields).toEqual([
      ['name', 'x y'],
      ['count', '3'],
    ]);
  });

  it('E and F levels; rejects non-klog', () => {
    expect(parseKlog('E0114 09:30:05.412337       1 a.go:1] x')!.level).toBe('ERROR');
    expect(parseKlog('F0114 09:30:05.412337       1 a.go:1] x')!.level).toBe('FATAL');
    expect(parseKlog('Info 09:30:05 something')).toBeNull();
    expect(parseKlog('I1399 09:30:05.412337       1 a.go:1] x')).toBeNull();
  });
});
