/** `logsift fingerprint [INPUT...]`: one JSON object per parsed record on stdout. */
import { classifyRecord } from '../classify/index.ts';
import { loadConfig } from '../config/index.ts';
import type { KubernetesMeta } from '../domain/record.ts';
import { LogsiftError } from '../errors.ts';
import { createParseStage, type ParseOutcome } from '../pipeline/parse-stage.ts';
import { expandInputs, FileSource } from '../sources/file/index.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import { LineWriter } from './output.ts';
import type { CliIO, Command } from './types.ts';

const HELP = `Usage: logsift fingerprint [INPUT...] [--config FILE]

Parse and classify every record of the inputs (files, directories, patterns — * ? [...] ** —, or
stdin: '-', the default) and print one JSON object per record on stdout, in input order:

  line         1-based number of the record's first input line
  lines        physical text lines in the record (a Go panic or the Felix health table: > 1)
  units        input lines the record spans (what is counted)
  fingerprint  16 hex chars: a pure function of (ruleset, component, level, template)
  category     tier-exists, netlink-error, routine-noise, warning-other, error-other, panic,
               unparsed-format (dead letters: dead-letter, fingerprint dlq:<reason>)
  component, level, template, params, pattern (when the miner labels it)
  node, namespace, pod, container   when known (from a shipper envelope, a kubectl/stern/syslog
               prefix, or a kubelet log file's name)
  input        the input the record came from, when there are several

Gzipped input (.gz or gzipped stdin) is inflated on the fly. Each input is parsed on its own
(a record never spans two files).

Options:
  -c, --config FILE   YAML or JSON config (parse.* settings apply)
  -h, --help          this help

Examples:
  logsift fingerprint felix.log
  logsift fingerprint /var/log/containers/calico-node-*.log | jq -r .pod | sort | uniq -c
  zcat samples/calico-day.log.gz | logsift fingerprint | head -3
  logsift fingerprint samples/calico-day.log.gz | jq -r .category | sort | uniq -c
`;

export const command: Command = {
  name: 'fingerprint',
  summary: 'Print one JSON object per parsed record',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'fingerprint',
      argv,
      { ...COMMON_OPTIONS },
      Number.POSITIVE_INFINITY,
    );
    const inputs = expandInputs(positionals.length > 0 ? positionals : ['-']);
    const config = loadConfig({ env: io.env, configFile: values.config });
    return fingerprintCommand(inputs, config, io);
  },
};

async function fingerprintCommand(
  inputs: readonly string[],
  config: ReturnType<typeof loadConfig>,
  io: CliIO,
): Promise<number> {
  const nowMs = io.now();
  // Opened (stat) up front: a missing input fails before any output.
  const sources = inputs.map(
    (input, partition) => new FileSource({ input, partition, nowMs, stdin: io.stdin }),
  );
  const out = new LineWriter(io.stdout);

  for (const [i, source] of sources.entries()) {
    const parse = createParseStage(config, 'file');
    const label = inputs.length > 1 ? inputs[i] : undefined;
    const emit = async (outcomes: ParseOutcome[]): Promise<void> => {
      for (const o of outcomes) {
        if (out.closed) return;
        await out.line(JSON.stringify(describe(o, label, source.meta)));
      }
    };
    for await (const batch of source.batches()) {
      for (const unit of batch) parse.push(unit);
      await emit(parse.drain());
      if (out.closed) break; // the reader went away (`| head`): stop reading, exit 0
    }
    if (out.closed) break;
    parse.flush();
    await emit(parse.drain());
  }
  if (!out.closed) await out.flush();
  if (out.error)
    throw new LogsiftError('OUTPUT_WRITE', `writing stdout failed: ${out.error.message}`, {
      cause: out.error,
    });
  return 0;
}

const META_KEYS = ['node', 'namespace', 'pod', 'container'] as const;

function describe(
  o: ParseOutcome,
  input: string | undefined,
  sourceMeta: KubernetesMeta | null,
): Record<string, unknown> {
  const obj = describeOutcome(o);
  // A dead letter has no record: what the file's name tells is all that is known of it.
  const meta = o.kind === 'record' ? o.record.kubernetes : sourceMeta;
  if (meta !== null) {
    for (const k of META_KEYS) {
      const v = meta[k];
      if (v !== undefined) obj[k] = v;
    }
  }
  if (input !== undefined) obj.input = input;
  return obj;
}

function describeOutcome(o: ParseOutcome): Record<string, unknown> {
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
  const { record: r, classification: c } = classifyRecord(o.record);
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
  if (c.statement !== undefined) obj.statement = c.statement;
  if (c.pattern !== undefined) obj.pattern = c.pattern;
  return obj;
}
