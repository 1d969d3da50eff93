// `logsift kibana import` against our own fake Kibana endpoint: a node:http server that checks the
// request the real `POST /api/saved_objects/_import` needs (path, overwrite, kbn-xsrf, auth, multipart
// body with the NDJSON file) and answers like Kibana does. Kibana itself cannot run on these machines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../../src/cli/kibana.ts';
import type { CliIO } from '../../../src/cli/types.ts';
import { savedObjectsNdjson } from '../../../src/report/kibana.ts';

function io(): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (c) => {
    o += c;
  });
  stderr.on('data', (c) => {
    e += c;
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: {},
    now: () => 0,
    stderrIsTTY: false,
    out: () => o,
    err: () => e,
  };
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  file: string;
  filename: string;
}

/** Minimal multipart/form-data parser: the `file` part's filename and content. */
function filePart(body: Buffer, contentType: string): { filename: string; content: string } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  const b = `--${boundary[1] ?? boundary[2]}`;
  for (const part of body.toString('utf8').split(b)) {
    const m =
      /^\r\nContent-Disposition: form-data; name="file"; filename="([^"]+)"\r\n(?:Content-Type: [^\r]+\r\n)?\r\n([\s\S]*)\r\n$/i.exec(
        part,
      );
    if (m) return { filename: m[1]!, content: m[2]! };
  }
  throw new Error('no file part');
}

describe('logsift kibana', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let reply: { status: number; body: unknown } = { status: 200, body: {} };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const part = filePart(Buffer.concat(chunks), req.headers['content-type'] ?? '');
          seen.push({
            method: req.method!,
            url: req.url!,
            headers: req.headers,
            file: part.content,
            filename: part.filename,
          });
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ statusCode: 400, message: String(err) }));
          return;
        }
        if (req.headers['kbn-xsrf'] !== 'true') {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ statusCode: 400, message: 'Request must contain a kbn-xsrf header.' }));
          return;
        }
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('import posts the NDJSON as multipart with kbn-xsrf, overwrite, space and basic auth', async () => {
    const n = savedObjectsNdjson('acme').trimEnd().split('\n').length;
    reply = { status: 200, body: { success: true, successCount: n, successResults: [] } };
    const x = io();
    const code = await command.run(
      [
        'import',
        '--url',
        `${base}/`,
        '--username',
        'elastic',
        '--password',
        's3cret',
        '--space',
        'ops',
        '--index-prefix',
        'acme',
      ],
      x,
    );
    expect(code).toBe(0);
    const req = seen.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/s/ops/api/saved_objects/_import?overwrite=true');
    expect(req.headers['kbn-xsrf']).toBe('true');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('elastic:s3cret').toString('base64')}`);
    expect(req.filename).toBe('acme-saved-objects.ndjson');
    expect(req.file).toBe(savedObjectsNdjson('acme'));
    expect(x.out()).toMatch(new RegExp(`imported ${n} saved object\\(s\\) into ${base} \\(space ops\\)`));
  });

  it('import reports every error Kibana returns, exit 1', async () => {
    reply = {
      status: 200,
      body: {
        success: false,
        successCount: 13,
        errors: [
          {
            id: 'logsift-lens-volume',
            type: 'lens',
            meta: { title: 'logsift: Lines in vs documents out' },
            error: { type: 'missing_references' },
          },
          { id: 'logsift-dashboard', type: 'dashboard', title: 'x', error: { type: 'conflict' } },
        ],
      },
    };
    const x = io();
    expect(await command.run(['import', '--url', base, '--api-key', 'abc=='], x)).toBe(1);
    expect(seen.at(-1)!.headers.authorization).toBe('ApiKey abc==');
    expect(seen.at(-1)!.url).toBe('/api/saved_objects/_import?overwrite=true');
    expect(x.err()).toMatch(
      /error: lens logsift-lens-volume \(logsift: Lines in vs documents out\): missing_references/,
    );
    expect(x.err()).toMatch(/error: dashboard logsift-dashboard \(x\): conflict/);
  });

  it('import: HTTP errors and unreachable Kibana', async () => {
    reply = {
      status: 401,
      body: { statusCode: 401, error: 'Unauthorized', message: 'missing authentication credentials' },
    };
    const x = io();
    expect(await command.run(['import', '--url', base], x)).toBe(1);
    expect(x.err()).toMatch(/HTTP 401: missing authentication credentials/);
    await expect(command.run(['import', '--url', 'http://127.0.0.1:1'], io())).rejects.toMatchObject({
      code: 'ES_CONNECT',
    });
  });

  it('export writes the objects with the prefix substituted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logsift-kibana-'));
    try {
      const x = io();
      expect(await command.run(['export', '--out', dir, '--index-prefix', 'acme'], x)).toBe(0);
      expect(readFileSync(join(dir, 'acme-saved-objects.ndjson'), 'utf8')).toBe(savedObjectsNdjson('acme'));
      const y = io();
      expect(await command.run(['export'], y)).toBe(0);
      expect(y.out()).toBe(savedObjectsNdjson('logsift'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [[], /give an action/],
    [['import'], /import needs --url/],
    [
      ['import', '--url', 'x', '--api-key', 'k', '--username', 'u', '--password', 'p'],
      /either --username\/--password or --api-key/,
    ],
    [['export', '--url', 'http://k'], /--url applies to import only/],
    [['export', 'extra'], /unexpected argument/],
    [['frob'], /give an action/],
  ])('usage error %j', async (argv, re) => {
    await expect(command.run(argv, io())).rejects.toMatchObject({
      code: 'USAGE',
      exitCode: 2,
      message: expect.stringMatching(re),
    });
  });
});
