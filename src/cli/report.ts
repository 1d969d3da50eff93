/**
 * `logsift report`: the log-volume reduction report, from Elasticsearch (aggregations only) or from
 * what `logsift replay --out DIR` wrote. One ReportModel (src/report/model.ts), four renderings.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, type FlagSetting, loadConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import type { FindingsConfig } from '../findings/config.ts';
import { parseVersion } from '../findings/known-issues.ts';
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

const RENDER: Record<ReportFormat, (m: ReportModel, width?: number) => string> = {
  table: (m, width) => renderTable(m, width === undefined ? {} : { width }),
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
  'calico-version': { type: 'string' },
  width: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'ca-fingerprint': { type: 'string' },
} as const;

const HELP = `Usage:
  logsift report --es URL [--index-prefix P] [--from T] [--to T] [--format F] [--out FILE]
  logsift report --dir DIR [--from T] [--to T] [--format F] [--out FILE]

Findings first: new errors, errors spreading over nodes, rates that keep rising (and reset on
restart, as a leak does), known Calico problems with the versions that fix them, and noise worth
dropping (docs/FINDINGS.md); then the log-volume reduction: lines in vs documents out (by count and
by bytes), breakdowns by component, category, node and namespace, the top fingerprints, Tier-exists
counters, netlink errors by errno over time, fingerprints first seen in the range, dead letters.

Source (one of):
  --es URL              Elasticsearch: <prefix>-summaries-* and <prefix>-stats-* (aggregations only)
  --index-prefix P      index prefix (default: logsift)
  --username U --password-file F | --api-key-file F   Elasticsearch credentials (also --password P,
                        --api-key K, visible in ps; default: ES_USERNAME, ES_PASSWORD(_FILE), ES_API_KEY(_FILE))
  --ca-file F | --ca-fingerprint H   the CA of an https Elasticsearch (default: ES_CA_FILE, ES_CA_FINGERPRINT)
  --dir DIR             the directory written by \`logsift replay --out DIR\` (summaries.ndjson, stats.ndjson)

Range (on each document's bucket start; default: everything):
  --from T, --to T      ISO-8601 (2025-01-14, 2025-01-14T09:00:00Z; no zone = UTC), relative (30m, 24h,
                        7d, 2w = that long before now) or now. --from is inclusive, --to exclusive.

Output:
  --format F, -f F      table (default; aligned columns for terminals), json (every figure, schema:
                        schemas/report.schema.json), md (Markdown), html (one self-contained file with
                        charts; to stdout when it is redirected; on a terminal written to ./report.html,
                        never over an existing file, and the path is printed)
  --out FILE, -o FILE   write to FILE instead of stdout
  --top N               fingerprints listed (default: ${DEFAULT_TOP})
  --rows N              rows per breakdown before the rest is merged (default: ${DEFAULT_ROWS})
  --width N             table width in columns (default: the terminal's, else 120)

Findings:
  --calico-version V    the Calico version running (e.g. v3.29.1), for known-issue advice when the
                        summaries carry no container image (findings.calicoVersion in --config)
  --config FILE, -c     thresholds in the findings section (schemas/config.schema.json)

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
    const password = values.password ?? values['password-file'];
    const apiKey = values['api-key'] ?? values['api-key-file'];
    if (apiKey !== undefined && (values.username !== undefined || password !== undefined)) {
      throw usage('use either --username/--password or --api-key');
    }
    if (values.username !== undefined && password === undefined)
      throw usage('--username and --password go together');
    if (
      values.dir !== undefined &&
      (values.username ??
        apiKey ??
        password ??
        values['index-prefix'] ??
        values['ca-file'] ??
        values['ca-fingerprint']) !== undefined
    ) {
      throw usage('--index-prefix, --username, --password, --api-key and --ca-* apply to --es only');
    }
    const now = new Date(io.now());
    let range: ReturnType<typeof resolveRange>;
    try {
      range = resolveRange(values.from, values.to, now);
    } catch (err) {
      throw usage((err as Error).message);
    }
    const calicoVersion = values['calico-version'];
    if (calicoVersion !== undefined && parseVersion(calicoVersion) === null)
      throw usage(`--calico-version must look like v3.29.1, got ${JSON.stringify(calicoVersion)}`);
    const width = values.width === undefined ? undefined : positiveInt('width', values.width, 0);
    const config = loadConfig({ env: io.env, configFile: values.config });
    const findings: FindingsConfig =
      calicoVersion === undefined
        ? config.findings
        : { ...config.findings, calicoVersion: `v${parseVersion(calicoVersion)!.join('.')}` };
    const options = {
      top: positiveInt('top', values.top, DEFAULT_TOP),
      rows: positiveInt('rows', values.rows, DEFAULT_ROWS),
      now: () => now,
      findings,
    };
    const prefix = values['index-prefix'] ?? 'logsift';
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(prefix))
      throw usage(`invalid --index-prefix ${JSON.stringify(prefix)}`);

    let model: ReportModel;
    if (values.dir !== undefined) {
      model = await fromFiles(values.dir, range, options);
    } else {
      const flags: FlagSetting[] = [{ path: 'elasticsearch.url', value: values.es, flag: '--es' }];
      const flag = (name: keyof typeof values, path: string): void => {
        const v = values[name];
        if (typeof v === 'string')
          flags.push({ path: `elasticsearch.${path}`, value: v, flag: `--${String(name)}` });
      };
      flag('username', 'username');
      flag('password', 'password');
      flag('password-file', 'passwordFile');
      flag('api-key', 'apiKey');
      flag('api-key-file', 'apiKeyFile');
      flag('ca-file', 'caFile');
      flag('ca-fingerprint', 'caFingerprint');
      let node: URL;
      try {
        node = new URL(values.es!);
      } catch {
        throw new LogsiftError('USAGE', `logsift report: --es ${JSON.stringify(values.es)} is not a URL`);
      }
      const es = loadConfig({ env: io.env, configFile: values.config, flags }).elasticsearch;
      model = await reportFromEs(es, node, prefix, range, options);
    }
    const stdout = io.stdout as { isTTY?: boolean; columns?: number };
    const text = RENDER[format](
      model,
      width ?? (stdout.isTTY && stdout.columns ? stdout.columns : undefined),
    );
    // HTML on a terminal is of no use: it goes to ./report.html (never over a file there), and the
    // path is said; redirected, it goes to stdout like every other format.
    let out = values.out;
    if (out === undefined && format === 'html' && stdout.isTTY === true) {
      out = 'report.html';
      if (existsSync(out))
        throw usage(`${resolve(out)} exists; pass --out FILE (or redirect: logsift report -f html > FILE)`);
    }
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
      io.stderr.write(
        `logsift report: wrote ${resolve(out)} (${format}, ${model.findings.length} finding(s))${format === 'html' ? ` — open ${pathToFileURL(resolve(out)).href}` : ''}\n`,
      );
    }
    return 0;
  },
};

async function reportFromEs(
  es: Config['elasticsearch'],
  node: URL,
  prefix: string,
  range: ReturnType<typeof resolveRange>,
  options: { top: number; rows: number; now: () => Date; findings: FindingsConfig },
): Promise<ReportModel> {
  // Loaded here: --dir reports never load the Elasticsearch client.
  const { createEsClient } = await import('../sinks/elasticsearch/store.ts');
  const { trustedCaPem } = await import('../sinks/elasticsearch/tls.ts');
  const { diagnoseEsError } = await import('../sinks/elasticsearch/probe.ts');
  // Shown in the report: the URL without credentials.
  const shown = new URL(node);
  shown.username = '';
  shown.password = '';
  const service = { ...es, requestTimeoutMs: 120_000 };
  let client: Awaited<ReturnType<typeof createEsClient>> | undefined;
  try {
    const ca = await trustedCaPem(service, { label: 'Elasticsearch', envPrefix: 'ES' });
    client = createEsClient(service, ca, { maxRetries: 2 });
    return await fromElasticsearch(client, prefix, range, {
      ...options,
      location: shown.toString().replace(/\/$/, ''),
    });
  } catch (err) {
    const e = await diagnoseEsError(err, service);
    throw new LogsiftError(e.code, `logsift report: ${e.message}`, { cause: err });
  } finally {
    await client?.close();
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
