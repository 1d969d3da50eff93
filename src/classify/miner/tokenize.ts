/**
 * Tokenising for the template miner. Whitespace separates tokens (runs of whitespace collapse to
 * one space, so alignment padding never splits a template); each token is then split into
 * leading punctuation, a core and trailing punctuation, so that `(10.0.1.23)`, `'eth0'`,
 * `"k8s-worker-2":` and `192.168.84.9,` mask the same way as their bare cores.
 */

/** Characters that may wrap a value: stripped before masking and put back after. */
function isLead(c: number): boolean {
  // ( [ { < " ' `
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 34 || c === 39 || c === 96;
}

function isTrail(c: number): boolean {
  // ) ] } > " ' ` , ; : . ! ?
  return (
    c === 41 ||
    c === 93 ||
    c === 125 ||
    c === 62 ||
    c === 34 ||
    c === 39 ||
    c === 96 ||
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === 46 ||
    c === 33 ||
    c === 63
  );
}

export interface TokenParts {
  readonly lead: string;
  readonly core: string;
  readonly trail: string;
}

/** Split `tok` into leading punctuation, core and trailing punctuation. */
export function splitToken(tok: string): TokenParts {
  let a = 0;
  let b = tok.length;
  while (a < b && isLead(tok.charCodeAt(a))) a++;
  while (b > a && isTrail(tok.charCodeAt(b - 1))) b--;
  // A trailing ':' of an IPv6 address (`fe80::`) belongs to the core.
  if (b > a && tok.startsWith('::', b) && b + 2 === tok.length) b += 2;
  if (a === 0 && b === tok.length) return { lead: '', core: tok, trail: '' };
  return { lead: tok.slice(0, a), core: tok.slice(a, b), trail: tok.slice(b) };
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** Whitespace-separated tokens of `text` (no empty tokens). */
export function words(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && !isSpace(text.charCodeAt(j))) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/**
 * Index of the `=` of an inline `key=value` token (`uid=0`, `rhost=1.2.3.4`, `(HWID=1973)`), or -1.
 * The key must be a plain identifier so that `==`, `a=b=c` and `=x` are not split.
 */
export function kvSplit(core: string): number {
  const eq = core.indexOf('=');
  if (eq <= 0 || eq === core.length - 1) return eq > 0 && eq === core.length - 1 ? eq : -1;
  for (let i = 0; i < eq; i++) {
    const c = core.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 ||
      c === 45 ||
      c === 46;
    if (!ok) return -1;
  }
  return eq;
}
