/**
 * Text prefixes that tools put in front of a log line, recognised on raw text (and on the text of
 * a shipper when it starts with a digit: a shipped svlogd or journald file). Each is checked
 * against its producer:
 *
 *  - `kubectl logs --timestamps`: the kubelet's RFC 3339 time (nanoseconds, a zone), one space.
 *  - `kubectl logs --prefix` (also with `--all-containers`): `[pod/NAME/CONTAINER] `, written by
 *    kubectl's prefixingWriter in front of each line the kubelet streams, so with --timestamps too
 *    the prefix comes first: `[pod/x/y] 2024-05-01T10:00:00.123456789Z <line>`
 *    (kubernetes/kubectl pkg/cmd/logs/logs.go, addPrefixIfNeeded).
 *  - stern's default template without colour `{{.PodName}} {{.ContainerName}} {{.Message}}`, with
 *    `{{.Namespace}} ` in front for --all-namespaces / several namespaces, and the coloured one
 *    (fatih/color SGR sequences around the names, stripped here) (stern/stern cmd/cmd.go).
 *  - syslog files (`May  1 10:00:00 host tag[pid]: `, rsyslog) and journalctl `-o short`
 *    (`%b %d %H:%M:%S`), `short-precise` (+ `.uuuuuu`), `short-iso` (`%Y-%m-%dT%H:%M:%S%z`; newer
 *    systemd prints `+00:00`) and `short-iso-precise`, then ` hostname identifier[pid]: `
 *    (systemd src/shared/logs-show.c, output_short).
 *  - runit's svlogd in calico/node (`svlogd -tt` in old images, `-ttt` since): a UTC time
 *    `YYYY-MM-DD_HH:MM:SS.xxxxx` / `YYYY-MM-DDTHH:MM:SS.xxxxx` (fmt_ptime2 keeps 5 fraction
 *    digits), or `-t`'s TAI64N label `@` + 24 hex digits (seconds + 2^62 + 10, then nanoseconds:
 *    runit taia_now), one space (calico node/filesystem/etc/service/available/<svc>/log/run).
 *
 * Stern's prefix is only two names and a space, which ordinary text can have too: it is taken only
 * when what follows is a line this parser recognises (or continues one: a stack frame, a health
 * table row, an empty message), and only on lines that start with a lower-case letter (every Calico
 * pod's name does; a digit first is a time prefix or a bare Calico line, the hot path, which pays
 * nothing for stern). Every other prefix is distinctive by its shape. Pure, never throws.
 */
import type { KubernetesMeta } from '../../domain/record.ts';
import { isPanicContinuation, parseLineRemembered } from '../formats/index.ts';
import { digits, parseRfc3339, wallMs } from '../timestamp.ts';
import type { PrefixFields, PrefixTime } from './types.ts';

const NO_META: KubernetesMeta = Object.freeze({});

/** The prefix of a raw line, or null. Dispatches on the first character; most lines cost one compare. */
export function unwrapPrefix(s: string): PrefixFields | null {
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) return timePrefix(s);
  if (c >= 97 && c <= 122) return sternPrefix(s);
  if (c >= 65 && c <= 90) return syslogPrefix(s);
  if (c === 91) return kubectlPrefix(s);
  if (c === 64) return tai64nPrefix(s);
  if (c === 27) return colouredSternPrefix(s);
  return null;
}

// ---------------------------------------------------------------------------------------------
// Time prefixes: kubectl --timestamps, svlogd, journalctl short-iso

/** A digit-led prefix: svlogd -tt / -ttt, journalctl short-iso, or kubectl --timestamps. */
export function timePrefix(s: string): PrefixFields | null {
  const sep = s.charCodeAt(10);
  if (sep === 95) return svlogdPrefix(s);
  if (sep !== 84) return null; // a Calico line has a space here: one compare and out
  const t = parseRfc3339(s, 0);
  if (t === null || s.charCodeAt(t.end) !== 32) return null;
  const rest = t.end + 1;
  if (!t.zoned) {
    // svlogd -ttt: UTC, no zone, exactly 5 fraction digits (25 characters).
    if (t.end !== 25 || s.charCodeAt(19) !== 46) return null;
    return svlogd(s.slice(rest), t.ms);
  }
  // journalctl prints its zone with %z (`+0000`, `+00:00`), never `Z`: a `Z` is the kubelet's.
  if (s.charCodeAt(t.end - 1) !== 90) {
    const h = syslogHeader(s, rest, { kind: 'utc', ms: t.ms });
    if (h !== null) return h;
  }
  return { wrapper: 'kubectl', text: s.slice(rest), envelopeTimeMs: t.ms, kubernetes: NO_META, hints: null };
}

/** The kubelet's `--timestamps` time at the start of `s` followed by a space: [ms, text start], or null. */
function kubeletTime(s: string): readonly [number, number] | null {
  if (s.charCodeAt(10) !== 84) return null;
  const c = s.charCodeAt(0);
  if (c < 48 || c > 57) return null;
  const t = parseRfc3339(s, 0);
  if (t === null || !t.zoned || s.charCodeAt(t.end) !== 32) return null;
  return [t.ms, t.end + 1];
}

/** svlogd -tt: `2016-03-30_19:46:40.88778 ` (UTC). */
function svlogdPrefix(s: string): PrefixFields | null {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58) return null;
  if (s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(25) !== 32) return null;
  const y = digits(s, 0, 4);
  const frac = digits(s, 20, 5);
  if (y < 0 || frac < 0) return null;
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0) return null;
  const ms = wallMs(y, mo, d, h, mi, sec, Math.floor(frac / 100));
  return Number.isNaN(ms) ? null : svlogd(s.slice(26), ms);
}

/** svlogd -t: `@4000000056fc2bb034e1a2cc ` (TAI64N; runit's clock is UTC + 10 s, no leap seconds). */
function tai64nPrefix(s: string): PrefixFields | null {
  if (s.charCodeAt(25) !== 32 || !s.startsWith('@40000000', 0)) return null;
  const secs = hex(s, 9, 8);
  const nanos = hex(s, 17, 8);
  if (secs < 10 || nanos < 0 || nanos > 999_999_999) return null;
  return svlogd(s.slice(26), (secs - 10) * 1000 + Math.floor(nanos / 1e6));
}

function svlogd(text: string, ms: number): PrefixFields {
  return { wrapper: 'svlogd', text, envelopeTimeMs: ms, kubernetes: NO_META, hints: null };
}

/** Value of `n` (<= 8) lower-case hex digits at s[i..i+n), or -1. */
function hex(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else return -1;
    v = v * 16 + d;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// syslog / journalctl short

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/** `May  1 10:00:00 host tag[pid]: ` / `May 01 10:00:00.123456 host tag: ` (no year, local time). */
function syslogPrefix(s: string): PrefixFields | null {
  const c1 = s.charCodeAt(1);
  // Months are `Xxx`: a klog line (`I0114 …`, `F0114 …`) has a digit here.
  if (c1 < 97 || c1 > 122 || s.charCodeAt(3) !== 32 || s.length < 20) return null;
  const m = MONTHS.indexOf(s.slice(0, 3));
  if (m < 0 || m % 3 !== 0) return null;
  const day = s.charCodeAt(4) === 32 ? digits(s, 5, 1) : digits(s, 4, 2);
  if (day < 1 || day > 31 || s.charCodeAt(6) !== 32) return null;
  const h = digits(s, 7, 2);
  const mi = digits(s, 10, 2);
  const sec = digits(s, 13, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return null;
  if (s.charCodeAt(9) !== 58 || s.charCodeAt(12) !== 58) return null;
  let p = 15;
  let ms = 0;
  if (s.charCodeAt(p) === 46) {
    // short-precise: microseconds
    const f = digits(s, p + 1, 6);
    if (f < 0) return null;
    ms = Math.floor(f / 1000);
    p += 7;
  }
  if (s.charCodeAt(p) !== 32) return null;
  const timeOfDayMs = ((h * 60 + mi) * 60 + sec) * 1000 + ms;
  return syslogHeader(s, p + 1, { kind: 'yearless', month: m / 3 + 1, day, timeOfDayMs });
}

function isHostChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95
  );
}

/**
 * ` host tag[pid]: message` from `i` on (RFC 3164 TAG; journald's SYSLOG_IDENTIFIER): the host
 * becomes the node. Null when the header does not have this exact shape.
 */
function syslogHeader(s: string, i: number, time: PrefixTime): PrefixFields | null {
  let p = i;
  while (p < s.length && isHostChar(s.charCodeAt(p))) p++;
  if (p === i || p - i > 253 || s.charCodeAt(p) !== 32) return null;
  const host = s.slice(i, p);
  const tagStart = ++p;
  for (; p < s.length; p++) {
    const c = s.charCodeAt(p);
    if (!(isHostChar(c) || c === 47 || c === 64)) break;
  }
  if (p === tagStart || p - tagStart > 64) return null;
  const tag = s.slice(tagStart, p);
  let pid: number | null = null;
  if (s.charCodeAt(p) === 91) {
    const close = s.indexOf(']', p + 1);
    if (close < 0 || close - p > 11) return null;
    pid = digits(s, p + 1, close - p - 1);
    if (pid < 0 || close === p + 1) return null;
    p = close + 1;
  }
  if (s.charCodeAt(p) !== 58) return null;
  p++;
  if (p < s.length && s.charCodeAt(p) !== 32) return null;
  return {
    wrapper: 'syslog',
    text: p + 1 < s.length ? s.slice(p + 1) : '',
    envelopeTimeMs: null,
    kubernetes: cachedMeta(host, undefined, undefined, undefined),
    hints: { time, pid, tag },
  };
}

// ---------------------------------------------------------------------------------------------
// kubectl --prefix

/** `[pod/NAME/CONTAINER] ` (CONTAINER may be empty when kubectl could not tell it). */
function kubectlPrefix(s: string): PrefixFields | null {
  if (!s.startsWith('[pod/')) return kubetailPrefix(s);
  const podEnd = nameEnd(s, 5, true, 253);
  if (podEnd < 0 || s.charCodeAt(podEnd) !== 47) return null;
  let ctrEnd = podEnd + 1;
  if (s.charCodeAt(ctrEnd) !== 93) {
    ctrEnd = nameEnd(s, podEnd + 1, false, 63);
    if (ctrEnd < 0 || s.charCodeAt(ctrEnd) !== 93) return null;
  }
  if (s.charCodeAt(ctrEnd + 1) !== 32) return null;
  const pod = s.slice(5, podEnd);
  const container = ctrEnd > podEnd + 1 ? s.slice(podEnd + 1, ctrEnd) : undefined;
  let text = s.slice(ctrEnd + 2);
  let envelopeTimeMs: number | null = null;
  const t = kubeletTime(text);
  if (t !== null) {
    envelopeTimeMs = t[0];
    text = text.slice(t[1]);
  }
  return {
    wrapper: 'kubectl',
    text,
    envelopeTimeMs,
    kubernetes: cachedMeta(undefined, undefined, pod, container),
    hints: null,
  };
}

/**
 * kubetail (johanhaleby/kubetail): `[POD CONTAINER] ` with the line after it (colours stripped by
 * the caller when there were any). Two names in brackets, the first a pod name.
 */
function kubetailPrefix(s: string): PrefixFields | null {
  const podEnd = nameEnd(s, 1, true, 253);
  if (podEnd < 0 || s.charCodeAt(podEnd) !== 32) return null;
  const ctrEnd = nameEnd(s, podEnd + 1, false, 63);
  if (ctrEnd < 0 || s.charCodeAt(ctrEnd) !== 93 || s.charCodeAt(ctrEnd + 1) !== 32) return null;
  let t = ctrEnd + 2;
  while (s.charCodeAt(t) === 32) t++;
  return {
    wrapper: 'stern',
    text: s.slice(t),
    envelopeTimeMs: null,
    kubernetes: cachedMeta(undefined, undefined, s.slice(1, podEnd), s.slice(podEnd + 1, ctrEnd)),
    hints: null,
  };
}

// ---------------------------------------------------------------------------------------------
// stern

/**
 * End of a Kubernetes name at s[i..]: DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, <= 63) or,
 * with `dots`, subdomain (pod names, <= 253). -1 when there is none.
 */
function nameEnd(s: string, i: number, dots: boolean, max: number): number {
  let j = i;
  for (; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || (dots && c === 46))) break;
  }
  if (j === i || j - i > max || !isAlnum(s.charCodeAt(i)) || !isAlnum(s.charCodeAt(j - 1))) return -1;
  return j;
}

function isAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

function hasDot(s: string, from: number, to: number): boolean {
  const d = s.indexOf('.', from);
  return d >= 0 && d < to;
}

/**
 * The random suffix the Kubernetes controllers give a pod (`-x7k2p`, and `-7d9f8c6b5-x7k2p` under a
 * ReplicaSet): five characters of apimachinery's rand alphabet `bcdfghjklmnpqrstvwxz2456789` (no
 * vowels, no 0, 1 or 3). A name ending so is a pod name, not a word of ordinary text.
 */
function hasPodSuffix(s: string, from: number, to: number): boolean {
  if (to - from < 7 || s.charCodeAt(to - 6) !== 45) return false;
  for (let i = to - 5; i < to; i++) if (!POD_SUFFIX.has(s.charCodeAt(i))) return false;
  return true;
}

const POD_SUFFIX: ReadonlySet<number> = new Set(
  [...'bcdfghjklmnpqrstvwxz2456789'].map((c) => c.charCodeAt(0)),
);

/**
 * `POD CONTAINER <line>` or `NAMESPACE POD CONTAINER <line>`; also `TAG[PID]: <line>` (a syslog
 * line whose time and host were cut off, as a `journalctl -o cat`-like paste keeps them) and
 * `CONTAINER <Calico line>` (a one-name template).
 */
function sternPrefix(s: string): PrefixFields | null {
  const a = nameEnd(s, 0, true, 253);
  if (a < 0) return null;
  if (s.charCodeAt(a) === 91) return bareSyslogTag(s, a);
  if (s.charCodeAt(a) !== 32) return null;
  const b = nameEnd(s, a + 1, true, 253);
  if (b < 0 || s.charCodeAt(b) !== 32) return oneName(s, a);
  // POD CONTAINER: the container is a label (no dots, <= 63). A generated pod name is distinctive
  // enough to take whatever follows (a shell script's plain text too).
  if (b - a - 1 <= 63 && !hasDot(s, a + 1, b)) {
    const r = sternRest(s, b + 1);
    if (r !== null) return stern(s.slice(0, a), s.slice(a + 1, b), undefined, r);
    if (hasPodSuffix(s, 0, a)) {
      // A namespace can end like a generated pod name (`team-bbbfb`): three names before a line
      // stern could have printed win over two names before anything.
      const three = threeNames(s, a, b);
      if (three !== null) return three;
      return stern(s.slice(0, a), s.slice(a + 1, b), undefined, [s.slice(b + 1), null]);
    }
  }
  const one = oneName(s, a);
  if (one !== null) return one;
  return threeNames(s, a, b);
}

/** `NAMESPACE POD CONTAINER <line>` (the namespace is a label too), names ending at a and b. */
function threeNames(s: string, a: number, b: number): PrefixFields | null {
  if (a > 63 || hasDot(s, 0, a)) return null;
  const c = nameEnd(s, b + 1, false, 63);
  if (c < 0 || s.charCodeAt(c) !== 32) return null;
  const r = sternRest(s, c + 1);
  if (r === null) return null;
  return stern(s.slice(a + 1, b), s.slice(b + 1, c), s.slice(0, a), r);
}

/** `NAME <Calico line>`: only when what follows is a Calico text-format line (it starts with its date). */
function oneName(s: string, a: number): PrefixFields | null {
  const c = s.charCodeAt(a + 1);
  if (a > 63 || hasDot(s, 0, a) || c < 48 || c > 57) return null;
  const rest = s.slice(a + 1);
  if (parseLineRemembered(rest).format !== 'calico') return null;
  return stern(undefined, s.slice(0, a), undefined, [rest, null]);
}

/** `tag[pid]: message`: RFC 3164's TAG and pid without the time and host in front. */
function bareSyslogTag(s: string, a: number): PrefixFields | null {
  const close = s.indexOf(']', a + 1);
  if (close < 0 || close - a > 11 || close === a + 1) return null;
  const pid = digits(s, a + 1, close - a - 1);
  if (pid < 0 || s.charCodeAt(close + 1) !== 58 || s.charCodeAt(close + 2) !== 32) return null;
  return {
    wrapper: 'syslog',
    text: s.slice(close + 3),
    envelopeTimeMs: null,
    kubernetes: NO_META,
    hints: { time: null, pid, tag: s.slice(0, a) },
  };
}

/** Stern with colours: fatih/color wraps each name in `ESC[<n>m … ESC[0m`. */
function colouredSternPrefix(s: string): PrefixFields | null {
  const plain = stripSgr(s);
  const c = plain.charCodeAt(0);
  return c >= 97 && c <= 122 ? sternPrefix(plain) : null;
}

/** Removes ANSI SGR sequences (`ESC [ <digits;…> m`). */
export function stripSgr(s: string): string {
  let out = '';
  let from = 0;
  let i = s.indexOf('\u001b[');
  while (i >= 0) {
    let j = i + 2;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (!((c >= 48 && c <= 57) || c === 59)) break;
      j++;
    }
    if (s.charCodeAt(j) === 109) {
      out += s.slice(from, i);
      from = j + 1;
    }
    i = s.indexOf('\u001b[', j);
  }
  return from === 0 ? s : out + s.slice(from);
}

/**
 * The message at s[i..] when it is one stern could have printed for a Calico container: a line
 * this parser recognises, one that continues such a line (a Go trace line — frame, `\t/path`,
 * `created by`, registers, empty — or a Felix health table row), or one with stern --timestamps'
 * time in front. Returns [message, kubelet time or null], or null.
 */
function sternRest(s: string, i: number): readonly [string, number | null] | null {
  const rest = s.slice(i);
  const t = kubeletTime(rest);
  if (t !== null) return [rest.slice(t[1]), t[0]];
  const c = rest.charCodeAt(0);
  if (c === 124 || (c === 43 && rest.charCodeAt(1) === 45) || isPanicContinuation(rest, false)) {
    return [rest, null];
  }
  return parseLineRemembered(rest).format === 'unparsed' ? null : [rest, null];
}

function stern(
  pod: string | undefined,
  container: string,
  namespace: string | undefined,
  [text, envelopeTimeMs]: readonly [string, number | null],
): PrefixFields {
  return {
    wrapper: 'stern',
    text,
    envelopeTimeMs,
    kubernetes: cachedMeta(undefined, namespace, pod, container),
    hints: null,
  };
}

// ---------------------------------------------------------------------------------------------

/**
 * One frozen KubernetesMeta per prefix, reused while consecutive lines share it (the assembler
 * keys open groups by it). A one-entry pure cache: the result never depends on it.
 */
let last: KubernetesMeta = NO_META;

function cachedMeta(
  node: string | undefined,
  namespace: string | undefined,
  pod: string | undefined,
  container: string | undefined,
): KubernetesMeta {
  const l = last;
  if (l.node === node && l.namespace === namespace && l.pod === pod && l.container === container) return l;
  const m: KubernetesMeta = {};
  if (node !== undefined) m.node = node;
  if (namespace !== undefined) m.namespace = namespace;
  if (pod !== undefined) m.pod = pod;
  if (container !== undefined) m.container = container;
  last = Object.freeze(m);
  return last;
}
