/**
 * The environment-variable mapping: the ONLY place besides config/index.ts that knows env names.
 * Each variable sets one config key; env wins over --config FILE (README "Configuration").
 * Secrets (passwords, API keys) are listed apart in SECRET_SPECS: they also come from `*_FILE`.
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

/** true/false, 1/0, yes/no, on/off; anything else stays text so the schema reports it with its origin. */
const booleanOrText = (raw: string): unknown => {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return raw;
};

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
    name: 'KAFKA_TLS',
    path: 'kafka.tls.enabled',
    example: 'true',
    description: 'TLS to the brokers with the system CAs (true/false); implied by KAFKA_TLS_CA_FILE.',
    parse: booleanOrText,
  },
  {
    name: 'KAFKA_TLS_CA_FILE',
    path: 'kafka.tls.caFile',
    example: '/etc/logsift/kafka-ca.crt',
    description: "PEM file of the CA that signed the brokers' certificates.",
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KAFKA_TLS_CERT_FILE',
    path: 'kafka.tls.certFile',
    example: '/etc/logsift/kafka-client.crt',
    description: 'PEM client certificate (mutual TLS).',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KAFKA_TLS_KEY_FILE',
    path: 'kafka.tls.keyFile',
    example: '/etc/logsift/kafka-client.key',
    description: 'PEM private key of the client certificate.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KAFKA_TLS_SERVERNAME',
    path: 'kafka.tls.servername',
    example: 'kafka.example.com',
    description: 'Server name the broker certificates must carry, when not the host of KAFKA_BROKERS.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KAFKA_TLS_INSECURE_SKIP_VERIFY',
    path: 'kafka.tls.insecureSkipVerify',
    example: 'false',
    description: 'Accept any broker certificate (debugging only; warned about on every start).',
    parse: booleanOrText,
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    path: 'kafka.sasl.mechanism',
    example: 'scram-sha-512',
    description: 'plain, scram-sha-256 or scram-sha-512 (any case).',
    parse: (raw) => raw.trim().toLowerCase(),
  },
  {
    name: 'KAFKA_SASL_USERNAME',
    path: 'kafka.sasl.username',
    example: 'logsift',
    description: 'SASL user.',
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
    example: 'logsift',
    description: 'Elasticsearch basic-auth user.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'ES_CA_FILE',
    path: 'elasticsearch.caFile',
    example: '/etc/logsift/es-ca.crt',
    description: 'PEM file of the CA that signed the Elasticsearch certificate.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'ES_CA_FINGERPRINT',
    path: 'elasticsearch.caFingerprint',
    example: 'A1:B2:...(64 hex digits)',
    description: 'SHA-256 fingerprint of the Elasticsearch CA (instead of ES_CA_FILE).',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KIBANA_URL',
    path: 'kibana.url',
    example: 'https://kibana:5601',
    description: 'Kibana URL (logsift kibana import).',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KIBANA_USERNAME',
    path: 'kibana.username',
    example: 'logsift',
    description: 'Kibana basic-auth user.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KIBANA_CA_FILE',
    path: 'kibana.caFile',
    example: '/etc/logsift/kibana-ca.crt',
    description: 'PEM file of the CA that signed the Kibana certificate.',
    parse: (raw) => raw.trim(),
  },
  {
    name: 'KIBANA_CA_FINGERPRINT',
    path: 'kibana.caFingerprint',
    example: 'A1:B2:...(64 hex digits)',
    description: 'SHA-256 fingerprint of the Kibana CA (instead of KIBANA_CA_FILE).',
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
    name: 'LOGSIFT_STARTUP_TIMEOUT_MS',
    path: 'startup.timeoutMs',
    example: '30000',
    description: 'How long run retries unreachable Kafka/Elasticsearch at start-up before exiting 1.',
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

/**
 * Secrets: each has a value variable and a `*_FILE` variable (a mounted Kubernetes Secret), and the
 * config keys `<key>` and `<key>File`. The value never goes into the config tree as plain text past
 * the loader: it becomes a Secret (./secret.ts) that redacts itself.
 */
export interface SecretSpec {
  /** Dotted config path of the value. */
  readonly path: string;
  /** Dotted config path of the file key (`<path>File`). */
  readonly filePath: string;
  readonly env: string;
  readonly fileEnv: string;
}

const secret = (path: string, env: string): SecretSpec => ({
  path,
  filePath: `${path}File`,
  env,
  fileEnv: `${env}_FILE`,
});

export const SECRET_SPECS: readonly SecretSpec[] = [
  secret('kafka.sasl.password', 'KAFKA_SASL_PASSWORD'),
  secret('elasticsearch.password', 'ES_PASSWORD'),
  secret('elasticsearch.apiKey', 'ES_API_KEY'),
  secret('kibana.password', 'KIBANA_PASSWORD'),
  secret('kibana.apiKey', 'KIBANA_API_KEY'),
];
