/**
 * Go string literals as printed by strconv.Quote / %q (Calico logutils prints string fields with
 * strconv.AppendQuote; logrus text quotes with %q). Pure, never throws.
 */

/**
 * Index just past the closing quote of a Go-quoted string starting at `s[i] === '"'`, or -1 when
 * it is not closed before `end`.
 */
export function quotedEnd(s: string, i: number, end = s.length): number {
  let p = i + 1;
  for (;;) {
    const q = s.indexOf('"', p);
    if (q < 0 || q >= end) return -1;
    // The quote is escaped when preceded by an odd run of backslashes.
    let b = q - 1;
    while (b > i && s.charCodeAt(b) === 92) b--;
    if (((q - 1 - b) & 1) === 0) return q + 1;
    p = q + 1;
  }
}

/** True when `s[i..end)` is exactly one complete Go-quoted string. */
export function isQuoted(s: string, i: number, end: number): boolean {
  return end - i >= 2 && s.charCodeAt(i) === 34 && quotedEnd(s, i, end) === end;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function hexAt(s: string, i: number, n: number, end: number): number {
  if (i + n > end) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const h = hexVal(s.charCodeAt(i + k));
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/**
 * Decodes the Go-quoted string `s[i..end)` (including its quotes). Escapes: \a \b \f \n \r \t \v
 * \\ \' \" \xNN \NNN (octal) \uNNNN \UNNNNNNNN. `\xNN` >= 0x80 is a raw byte of invalid UTF-8 in Go
 * (Quote only escapes bytes that way when they are not valid UTF-8): decoded as U+FFFD. Unknown
 * escapes are kept verbatim.
 */
export function unquoteGo(s: string, i: number, end: number): string {
  const from = i + 1;
  const to = end - 1;
  const firstEsc = s.indexOf('\\', from);
  if (firstEsc < 0 || firstEsc >= to) return s.slice(from, to);
  let out = s.slice(from, firstEsc);
  let p = firstEsc;
  while (p < to) {
    const c = s.charCodeAt(p);
    if (c !== 92) {
      const next = s.indexOf('\\', p);
      const stop = next < 0 || next > to ? to : next;
      out += s.slice(p, stop);
      p = stop;
      continue;
    }
    const e = s.charCodeAt(p + 1);
    p += 2;
    switch (e) {
      case 110:
        out += '\n';
        break;
      case 116:
        out += '\t';
        break;
      case 114:
        out += '\r';
        break;
      case 92:
        out += '\\';
        break;
      case 34:
        out += '"';
        break;
      case 39:
        out += "'";
        break;
      case 97:
        out += '\x07';
        break;
      case 98:
        out += '\b';
        break;
      case 102:
        out += '\f';
        break;
      case 118:
        out += '\v';
        break;
      case 120: {
        const v = hexAt(s, p, 2, to);
        if (v < 0) out += '\\x';
        else {
          out += v < 0x80 ? String.fromCharCode(v) : '\uFFFD';
          p += 2;
        }
        break;
      }
      case 117:
      case 85: {
        const n = e === 117 ? 4 : 8;
        const v = hexAt(s, p, n, to);
        if (v < 0 || v > 0x10ffff) out += e === 117 ? '\\u' : '\\U';
        else {
          out += String.fromCodePoint(v);
          p += n;
        }
        break;
      }
      default: {
        if (e >= 48 && e <= 55) {
          const o1 = s.charCodeAt(p) - 48;
          const o2 = s.charCodeAt(p + 1) - 48;
          if (p + 1 < to && o1 >= 0 && o1 <= 7 && o2 >= 0 && o2 <= 7) {
            const v = (e - 48) * 64 + o1 * 8 + o2;
            out += v < 0x80 ? String.fromCharCode(v) : '\uFFFD';
            p += 2;
            break;
          }
        }
        if (Number.isNaN(e)) out += '\\';
        else out += `\\${String.fromCharCode(e)}`;
      }
    }
  }
  return out;
}
