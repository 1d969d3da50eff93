/**
 * Go runtime crash output (runtime/panic.go, runtime/traceback.go): a start line (`panic: ...`,
 * `fatal error: ...`, `goroutine N [running]:`, `SIGSEGV: ...`) followed by goroutine headers,
 * frames (`pkg.fn(args)` then `\t/path/file.go:123 +0x1f`), `created by ...`, `[signal ...]`,
 * register dumps and blank lines. The whole trace is ONE record (the assembler groups the lines).
 */
import type { ParsedLine } from './types.ts';
import { untimed } from './types.ts';

/** True for a line that starts a Go crash report. */
export function isPanicStart(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 112) return s.startsWith('panic: ');
  if (c === 102) return s.startsWith('fatal error: ');
  if (c === 103) return isGoroutineHeader(s);
  if (c === 83) return /^SIG[A-Z]+: /.test(s);
  return false;
}

/** `goroutine 1 [running]:` / `goroutine 1 gp=0x... m=0 mp=0x... [running]:` (Go 1.23+). */
export function isGoroutineHeader(s: string): boolean {
  if (!s.startsWith('goroutine ')) return false;
  const c = s.charCodeAt(10);
  return c >= 48 && c <= 57 && s.endsWith(':') && s.includes(' [');
}

const REGISTER =
  /^(?:r[a-z0-9]{1,3}|[a-z]{1,3}[0-9]{0,2}|pc|lr|sp|fault|trap|err|oldmask|ctr|link|xer|ccr)\s+0x[0-9a-f]+$/;

/**
 * True for a line that continues a crash report. `afterGoroutine`: a goroutine header was seen
 * (a new bare `panic:` after that starts a new report).
 */
export function isPanicContinuation(s: string, afterGoroutine: boolean): boolean {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  if (c === 9) return true; // \t/path/file.go:123 +0x1f, \tpanic: ... [recovered]
  if (c === 32) return s.trim().length === 0 || s.startsWith('    ');
  if (isGoroutineHeader(s)) return true;
  if (s.startsWith('created by ')) return true;
  if (s.startsWith('[signal ')) return true;
  if (!afterGoroutine && (s.startsWith('panic: ') || s.startsWith('fatal error: '))) return true;
  if (s === 'runtime stack:' || s === '...additional frames elided...' || s.startsWith('exit status '))
    return true;
  if (s.startsWith('PC=') || /^SIG[A-Z]+: /.test(s)) return true;
  if (s.startsWith('...') && s.endsWith('frames elided...')) return true;
  if (REGISTER.test(s)) return true;
  return isFrame(s);
}

/** `main.main()`, `github.com/x/y.(*T).M(0xc000010000, {0x0, 0x0})`, `panic({0x1, 0x2})`, `main.f(...)`. */
function isFrame(s: string): boolean {
  const paren = s.indexOf('(');
  if (paren <= 0) return false;
  const sp = s.indexOf(' ');
  if (sp >= 0 && sp < paren) return false;
  if (!s.endsWith(')')) return false;
  // The function name: identifier chars, dots, slashes, `*`, parens of method receivers.
  for (let i = 0; i < paren; i++) {
    const ch = s.charCodeAt(i);
    const ok =
      (ch >= 97 && ch <= 122) ||
      (ch >= 65 && ch <= 90) ||
      (ch >= 48 && ch <= 57) ||
      ch === 46 ||
      ch === 47 ||
      ch === 95 ||
      ch === 45 ||
      ch === 126 ||
      ch === 91 ||
      ch === 93 ||
      ch === 44;
    if (!ok) return false;
  }
  return true;
}

export function parseGoPanic(s: string): ParsedLine | null {
  if (!isPanicStart(s)) return null;
  return untimed('gopanic', 'PANIC', null, s);
}
