/** Output of src/classify: the fingerprint and what it means. Pure types. */

export type Category =
  | 'tier-exists'
  | 'netlink-error'
  | 'routine-noise'
  | 'warning-other'
  | 'error-other'
  | 'panic'
  | 'unparsed-format';

export const CATEGORIES: readonly Category[] = [
  'tier-exists',
  'netlink-error',
  'routine-noise',
  'warning-other',
  'error-other',
  'panic',
  'unparsed-format',
];

export interface Classification {
  /**
   * 16 lowercase hex chars. For a line that matched a statement of the library: a hash of (ruleset
   * version, level, the statement's kind, format and keys, and for netlink failures the errno);
   * otherwise of (ruleset version, component, level, masked template). A pure function of the
   * record and the ruleset: no other record, order, clock or process may change it.
   */
  readonly fingerprint: string;
  readonly category: Category;
  /** Masked message with placeholders (`<IP>`, `<IFACE>`, `<N>`, ...), k=v fields included. */
  readonly template: string;
  /**
   * Named parameters worth aggregating (bounded top-k later). tier-exists: { tier };
   * netlink-error: { operation, errno, interface, ip_version, table } (those present).
   */
  readonly params: Readonly<Record<string, string>>;
  /** Optional coarser label from an online miner: never part of any key. */
  readonly pattern?: string;
  /** Id of the Calico log statement that printed the line (statement library), when one matched. */
  readonly statement?: string;
  /**
   * For a line that does not print its component (record.componentFromLine false): the component
   * named by its statement or source file; the record is counted under it (classifyRecord).
   */
  readonly component?: string;
}

export interface ClassifiedRecord {
  readonly record: import('./record.ts').LogRecord;
  readonly classification: Classification;
}
