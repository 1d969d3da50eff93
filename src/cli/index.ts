/**
 * The command dispatcher: `logsift <command> [options]`. Commands live one per file in src/cli/ and
 * are imported lazily. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error,
 * 3 the exact-count invariant failed (a bug: please report it).
 */
import pkg from '../../package.json' with { type: 'json' };
import { RULESET_VERSION } from '../classify/fingerprint.ts';
import { exitCodeOf, isLogsiftError, LogsiftError } from '../errors.ts';
import type { CliIO, Command } from './types.ts';

export type { CliIO, Command } from './types.ts';

interface Entry {
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

const COMMANDS: Readonly<Record<string, Entry>> = {
  replay: {
    summary: 'Run the full pipeline over a file or stdin; write summaries/stats NDJSON and print the report',
    load: async () => (await import('./replay.ts')).command,
  },
  fingerprint: {
    summary: 'Print one JSON object per parsed record: fingerprint, category, template, params',
    load: async () => (await import('./fingerprint.ts')).command,
  },
  run: {
    summary: 'Consume Kafka, count exactly, index summaries into Elasticsearch (the service)',
    load: async () => (await import('./run.ts')).command,
  },
  report: {
    summary: 'Log-volume reduction report from Elasticsearch or an --out directory',
    load: async () => (await import('./report.ts')).command,
  },
  kibana: {
    summary: 'Install the Kibana saved searches and dashboard',
    load: async () => (await import('./kibana.ts')).command,
  },
  config: {
    summary: 'Show the effective configuration (defaults, file, env, flags) with secrets redacted',
    load: async () => (await import('./config.ts')).command,
  },
};

export const VERSION: string = pkg.version;

export function topLevelHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`);
  return `logsift ${VERSION} — collapse Calico log noise into exact per-fingerprint counts

Usage:
  logsift <command> [options]
  logsift <command> --help
  logsift --version

Commands:
${lines.join('\n')}

Examples:
  logsift replay --sample                        # the bundled one-day sample, no servers needed
  logsift replay /var/log/calico/felix.log --out out --bucket tier-exists=1d
  kubectl logs -n calico-system ds/calico-node | logsift replay - --format md
  logsift fingerprint felix.log.gz | head
  KAFKA_BROKERS=kafka:9092 LOGSIFT_TOPICS=calico ES_URL=http://es:9200 logsift run

Configuration: defaults < --config FILE (YAML/JSON) < environment < flags. See README.md.
Exit codes: 0 ok, 1 failure, 2 usage/configuration error, 3 exact-count invariant violated.
`;
}

/** Parse argv → command → exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === 'help' && rest[0] !== undefined) return await runCli([rest[0], '--help'], io);
      io.stdout.write(topLevelHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-V' || first === 'version') {
      io.stdout.write(`${VERSION} (ruleset ${RULESET_VERSION})\n`);
      return 0;
    }
    if (first.startsWith('-')) {
      throw new LogsiftError('USAGE', `logsift: unknown option '${first}' (see logsift --help)`);
    }
    const entry = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
    if (entry === undefined) {
      throw new LogsiftError(
        'USAGE',
        `logsift: unknown command '${first}' — commands: ${Object.keys(COMMANDS).join(', ')} (see logsift --help)`,
      );
    }
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(command.help);
      return 0;
    }
    return await command.run(rest, io);
  } catch (err) {
    reportError(err, io);
    return exitCodeOf(err);
  }
}

function reportError(err: unknown, io: CliIO): void {
  if (isLogsiftError(err)) {
    if (err.code === 'USAGE') {
      io.stderr.write(`${err.message}\n`);
      return;
    }
    io.stderr.write(`logsift: ${err.message} [${err.code}]\n`);
    for (const d of err.details) io.stderr.write(`  - ${d}\n`);
    return;
  }
  const e = err as Error;
  io.stderr.write(`logsift: internal error: ${e?.stack ?? String(err)}\n`);
}
