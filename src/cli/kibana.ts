/**
 * `logsift kibana import|export`: the saved searches, Lens visualizations and dashboard of
 * src/report/kibana.ts. `import` posts them to Kibana's saved-objects import API (multipart form with
 * the NDJSON file, header `kbn-xsrf`, `overwrite=true`) and reports each error Kibana returns.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LogsiftError } from '../errors.ts';
import { savedObjectsNdjson } from '../report/kibana.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  url: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'api-key': { type: 'string' },
  space: { type: 'string' },
  'index-prefix': { type: 'string' },
  out: { type: 'string', short: 'o' },
} as const;

const HELP = `Usage:
  logsift kibana import --url URL [--username U --password P | --api-key K] [--space S] [--index-prefix P]
  logsift kibana export [--out DIR] [--index-prefix P]

Kibana saved objects for the summaries: data views (<prefix>-summaries-*, <prefix>-stats-*), saved
searches (Tier-exists noise, netlink errors by errno, too many open files, new fingerprints, top noisy
fingerprints, everything from one node, dead letters), Lens charts and a dashboard.

  import   POST <URL>[/s/<space>]/api/saved_objects/_import?overwrite=true (kbn-xsrf: true); prints
           what Kibana imported and every error; exit 1 when Kibana reports a failure.
  export   write <prefix>-saved-objects.ndjson into DIR (default: standard output), ready for
           Stack Management > Saved objects > Import.

Options:
  --url URL             Kibana base URL (e.g. http://localhost:5601)
  --username U --password P | --api-key K   credentials (basic or ApiKey)
  --space S             Kibana space id (default: the default space)
  --index-prefix P      index prefix the objects point at (default: logsift)
  --out DIR, -o DIR     export: directory to write into
`;

interface ImportResponse {
  success?: boolean;
  successCount?: number;
  errors?: Array<{
    id: string;
    type: string;
    title?: string;
    meta?: { title?: string };
    error: { type: string; message?: string; statusCode?: number };
  }>;
  successResults?: Array<{ id: string; type: string; meta?: { title?: string } }>;
  message?: string;
  statusCode?: number;
}

export const command: Command = {
  name: 'kibana',
  summary: 'Install the Kibana saved searches and dashboard',
  help: HELP,
  async run(argv: readonly string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCommandArgs('kibana', argv, OPTIONS, 1);
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const usage = (msg: string) =>
      new LogsiftError('USAGE', `logsift kibana: ${msg} (see logsift kibana --help)`);
    const action = positionals[0];
    if (action !== 'import' && action !== 'export') throw usage('give an action: import or export');
    const prefix = values['index-prefix'] ?? 'logsift';
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(prefix))
      throw usage(`invalid --index-prefix ${JSON.stringify(prefix)}`);
    const ndjson = savedObjectsNdjson(prefix);

    if (action === 'export') {
      for (const k of ['url', 'username', 'password', 'api-key', 'space'] as const)
        if (values[k] !== undefined) throw usage(`--${k} applies to import only`);
      if (values.out === undefined) {
        io.stdout.write(ndjson);
        return 0;
      }
      const file = join(values.out, `${prefix}-saved-objects.ndjson`);
      try {
        mkdirSync(values.out, { recursive: true });
        writeFileSync(file, ndjson);
      } catch (err) {
        throw new LogsiftError(
          'OUTPUT_WRITE',
          `logsift kibana: cannot write ${file}: ${(err as Error).message}`,
          { cause: err },
        );
      }
      io.stderr.write(
        `logsift kibana: wrote ${ndjson.trimEnd().split('\n').length} saved objects to ${file}\n`,
      );
      return 0;
    }

    if (values.out !== undefined) throw usage('--out applies to export only');
    if (values.url === undefined) throw usage('import needs --url URL');
    if (values['api-key'] !== undefined && (values.username !== undefined || values.password !== undefined)) {
      throw usage('use either --username/--password or --api-key');
    }
    if ((values.username === undefined) !== (values.password === undefined))
      throw usage('--username and --password go together');
    let base: URL;
    try {
      base = new URL(values.url);
    } catch {
      throw usage(`--url ${JSON.stringify(values.url)} is not a URL`);
    }
    if (values.space !== undefined && !/^[a-z0-9_-]+$/.test(values.space))
      throw usage(`invalid --space ${JSON.stringify(values.space)}`);
    const path = `${values.space ? `/s/${values.space}` : ''}/api/saved_objects/_import`;
    const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
    url.searchParams.set('overwrite', 'true');

    const headers: Record<string, string> = { 'kbn-xsrf': 'true' };
    if (values['api-key'] !== undefined) headers.authorization = `ApiKey ${values['api-key']}`;
    if (values.username !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${values.username}:${values.password}`).toString('base64')}`;
    }
    const form = new FormData();
    form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), `${prefix}-saved-objects.ndjson`);

    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(60_000) });
    } catch (err) {
      throw new LogsiftError(
        'ES_CONNECT',
        `logsift kibana: cannot reach Kibana at ${url.origin}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    const text = await res.text();
    let body: ImportResponse;
    try {
      body = JSON.parse(text) as ImportResponse;
    } catch {
      io.stderr.write(`logsift kibana: import failed: HTTP ${res.status}: ${text.slice(0, 300)}\n`);
      return 1;
    }
    if (!res.ok) {
      io.stderr.write(
        `logsift kibana: import failed: HTTP ${res.status}: ${body.message ?? text.slice(0, 300)}\n`,
      );
      return 1;
    }
    const errors = body.errors ?? [];
    io.stdout.write(
      `logsift kibana: imported ${body.successCount ?? 0} saved object(s) into ${url.origin}${values.space ? ` (space ${values.space})` : ''}\n`,
    );
    for (const e of errors) {
      io.stderr.write(
        `  error: ${e.type} ${e.id}${(e.meta?.title ?? e.title) ? ` (${e.meta?.title ?? e.title})` : ''}: ${e.error.type}${e.error.message ? `: ${e.error.message}` : ''}\n`,
      );
    }
    return body.success === true && errors.length === 0 ? 0 : 1;
  },
};

/** The command's entry point: argv after `kibana`, process streams; returns the exit code. */
export async function kibanaCommand(argv: string[]): Promise<number> {
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
