import { describe, expect, it } from 'vitest';
import { isPanicContinuation, isPanicStart, parseGoPanic } from '../../../../src/parse/formats/gopanic.ts';

describe('Go panics', () => {
  it('start lines', () => {
    expect(isPanicStart('panic: runtime error: invalid memory address or nil pointer dereference')).toBe(
      true,
    );
    expect(isPanicStart('fatal error: concurrent map writes')).toBe(true);
    expect(isPanicStart('goroutine 1 [running]:')).toBe(true);
    expect(isPanicStart('SIGSEGV: segmentation violation')).toBe(true);
    expect(isPanicStart('panicked')).toBe(false);
    expect(parseGoPanic('panic: boom')).toMatchObject({
      format: 'gopanic',
      level: 'PANIC',
      message: 'panic: boom',
    });
  });

  it('continuation lines', () => {
    for (const l of [
      '',
      'goroutine 1 [running]:',
      'goroutine 7 gp=0xc000007c00 m=nil [select]:',
      'main.main()',
      'github.com/projectcalico/calico/felix/dataplane.(*Route).Apply(0xc000010000, {0x0, 0x0})',
      '\t/go/src/github.com/projectcalico/calico/felix/x.go:123 +0x1f',
      'created by main.start in goroutine 1',
      '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b3c]',
      'rax    0x0',
      'exit status 2',
    ]) {
      expect(isPanicContinuation(l, true), JSON.stringify(l)).toBe(true);
    }
    expect(isPanicContinuation('panic: again', false)).toBe(true);
    expect(isPanicContinuation('panic: again', true)).toBe(false);
    expect(isPanicContinuation('2025-01-14 09:31:12.756 [INFO][63] felix/x.go 1: m', true)).toBe(false);
    expect(isPanicContinuation('bird: Started', true)).toBe(false);
  });
});
