/** `logsift replay`: the full pipeline over files or stdin, NDJSON output, then the report. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import { type FilePipelineResult, type Progress, runFilePipeline } from '../pipeline/file-pipeline.ts';
import { fromFiles } from '../report/from-files.ts';
import { renderHtml } from '../report/render/html.ts';
import { renderJson } from '../report/render/json.ts';
import { renderMarkdown } from '../report/render/markdown.ts';
import { renderTable } from '../report/render/table.ts';
import { expandInputs } from '../sources/file/index.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

/** The bundled sample (samples/calico-day.log.gz), found relative to this file in src/ and in dist/. */
export const SAMPLE_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'samples',
  'calico-day.log.gz',
);

const FORMATS = ['table', 'json', 'md', 'html'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: logsift replay (INPUT... | --sample) [options]

Run the whole pipeline — parse, classify, exact counting in epochs — over log files (plain or
gzipped) or stdin, without Kafka or Elasticsearch. Writes into --out DIR:
  summaries.ndjson   one summary / dead-letter counter document per line
  stats.ndjson       noise-reduction stats per component and hour
as Elasticsearch hits: {"_index": ..., "_id": ..., "_source": {...}}. Then prints the report.
Fails (exit 3) if the counts do not add up to the lines read.

INPUT is a file, a directory (every file below it), a pattern (* ? [...] **, quoted so that
logsift expands it), or '-' for stdin. Each input is its own partition, numbered in the order
given (a directory's or pattern's files sorted). The pod, namespace and container of kubelet
log files (/var/log/containers/*.log, /var/log/pods/...) come from their names. Lines may carry
the prefixes of kubectl logs --timestamps/--prefix, stern, syslog/journalctl or svlogd.

Options:
      --sample                 use the bundled one-day sample (samples/calico-day.log.gz)
  -o, --out DIR                output directory (default: ./out)
  -b, --bucket CATEGORY=DUR    summary bucket length for a category, repeatable
                               (categories: tier-exists, netlink-error, routine-noise,
                               warning-other, error-other, panic, unparsed-format, dead-letter;
                               durations: 10s, 1m, 1h, 1d — must divide a day)
  -f, --format FORMAT          report format: table (default), json, md, html
  -q, --quiet                  no report, no progress
  -c, --config FILE            YAML or JSON config
  -h, --help                   this help

Examples:
  logsift replay --sample
  logsift replay /var/log/containers/calico-node-*.log --out /tmp/sift --bucket tier-exists=1d
  logsift replay '/var/log/pods/calico-system_*/**/*.log' -q
  kubectl logs -n calico-system deploy/calico-kube-controllers | logsift replay - --format md
  kubectl logs -n calico-system -l k8s-app=calico-node --prefix --all-containers | logsift replay -
`;

export const command: Command = {
  name: 'replay',
  summary: 'Run the full pipeline over files or stdin',
  help: HELP,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      'replay',
      argv,
      {
        ...COMMON_OPTIONS,
        sample: { type: 'boolean' },
        out: { type: 'string', short: 'o', default: 'out' },
        bucket: { type: 'string', short: 'b', multiple: true },
        format: { type: 'string', short: 'f', default: 'table' },
        quiet: { type: 'boolean', short: 'q' },
      },
      Number.POSITIVE_INFINITY,
    );
    const format = values.format as string;
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new LogsiftError(
        'USAGE',
        `logsift replay: --format must be one of ${FORMATS.join(', ')}, got '${format}'`,
      );
    }
    let inputs: string[];
    if (values.sample) {
      if (positionals.length > 0) {
        throw new LogsiftError('USAGE', 'logsift replay: give either FILE or --sample, not both');
      }
      if (!existsSync(SAMPLE_FILE)) {
        throw new LogsiftError(
          'INPUT_NOT_FOUND',
          `bundled sample missing: ${SAMPLE_FILE} (run: node --import tsx scripts/gen-sample.ts)`,
        );
      }
      inputs = [SAMPLE_FILE];
    } else if (positionals.length > 0) {
      inputs = expandInputs(positionals);
    } else {
      throw new LogsiftError(
        'USAGE',
        "logsift replay: missing input — give FILE, '-' for stdin, or --sample (see logsift replay --help)",
      );
    }
    const config = loadConfig({ env: io.env, configFile: values.config, buckets: values.bucket });
    return replay(inputs, values.out as string, format as Format, values.quiet === true, config, io);
  },
};

async function replay(
  input: readonly string[],
  outDir: string,
  format: Format,
  quiet: boolean,
  config: ReturnType<typeof loadConfig>,
  io: CliIO,
): Promise<number> {
  const showProgress = !quiet && io.stderrIsTTY;
  const result = await runFilePipeline({
    input,
    outDir,
    config,
    now: io.now,
    stdin: io.stdin as NodeJS.ReadableStream & import('node:stream').Readable,
    ...(showProgress ? { onProgress: (p: Progress) => io.stderr.write(`\r${progressLine(p)}`) } : {}),
  });
  if (showProgress) io.stderr.write('\n');
  if (!quiet) {
    // The same report `logsift report --from-dir DIR` prints (src/report), read back from the files.
    const model = await fromFiles(outDir, { from: null, to: null }, { now: () => new Date(io.now()) });
    const render = { table: renderTable, json: renderJson, md: renderMarkdown, html: renderHtml }[format];
    io.stdout.write(render(model));
  }
  io.stderr.write(summaryLine(result, outDir));
  return 0;
}

function progressLine(p: Progress): string {
  const s = Math.max(p.elapsedMs / 1000, 0.001);
  const mb = p.bytes / 1048576;
  const pct = p.totalBytes ? ` ${Math.min(100, (100 * p.rawBytes) / p.totalBytes).toFixed(0)}%` : '';
  return `logsift: ${p.units.toLocaleString('en-US')} lines, ${Math.round(p.units / s).toLocaleString('en-US')} lines/s, ${mb.toFixed(1)} MB${pct}   `;
}

function summaryLine(r: FilePipelineResult, outDir: string): string {
  const spill = r.sink.spilled > 0 ? `; ${r.sink.spilled} documents spilled early (file.maxDocs cap)` : '';
  const files = r.inputs.length > 1 ? ` from ${r.inputs.length} inputs` : '';
  return `logsift: ${r.unitsRead} lines${files} -> ${r.sink.summaries} summaries + ${r.sink.stats} stats in ${join(outDir)} (${(r.elapsedMs / 1000).toFixed(1)} s; counts verified${spill})\n`;
}
