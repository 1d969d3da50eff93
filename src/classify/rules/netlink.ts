/**
 * Netlink failures from Felix, the CNI plugin and BIRD (docs/DESIGN.md "Classification and fingerprints").
 *
 * A record is a netlink error when its message is one of the known failure call sites below
 * (felix/routetable, routerule, ifacemonitor, netlinkshim/handlemgr, vxlanfdb, dataplane/linux
 * vxlan/ipip/int_dataplane/endpoint/bpf managers, wireguard, conntrack; cni-plugin
 * dataplane_linux; BIRD sysdep/linux/netlink.c) at calico v3.29.0–v3.30.0, or when a Felix
 * warning/error's error text names netlink. The table maps each call site to an operation name.
 *
 * Not netlink errors (decided on reading them, see test/golden/classify-corpus.decisions.ts):
 * - lines whose error is `<nil>` ("Retry was successful. error=<nil>", "Failed to configure
 *   interface, will retry error=<nil>"): nothing failed in netlink;
 * - recovery and observation notices ("Connected to netlink after previous failures",
 *   "Spotted interface had changed index during resync");
 * - BPF syscalls and mounts (bpffs mount, BPF program load, BPF conntrack map iteration).
 *
 * Template: masked message + fields, where the error value is replaced by its normalised errno
 * when one is recognised (so `netlink receive: no such device` and `no such device` from one
 * call site share a fingerprint), else by its masked text. Different errnos → different
 * fingerprints; interfaces, IPs, CIDRs, MACs and numbers are masked.
 */
import type { LogRecord } from '../../domain/record.ts';
import { BoundedCache, MAX_CACHED_KEY_LENGTH } from '../cache.ts';
import { fieldsTail, maskFieldValue, maskText } from '../miner/template.ts';
import { type RuleMatch, type RuleParts, toRuleMatch } from './tier-exists.ts';

/** Call-site templates → operation. First match wins; anchored at the start of the message. */
const FELIX_SITES: ReadonlyArray<readonly [RegExp, string]> = [
  // felix/routetable/route_table.go
  [/^(?:First|Second) attempt at updating routing table failed/, 'route update'],
  [/^Failed to (?:\(re\))?connect to netlink/, 'netlink connect'],
  [/^Failed to list interfaces\. Unable to auto-detect MTU/, 'link list'],
  [/^Failed to list interfaces/, 'link list'],
  [/^Interrupted while listing routes/, 'route list'],
  [/^Routing table doesn't exist/, 'route list'],
  [/^Error listing routes/, 'route list'],
  [/^Failed to list routes/, 'route list'],
  [/^Failed to get link\b/, 'link get'],
  [/^Failed to add neighbor entry/, 'neigh add'],
  [/^Encountered some errors when trying to delete old routes/, 'route del'],
  [/^Encountered some errors when trying to update routes/, 'route replace'],
  [/^Encountered some errors when trying to add static ARP entries/, 'neigh set'],
  [/^No interface on route/, 'route update'],
  [/^Interface doesn't exist, perhaps workload is being torn down/, 'route update'],
  [/^Interface down, perhaps workload is being torn down/, 'route update'],
  [/^Interface was deleted during operation, filtering error/, 'route update'],
  [/^Failed to access interface after a failure/, 'link get'],
  [/^Next hop has unknown interface index/, 'route update'],
  // felix/netlinkshim/handlemgr, felix/routerule
  [/^Repeatedly failed to connect to netlink/, 'netlink connect'],
  [/^Failed to set netlink (?:timeout|strict mode)/, 'netlink configure'],
  [/^Failed to list routing rules/, 'rule list'],
  [/^Failed to remove rule from dataplane/, 'rule del'],
  [/^Failed to add rule from dataplane/, 'rule add'],
  // felix/ifacemonitor
  [/^Failed to read a link update/, 'link subscribe'],
  [/^Failed to read an address update/, 'addr subscribe'],
  [/^Reconnecting to netlink after a failure/, 'netlink connect'],
  [/^Netlink route list operation failed/, 'route list'],
  [/^Netlink list operation failed/, 'link list'],
  [/^Netlink reported an error/, 'netlink receive'],
  [/^Failed to subscribe to link updates/, 'link subscribe'],
  [/^Failed to subscribe to route updates/, 'route subscribe'],
  // felix/vxlanfdb
  [/^Failed to add (?:some )?ARP\/NDP entr/, 'neigh add'],
  [/^Failed to (?:delete|remove) (?:some )?ARP\/NDP entr/, 'neigh del'],
  [/^Failed to list ARP\/NDP entries/, 'neigh list'],
  [/^Failed to add (?:some )?FDB entr/, 'fdb add'],
  [/^Failed to (?:delete|remove) (?:some )?FDB entr/, 'fdb del'],
  [/^Failed to list FDB entries/, 'fdb list'],
  // felix/dataplane/linux/int_dataplane.go
  [/^Failed to create netlink handle/, 'netlink connect'],
  [/^Error detecting host MTU/, 'link list'],
  [/^IPIP disabled and failed to query IPIP device/, 'link get'],
  [/^IPIP disabled and failed to list addresses/, 'addr list'],
  [/^IPIP disabled and failed to delete unwanted IPIP address/, 'addr del'],
  [/^VXLAN disabled and failed to query VXLAN device/, 'link get'],
  [/^VXLAN disabled and failed to delete unwanted VXLAN device/, 'link del'],
  [/^Failed to synchronize VXLAN FDB entries/, 'fdb sync'],
  [/^Failed to synchronize routing table/, 'route sync'],
  [/^Failed to synchronize routing rules/, 'rule sync'],
  // felix/dataplane/linux/vxlan_mgr.go, ipip_mgr.go
  [/^Failed to find VXLAN tunnel device parent/, 'link get'],
  [/^Failed to configure VXLAN tunnel device/, 'link add'],
  [/^Failed to get VXLAN tunnel device/, 'link get'],
  [/^Failed to create VXLAN device/, 'link add'],
  [/^Failed to set vxlan tunnel device MTU/i, 'link set mtu'],
  [/^Failed configure IPIP tunnel device/, 'link add'],
  [/^Failed to get IPIP tunnel device/, 'link get'],
  [/^Failed to add IPIP tunnel device/, 'link add'],
  [/^Failed to get (?:tunnel )?device\b/, 'link get'],
  [/^Failed to set tunnel device MTU/i, 'link set mtu'],
  [/^Failed to set (?:tunnel|wireguard) device up/i, 'link set up'],
  [/^Failed to set tunnel device IP/, 'addr add'],
  [/^Failed to list interface addresses/, 'addr list'],
  [/^Failed to delete address/, 'addr del'],
  [/^Failed to add address/i, 'addr add'],
  // felix/wireguard/wireguard.go
  [/^error obtaining link client/, 'netlink connect'],
  [/^Failed to connect to linkClient/, 'netlink connect'],
  [/^Unable to create wireguard link/, 'link add'],
  [/^error obtaining wireguard client/, 'wireguard connect'],
  [/^Failed to create or update wireguard nodes/, 'wireguard configure'],
  [/^Wireguard programming failed/, 'wireguard configure'],
  [/^error querying wireguard (?:configuration|device)/, 'wireguard get'],
  [/^unable to determine if wireguard device exists/, 'link get'],
  // felix/dataplane/linux/endpoint_mgr.go, bpf_ep_mgr.go (tc programs are attached over netlink)
  [/^Error checking if interface exists/, 'link get'],
  [/^Failed to get interface information via netlink/, 'link get'],
  [/^Failed to apply policy to (?:interface|endpoint)/, 'tc attach'],
  [/^Failed to update neigh for/, 'neigh set'],
  // felix/conntrack (conntrack-tools over ctnetlink)
  [/^Failed to remove conntrack flows/, 'conntrack delete'],
  // cni-plugin/pkg/dataplane/linux/dataplane_linux.go
  [/^Failed to clean up workload's veth/, 'link del'],
  [/^Error creating veth/, 'link add'],
];

/** BIRD sysdep/linux/netlink.c and the kernel route table (KRT) protocol. */
const BIRD_SITES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Netlink recvmsg:/, 'netlink receive'],
  [/^Kernel dropped some netlink messages/, 'netlink receive'],
  [/^Netlink:/, 'netlink request'],
  [/^KRT: Received route .* with unknown ifindex/, 'route list'],
  [/^KRT: Error sending route .* to kernel/, 'route add'],
  [/^KRT:/, 'route sync'],
];

const FELIX_COMPONENTS: ReadonlySet<string> = new Set([
  'felix',
  // Releases before v3.16 print no component (`route_table.go 303:`).
  'unknown',
  'cni-plugin',
  'cni',
  'calico-node',
  'calico-cni',
]);
const BIRD_COMPONENTS: ReadonlySet<string> = new Set(['bird', 'bird6']);

/** Linux strerror texts (lowercase) and netlink-library error strings seen in Calico logs. */
const ERRNOS: readonly string[] = [
  'file exists',
  'no buffer space available',
  'too many open files',
  'no such device',
  'operation not permitted',
  'resource temporarily unavailable',
  'interrupted system call',
  'no such file or directory',
  'no such process',
  'network is unreachable',
  'network is down',
  'bad file descriptor',
  'protocol not available',
  'invalid argument',
  'device or resource busy',
  'cannot assign requested address',
  'operation not supported',
  'numerical result out of range',
  'permission denied',
  'connection refused',
  'address already in use',
  'no route to host',
  'message too long',
  'cannot allocate memory',
  'no data available',
  'address family not supported by protocol',
  'protocol not supported',
  'broken pipe',
  'connection reset by peer',
  'value too large for defined data type',
  'operation now in progress',
  'netlink update operation failed',
  'link not found',
  'interface not present',
];

export const NETLINK_CACHE_CAPACITY = 20_000;
export const errnoCache = new BoundedCache<string | null>('netlink-errno', NETLINK_CACHE_CAPACITY);
export const felixSiteCache = new BoundedCache<string | null>('netlink-site-felix', NETLINK_CACHE_CAPACITY);
export const birdSiteCache = new BoundedCache<string | null>('netlink-site-bird', NETLINK_CACHE_CAPACITY);

/** The errno named in `text` (lowercased), preferring the innermost (last) cause; or null. */
export function findErrno(text: string): string | null {
  return text.length > MAX_CACHED_KEY_LENGTH
    ? findErrnoUncached(text)
    : errnoCache.get(text, findErrnoUncached);
}

function findErrnoUncached(text: string): string | null {
  const low = text.toLowerCase();
  let best: string | null = null;
  let bestAt = -1;
  for (const e of ERRNOS) {
    const at = low.lastIndexOf(e);
    // Longer match wins at the same end position ("no such device" vs "device or resource busy").
    if (at >= 0 && (at + e.length > bestAt || (at + e.length === bestAt && e.length > (best?.length ?? 0)))) {
      best = e;
      bestAt = at + e.length;
    }
  }
  return best;
}

const ERROR_FIELDS: ReadonlySet<string> = new Set(['error', 'errors', 'err', 'currentErr']);

const RE_IFACE_IN_TEXT =
  /(?:^|[\s'"(=/,])(cali[0-9a-f]{11}|vxlan\.calico|vxlan-v6\.calico|tunl\d+|wireguard\.cali|wg-v6\.cali|bpf(?:out|in)\.cali|eth\d+|ens\d\w*|enp\d\w*|bond\d+)(?=$|[\s'"),:/])/;

const IFACE_FIELDS = ['iface', 'ifaceName', 'interface', 'Name', 'name', 'device'] as const;

/** The fields the netlink rule reads: the first value of each key, collected in one pass. */
interface NetlinkFields {
  error: string | undefined;
  errors: string | undefined;
  err: string | undefined;
  output: string | undefined;
  ipVersion: string | undefined;
  table: string | undefined;
  Table: string | undefined;
  family: string | undefined;
  ipFamily: string | undefined;
  iface: string | undefined;
  ifaceName: string | undefined;
  interface: string | undefined;
  Name: string | undefined;
  name: string | undefined;
  device: string | undefined;
}

function collectFields(record: LogRecord): NetlinkFields {
  const f: NetlinkFields = {
    error: undefined,
    errors: undefined,
    err: undefined,
    output: undefined,
    ipVersion: undefined,
    table: undefined,
    Table: undefined,
    family: undefined,
    ipFamily: undefined,
    iface: undefined,
    ifaceName: undefined,
    interface: undefined,
    Name: undefined,
    name: undefined,
    device: undefined,
  };
  const fields = record.fields;
  for (let i = 0; i < fields.length; i++) {
    const [k, v] = fields[i]!;
    switch (k) {
      case 'error':
      case 'errors':
      case 'err':
      case 'output':
      case 'ipVersion':
      case 'table':
      case 'Table':
      case 'family':
      case 'ipFamily':
      case 'iface':
      case 'ifaceName':
      case 'interface':
      case 'Name':
      case 'name':
      case 'device':
        if (f[k] === undefined) f[k] = v;
        break;
      default:
        break;
    }
  }
  return f;
}

function field(record: LogRecord, key: string): string | undefined {
  for (const [k, v] of record.fields) if (k === key) return v;
  return undefined;
}

function ipVersionOf(record: LogRecord, f: NetlinkFields): string | undefined {
  const v = f.ipVersion;
  if (v !== undefined) {
    if (v === '0x4' || v === '4') return '4';
    if (v === '0x6' || v === '6') return '6';
  }
  const table = f.table;
  if (table !== undefined) {
    if (table.startsWith('IPv4')) return '4';
    if (table.startsWith('IPv6')) return '6';
  }
  const family = familyVersion(f.family) ?? familyVersion(f.ipFamily);
  if (family !== undefined) return family;
  if (record.component === 'bird6') return '6';
  return undefined;
}

function familyVersion(fam: string | undefined): string | undefined {
  if (fam === '2' || fam === 'inet') return '4';
  if (fam === '10' || fam === 'inet6') return '6';
  return undefined;
}

function tableOf(f: NetlinkFields): string | undefined {
  const t = f.table ?? f.Table;
  if (t === undefined || t.length === 0) return undefined;
  // Felix route tables print as "IPv4:254"; iptables/nftables tables are not netlink tables.
  const colon = t.indexOf(':');
  return colon >= 0 ? t.slice(colon + 1) : t;
}

function interfaceOf(record: LogRecord, f: NetlinkFields, message: string): string | undefined {
  for (const key of IFACE_FIELDS) {
    const v = f[key];
    if (v !== undefined && v.length > 0 && !v.startsWith('*') && RE_IFACE_IN_TEXT.test(` ${v} `)) return v;
  }
  for (const key of IFACE_FIELDS) {
    const v = f[key];
    if (v !== undefined && v.length > 0 && v.length <= 15 && !v.startsWith('*')) return v;
  }
  const m = RE_IFACE_IN_TEXT.exec(message);
  if (m !== null) return m[1];
  for (const [k, v] of record.fields) {
    if (!ERROR_FIELDS.has(k)) continue;
    const e = RE_IFACE_IN_TEXT.exec(v);
    if (e !== null) return e[1];
  }
  return undefined;
}

function felixSite(message: string): string | null {
  for (const [re, op] of FELIX_SITES) if (re.test(message)) return op;
  return null;
}

function birdSite(message: string): string | null {
  for (const [re, op] of BIRD_SITES) if (re.test(message)) return op;
  return null;
}

/** Call-site lookup, memoised per message (a pure function of it). */
function lookup(bird: boolean, message: string): string | null {
  const compute = bird ? birdSite : felixSite;
  if (message.length > MAX_CACHED_KEY_LENGTH) return compute(message);
  return (bird ? birdSiteCache : felixSiteCache).get(message, compute);
}

/** Felix warning/error lines whose error text names netlink, from call sites not in the table. */
function netlinkInError(record: LogRecord): string | null {
  if (
    record.level !== 'WARNING' &&
    record.level !== 'ERROR' &&
    record.level !== 'PANIC' &&
    record.level !== 'FATAL'
  ) {
    return null;
  }
  for (const [k, v] of record.fields) {
    if (!ERROR_FIELDS.has(k)) continue;
    const low = v.toLowerCase();
    if (low.includes('netlink')) return /\b(?:read|receive|recv)/.test(low) ? 'netlink receive' : 'netlink';
    const op = failedLinkOperation(v);
    if (op !== null) return op;
  }
  return failedLinkOperation(record.message);
}

/**
 * "failed to add route file exists", "error creating veth: ...": an error text of the CNI plugin or
 * Felix that wraps a failed route/link/address/neighbour operation with its errno (the plugin wraps
 * netlink's error in its own words, and old releases printed it inside the message).
 */
const LINK_OP_FAILED =
  /\b(?:failed to|error|unable to|cannot|could not)\s+(add|delete|del|replace|set|setting|list|get|create|creating|adding|deleting|remove|removing)\s+(?:the\s+|an?\s+)?(?:host[- ]side\s+)?(route|link|veth|addr|address|neighbou?r|neigh|rule|fdb)(?:es|s)?\b/i;

const LINK_VERBS: Readonly<Record<string, string>> = {
  add: 'add',
  adding: 'add',
  delete: 'del',
  deleting: 'del',
  del: 'del',
  remove: 'del',
  removing: 'del',
  replace: 'replace',
  set: 'set',
  setting: 'set',
  list: 'list',
  get: 'get',
  create: 'create',
  creating: 'create',
};

function failedLinkOperation(text: string): string | null {
  const m = LINK_OP_FAILED.exec(text);
  if (m === null || findErrno(text.slice(m.index + m[0].length)) === null) return null;
  const noun = m[2]!
    .toLowerCase()
    .replace(/^address$/, 'addr')
    .replace(/^neighbou?r$/, 'neigh');
  return `${noun} ${LINK_VERBS[m[1]!.toLowerCase()] ?? 'update'}`;
}

/** Error fields of a netlink template: the normalised errno when one is named, else the masked text. */
function errorField(k: string, v: string): string | undefined {
  if (!ERROR_FIELDS.has(k)) return undefined;
  if (v === '<nil>' || v.length === 0) return v;
  const e = findErrno(v);
  return e ?? maskFieldValue('error', v);
}

function stripBirdPrefix(s: string): string {
  return s.startsWith('bird: ') ? s.slice(6) : s.startsWith('bird6: ') ? s.slice(7) : s;
}

export function matchNetlink(record: LogRecord): RuleMatch | null {
  return toRuleMatch(netlinkParts(record));
}

/** matchNetlink without building the template string (classify's hot path). */
export function netlinkParts(record: LogRecord): RuleParts | null {
  const isBird = BIRD_COMPONENTS.has(record.component) || record.format === 'bird';
  let op: string | null = null;
  let message = record.message.trim();
  if (isBird) {
    message = stripBirdPrefix(message);
    op = lookup(true, message);
  } else if (FELIX_COMPONENTS.has(record.component) && record.format !== 'unparsed') {
    // error=<nil>: the call site logged a nil error — nothing failed (see the file comment).
    const err = field(record, 'error');
    if (err === '<nil>') return null;
    op = lookup(false, message) ?? netlinkInError(record);
  }
  if (op === null) return null;

  const { errno, params } = netlinkFacts(record, message, op);

  let head: string;
  let tail = '';
  if (isBird) {
    // BIRD prints the errno inside the message ("Netlink: File exists"): keep it, lowercased.
    const colon = message.indexOf(': ');
    head =
      errno !== null && colon > 0 && findErrno(message.slice(colon + 2)) === errno
        ? `${maskText(message.slice(0, colon))}: ${errno}`
        : maskText(message);
  } else {
    head = maskText(message);
    tail = fieldsTail(record.fields, errorField);
  }

  return { head, tail, params };
}

/**
 * The errno and parameters of a netlink failure: the errno named by the error fields (or, for BIRD
 * and some CNI sites, by the message after its first `: `), else null; params operation, errno
 * (the raw last cause when no errno is recognised), interface, ip_version, table.
 */
export function netlinkFacts(
  record: LogRecord,
  message: string,
  op: string,
): { errno: string | null; params: Record<string, string> } {
  const f = collectFields(record);
  let errno: string | null = null;
  const error = f.error;
  if (error !== undefined) errno = findErrno(error);
  if (errno === null && f.errors !== undefined) errno = findErrno(f.errors);
  if (errno === null && f.err !== undefined) errno = findErrno(f.err);
  if (errno === null && f.output !== undefined) errno = findErrno(f.output);
  if (errno === null) {
    // BIRD and some Felix/CNI call sites print the errno in the message ("Error creating veth: file exists").
    const colon = message.indexOf(': ');
    if (colon > 0) errno = findErrno(message.slice(colon + 2));
  }
  let rawErr: string | undefined;
  if (errno === null) {
    const v = error;
    if (v !== undefined && v.length > 0) {
      const last = v.lastIndexOf(': ');
      rawErr = (last >= 0 ? v.slice(last + 2) : v).trim().toLowerCase();
    }
  }
  const params: Record<string, string> = { operation: op };
  if (errno !== null) params.errno = errno;
  else if (rawErr !== undefined) params.errno = rawErr;
  const iface = interfaceOf(record, f, message);
  if (iface !== undefined) params.interface = iface;
  const ipv = ipVersionOf(record, f);
  if (ipv !== undefined) params.ip_version = ipv;
  const table = tableOf(f);
  if (table !== undefined) params.table = table;
  return { errno, params };
}

/** The call-site operation of a Felix/CNI (`bird` false) or BIRD message, from the site table. */
export function netlinkOperation(bird: boolean, message: string): string | null {
  return lookup(bird, bird ? stripBirdPrefix(message) : message);
}
