/**
 * `logsift run`'s findings: every `findings.service.interval` the findings over the recent summaries
 * (`findings.service.window`, with the look-back window before it as history) are computed from
 * Elasticsearch (src/report/from-elasticsearch.ts, composite aggregations, at most
 * `findings.service.maxPoints` points), indexed as `<prefix>-findings-YYYY.MM.DD` documents with the
 * finding's deterministic id (computed again = updated in place, never duplicated), and exported as
 * gauges. Runs never overlap; a failed run is logged, counted and retried at the next interval.
 *
 * The client is any object with the @elastic/elasticsearch 8.x shape used here (only
 * src/sinks/elasticsearch and the CLI construct the client).
 */
import { readFileSync } from 'node:fs';
import type { FindingsConfig } from '../findings/config.ts';
import { computeFindings, findingDay } from '../findings/detect.ts';
import { KNOWN_ISSUES } from '../findings/known-issues.ts';
import { FINDING_KINDS, type Finding } from '../findings/types.ts';
import { replicasFor } from '../sinks/elasticsearch/templates.ts';
import type { RunMetrics } from '../telemetry/metrics.ts';
import { ElasticsearchReportSource, type SearchClient } from './from-elasticsearch.ts';

// biome-ignore lint/suspicious/noExplicitAny: the client's request types, of which only known fields are sent
type Params = any;

export interface FindingsClient extends SearchClient {
  bulk(params: Params): Promise<unknown>;
  indices: { putIndexTemplate(params: Params): Promise<unknown> };
  cluster: { health(params?: Params): Promise<unknown> };
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface FindingsServiceOptions {
  client: FindingsClient;
  prefix: string;
  config: FindingsConfig;
  log: Log;
  metrics: Pick<
    RunMetrics,
    'findings' | 'findingNodes' | 'knownIssueLines' | 'findingsLastRun' | 'findingsRuns'
  >;
  /** index.number_of_replicas of the template; undefined = min(1, data nodes − 1). */
  replicas?: number;
  now?: () => number;
}

export const FINDINGS_TEMPLATE_FILE = new URL(
  '../../schemas/elasticsearch/findings.index-template.json',
  import.meta.url,
);

/** The `PUT _index_template/<prefix>-findings` body. */
export function findingsTemplate(prefix: string, replicas?: number): Record<string, unknown> {
  const body = JSON.parse(readFileSync(FINDINGS_TEMPLATE_FILE, 'utf8').replaceAll('{{prefix}}', prefix));
  if (replicas !== undefined) body.template.settings.index.number_of_replicas = replicas;
  return body;
}

/** A finding as the document indexed for it (ECS names where ECS has them). */
export function findingDocument(f: Finding, updatedAt: number): Record<string, unknown> {
  return {
    '@timestamp': f.last_seen,
    message: `${f.explanation} ${f.advice}`,
    event: {
      kind: 'alert',
      dataset: 'logsift.findings',
      start: f.started_at,
      end: f.last_seen,
      ingested: new Date(updatedAt).toISOString(),
    },
    rule: { name: f.kind, id: f.known_issue?.id ?? f.kind },
    calico: { component: f.component },
    logsift: {
      kind: 'finding',
      finding: {
        ...f,
        node_count: f.nodes.length,
        known_issue:
          f.known_issue === null
            ? null
            : { ...f.known_issue, affected_nodes: f.known_issue.versions.affected_nodes },
      },
    },
  };
}

export class FindingsService {
  readonly #o: FindingsServiceOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #templateInstalled = false;
  #stopped = false;

  constructor(options: FindingsServiceOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  start(): void {
    this.#stopped = false;
    const tick = (): void => {
      if (this.#running || this.#stopped) return;
      this.#running = this.runOnce()
        .then(
          () => undefined,
          (err: Error) => {
            this.#o.metrics.findingsRuns.inc({ outcome: 'failed' });
            this.#o.log.warn({ err: err.message }, 'findings run failed; retried at the next interval');
          },
        )
        .finally(() => {
          this.#running = null;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.#o.config.service.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  async #installTemplate(): Promise<void> {
    if (this.#templateInstalled) return;
    let replicas = this.#o.replicas;
    if (replicas === undefined) {
      const h = (await this.#o.client.cluster.health()) as { number_of_data_nodes?: number };
      replicas = replicasFor(h.number_of_data_nodes ?? 1);
    }
    await this.#o.client.indices.putIndexTemplate({
      name: `${this.#o.prefix}-findings`,
      ...findingsTemplate(this.#o.prefix, replicas),
    });
    this.#templateInstalled = true;
  }

  /** One run: compute, index, export. Returns the findings. */
  async runOnce(): Promise<Finding[]> {
    const { client, prefix, config, metrics, log } = this.#o;
    await this.#installTemplate();
    const now = this.#now();
    const range = {
      from: new Date(now - config.service.windowMs).toISOString(),
      to: new Date(now).toISOString(),
    };
    const source = new ElasticsearchReportSource(client, prefix, range, {
      lookbackMs: config.lookbackMs,
      maxPoints: config.service.maxPoints,
    });
    const input = await source.findingsInput();
    const findings = computeFindings(input, config);
    if (findings.length > 0) {
      const operations = findings.flatMap((f) => [
        { index: { _index: `${prefix}-findings-${findingDay(f, input).replaceAll('-', '.')}`, _id: f.id } },
        findingDocument(f, now),
      ]);
      const res = (await client.bulk({ operations, refresh: false })) as {
        errors?: boolean;
        items?: Array<{ index?: { error?: unknown } }>;
      };
      if (res.errors) {
        const bad = res.items?.find((i) => i.index?.error)?.index?.error;
        throw new Error(`indexing findings failed: ${JSON.stringify(bad)}`);
      }
    }
    // Gauges: every kind and every known issue is set, so a finding that went away reads 0.
    for (const kind of FINDING_KINDS) {
      const fs = findings.filter((f) => f.kind === kind);
      metrics.findings.set(fs.length, { kind });
      metrics.findingNodes.set(new Set(fs.flatMap((f) => f.nodes)).size, { kind });
    }
    for (const issue of KNOWN_ISSUES) {
      const lines = findings
        .filter((f) => f.kind === 'known-issue' && f.known_issue?.id === issue.id)
        .reduce((a, f) => a + f.lines, 0);
      metrics.knownIssueLines.set(lines, { issue: issue.id });
    }
    metrics.findingsLastRun.set(Math.floor(now / 1000));
    metrics.findingsRuns.inc({ outcome: input.truncated ? 'truncated' : 'ok' });
    if (input.truncated)
      log.warn(
        { maxPoints: config.service.maxPoints },
        'findings: the window has more summary points than findings.service.maxPoints; findings saw part of it',
      );
    return findings;
  }
}
