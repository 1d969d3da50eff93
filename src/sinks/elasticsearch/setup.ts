/**
 * Start-up: install the composable index templates (schemas/elasticsearch/, loaded by
 * ./templates.ts) before consuming anything, so no daily index is ever auto-created with dynamic
 * mappings (docs/EXACTNESS.md F10d). Checks durability settings (F16) and says so loudly.
 */
import type { Client } from '@elastic/elasticsearch';
import { utcDay } from '../../aggregate/keys.ts';
import { LogsiftError } from '../../errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { clusterHealth, failureOf } from './store.ts';
import { loadIndexTemplates } from './templates.ts';

export interface SetupOptions {
  readonly prefix: string;
  /** Explicit replicas (config); undefined = the template's (1). */
  readonly replicas: number | undefined;
  readonly timeoutMs: number;
}

export interface SetupResult {
  readonly templates: readonly string[];
  readonly replicas: number;
  readonly dataNodes: number;
}

export async function installIndexTemplates(
  client: Client,
  opts: SetupOptions,
  log: Logger,
): Promise<SetupResult> {
  let dataNodes: number;
  try {
    dataNodes = (await clusterHealth(client, opts.timeoutMs)).dataNodes;
  } catch (err) {
    const f = failureOf(err);
    throw new LogsiftError(
      'ES_CONNECT',
      `Elasticsearch unreachable at start-up: ${f.status ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const templates = loadIndexTemplates(
    opts.prefix,
    opts.replicas !== undefined ? { replicas: opts.replicas } : {},
  );
  let replicas = 1;
  for (const t of templates) {
    const idx = (t.body.template as { settings?: { index?: { number_of_replicas?: number } } }).settings
      ?.index;
    replicas = Number(idx?.number_of_replicas ?? 1);
    try {
      await client.indices.putIndexTemplate({ name: t.name, ...(t.body as object) } as Parameters<
        Client['indices']['putIndexTemplate']
      >[0]);
    } catch (err) {
      const f = failureOf(err);
      throw new LogsiftError(
        'ES_SETUP',
        `installing index template ${t.name} failed: ${f.status ?? ''} ${f.type ?? (err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  if (replicas === 0) {
    log.warn(
      { replicas, dataNodes },
      'index templates use 0 replicas: one lost disk loses acknowledged counts (docs/EXACTNESS.md F16); use only for tests',
    );
  } else if (dataNodes < replicas + 1) {
    log.warn(
      { replicas, dataNodes },
      'fewer data nodes than replicas + 1: new indices stay yellow (writes still succeed); set elasticsearch.replicas',
    );
  }
  return { templates: templates.map((t) => t.name), replicas, dataNodes };
}

const DAY_MS = 86_400_000;

/** The daily indices for the UTC days of `nowMs` and the day after (docs/EXACTNESS.md F10: today+1). */
export function dailyIndicesAround(prefix: string, nowMs: number): string[] {
  const out: string[] = [];
  for (const ms of [nowMs, nowMs + DAY_MS]) {
    out.push(`${prefix}-summaries-${utcDay(ms)}`, `${prefix}-stats-${utcDay(ms)}`);
  }
  return out;
}

/**
 * Creates today's and tomorrow's daily indices (from the installed templates) if they do not exist,
 * so the first bulk after midnight does not pay an index creation under load. Returns the indices it
 * created. Failures are returned, not thrown: a missing index is still created on demand by the store.
 */
export async function precreateDailyIndices(
  client: Client,
  prefix: string,
  nowMs: number,
): Promise<{ created: string[]; failed: string[] }> {
  const created: string[] = [];
  const failed: string[] = [];
  for (const index of dailyIndicesAround(prefix, nowMs)) {
    try {
      await client.indices.create({ index });
      created.push(index);
    } catch (err) {
      const f = failureOf(err);
      if (f.type !== 'resource_already_exists_exception')
        failed.push(`${index}: ${f.status ?? ''} ${f.type ?? (err as Error).message}`);
    }
  }
  return { created, failed };
}
