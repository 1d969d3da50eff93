/**
 * Writes deploy/helm/calico-logsift/values.schema.json: the chart's own keys, with `config` being
 * schemas/config.schema.json itself, so `helm install` rejects a logsift configuration that
 * `logsift run` would reject (unknown keys, bad durations, out-of-range numbers) before any pod
 * starts. test/unit/deploy/helm.test.ts fails when the committed file differs from this output.
 *   node --import tsx scripts/helm-values-schema.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const VALUES_SCHEMA_PATH = join(ROOT, 'deploy/helm/calico-logsift/values.schema.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** schemas/config.schema.json nested under `properties.config` (its `$ref`s re-pointed). */
function configSchema(): Json {
  const raw = readFileSync(join(ROOT, 'schemas/config.schema.json'), 'utf8');
  const moved = raw.replaceAll('"#/$defs/', '"#/properties/config/$defs/');
  const s = JSON.parse(moved) as Record<string, Json>;
  delete s.$schema;
  delete s.$id;
  delete s.title;
  s.description = `The logsift configuration file (schemas/config.schema.json), mounted as /etc/logsift/logsift.yaml. ${String(s.description ?? '')}`;
  return s;
}

const str = (description: string, extra: Record<string, Json> = {}): Json => ({
  type: 'string',
  description,
  ...extra,
});
const int = (description: string, minimum = 0, extra: Record<string, Json> = {}): Json => ({
  type: 'integer',
  minimum,
  description,
  ...extra,
});
const bool = (description: string): Json => ({ type: 'boolean', description });
const obj = (properties: Record<string, Json>, description?: string): Json => ({
  type: 'object',
  additionalProperties: false,
  ...(description ? { description } : {}),
  properties,
});
const anyObject = (description: string): Json => ({ type: 'object', description });
const anyArray = (description: string): Json => ({ type: 'array', description });
const secretKey = (description: string): Json => str(description, { pattern: '^[-._a-zA-Z0-9]*$' });

export function valuesSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'calico-logsift Helm chart values',
    type: 'object',
    additionalProperties: false,
    properties: {
      global: anyObject('Helm global values (unused).'),
      image: obj({
        repository: str('Image repository.', { minLength: 1 }),
        tag: str('Image tag; empty = the chart appVersion.'),
        pullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
      }),
      imagePullSecrets: anyArray('Pull secrets of the pods.'),
      replicaCount: int('Consumer group members (ignored with keda.enabled); at most kafka.partitions.', 0),
      nameOverride: str('Replaces the chart name in object names.'),
      fullnameOverride: str('Replaces the release-chart name of the objects.'),
      config: configSchema(),
      heapMb: int('V8 old-generation cap (--max-old-space-size), MiB; the memory limit derives from it.', 64),
      semiSpaceMb: int('V8 semi-space (--max-semi-space-size), MiB; the young generation is 3 of them.', 1),
      memoryHeadroomMb: int('Memory outside the V8 heap (Node, buffers, sockets), MiB.', 32),
      resources: obj(
        {
          requests: anyObject('CPU request (memory is derived from heapMb).'),
          limits: anyObject('CPU limit, if any (memory is derived from heapMb).'),
        },
        'CPU only.',
      ),
      terminationGraceMarginSeconds: int(
        'Seconds added to ceil((shutdownTimeoutMs + elasticsearch.requestTimeoutMs) / 1000).',
        1,
      ),
      kafka: obj({
        partitions: int('Partitions of the input topics in all: the most members that do work.', 1),
        sasl: obj({
          mechanism: { enum: ['', 'plain', 'scram-sha-256', 'scram-sha-512'] },
          existingSecret: str('Secret with the SASL user and password.'),
          usernameKey: secretKey('Key of the user in existingSecret.'),
          passwordKey: secretKey('Key of the password in existingSecret.'),
        }),
        tls: obj({
          enabled: bool('TLS to the brokers (KAFKA_TLS=true).'),
          existingSecret: str('Secret with the CA and optional client certificate and key.'),
          caKey: secretKey('Key of the CA certificate (PEM).'),
          certKey: secretKey('Key of the client certificate (PEM), for mutual TLS.'),
          keyKey: secretKey('Key of the client private key (PEM), for mutual TLS.'),
        }),
      }),
      elasticsearch: obj({
        auth: obj({
          existingSecret: str('Secret with the Elasticsearch credentials.'),
          usernameKey: secretKey('Key of the basic-auth user.'),
          passwordKey: secretKey('Key of the basic-auth password.'),
          apiKeyKey: secretKey('Key of an API key (used instead of user/password when set).'),
        }),
        tls: obj({
          caSecret: str('Secret with the CA of the Elasticsearch certificate.'),
          caKey: secretKey('Key of the CA certificate (PEM).'),
          caFingerprint: str('SHA-256 fingerprint of the CA certificate.', {
            pattern: '^([0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31})?$',
          }),
        }),
      }),
      extraEnv: anyArray('More env entries for the logsift container.'),
      envFrom: anyArray('envFrom sources for the logsift container.'),
      serviceAccount: obj({
        create: bool('Create a ServiceAccount (no API token is mounted).'),
        name: str('ServiceAccount name.'),
        annotations: anyObject('ServiceAccount annotations.'),
      }),
      podAnnotations: anyObject('Pod annotations.'),
      podLabels: anyObject('Pod labels.'),
      nodeSelector: anyObject('Pod node selector.'),
      tolerations: anyArray('Pod tolerations.'),
      affinity: anyObject('Pod affinity.'),
      topologySpreadConstraints: anyArray('Spread constraints (the chart adds the pod selector).'),
      priorityClassName: str('Pod priority class.'),
      probes: obj({
        readiness: obj({
          periodSeconds: int('', 1),
          timeoutSeconds: int('', 1),
          failureThreshold: int('', 1),
        }),
        liveness: obj({
          initialDelaySeconds: int('', 0),
          periodSeconds: int('', 1),
          timeoutSeconds: int('', 1),
          failureThreshold: int('', 1),
        }),
      }),
      tmpSizeLimit: str('Size limit of the /tmp emptyDir.'),
      service: obj({
        type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
        annotations: anyObject('Service annotations.'),
      }),
      podDisruptionBudget: obj({
        enabled: bool('Create a PodDisruptionBudget.'),
        maxUnavailable: {
          type: ['integer', 'string'],
          description: 'Members a voluntary disruption may take.',
        },
      }),
      serviceMonitor: obj({
        enabled: bool('Create a Prometheus Operator ServiceMonitor.'),
        interval: str('Scrape interval.'),
        scrapeTimeout: str('Scrape timeout.'),
        labels: anyObject('Labels the Prometheus selects ServiceMonitors by.'),
      }),
      keda: obj({
        enabled: bool('Create a KEDA ScaledObject on the consumer lag.'),
        minReplicaCount: int('Fewest members.', 0),
        maxReplicaCount: {
          type: ['integer', 'null'],
          minimum: 1,
          description: 'Most members; default and upper bound kafka.partitions.',
        },
        lagThreshold: int('Target lag per member (messages).', 1),
        activationLagThreshold: int('Lag below which KEDA does not scale from zero.', 0),
        pollingInterval: int('Seconds between lag checks.', 1),
        cooldownPeriod: int('Seconds before scaling down after the last activity.', 0),
      }),
      kibana: obj({
        import: obj({
          enabled: bool('Run the saved-objects import Job after install and upgrade.'),
          url: str('Kibana base URL.', { pattern: '^(https?://.+)?$' }),
          space: str('Kibana space id (empty = default space).'),
          auth: obj({
            existingSecret: str('Secret with the Kibana credentials.'),
            usernameKey: secretKey('Key of the user.'),
            passwordKey: secretKey('Key of the password.'),
            apiKeyKey: secretKey('Key of an API key (used instead of user/password when set).'),
          }),
          tls: obj({
            caSecret: str('Secret with the CA of the Kibana certificate.'),
            caKey: secretKey('Key of the CA certificate (PEM).'),
            caFingerprint: str('SHA-256 fingerprint of the CA certificate.', {
              pattern: '^([0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31})?$',
            }),
          }),
          backoffLimit: int('Job retries.', 0),
          activeDeadlineSeconds: int('Job deadline.', 1),
        }),
      }),
    },
  };
}

export function valuesSchemaText(): string {
  return `${JSON.stringify(valuesSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(VALUES_SCHEMA_PATH, valuesSchemaText());
  process.stdout.write(`wrote ${VALUES_SCHEMA_PATH}\n`);
}
