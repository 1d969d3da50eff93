/**
 * The command contract. Every `src/cli/<name>.ts` exports `command: Command`; src/cli/index.ts
 * dispatches to it (lazily imported, so `fingerprint` never loads kafkajs). A command parses its own
 * argv (node:util parseArgs, strict — see ./args.ts), returns an exit code, and throws LogsiftError
 * for usage/config/infrastructure failures (the dispatcher prints them and maps the exit code).
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly stdin: Readable;
  /**
   * Environment for loadConfig; undefined = process.env, read by src/config (the only reader of
   * process.env). Tests pass their own.
   */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Wall clock, injected (progress, stdin fallback timestamps). */
  readonly now: () => number;
  /** stderr is a terminal: progress lines are shown. */
  readonly stderrIsTTY: boolean;
}

export interface Command {
  readonly name: string;
  /** One line for the top-level help. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
