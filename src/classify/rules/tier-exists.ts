import type { LogRecord } from '../../domain/record.ts';
export interface RuleMatch { readonly template: string; readonly params: Readonly<Record<string, string>> }
export function matchTierExists(_r: LogRecord): RuleMatch | null { return null; }
