/**
 * `logsift config show`: the effective configuration (schema defaults < --config FILE < environment
 * < flags), as YAML (default) or JSON. Secrets print as `**REDACTED**`, followed by where each came
 * from (variable, file path or config key), never the value. Fails like every command (exit 2,
 * every problem listed) when the configuration is invalid.
 */
import { stringify as toYaml } from 'yaml';
import { loadEffectiveConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  format: { type: 'string', short: 'f' },
  bucket: { type: 'string', multiple: true },
} as const;

const HELP = `Usage: logsift config show [--config FILE] [--bucket CATEGORY=DURATION ...] [--format yaml|json]

Print the configuration logsift would run with: schema defaults, then --config FILE, then the
environment, then flags. Passwords and API keys print as **REDACTED**; a list at the end says where
each one came from (an environment variable, a *_FILE variable and its path, or the config file).

Options:
  -c, --config FILE     YAML or JSON configuration (schemas/config.schema.json)
  --bucket C=D          as for replay
  -f, --format F        yaml (default) or json
  -h, --help            this help

Examples:
  logsift config show
  KAFKA_SASL_PASSWORD_FILE=/run/secrets/kafka logsift config show --config /etc/logsift.yaml -f json
`;

export const command: Command = {
  name: 'config',
  summary: 'Show the effective configuration (secrets redacted)',
  help: HELP,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('config', argv, OPTIONS, 1);
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals[0] !== 'show') {
      throw new LogsiftError('USAGE', 'logsift config: give an action: show (see logsift config --help)');
    }
    const format = values.format ?? 'yaml';
    if (format !== 'yaml' && format !== 'json') {
      throw new LogsiftError(
        'USAGE',
        `logsift config show: --format must be yaml or json, got ${JSON.stringify(format)}`,
      );
    }
    const eff = loadEffectiveConfig({ env: io.env, configFile: values.config, buckets: values.bucket });
    const sources = {
      configFile: eff.config.provenance.configFile,
      env: [...eff.config.provenance.env],
    };
    const secrets = Object.fromEntries(
      eff.secrets.map((s) => [
        s.path,
        {
          from: s.source.from,
          name: s.source.name,
          ...(s.source.path !== undefined ? { path: s.source.path } : {}),
        },
      ]),
    );
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ config: eff.tree, secrets, sources }, null, 2)}\n`);
      return 0;
    }
    let text = toYaml(eff.tree, { lineWidth: 0 });
    text += `\n# sources: ${sources.configFile !== null ? `--config ${sources.configFile}, ` : ''}environment ${sources.env.length > 0 ? sources.env.join(', ') : '(none)'}\n`;
    if (eff.secrets.length === 0) {
      text += '# secrets: none set\n';
    } else {
      text += '# secrets (values never shown):\n';
      for (const s of eff.secrets) {
        const src = s.source;
        text += `#   ${s.path}: from ${src.from === 'file' ? `file ${src.path} (${src.name})` : `${src.from} ${src.name}`}\n`;
      }
    }
    io.stdout.write(text);
    return 0;
  },
};
