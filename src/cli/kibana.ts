/**
 * `logsift kibana import|export`: the saved searches, Lens visualizations and dashboard of
 * src/report/kibana.ts. `import` posts them to Kibana's saved-objects import API (multipart form with
 * the NDJSON file, header `kbn-xsrf`, `overwrite=true`) and reports each error Kibana returns.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { type FlagSetting, type HttpServiceConfig, loadConfig } from '../config/index.ts';
import { LogsiftError } from '../errors.ts';
import { savedObjectsNdjson } from '../report/kibana.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

const OPTIONS = {
  ...COMMON_OPTIONS,
  url: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
  'api-key': { type: 'string' },
  'api-key-file': { type: 'string' },
  'ca-file': { type: 'string' },
  'ca-fingerprint': { type: 'string' },
  space: { type: 'string' },
  'index-prefix': { type: 'string' },
  out: { type: 'string', short: 'o' },
} as const;

const HELP = `Usage:
  logsift kibana import --url URL [--username U --password-file F | --api-key-file F] [--ca-file F]
                        [--space S] [--index-prefix P]
  logsift kibana export [--out DIR] [--index-prefix P]

Kibana saved objects for the summaries: data views (<prefix>-summaries-*, <prefix>-stats-*), saved
searches (Tier-exists noise, netlink errors by errno, too many open files, new fingerprints, top noisy
fingerprints, everything from one node, dead letters), Lens charts and a dashboard.

  import   POST <URL>[/s/<space>]/api/saved_objects/_import?overwrite=true (kbn-xsrf: true); prints
           what Kibana imported and every error; exit 1 when Kibana reports a failure.
  export   write <prefix>-saved-objects.ndjson into DIR (default: standard output), ready for
           Stack Management > Saved objects > Import.

Options:
  --url URL             Kibana base URL (e.g. https://kibana:5601); env KIBANA_URL
  --username U          basic auth user (env KIBANA_USERNAME) with
  --password-file F     a file holding the password (env KIBANA_PASSWORD_FILE; --password P and
                        KIBANA_PASSWORD also work, but a flag is visible to every user in ps)
  --api-key-file F      a file holding an API key, sent as "ApiKey <key>" (env KIBANA_API_KEY_FILE,
                        or --api-key K / KIBANA_API_KEY)
  --ca-file F           PEM CA that signed Kibana's certificate (env KIBANA_CA_FILE)
  --ca-fingerprint H    or its SHA-256 fingerprint (env KIBANA_CA_FINGERPRINT)
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
    const flagUrl = values.url;
    const secretGiven = (v: string | undefined, f: string | undefined): boolean =>
      v !== undefined || f !== undefined;
    if (
      secretGiven(values['api-key'], values['api-key-file']) &&
      (values.username !== undefined || secretGiven(values.password, values['password-file']))
    ) {
      throw usage('use either --username/--password or --api-key');
    }
    if (
      (values.username === undefined) !== !secretGiven(values.password, values['password-file']) &&
      values.username !== undefined
    )
      throw usage('--username and --password go together');
    const flags: FlagSetting[] = [];
    const flag = (name: keyof typeof values, path: string): void => {
      const v = values[name];
      if (typeof v === 'string') flags.push({ path: `kibana.${path}`, value: v, flag: `--${String(name)}` });
    };
    flag('url', 'url');
    flag('username', 'username');
    flag('password', 'password');
    flag('password-file', 'passwordFile');
    flag('api-key', 'apiKey');
    flag('api-key-file', 'apiKeyFile');
    flag('ca-file', 'caFile');
    flag('ca-fingerprint', 'caFingerprint');
    const kibana = loadConfig({ env: io.env, configFile: values.config, flags }).kibana;
    if (kibana.url === undefined) throw usage('import needs --url (or KIBANA_URL)');
    let base: URL;
    try {
      base = new URL(kibana.url);
    } catch {
      throw usage(`--url ${JSON.stringify(flagUrl)} is not a URL`);
    }
    if (values.space !== undefined && !/^[a-z0-9_-]+$/.test(values.space))
      throw usage(`invalid --space ${JSON.stringify(values.space)}`);
    const path = `${values.space ? `/s/${values.space}` : ''}/api/saved_objects/_import`;
    const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
    url.searchParams.set('overwrite', 'true');

    const headers: Record<string, string> = { 'kbn-xsrf': 'true' };
    if (kibana.apiKey !== undefined) headers.authorization = `ApiKey ${kibana.apiKey.reveal()}`;
    if (kibana.username !== undefined && kibana.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${kibana.username}:${kibana.password.reveal()}`).toString('base64')}`;
    }
    const boundary = `----logsift${randomBytes(12).toString('hex')}`;
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${prefix}-saved-objects.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n`,
      ),
      Buffer.from(ndjson),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    headers['content-length'] = String(payload.length);

    const label = { label: 'Kibana', envPrefix: 'KIBANA' };
    let res: { status: number; text: string };
    try {
      const { trustedCaPem } = await import('../sinks/elasticsearch/tls.ts');
      const ca = url.protocol === 'https:' ? await trustedCaPem(kibana, label) : undefined;
      res = await post(url, headers, payload, ca, 60_000);
    } catch (err) {
      if (err instanceof LogsiftError) throw err;
      const { httpFailure } = await import('../sinks/elasticsearch/tls.ts');
      const f = httpFailure(err, { ...label, url: url.toString(), service: kibana as HttpServiceConfig });
      throw new LogsiftError(
        f.code,
        `logsift kibana: ${f.code === 'ES_CONNECT' ? `cannot reach Kibana at ${url.origin}: ${(err as Error).message}` : f.message}`,
        {
          cause: err,
        },
      );
    }
    const text = res.text;
    let body: ImportResponse;
    try {
      body = JSON.parse(text) as ImportResponse;
    } catch {
      io.stderr.write(`logsift kibana: import failed: HTTP ${res.status}: ${text.slice(0, 300)}\n`);
      return 1;
    }
    if (res.status < 200 || res.status > 299) {
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

/** One POST with a fixed body; `ca` = the only CA trusted for https (undefined: the system CAs). */
function post(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  ca: string | undefined,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const options = { method: 'POST', headers, ...(ca !== undefined ? { ca } : {}) };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

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
