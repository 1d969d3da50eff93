/** `logsift fingerprint [FILE|-]`: one JSON object per parsed record on stdout. */
import { classify } from '../classify/index.ts';
import { loadConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import { createParseStage, type ParseOutcome } from '../pipeline/parse-stage.ts';
import { FileSource } from '../sources/file/index.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import { LineWriter } from './output.ts';
import type { CliIO, Command } from './types.ts';

const HELP = `Usage: logsift fingerprint [FILE|-] [--config FILE]

Parse and classify every record of FILE (or stdin: '-', the default) and print one JSON object per
record on stdout, in input order:

  line         1-based number of the record's first input line
  lines        physical text lines in the record (a Go panic or the Felix health table: > 1)
  units        input lines the record spans (what is counted)
  fingerprint  16 hex chars: a pure function of (ruleset, component, level, template)
  category     tier-exists, netlink-error, routine-noise, warning-other, error-other, panic,
               unparsed-format (dead letters: dead-letter, fingerprint dlq:<reason>)
  component, level, template, params, pattern (when the miner labels it)

Gzipped input (.gz or gzipped stdin) is inflated on the fly.

Options:
  -c, --config FILE   YAML or JSON config (parse.* settings apply)
  -h, --help          this help

Examples:
  logsift fingerprint felix.log
  zcat samples/calico-day.log.gz | logsift fingerprint | head -3
  logsift fingerprint samples/calico-day.log.gz | jq -r .category | sort | uniq -c
`;

export const command: Command = {
  name: 'fingerprint',
  summary: 'Print one JSON object per parsed record',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('fingerprint', argv, { ...COMMON_OPTIONS }, 1);
    const input = positionals[0] ?? '-';
    const config = loadConfig({ env: io.env, configFile: values.config });
    return fingerprintCommand(input, config, io);
  },
};

async function fingerprintCommand(
  input: string,
  config: ReturnType<typeof loadConfig>,
  io: CliIO,
): Promise<number> {
  const source = new FileSource({ input, nowMs: io.now(), stdin: io.stdin });
  const parse = createParseStage(config, 'file');
  const out = new LineWriter(io.stdout);

  const emit = async (outcomes: ParseOutcome[]): Promise<void> => {
    for (const o of outcomes) {
      if (out.closed) return;
      await out.line(JSON.stringify(describe(o)));
    }
  };

  for await (const batch of source.batches()) {
    for (const unit of batch) parse.push(unit);
    await emit(parse.drain());
    if (out.closed) break; // the reader went away (`| head`): stop reading, exit 0
  }
  if (!out.closed) {
    parse.flush();
    await emit(parse.drain());
    await out.flush();
  }
  if (out.error)
    throw new LogsiftError('OUTPUT_WRITE', `writing stdout failed: ${out.error.message}`, {
      cause: out.error,
    });
  return 0;
}

function describe(o: ParseOutcome): Record<string, unknown> {
  if (o.kind === 'dead-letter') {
    const dl = o.deadLetter;
    return {
      line: dl.position.offset + 1,
      lines: 1,
      units: 1,
      fingerprint: `dlq:${dl.reason}`,
      category: 'dead-letter',
      component: 'dead-letter',
      level: 'UNKNOWN',
      template: `dead-letter: ${dl.reason}`,
      params: {},
    };
  }
  const r = o.record;
  const c = classify(r);
  const obj: Record<string, unknown> = {
    line: r.lineNumber,
    lines: r.lines,
    units: r.units,
    fingerprint: c.fingerprint,
    category: c.category,
    component: r.component,
    level: r.level,
    template: c.template,
    params: c.params,
  };
  if (c.pattern !== undefined) obj.pattern = c.pattern;
  return obj;
}
