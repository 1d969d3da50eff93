/**
 * Token masks: decide whether one token is a variable and which placeholder replaces it.
 *
 * Pure and order-independent: a token's mask depends only on the token (and, for a few
 * context words, on the word before it — see template.ts). No state, no learning: this is
 * what keeps fingerprints a pure function of the record (docs/EXACTNESS.md F1).
 *
 * Hot path: most tokens of a log line are plain words. `maskToken` returns them untouched after
 * a single character scan; regular expressions run only for tokens that contain a digit or
 * a character that can start a variable (`/`, `\`, `:`, ...).
 */

/** Placeholders used in templates. Stable strings: they are hashed into fingerprints. */
export const P = {
  // An IP literal or a DNS host name, with an optional port: `rhost=` and `from` take either.
  ip: '<ADDR>',
  cidr: '<CIDR>',
  mac: '<MAC>',
  uuid: '<UUID>',
  hex: '<HEX>',
  num: '<N>',
  duration: '<DURATION>',
  ts: '<TS>',
  path: '<PATH>',
  url: '<URL>',
  iface: '<IFACE>',
  pod: '<POD>',
  ns: '<NS>',
  host: '<HOST>',
  bool: '<BOOL>',
  tier: '<TIER>',
  user: '<USER>',
  any: '<*>',
} as const;

const RE_IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const RE_IPV4_PORT = /^(?:\d{1,3}\.){3}\d{1,3}:\d{1,5}$/;
const RE_CIDR4 = /^(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
// IPv6: hex groups with at least two colons; `::` compression; optional zone and prefix.
const RE_IPV6 = /^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?:%[\w.]+)?$/i;
const RE_IPV6_PORT = /^\[(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\]:\d{1,5}$/i;
const RE_CIDR6 = /^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\/\d{1,3}$/i;
const RE_MAC = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i;
const RE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RE_HEX0X = /^0x[0-9a-f]+$/i;
const RE_HEXID = /^[0-9a-f]+$/i;
const RE_NUM = /^[-+]?(?:\d+(?:\.\d+)?(?:e[-+]?\d+)?|\d{1,3}(?:,\d{3})+)$/i;
// Go time.Duration.String() and friends: 1h2m3.5s, 250ms, 1.5µs, 15m0.312s, 8s.
const RE_DURATION = /^-?(?:\d+(?:\.\d+)?(?:h|m|s|ms|us|µs|ns))+$/;
// Time of day (hh:mm[:ss[.fff]]), dates (2025-01-14, 2016/9/27, 17/06/09), ISO/RFC3339 stamps.
const RE_TIME = /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d+)?$/;
const RE_DATE = /^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$/;
const RE_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
// Calico interface names (felix/dataplane: cali + 11 hex of the endpoint hash; tunnel devices).
const RE_CALI_IFACE =
  /^(?:cali[0-9a-f]{11}|vxlan\.calico|vxlan-v6\.calico|tunl\d+|wireguard\.cali|wg-v6\.cali|bpfout\.cali|bpfin\.cali|bpfnatin|bpfnatout|eth\d+|ens\d+\w*|enp\d+\w*|eno\d+|bond\d+|veth[0-9a-f]{4,})$/;
// Kubernetes generated pod names: <deployment>-<replicaset hash>-<5 chars>, <daemonset>-<5 chars>.
const RE_POD_RS =
  /^[a-z0-9]([a-z0-9-]*[a-z0-9])?-[bcdfghjklmnpqrstvwxz0-9]{6,10}-[bcdfghjklmnpqrstvwxz0-9]{5}$/;
// `namespace/pod`, as in WorkloadId:"default/nginx-7c5ddbdf54-x2x7q".
const RE_NS_SLASH = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?\//;
const RE_POD_DS = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
const RE_URL = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const RE_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\.?$/i;
const RE_HOST_PORT = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+:\d{1,5}$/i;
/** Top-level domains recognised for digit-free host names (a digit-free name needs one of these). */
const TLDS = new Set(
  'com net org edu gov mil int info biz io co us uk de fr nl pl jp cn hk tw kr ru br au ca it es se ch at be dk fi no cz mx om local internal lan svc'.split(
    ' ',
  ),
);

/**
 * A DNS host name: dotted labels ending in an alphabetic label. With a digit somewhere it needs
 * three labels (`ip-216-69-1-2.secureserver.net`, `n2190.netvigator.com`); without one, a
 * known top-level domain (`massive.merukuru.org`), so that `config.yaml` or `pkg.Type` stay words.
 */
function isHostName(core: string, digit: boolean): boolean {
  const lastDot = core.lastIndexOf('.');
  if (lastDot <= 0) return false;
  const tld = core.slice(lastDot + 1).toLowerCase();
  if (!/^[a-z]{2,}$/.test(tld)) return false;
  if (!RE_HOST.test(core)) return false;
  if (!digit) return TLDS.has(tld) && core.indexOf('.') < lastDot;
  return TLDS.has(tld) || core.indexOf('.') < lastDot;
}

const CC_0 = 48;
const CC_9 = 57;

function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= CC_0 && c <= CC_9) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= CC_0 && c <= CC_9;
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
}

/** A path: at least two `/`-separated segments starting with `/`, `./`, `~/`, or a Windows drive. */
function isPath(core: string): boolean {
  const c0 = core.charCodeAt(0);
  if (c0 === 47 /* / */) {
    // `/`-rooted with a second slash, or a single segment with a dot (/etc.conf is rare; keep it strict)
    return core.length > 1 && core.indexOf('/', 1) > 0;
  }
  if (/^[A-Za-z]:\\/.test(core) || (c0 === 92 && core.indexOf('\\', 1) > 0)) return true;
  if (core.startsWith('./') || core.startsWith('../') || core.startsWith('~/')) return true;
  return false;
}

/** `<namespace>/<pod>` → `<NS>/<POD>` when the right side is a generated pod name; else null. */
function nsPod(core: string): string | null {
  const slash = core.indexOf('/');
  if (slash <= 0 || core.indexOf('/', slash + 1) >= 0 || !RE_NS_SLASH.test(core)) return null;
  const name = core.slice(slash + 1);
  return RE_POD_RS.test(name) || RE_POD_DS.test(name) ? `${P.ns}/${P.pod}` : null;
}

/**
 * Mask a token with no surrounding punctuation ("core"). Returns the placeholder, a partly
 * masked token (`blk_<N>`, `onExtend:<N>`), or the token itself.
 */
export function maskCore(core: string): string {
  if (core.length === 0) return core;
  const digit = hasDigit(core);
  if (!digit) {
    // Digit-free variables: Calico tunnel/host interfaces, paths, URLs.
    const c0 = core.charCodeAt(0);
    if (c0 === 47 || c0 === 46 || c0 === 126 || c0 === 92 || core.charCodeAt(1) === 58) {
      if (isPath(core)) return P.path;
    }
    if (core.indexOf('://') > 0 && RE_URL.test(core)) return P.url;
    if (
      core.indexOf('.cali') > 0 ||
      core.startsWith('vxlan') ||
      core.startsWith('wg-') ||
      core.startsWith('bpf')
    ) {
      if (RE_CALI_IFACE.test(core)) return P.iface;
    }
    if (core.indexOf('.') > 0 && isHostName(core, false)) return P.ip;
    // Daemonset/statefulset pods whose random suffix happens to hold no digit: calico-node-xkcdq.
    if (core.indexOf('-') > 0) {
      if (RE_POD_DS.test(core) || RE_POD_RS.test(core)) return P.pod;
      const ns = nsPod(core);
      if (ns !== null) return ns;
    }
    return core;
  }
  // Whole-token shapes, most specific first.
  if (RE_NUM.test(core)) return P.num;
  if (RE_IPV4.test(core) || RE_IPV4_PORT.test(core)) return P.ip;
  if (RE_CIDR4.test(core)) return P.cidr;
  if (RE_DURATION.test(core)) return P.duration;
  if (RE_HEX0X.test(core)) return P.num;
  if (RE_UUID.test(core)) return P.uuid;
  if (core.indexOf(':') >= 0) {
    if (RE_MAC.test(core)) return P.mac;
    if (RE_TIME.test(core)) return P.ts;
    if (RE_IPV6.test(core) || RE_IPV6_PORT.test(core)) return P.ip;
    if (RE_CIDR6.test(core)) return P.cidr;
    if (RE_ISO.test(core)) return P.ts;
  }
  if (RE_HEXID.test(core)) return core.length >= 12 ? P.hex : P.num;
  if (RE_DATE.test(core) || RE_ISO.test(core)) return P.ts;
  if (RE_CALI_IFACE.test(core)) return P.iface;
  if (isPath(core)) return P.path;
  if (core.indexOf('://') > 0 && RE_URL.test(core)) return P.url;
  if (RE_POD_RS.test(core) || RE_POD_DS.test(core)) return P.pod;
  const ns = nsPod(core);
  if (ns !== null) return ns;
  const comma = core.indexOf(',');
  if (comma > 0) {
    // A comma list whose items are all one kind of variable is that variable (`10.0.0.1,10.0.0.2`).
    const items = core.split(',');
    const first = maskCore(items[0]!);
    if (first.charCodeAt(0) === 60 && first.endsWith('>') && items.every((it) => maskCore(it) === first))
      return first;
  }
  if (core.indexOf('.') > 0) {
    if (isHostName(core, true)) return P.ip;
    if (RE_HOST_PORT.test(core)) return P.ip;
  }
  return maskPieces(core);
}

/**
 * Generic identifier masking: split the token into alphanumeric pieces; a piece with a digit is a
 * variable. When variables dominate the token (more than half of its pieces) the whole token is
 * one variable (`R02-M1-N0-C:J12-U11`, `k8s-worker-2`, `appattempt_14451_0020_000001`); otherwise
 * only the variable pieces are masked (`onExtend:<N>`, `blk_<N>`, `ready=true,policy=<N>`).
 */
export function maskPieces(core: string): string {
  let pieces = 0;
  let varPieces = 0;
  let i = 0;
  const n = core.length;
  while (i < n) {
    if (!isAlnum(core.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    let d = false;
    while (j < n && isAlnum(core.charCodeAt(j))) {
      const c = core.charCodeAt(j);
      if (c >= CC_0 && c <= CC_9) d = true;
      j++;
    }
    pieces++;
    if (d) varPieces++;
    i = j;
  }
  if (varPieces * 2 > pieces || (varPieces >= 2 && core.indexOf('=') < 0)) return P.any;
  // Partial: replace each digit-bearing piece (with a leading sign) by <N>, collapsing neighbours.
  let out = '';
  i = 0;
  while (i < n) {
    const c = core.charCodeAt(i);
    if (!isAlnum(c)) {
      // A '-' glued to a number after a separator is its sign: blk_-695 and blk_38 share blk_<N>.
      const sign =
        c === 45 &&
        i + 1 < n &&
        isDigit(core.charCodeAt(i + 1)) &&
        (i === 0 || !isAlnum(core.charCodeAt(i - 1)));
      if (!sign) out += core[i];
      i++;
      continue;
    }
    let j = i;
    let d = false;
    while (j < n && isAlnum(core.charCodeAt(j))) {
      const cj = core.charCodeAt(j);
      if (cj >= CC_0 && cj <= CC_9) d = true;
      j++;
    }
    if (d) {
      out += P.num;
    } else {
      out += core.slice(i, j);
    }
    i = j;
  }
  return out;
}

export { hasDigit, isHostName };
