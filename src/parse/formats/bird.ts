/**
 * BIRD (projectcalico/bird) as run by calico-node: `bird: <message>` / `bird6: <message>` on
 * stderr, no timestamp and no level. The level is UNKNOWN unless the message is clearly an error
 * (deterministic word test below); BIRD's own log classes (TRACE/INFO/WARN/ERR/RMT) are not printed.
 */
import type { Level } from '../../domain/record.ts';
import type { ParsedLine } from './types.ts';
import { untimed } from './types.ts';

/** Messages BIRD logs at L_ERR / L_WARN for failed kernel / netlink / protocol operations. */
const ERROR_MARKERS = [
  'Netlink: ',
  'Netlink recvmsg: ',
  'Netlink send',
  ' Error: ',
  'error',
  'Error',
  'failed',
  'Failed',
  'Cannot ',
  'cannot ',
];

function birdLevel(msg: string): Level {
  for (const m of ERROR_MARKERS) if (msg.includes(m)) return 'ERROR';
  if (msg.startsWith('Netlink:') || msg.startsWith('KRT: Received route') || msg.startsWith('Error:'))
    return 'ERROR';
  return 'UNKNOWN';
}

export function parseBird(s: string): ParsedLine | null {
  if (s.charCodeAt(0) !== 98 || s.charCodeAt(1) !== 105 || s.charCodeAt(2) !== 114 || s.charCodeAt(3) !== 100)
    return null;
  let component: string;
  let rest: number;
  if (s.startsWith('bird: ')) {
    component = 'bird';
    rest = 6;
  } else if (s.startsWith('bird6: ')) {
    component = 'bird6';
    rest = 7;
  } else return null;
  const message = s.slice(rest);
  return untimed('bird', birdLevel(message), component, message);
}
