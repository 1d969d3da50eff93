/** node:util parseArgs (strict), with its errors turned into one-line usage errors (exit 2). */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LogsiftError } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  maxPositionals: number,
): {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
} {
  let parsed: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs messages are multi-line with advice for scripts; keep the first sentence.
    const first = String((err as Error).message)
      .split('\n')[0]!
      .replace(/\. To specify a positional.*$/, '');
    throw new LogsiftError('USAGE', `logsift ${command}: ${first} (see logsift ${command} --help)`, {
      cause: err,
    });
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw new LogsiftError(
      'USAGE',
      `logsift ${command}: unexpected argument(s): ${extra} (see logsift ${command} --help)`,
    );
  }
  return { values: parsed.values, positionals: parsed.positionals };
}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string', short: 'c' },
} as const satisfies Options;
