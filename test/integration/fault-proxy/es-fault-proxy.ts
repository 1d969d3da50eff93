/**
 * An HTTP proxy between logsift and Elasticsearch that injects the faults of docs/EXACTNESS.md
 * ("How the invariant is tested"; F4, F8, F12): it runs inside the test process, logsift's ES_URL
 * points at it.
 *
 * For `_bulk` requests it can
 *  (a) fail chosen items: they are NOT forwarded; the others are (the NDJSON body is parsed and
 *      rebuilt), and ES's response is merged with synthetic item errors (503/429/409/400) in the
 *      original order, `errors: true`;
 *  (b) forward the bulk, let ES apply it, then destroy the client connection before any response
 *      (the ambiguous write: applied, but the client sees a socket error);
 *  (c) delay the response (or hold the request until released) — past the client timeout if wanted.
 * For `_mget` it can turn chosen docs into per-item `error` objects (never `found: false`).
 * Every other request is passed through unchanged. Hooks let a test act on events (e.g. SIGKILL
 * logsift right after a bulk was acknowledged).
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type BulkAction = 'create' | 'index' | 'update' | 'delete';

export interface BulkItem {
  /** Position in the request. */
  readonly n: number;
  readonly action: BulkAction;
  readonly index: string | undefined;
  readonly id: string | undefined;
  /** The NDJSON lines of this item (action line, and source line unless delete). */
  readonly lines: readonly string[];
}

export interface BulkInfo {
  /** 1-based count of bulk requests seen by this proxy. */
  readonly bulkNo: number;
  readonly items: readonly BulkItem[];
}

export interface BulkOutcome extends BulkInfo {
  /** HTTP status per item as returned to the client (after injection). */
  readonly statuses: readonly number[];
  /** Items failed by injection (not forwarded). */
  readonly injected: ReadonlyMap<number, number>;
  /** The response was delivered to the client (false when the connection was dropped). */
  readonly delivered: boolean;
}

export interface FaultRules {
  /** Items to fail, by position -> status (503, 429, 409, 400). Not forwarded to ES. */
  failItems?: (b: BulkInfo) => ReadonlyMap<number, number> | undefined;
  /** Forward (ES applies it), then drop the client connection without a response. */
  dropAfterForward?: (b: BulkInfo) => boolean;
  /** Milliseconds to wait after ES answered before answering the client. */
  delayResponseMs?: (b: BulkInfo) => number;
  /** Hold the bulk (do not forward) until the returned promise resolves. */
  hold?: (b: BulkInfo) => Promise<void> | undefined;
  /** `_mget` docs (by position) to answer with a per-item error instead of forwarding. */
  failMgetDocs?: (ids: readonly string[], mgetNo: number) => ReadonlySet<number> | undefined;
  /** Called after a bulk response was written to the client (or dropped). */
  onBulk?: (o: BulkOutcome) => void;
}

export interface ProxyStats {
  requests: number;
  bulks: number;
  bulkItems: number;
  itemsInjected: number;
  bulksDropped: number;
  bulksDelayed: number;
  mgets: number;
  mgetDocsInjected: number;
  upstreamErrors: number;
}

const ERROR_TYPES: Readonly<Record<number, string>> = {
  429: 'es_rejected_execution_exception',
  503: 'unavailable_shards_exception',
  409: 'version_conflict_engine_exception',
  400: 'mapper_parsing_exception',
  500: 'internal_server_error',
};

/** Headers not copied to the upstream request (recomputed or connection-level). */
const HOP = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'accept-encoding',
]);

export class EsFaultProxy {
  readonly #target: URL;
  readonly #server: Server;
  rules: FaultRules = {};
  readonly stats: ProxyStats = {
    requests: 0,
    bulks: 0,
    bulkItems: 0,
    itemsInjected: 0,
    bulksDropped: 0,
    bulksDelayed: 0,
    mgets: 0,
    mgetDocsInjected: 0,
    upstreamErrors: 0,
  };
  #url = '';

  constructor(targetUrl: string) {
    this.#target = new URL(targetUrl);
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        this.stats.upstreamErrors++;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end('{"error":"fault proxy: upstream failed"}');
        } else res.destroy();
      });
    });
    this.#server.keepAliveTimeout = 60_000;
  }

  /** Starts listening on 127.0.0.1 (a free port unless given); returns the proxy URL. */
  async start(port = 0): Promise<string> {
    await new Promise<void>((ok) => this.#server.listen(port, '127.0.0.1', ok));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#url;
  }

  get url(): string {
    return this.#url;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((ok) => this.#server.close(() => ok()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    let body = await readBody(req);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !HOP.has(k)) headers[k] = v;
    }
    if (headers['content-encoding'] === 'gzip') {
      body = gunzipSync(body);
      delete headers['content-encoding'];
    }
    const path = req.url ?? '/';
    const pathname = path.split('?')[0] ?? '/';
    if (req.method === 'POST' || req.method === 'PUT') {
      if (/(^|\/)_bulk$/.test(pathname)) return this.#bulk(req.method, path, headers, body, res);
      if (/(^|\/)_mget$/.test(pathname)) return this.#mget(req.method ?? 'POST', path, headers, body, res);
    }
    const up = await this.#forward(req.method ?? 'GET', path, headers, body);
    send(res, up.status, up.headers, up.body);
  }

  async #bulk(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const bulkNo = ++this.stats.bulks;
    const pathIndex = /^\/([^_/][^/]*)\/_bulk/.exec(path)?.[1];
    const items = parseBulk(body.toString('utf8'), pathIndex);
    this.stats.bulkItems += items.length;
    const info: BulkInfo = { bulkNo, items };
    const r = this.rules;
    const held = r.hold?.(info);
    if (held) await held;
    const injected = new Map(r.failItems?.(info) ?? []);
    for (const k of [...injected.keys()]) if (k < 0 || k >= items.length) injected.delete(k);
    this.stats.itemsInjected += injected.size;
    const forwarded = items.filter((it) => !injected.has(it.n));

    let upstream: { status: number; headers: Record<string, string>; json: BulkResponse } | null = null;
    if (forwarded.length > 0) {
      const fwdBody = Buffer.from(`${forwarded.flatMap((it) => it.lines).join('\n')}\n`, 'utf8');
      const up = await this.#forward(method, path, headers, fwdBody);
      if (up.status !== 200) {
        // A top-level failure (ES down, 413, 429 breaker): pass it through as is.
        send(res, up.status, up.headers, up.body);
        r.onBulk?.({ ...info, statuses: items.map(() => up.status), injected, delivered: true });
        return;
      }
      upstream = { status: up.status, headers: up.headers, json: JSON.parse(up.body.toString('utf8')) };
    }

    const merged: Record<string, BulkResponseItem>[] = [];
    const statuses: number[] = [];
    let f = 0;
    for (const it of items) {
      const inj = injected.get(it.n);
      if (inj !== undefined) {
        merged.push({
          [it.action]: {
            _index: it.index ?? '',
            _id: it.id ?? null,
            status: inj,
            error: { type: ERROR_TYPES[inj] ?? 'injected_exception', reason: `fault proxy: injected ${inj}` },
          },
        });
        statuses.push(inj);
      } else {
        const item = upstream?.json.items[f++];
        if (!item) throw new Error(`fault proxy: ES returned fewer items than forwarded (bulk ${bulkNo})`);
        merged.push(item);
        statuses.push(Object.values(item)[0]?.status ?? 0);
      }
    }
    const out = Buffer.from(
      JSON.stringify({
        took: upstream?.json.took ?? 0,
        errors: (upstream?.json.errors ?? false) || injected.size > 0,
        items: merged,
      }),
      'utf8',
    );

    if (r.dropAfterForward?.(info) && forwarded.length > 0) {
      this.stats.bulksDropped++;
      res.socket?.destroy();
      r.onBulk?.({ ...info, statuses, injected, delivered: false });
      return;
    }
    const delay = r.delayResponseMs?.(info) ?? 0;
    if (delay > 0) {
      this.stats.bulksDelayed++;
      await sleep(delay);
    }
    if (res.socket?.destroyed) {
      r.onBulk?.({ ...info, statuses, injected, delivered: false });
      return;
    }
    send(res, 200, upstream?.headers ?? { 'content-type': 'application/json' }, out);
    r.onBulk?.({ ...info, statuses, injected, delivered: true });
  }

  async #mget(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
    res: ServerResponse,
  ): Promise<void> {
    const mgetNo = ++this.stats.mgets;
    const up = await this.#forward(method, path, headers, body);
    const rule = this.rules.failMgetDocs;
    if (!rule || up.status !== 200) return send(res, up.status, up.headers, up.body);
    const json = JSON.parse(up.body.toString('utf8')) as { docs: Record<string, unknown>[] };
    const ids = json.docs.map((d) => String(d._id ?? ''));
    const fail = rule(ids, mgetNo);
    if (!fail || fail.size === 0) return send(res, up.status, up.headers, up.body);
    json.docs = json.docs.map((d, i) => {
      if (!fail.has(i)) return d;
      this.stats.mgetDocsInjected++;
      return {
        _index: d._index,
        _id: d._id,
        error: {
          type: 'no_shard_available_action_exception',
          reason: 'fault proxy: injected mget item error',
        },
      };
    });
    send(res, 200, up.headers, Buffer.from(JSON.stringify(json), 'utf8'));
  }

  #forward(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((ok, fail) => {
      const up = request(
        {
          host: this.#target.hostname,
          port: this.#target.port,
          method,
          path,
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (r) => {
          readBody(r).then((b) => {
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(r.headers)) {
              if (typeof v === 'string' && !HOP.has(k)) h[k] = v;
            }
            ok({ status: r.statusCode ?? 502, headers: h, body: b });
          }, fail);
        },
      );
      up.on('error', fail);
      up.end(body);
    });
  }
}

interface BulkResponseItem {
  _index: string;
  _id: string | null;
  status: number;
  error?: unknown;
}
interface BulkResponse {
  took: number;
  errors: boolean;
  items: Record<string, BulkResponseItem>[];
}

/** Splits a bulk NDJSON body into items (action line + source line unless `delete`). */
export function parseBulk(text: string, pathIndex?: string): BulkItem[] {
  const lines = text.split('\n');
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const meta = JSON.parse(line) as Record<string, { _index?: string; _id?: string }>;
    const action = Object.keys(meta)[0] as BulkAction;
    const m = meta[action] ?? {};
    const own = [line];
    if (action !== 'delete') own.push(lines[++i] ?? '');
    items.push({ n: items.length, action, index: m._index ?? pathIndex, id: m._id, lines: own });
  }
  return items;
}

function readBody(s: IncomingMessage): Promise<Buffer> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => ok(Buffer.concat(chunks)));
    s.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (res.socket?.destroyed) return;
  const h: Record<string, string> = { ...headers, 'content-length': String(body.length) };
  delete h['content-encoding'];
  res.writeHead(status, h);
  res.end(body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}
