/**
 * The "Tier <name> already exists" family (libcalico-go/lib/clientv3/client.go ensureTierExists):
 * printed at INFO with `error=resource already exists: Tier(<name>)` by kube-controllers,
 * calico-node startup, typha and calico-apiserver (logrus) in v3.29.1, and at DEBUG without the
 * error field from v3.29.2 on (client.go:414@v3.29.2, client.go:433@v3.30.0). docs/DESIGN.md: the tier
 * name is a parameter, not part of the template — one fingerprint per component and level.
 */
import type { LogRecord } from '../../domain/record.ts';
import { fieldsTail, maskFieldValue } from '../miner/template.ts';

export interface RuleMatch {
  readonly template: string;
  readonly params: Readonly<Record<string, string>>;
}

/** A rule's template as head (masked message) + tail (masked fields, interned): classify's memo key. */
export interface RuleParts {
  readonly head: string;
  readonly tail: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The RuleMatch of a rule's parts. */
export function toRuleMatch(p: RuleParts | null): RuleMatch | null {
  return p === null ? null : { template: p.head + p.tail, params: p.params };
}

export const TIER_TEMPLATE = 'Tier <TIER> already exists.';

const RE_MESSAGE = /^Tier (\S+) already exists\.?$/;
// When the fields were not split off (unparsed or an unexpected layout), the error is inline.
const RE_INLINE = /^Tier (\S+) already exists\.?\s+error=resource already exists: Tier\((\S*)\)$/;
const RE_ERROR = /^resource already exists: Tier\((\S*)\)$/;
const ERROR_TEMPLATE = 'resource already exists: Tier(<TIER>)';
const INLINE_TEMPLATE = `${TIER_TEMPLATE} error=${ERROR_TEMPLATE}`;

/** The `error` field of this family masks to ERROR_TEMPLATE; other fields as usual. */
function tierError(k: string, v: string): string | undefined {
  if (k !== 'error') return undefined;
  return RE_ERROR.test(v) ? ERROR_TEMPLATE : maskFieldValue(k, v);
}

function tierMessage(record: LogRecord): string {
  if (record.format === 'unparsed' || record.format === 'bird') {
    return record.text.trim();
  }
  return record.message.trim();
}

export function matchTierExists(record: LogRecord): RuleMatch | null {
  return toRuleMatch(tierExistsParts(record));
}

/** matchTierExists without building the template string (classify's hot path). */
export function tierExistsParts(record: LogRecord): RuleParts | null {
  const msg = tierMessage(record);
  if (!msg.startsWith('Tier ')) return null;
  const m = RE_MESSAGE.exec(msg);
  if (m !== null) {
    const tier = m[1]!;
    const fields = record.format === 'unparsed' ? '' : fieldsTail(record.fields, tierError);
    return { head: TIER_TEMPLATE, tail: fields, params: { tier } };
  }
  const inline = RE_INLINE.exec(msg);
  if (inline !== null) {
    return { head: INLINE_TEMPLATE, tail: '', params: { tier: inline[1]! } };
  }
  return null;
}
