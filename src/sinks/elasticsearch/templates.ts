/**
 * Loader for the composable index templates in schemas/elasticsearch/ (owned by the report/schema
 * engineer; the Elasticsearch sink installs them at start-up with `PUT _index_template/<name>`).
 *
 * The templates ship with `number_of_replicas: 1`: the production setting (a single copy of an exact
 * counter is one disk away from losing it). On a cluster with fewer data nodes than replicas + 1 the
 * replica can never be assigned and every index stays yellow, so the installer lowers it with
 * `replicasFor(dataNodes)`; an explicit `replicas` option (config) always wins.
 *
 * Reads two small JSON files, synchronously, once per call: the only I/O here. No client import.
 */
import { readFileSync } from 'node:fs';

/** Template file names (without directory), and what each covers. */
export const TEMPLATE_FILES = {
  summaries: 'summaries.index-template.json',
  stats: 'stats.index-template.json',
} as const;

export type TemplateKind = keyof typeof TEMPLATE_FILES;

export interface IndexTemplate {
  /** Name to install under: `<prefix>-summaries` / `<prefix>-stats`. */
  readonly name: string;
  readonly kind: TemplateKind;
  /** The `PUT _index_template/<name>` body, prefix substituted. */
  readonly body: Record<string, unknown>;
}

export interface LoadTemplateOptions {
  /** Override `index.number_of_replicas` (e.g. from replicasFor(dataNodes)). */
  readonly replicas?: number;
  /** Directory holding the template files; default: schemas/elasticsearch of this package. */
  readonly dir?: string | URL;
}

const PREFIX_RE = /^[a-z0-9][a-z0-9_.-]*$/;

/** Default location: <package>/schemas/elasticsearch/ (same relative path from src/ and dist/). */
export const TEMPLATE_DIR = new URL('../../../schemas/elasticsearch/', import.meta.url);

/**
 * Replicas to use on a cluster with `dataNodes` data nodes when the configured value is `configured`
 * (default 1): never more than dataNodes - 1, so a single-node test cluster goes green.
 */
export function replicasFor(dataNodes: number, configured = 1): number {
  return Math.max(0, Math.min(configured, dataNodes - 1));
}

/** Both templates with `{{prefix}}` substituted. Throws on an invalid prefix (ES index name rules). */
export function loadIndexTemplates(prefix: string, options: LoadTemplateOptions = {}): IndexTemplate[] {
  if (!PREFIX_RE.test(prefix)) {
    throw new Error(
      `invalid index prefix ${JSON.stringify(prefix)}: lowercase letters, digits, '_', '-', '.'`,
    );
  }
  const dir = options.dir ?? TEMPLATE_DIR;
  return (Object.keys(TEMPLATE_FILES) as TemplateKind[]).map((kind) => {
    const file =
      typeof dir === 'string'
        ? `${dir.replace(/\/$/, '')}/${TEMPLATE_FILES[kind]}`
        : new URL(TEMPLATE_FILES[kind], dir);
    const text = readFileSync(file, 'utf8').replaceAll('{{prefix}}', prefix);
    const body = JSON.parse(text) as Record<string, unknown>;
    if (options.replicas !== undefined) setReplicas(body, options.replicas);
    return { name: `${prefix}-${kind}`, kind, body };
  });
}

function setReplicas(body: Record<string, unknown>, replicas: number): void {
  const template = body.template as { settings?: { index?: Record<string, unknown> } };
  template.settings ??= {};
  template.settings.index ??= {};
  template.settings.index.number_of_replicas = replicas;
}
