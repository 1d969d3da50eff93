/**
 * The Elasticsearch counter store (src/aggregate/store.ts contract): realtime `mget` reads with
 * the version a conditional write must name, and `client.bulk` writes read item by item
 * (docs/EXACTNESS.md F4: never `helpers.bulk`, which resolves while dropping non-429 failures).
 *
 * This folder is the only importer of @elastic/elasticsearch (besides src/report, which reads).
 * Nothing here retries on its own or sleeps: the pipeline's loop does, heartbeating to Kafka between
 * attempts (F7). The store only says, for every item, what happened.
 */
import { readFileSync } from 'node:fs';
import { Client, errors } from '@elastic/elasticsearch';
import type {
  CounterStore,
  DocRef,
  ForeignVersionEnd,
  VersionedDoc,
  WriteItem,
  WriteResult,
} from '../../aggregate/store.ts';
import type { CounterDoc } from '../../domain/documents.ts';
import { LogsiftError } from '../../errors.ts';
import { assertUniqueIds, type SerializedItem, serializeItem, splitByBytes } from './bulk-body.ts';
import { classifyItem, classifyRequestFailure, type EsErrorCause, mgetErrorIsNotFound } from './items.ts';
import { type EsConnection, esClientOptions } from './options.ts';

export type EsClient = Client;

/**
 * The client, with the CA PEM to trust (`caPem`, from ./tls.ts `trustedCaPem`, which also resolves
 * a CA fingerprint); without it, `caFile` is read here. `maxRetries` 0 unless a caller (reports)
 * asks for more.
 */
export function createEsClient(
  es: EsConnection,
  caPem?: string,
  overrides: { maxRetries?: number } = {},
): Client {
  const ca = caPem ?? (es.caFile !== undefined ? readFileSync(es.caFile, 'utf8') : undefined);
  const o = esClientOptions(es, ca, overrides);
  return new Client({ ...o, ...(o.tls ? { tls: { ca: o.tls.ca } } : {}) } as ConstructorParameters<
    typeof Client
  >[0]);
}

/** A failure that says nothing per item (request timeout, connection reset, 5xx on the request). */
export class EsRequestFailure extends LogsiftError {
  readonly status: number | undefined;
  readonly errorType: string | undefined;
  constructor(what: string, status: number | undefined, errorType: string | undefined, cause: unknown) {
    super('ES_CONNECT', `${what}: ${status ?? 'no response'} ${errorType ?? describe(cause)}`, { cause });
    this.status = status;
    this.errorType = errorType;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

/** HTTP status and ES error type of a thrown client error (undefined status = no response). */
export function failureOf(err: unknown): { status: number | undefined; type: string | undefined } {
  if (err instanceof errors.ResponseError) {
    const body = err.meta?.body as { error?: { type?: string } | string } | undefined;
    const type = typeof body?.error === 'object' ? body.error.type : undefined;
    return { status: err.meta?.statusCode, type };
  }
  return { status: undefined, type: undefined };
}

export interface EsStoreOptions {
  readonly maxBulkBytes: number;
  readonly refresh: boolean | 'wait_for';
  /** Index prefix (`<prefix>-stats-*` is searched by partitionEnd). */
  readonly indexPrefix?: string;
}

export interface WriteStats {
  requests: number;
  splits: number;
  indicesCreated: number;
}

export class EsCounterStore implements CounterStore {
  readonly #client: Client;
  readonly #opts: EsStoreOptions;
  readonly stats: WriteStats = { requests: 0, splits: 0, indicesCreated: 0 };

  constructor(client: Client, opts: EsStoreOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  /**
   * Realtime read. A missing document (or a never-created daily index) maps to null; every other
   * per-item error throws (F4c: an error is never "not found"), as does a request failure.
   */
  async load(refs: readonly DocRef[]): Promise<Map<string, VersionedDoc | null>> {
    const out = new Map<string, VersionedDoc | null>();
    if (refs.length === 0) return out;
    let body: { docs: unknown[] };
    try {
      body = (await this.#client.mget({
        docs: refs.map((r) => ({ _index: r.index, _id: r.id })),
        realtime: true,
      })) as { docs: unknown[] };
    } catch (err) {
      const f = failureOf(err);
      throw new EsRequestFailure('mget', f.status, f.type, err);
    }
    const errorsSeen: string[] = [];
    for (const raw of body.docs) {
      const d = raw as {
        _index: string;
        _id: string;
        found?: boolean;
        error?: EsErrorCause;
        _source?: CounterDoc;
        _seq_no?: number;
        _primary_term?: number;
      };
      if (d.error !== undefined) {
        if (mgetErrorIsNotFound(d.error.type)) out.set(d._id, null);
        else errorsSeen.push(`${d._index}/${d._id}: ${d.error.type ?? '?'} ${d.error.reason ?? ''}`);
        continue;
      }
      if (d.found !== true) {
        out.set(d._id, null);
        continue;
      }
      if (d._source === undefined || d._seq_no === undefined || d._primary_term === undefined) {
        errorsSeen.push(`${d._index}/${d._id}: found without _source/_seq_no/_primary_term`);
        continue;
      }
      out.set(d._id, {
        index: d._index,
        id: d._id,
        doc: d._source,
        seqNo: d._seq_no,
        primaryTerm: d._primary_term,
      });
    }
    if (errorsSeen.length > 0) {
      throw new LogsiftError('ES_CONNECT', `mget: ${errorsSeen.length} item error(s), retrying`, {
        details: errorsSeen.slice(0, 5),
      });
    }
    for (const r of refs) {
      if (!out.has(r.id)) throw new LogsiftError('ES_CONNECT', `mget: no answer for ${r.index}/${r.id}`);
    }
    return out;
  }

  /**
   * Max `logsift.offset_end` over the partition's stats documents (every epoch writes one), after a
   * refresh so the last acknowledged epoch is visible. Throws on failure (the caller decides).
   */
  async partitionEnd(topic: string, partition: number): Promise<number | null> {
    const r = await this.#searchPartition('partition end', 'stats', topic, partition, {
      size: 0,
      aggs: { end: { max: { field: 'logsift.offset_end' } } },
    });
    const v = (r.aggregations as { end?: { value: number | null } } | undefined)?.end?.value;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }

  /**
   * The partition's summary with the highest `offset_end` written under another ruleset version
   * (not a dead-letter counter), after a refresh. Throws on failure (the caller decides).
   */
  async foreignVersionEnd(
    topic: string,
    partition: number,
    version: string,
  ): Promise<ForeignVersionEnd | null> {
    const r = await this.#searchPartition(
      'ruleset versions',
      'summaries',
      topic,
      partition,
      {
        size: 1,
        _source: ['logsift.ruleset_version', 'logsift.offset_end'],
        sort: [{ 'logsift.offset_end': { order: 'desc' } }],
      },
      [{ term: { 'logsift.ruleset_version': version } }, { term: { 'logsift.kind': 'dlq' } }],
    );
    const hit = r.hits.hits[0]?._source as
      | { logsift?: { ruleset_version?: string; offset_end?: number } }
      | undefined;
    const end = hit?.logsift?.offset_end;
    if (typeof end !== 'number') return null;
    return { version: String(hit?.logsift?.ruleset_version ?? 'unknown'), offsetEnd: end };
  }

  /** A search over one partition's documents of every daily index of `kind`, after a refresh. */
  async #searchPartition(
    what: string,
    kind: 'stats' | 'summaries',
    topic: string,
    partition: number,
    body: Record<string, unknown>,
    mustNot: object[] = [],
  ) {
    const index = `${this.#opts.indexPrefix ?? 'logsift'}-${kind}-*`;
    try {
      await this.#client.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
      return await this.#client.search({
        index,
        ignore_unavailable: true,
        allow_no_indices: true,
        query: {
          bool: {
            filter: [{ term: { 'kafka.topic': topic } }, { term: { 'kafka.partition': partition } }],
            must_not: mustNot,
          },
        },
        ...body,
      });
    } catch (err) {
      const f = failureOf(err);
      throw new EsRequestFailure(what, f.status, f.type, err);
    }
  }

  /** One result per item, in order. Request-level failures become per-item results too. */
  async write(items: readonly WriteItem[]): Promise<WriteResult[]> {
    assertUniqueIds(items);
    const serialized = items.map(serializeItem);
    const results = new Map<string, WriteResult>();
    for (const chunk of splitByBytes(serialized, this.#opts.maxBulkBytes)) {
      await this.#send(chunk, results);
    }
    return items.map(
      (it) => results.get(it.id) ?? { ok: false, id: it.id, status: 0, kind: 'retry', reason: 'no result' },
    );
  }

  async #send(chunk: readonly SerializedItem[], results: Map<string, WriteResult>): Promise<void> {
    const operations: string[] = [];
    for (const s of chunk) operations.push(s.lines[0], s.lines[1]);
    let body: {
      items: Array<
        Record<string, { status: number; error?: EsErrorCause; _seq_no?: number; _primary_term?: number }>
      >;
    };
    this.stats.requests += 1;
    try {
      body = (await this.#client.bulk({
        // Pre-serialised NDJSON lines: the transport appends strings as they are.
        operations: operations as unknown as object[],
        refresh: this.#opts.refresh,
        // Only what each item's outcome needs, in item order: a quarter of the response bytes to
        // build and parse (a full item also carries _index, _id, _version, result and _shards).
        filter_path: ['items.*.status', 'items.*.error', 'items.*._seq_no', 'items.*._primary_term'],
      })) as typeof body;
    } catch (err) {
      const f = failureOf(err);
      const action = classifyRequestFailure(f.status, f.type);
      if (action === 'split' && chunk.length > 1) {
        this.stats.splits += 1;
        const mid = Math.ceil(chunk.length / 2);
        await this.#send(chunk.slice(0, mid), results);
        await this.#send(chunk.slice(mid), results);
        return;
      }
      const reason = `bulk request: ${f.status ?? 'no response'} ${f.type ?? describe(err)}`;
      const kind = action === 'ok' || action === 'split' ? 'reject' : action === 'halt' ? 'reject' : action;
      for (const s of chunk) {
        results.set(s.item.id, {
          ok: false,
          id: s.item.id,
          status: f.status ?? 0,
          kind: kind === 'conflict' ? 'retry' : kind,
          reason,
        });
      }
      return;
    }
    const created = new Set<string>();
    for (let i = 0; i < chunk.length; i++) {
      const s = chunk[i]!;
      const entry = body.items?.[i];
      const r = entry ? Object.values(entry)[0] : undefined;
      if (r === undefined) {
        results.set(s.item.id, {
          ok: false,
          id: s.item.id,
          status: 0,
          kind: 'retry',
          reason: 'item missing in response',
        });
        continue;
      }
      const action = classifyItem(r.status, r.error);
      if (action === 'ok') {
        if (r._seq_no === undefined || r._primary_term === undefined) {
          results.set(s.item.id, {
            ok: false,
            id: s.item.id,
            status: r.status,
            kind: 'retry',
            reason: 'ack without _seq_no',
          });
        } else {
          results.set(s.item.id, { ok: true, id: s.item.id, seqNo: r._seq_no, primaryTerm: r._primary_term });
        }
        continue;
      }
      const reason = `${r.error?.type ?? r.status}: ${(r.error?.reason ?? '').slice(0, 300)}`;
      if (r.error?.type === 'index_not_found_exception') {
        // Auto-create is off for this name: create the daily index (from our template) and resend.
        if (!created.has(s.item.index)) {
          created.add(s.item.index);
          await this.createIndex(s.item.index);
        }
        results.set(s.item.id, { ok: false, id: s.item.id, status: r.status, kind: 'retry', reason });
        continue;
      }
      const kind = action === 'conflict' ? 'conflict' : action === 'retry' ? 'retry' : 'reject';
      results.set(s.item.id, { ok: false, id: s.item.id, status: r.status, kind, reason });
    }
  }

  /** Creates an index (settings and mappings from the installed template); exists already = fine. */
  async createIndex(index: string): Promise<void> {
    try {
      await this.#client.indices.create({ index });
      this.stats.indicesCreated += 1;
    } catch (err) {
      const f = failureOf(err);
      if (f.type === 'resource_already_exists_exception') return;
      // Anything else surfaces on the resend as an item error.
    }
  }
}

export interface ClusterHealth {
  readonly status: string;
  readonly dataNodes: number;
}

/** `GET _cluster/health` (the integ-test ES distribution has no `GET /`, so no ping()). */
export async function clusterHealth(client: Client, timeoutMs: number): Promise<ClusterHealth> {
  const h = await client.cluster.health({}, { requestTimeout: timeoutMs });
  return { status: String(h.status), dataNodes: Number(h.number_of_data_nodes) };
}
