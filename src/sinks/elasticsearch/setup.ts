/**
 * Start-up: install the composable index templates (schemas/elasticsearch/, loaded by
 * ./templates.ts) before consuming anything, so no daily index is ever auto-created with dynamic
 * mappings (EXACTNESS-REVIEW F10d). Checks durability settings (F16) and says so loudly.
 */
import type { Client } from '@elastic/elasticsearch';
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
      'index templates use 0 replicas: one lost disk loses acknowledged counts (EXACTNESS-REVIEW F16); use only for tests',
    );
  } else if (dataNodes < replicas + 1) {
    log.warn(
      { replicas, dataNodes },
      'fewer data nodes than replicas + 1: new indices stay yellow (writes still succeed); set elasticsearch.replicas',
    );
  }
  return { templates: templates.map((t) => t.name), replicas, dataNodes };
}
