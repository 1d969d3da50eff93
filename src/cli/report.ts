/**
 * `logsift report`: the log-volume reduction report, from Elasticsearch (aggregations only) or from
 * what `logsift replay --out DIR` wrote. One ReportModel (src/report/model.ts), four renderings.
 */
import { writeFileSync } from 'node:fs';
import { LogsiftError } from '../errors.ts';
import { fromElasticsearch } from '../report/from-elasticsearch.ts';
import { fromFiles } from '../report/from-files.ts';
import { DEFAULT_ROWS, DEFAULT_TOP, type ReportModel } from '../report/model.ts';
import { resolveRange } from '../report/range.ts';
import { renderHtml } from '../report/render/html.ts';
import { renderJson } from '../report/render/json.ts';
import { renderMarkdown } from '../report/render/markdown.ts';
import { renderTable } from '../report/render/table.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

export const FORMATS = ['table', 'json', 'md', 'html'] as const;
export type ReportFormat = (typeof FORMATS)[number];

const RENDER: Record<ReportFormat, (m: ReportModel) => string> = {
  table: renderTable,
  json: renderJson,
  md: renderMarkdown,
  html: renderHtml,
};

const OPTIONS = {
  ...COMMON_OPTIONS,
  es: { type: 'string' },
  dir: { type: 'string' },
  // Alias of --dir (the name `logsift replay` prints).
  'from-dir': { type: 'string' },
  'index-prefix': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  top: { type: 'string' },
  rows: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

const HELP = `Usage:
  logsift report --es URL [--index-prefix P] [--from T] [--to T] [--format F] [--out FILE]
  logsift report --dir DIR [--from T] [--to T] [--format F] [--out FILE]

Log-volume reduction report: lines in vs documents out (by count and by bytes), breakdowns by
component, category, node and namespace, the top fingerprints by volume, Tier-exists counters per
tier and pod, netlink errors by errno over time, fingerprints first seen in the range, dead letters,
and advice for known Calico problems (v3.29.1 Tier-exists spam, v3.29.0 Felix netlink socket leak).

Source (one of):
  --es URL              Elasticsearch: <prefix>-summaries-* and <prefix>-stats-* (aggregations only)
  --index-prefix P      index prefix (default: logsift)
  --username U --password P | --api-key K   Elasticsearch credentials
  --dir DIR             the directory written by \`logsift replay --out DIR\` (summaries.ndjson, stats.ndjson)

Range (on each document's bucket start; default: everything):
  --from T, --to T      ISO-8601 (2025-01-14, 2025-01-14T09:00:00Z; no zone = UTC), relative (30m, 24h,
                        7d, 2w = that long before now) or now. --from is inclusive, --to exclusive.

Output:
  --format F, -f F      table (default; aligned columns for terminals), json (every figure, schema:
                        schemas/report.schema.json), md (Markdown), html (one self-contained file with
                        charts; written to report.html unless --out says otherwise)
  --out FILE, -o FILE   write to FILE instead of stdout
  --top N               fingerprints listed (default: ${DEFAULT_TOP})
  --rows N              rows per breakdown before the rest is merged (default: ${DEFAULT_ROWS})

Examples:
  logsift report --dir out
  logsift report --es http://localhost:9200 --from 7d --format html --out week.html
  logsift report --es https://es:9200 --api-key "$KEY" --from 2025-01-14 --to 2025-01-15 -f json
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new LogsiftError(
      'USAGE',
      `logsift report: --${name} must be a positive integer, got ${JSON.stringify(v)}`,
    );
  return n;
}

export const command: Command = {
  name: 'report',
  summary: 'Log-volume reduction report from Elasticsearch or an --out directory',
  help: HELP,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { values } = parseCommandArgs('report', argv, OPTIONS, 0);
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    values.dir ??= values['from-dir'];
    const usage = (msg: string) =>
      new LogsiftError('USAGE', `logsift report: ${msg} (see logsift report --help)`);
    if ((values.es === undefined) === (values.dir === undefined))
      throw usage('give exactly one of --es URL or --dir DIR');
    const format = (values.format ?? 'table') as ReportFormat;
    if (!FORMATS.includes(format))
      throw usage(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
    if (values['api-key'] !== undefined && (values.username !== undefined || values.password !== undefined)) {
      throw usage('use either --username/--password or --api-key');
    }
    if ((values.username === undefined) !== (values.password === undefined))
      throw usage('--username and --password go together');
    if (
      values.dir !== undefined &&
      (values.username ?? values['api-key'] ?? values['index-prefix']) !== undefined
    ) {
      throw usage('--index-prefix, --username, --password and --api-key apply to --es only');
    }
    const now = new Date(io.now());
    let range: ReturnType<typeof resolveRange>;
    try {
      range = resolveRange(values.from, values.to, now);
    } catch (err) {
      throw usage((err as Error).message);
    }
    const options = {
      top: positiveInt('top', values.top, DEFAULT_TOP),
      rows: positiveInt('rows', values.rows, DEFAULT_ROWS),
      now: () => now,
    };
    const prefix = values['index-prefix'] ?? 'logsift';
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(prefix))
      throw usage(`invalid --index-prefix ${JSON.stringify(prefix)}`);

    let model: ReportModel;
    if (values.dir !== undefined) {
      model = await fromFiles(values.dir, range, options);
    } else {
      model = await reportFromEs(values.es!, prefix, range, options, {
        username: values.username,
        password: values.password,
        apiKey: values['api-key'],
      });
    }
    const text = RENDER[format](model);
    const out = values.out ?? (format === 'html' ? 'report.html' : undefined);
    if (out === undefined) {
      io.stdout.write(text);
    } else {
      try {
        writeFileSync(out, text);
      } catch (err) {
        throw new LogsiftError(
          'OUTPUT_WRITE',
          `logsift report: cannot write ${out}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      io.stderr.write(`logsift report: wrote ${out} (${format})\n`);
    }
    return 0;
  },
};

async function reportFromEs(
  url: string,
  prefix: string,
  range: ReturnType<typeof resolveRange>,
  options: { top: number; rows: number; now: () => Date },
  auth: { username?: string | undefined; password?: string | undefined; apiKey?: string | undefined },
): Promise<ReportModel> {
  let node: URL;
  try {
    node = new URL(url);
  } catch {
    throw new LogsiftError('USAGE', `logsift report: --es ${JSON.stringify(url)} is not a URL`);
  }
  const { Client } = await import('@elastic/elasticsearch');
  const client = new Client({
    node: node.toString(),
    requestTimeout: 120_000,
    maxRetries: 2,
    ...(auth.apiKey !== undefined ? { auth: { apiKey: auth.apiKey } } : {}),
    ...(auth.username !== undefined
      ? { auth: { username: auth.username, password: auth.password ?? '' } }
      : {}),
  });
  // Shown in the report: the URL without credentials.
  const shown = new URL(node);
  shown.username = '';
  shown.password = '';
  try {
    return await fromElasticsearch(client, prefix, range, {
      ...options,
      location: shown.toString().replace(/\/$/, ''),
    });
  } catch (err) {
    const e = err as { name?: string; message?: string; meta?: { statusCode?: number } };
    const code = e.name === 'ConnectionError' || e.name === 'TimeoutError' ? 'ES_CONNECT' : 'ES_SETUP';
    throw new LogsiftError(code, `logsift report: Elasticsearch ${shown.host}: ${e.message ?? String(err)}`, {
      cause: err,
    });
  } finally {
    await client.close();
  }
}

/** The command's entry point: argv after `report`, process streams; returns the exit code. */
export async function reportCommand(argv: string[]): Promise<number> {
  try {
    return await command.run(argv, {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      env: {},
      now: () => Date.now(),
      stderrIsTTY: Boolean(process.stderr.isTTY),
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return (err as { exitCode?: number }).exitCode ?? 1;
  }
}
