/**
 * The environment-variable mapping: the ONLY place besides config/index.ts that knows env names.
 * Each variable sets one config key; env wins over --config FILE (README "Configuration").
 */

export interface EnvVarSpec {
  readonly name: string;
  /** Dotted config path the variable sets. */
  readonly path: string;
  readonly example: string;
  readonly description: string;
  /** Raw text -> the value placed in the config tree (validated afterwards by the schema). */
  readonly parse: (raw: string) => unknown;
}

const commaList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** A number when the text is an integer, else the text itself, so the schema reports it with its origin. */
const integerOrText = (raw: string): unknown => (/^-?[0-9]+$/.test(raw.trim()) ? Number(raw.trim()) : raw);

export const ENV_VARS: readonly EnvVarSpec[] = [
  {
    name: 'KAFKA_BROKERS',
    path: 'kafka.brokers',
    example: 'kafka-0:9092,kafka-1:9092',
    description: 'Bootstrap brokers, comma-separated.',
    parse: commaList,
  },
  {
    name: 'LOGSIFT_TOPICS',
    path: 'kafka.topics',
    example: 'calico-logs or /^calico-.*/',
    description: 'Input topics: comma-separated list, or one /regex/.',
    parse: (raw) => (/^\/.+\/$/.test(raw.trim()) ? raw.trim() : commaList(raw)),
  },
  {
    name: 'LOGSIFT_GROUP_ID',
    path: 'kafka.groupId',
    example: 'logsift',
    description: 'Kafka consumer group.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'ES_URL',
    path: 'elasticsearch.url',
    example: 'http://localhost:9200',
    description: 'Elasticsearch URL.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'ES_USERNAME',
    path: 'elasticsearch.username',
    example: 'elastic',
    description: 'Elasticsearch basic-auth user.',
    parse: (raw) => raw,
  },
  {
    name: 'ES_PASSWORD',
    path: 'elasticsearch.password',
    example: '(secret)',
    description: 'Elasticsearch basic-auth password.',
    parse: (raw) => raw,
  },
  {
    name: 'ES_API_KEY',
    path: 'elasticsearch.apiKey',
    example: '(base64 id:key)',
    description: 'Elasticsearch API key (instead of user/password).',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'LOGSIFT_ES_REPLICAS',
    path: 'elasticsearch.replicas',
    example: '0',
    description:
      'number_of_replicas for the installed index templates (0 only on single-node test clusters).',
    parse: integerOrText,
  },
  {
    name: 'LOGSIFT_INDEX_PREFIX',
    path: 'aggregate.indexPrefix',
    example: 'logsift',
    description: 'Index name prefix.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'LOGSIFT_HTTP_PORT',
    path: 'http.port',
    example: '9464',
    description: 'Port for /metrics, /healthz, /readyz.',
    parse: integerOrText,
  },
  {
    name: 'LOGSIFT_LOG_LEVEL',
    path: 'log.level',
    example: 'info',
    description: 'trace, debug, info, warn, error, fatal or silent.',
    parse: (raw) => raw.trim().toLowerCase(),
  },
];
