import type { LogRecord } from '../../domain/record.ts';
import type { RuleMatch } from './tier-exists.ts';
export function matchNetlink(_r: LogRecord): RuleMatch | null { return null; }
