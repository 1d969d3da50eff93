// The Helm chart (deploy/helm/calico-logsift), rendered by a real helm (scripts/helm.sh builds it
// from the Go module proxy into the cache once) with several value sets: security context,
// probes, the grace-period arithmetic, memory from heapMb, PDB, the KEDA cap, Secret references,
// no credentials in the ConfigMap, the template failures, `helm lint --strict`, and the ConfigMap
// accepted by logsift's own config loader.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { VALUES_SCHEMA_PATH, valuesSchema } from '../../../scripts/helm-values-schema.ts';
import { loadConfig } from '../../../src/config/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHART = resolve(ROOT, 'deploy/helm/calico-logsift');
const HELM_SH = resolve(ROOT, 'scripts/helm.sh');

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests, read field by field in the assertions
type Obj = Record<string, any>;

let helm = '';
const tmp = mkdtempSync(join(tmpdir(), 'logsift-helm-'));

/** The minimum a working release needs. */
const BASE = {
  config: {
    kafka: { brokers: ['kafka-0.kafka:9092', 'kafka-1.kafka:9092'] },
    elasticsearch: { url: 'https://es-http:9200' },
  },
};

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(helm, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function valuesFile(values: Obj): string {
  const file = join(tmp, `values-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}

/** `helm template` with the values files (later ones win); throws with helm's message on failure. */
function render(...values: Obj[]): Obj[] {
  const args = ['template', 'rel', CHART, '--namespace', 'logs'];
  for (const v of values) args.push('-f', valuesFile(v));
  const r = run(args);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as Obj)
    .filter((d) => d !== null);
}

/** helm's error text for a value set that must be refused. */
function refused(...values: Obj[]): string {
  const args = ['template', 'rel', CHART];
  for (const v of values) args.push('-f', valuesFile(v));
  const r = run(args);
  expect(r.status, 'helm template must fail').not.toBe(0);
  return r.stderr;
}

function kind(docs: Obj[], k: string): Obj[] {
  return docs.filter((d) => d.kind === k);
}
function one(docs: Obj[], k: string): Obj {
  const found = kind(docs, k);
  expect(found, k).toHaveLength(1);
  return found[0]!;
}
function container(docs: Obj[]): Obj {
  return one(docs, 'Deployment').spec.template.spec.containers[0];
}
function env(docs: Obj[]): Map<string, Obj> {
  return new Map((container(docs).env as Obj[]).map((e) => [e.name as string, e]));
}
function configText(docs: Obj[]): string {
  return one(docs, 'ConfigMap').data['logsift.yaml'];
}

beforeAll(() => {
  // Builds helm on a cold cache (a few minutes); npm test starts that build early in the background.
  const r = spawnSync('bash', [HELM_SH, '--build-only'], { encoding: 'utf8', timeout: 15 * 60_000 });
  if (r.status !== 0) throw new Error(`scripts/helm.sh --build-only failed: ${r.stderr}`);
  helm = r.stdout.trim();
}, 16 * 60_000);

describe('helm lint and the values schema', () => {
  it('lints --strict with the defaults and with every option on', () => {
    const all = valuesFile({
      ...BASE,
      kafka: {
        partitions: 6,
        sasl: { mechanism: 'scram-sha-512', existingSecret: 'kafka-user' },
        tls: { enabled: true, existingSecret: 'kafka-tls', certKey: 'tls.crt', keyKey: 'tls.key' },
      },
      elasticsearch: { auth: { existingSecret: 'es-user' }, tls: { caSecret: 'es-ca' } },
      serviceMonitor: { enabled: true },
      keda: { enabled: true },
      kibana: { import: { enabled: true, url: 'http://kibana:5601', auth: { existingSecret: 'kb' } } },
    });
    for (const args of [[], ['-f', all]]) {
      const r = run(['lint', '--strict', CHART, ...args]);
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(r.status).toBe(0);
    }
  });

  it('values.schema.json is what scripts/helm-values-schema.ts writes (config = schemas/config.schema.json)', () => {
    expect(JSON.parse(readFileSync(VALUES_SCHEMA_PATH, 'utf8'))).toEqual(valuesSchema());
  });

  it('the schema rejects a logsift config that logsift would reject', () => {
    expect(refused(BASE, { config: { kafka: { bogus: 1 } } })).toMatch(/bogus/);
    expect(refused(BASE, { config: { aggregate: { buckets: { 'tier-exists': '7x' } } } })).toMatch(
      /tier-exists/,
    );
    expect(refused(BASE, { heapMb: 16 })).toMatch(/heapMb/);
    expect(refused(BASE, { kafka: { sasl: { mechanism: 'kerberos' } } })).toMatch(/mechanism/);
  });
});

describe('Deployment', () => {
  it('runs non-root with a read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const docs = render(BASE);
    const pod = one(docs, 'Deployment').spec.template.spec;
    // The Dockerfile's user: `USER node` of node:20-slim, uid/gid 1000.
    expect(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const c = container(docs);
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    // What must write gets an emptyDir: /tmp.
    const tmpMount = (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
    expect(tmpMount).toBeDefined();
    expect((pod.volumes as Obj[]).find((v) => v.name === tmpMount!.name)?.emptyDir).toEqual({
      sizeLimit: '64Mi',
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.args).toEqual(['run', '--config', '/etc/logsift/logsift.yaml']);
  });

  it('readiness on /readyz, liveness on /healthz, on http.port (default 9464) that the Service exposes', () => {
    let docs = render(BASE);
    let c = container(docs);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 9464, protocol: 'TCP' }]);
    expect(env(docs).get('LOGSIFT_HTTP_PORT')?.value).toBe('9464');
    expect(one(docs, 'Service').spec.ports).toEqual([
      { name: 'metrics', port: 9464, targetPort: 'http', protocol: 'TCP' },
    ]);
    docs = render(BASE, { config: { http: { port: 9000 } } });
    c = container(docs);
    expect(c.ports[0].containerPort).toBe(9000);
    // The image sets LOGSIFT_HTTP_PORT and env wins over the file: the chart sets it to the same port.
    expect(env(docs).get('LOGSIFT_HTTP_PORT')?.value).toBe('9000');
    expect(one(docs, 'Service').spec.ports[0].port).toBe(9000);
  });

  it('terminationGracePeriodSeconds = ceil((shutdownTimeoutMs + requestTimeoutMs) / 1000) + margin', () => {
    const grace = (docs: Obj[]): number =>
      one(docs, 'Deployment').spec.template.spec.terminationGracePeriodSeconds;
    expect(grace(render(BASE))).toBe(40 + 10);
    expect(
      grace(
        render(BASE, {
          config: {
            shutdownTimeoutMs: 45_000,
            kafka: { sessionTimeoutMs: 45_000 },
            elasticsearch: { requestTimeoutMs: 12_345 },
          },
          terminationGraceMarginSeconds: 3,
        }),
      ),
    ).toBe(58 + 3);
    // Always strictly above the time a SIGTERM may take, for any timeouts.
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 600_000 }),
        fc.integer({ min: 100, max: 60_000 }),
        fc.integer({ min: 1, max: 30 }),
        (shutdown, request, margin) => {
          const g = grace(
            render(BASE, {
              config: {
                shutdownTimeoutMs: shutdown,
                kafka: { sessionTimeoutMs: Math.max(6000, request * 3) },
                elasticsearch: { requestTimeoutMs: request },
              },
              terminationGraceMarginSeconds: margin,
            }),
          );
          expect(g).toBe(Math.ceil((shutdown + request) / 1000) + margin);
          expect(g * 1000).toBeGreaterThan(shutdown + request);
        },
      ),
      { numRuns: 5 },
    );
  });

  it('memory request and limit derive from heapMb, as does NODE_OPTIONS', () => {
    let docs = render(BASE);
    expect(env(docs).get('NODE_OPTIONS')?.value).toBe('--max-old-space-size=192 --max-semi-space-size=8');
    expect(container(docs).resources).toEqual({
      requests: { cpu: '250m', memory: '384Mi' },
      limits: { memory: '384Mi' },
    });
    docs = render(BASE, {
      heapMb: 512,
      semiSpaceMb: 16,
      memoryHeadroomMb: 200,
      resources: { limits: { cpu: '2' } },
    });
    expect(env(docs).get('NODE_OPTIONS')?.value).toBe('--max-old-space-size=512 --max-semi-space-size=16');
    expect(container(docs).resources).toEqual({
      requests: { cpu: '250m', memory: `${512 + 3 * 16 + 200}Mi` },
      limits: { cpu: '2', memory: `${512 + 3 * 16 + 200}Mi` },
    });
    // The Dockerfile's own default heap cap is the chart's default.
    expect(readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8')).toContain(
      '--max-old-space-size=192 --max-semi-space-size=8',
    );
    expect(refused(BASE, { resources: { limits: { memory: '1Gi' } } })).toMatch(
      /memory is derived from heapMb/,
    );
  });

  it('a config change rolls the pods (checksum annotation)', () => {
    const sum = (docs: Obj[]): string =>
      one(docs, 'Deployment').spec.template.metadata.annotations['checksum/config'];
    expect(sum(render(BASE))).toMatch(/^[0-9a-f]{64}$/);
    expect(sum(render(BASE))).toBe(sum(render(BASE)));
    expect(sum(render(BASE, { config: { log: { level: 'debug' } } }))).not.toBe(sum(render(BASE)));
  });

  it('replicas never exceed the partitions', () => {
    expect(one(render(BASE, { replicaCount: 3 }), 'Deployment').spec.replicas).toBe(3);
    expect(refused(BASE, { replicaCount: 4 })).toMatch(/replicaCount 4 > kafka\.partitions 3/);
  });
});

describe('ConfigMap', () => {
  it("is a configuration logsift's own loader accepts, with the values' settings", () => {
    const docs = render(BASE, { config: { aggregate: { buckets: { 'tier-exists': '1d' } } } });
    const file = join(tmp, 'logsift.yaml');
    writeFileSync(file, configText(docs));
    const cfg = loadConfig({ env: {}, configFile: file, require: ['kafka', 'elasticsearch'] });
    expect(cfg.kafka.brokers).toEqual(['kafka-0.kafka:9092', 'kafka-1.kafka:9092']);
    expect(cfg.kafka.topics).toEqual(['calico-logs']);
    expect(cfg.elasticsearch.url).toBe('https://es-http:9200');
    expect(cfg.aggregate.bucketMs['tier-exists']).toBe(86_400_000);
    expect(cfg.http.port).toBe(9464);
  });

  it('never holds credentials: Secrets come in through env references and mounted files', () => {
    const docs = render(BASE, {
      kafka: {
        sasl: {
          mechanism: 'scram-sha-512',
          existingSecret: 'kafka-user',
          usernameKey: 'user',
          passwordKey: 'pass',
        },
        tls: {
          enabled: true,
          existingSecret: 'kafka-tls',
          caKey: 'ca.crt',
          certKey: 'tls.crt',
          keyKey: 'tls.key',
        },
      },
      elasticsearch: {
        auth: { existingSecret: 'es-user' },
        tls: {
          caSecret: 'es-ca',
          caFingerprint:
            'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
        },
      },
    });
    const text = configText(docs);
    expect(text).not.toMatch(/password|apiKey|api_key|sasl|username|secret/i);
    expect(text).not.toMatch(/tls|ssl/i); // TLS is turned on through the environment
    const e = env(docs);
    const dir = '/var/run/secrets/logsift';
    expect(e.get('ES_USERNAME')?.valueFrom).toEqual({ secretKeyRef: { name: 'es-user', key: 'username' } });
    expect(e.get('ES_PASSWORD_FILE')?.value).toBe(`${dir}/es-auth/password`);
    expect(e.get('ES_CA_FILE')?.value).toBe(`${dir}/es-ca/ca.crt`);
    expect(e.get('ES_CA_FINGERPRINT')?.value).toMatch(/^AB:CD/);
    expect(e.get('KAFKA_SASL_MECHANISM')?.value).toBe('scram-sha-512');
    expect(e.get('KAFKA_SASL_USERNAME')?.valueFrom).toEqual({
      secretKeyRef: { name: 'kafka-user', key: 'user' },
    });
    expect(e.get('KAFKA_SASL_PASSWORD_FILE')?.value).toBe(`${dir}/kafka-sasl/pass`);
    expect(e.get('KAFKA_TLS')?.value).toBe('true');
    expect(e.get('KAFKA_TLS_CA_FILE')?.value).toBe(`${dir}/kafka-tls/ca.crt`);
    expect(e.get('KAFKA_TLS_CERT_FILE')?.value).toBe(`${dir}/kafka-tls/tls.crt`);
    expect(e.get('KAFKA_TLS_KEY_FILE')?.value).toBe(`${dir}/kafka-tls/tls.key`);
    expect(e.has('ES_API_KEY_FILE')).toBe(false);
    // No env entry carries a literal credential: only secretKeyRefs and file paths.
    for (const [name, v] of e) {
      if (/PASSWORD|API_KEY|USERNAME/.test(name))
        expect(v.value === undefined || v.value.startsWith(dir), name).toBe(true);
    }
    // Every *_FILE path is on a read-only mount of the named Secret, with only the keys in use.
    const pod = one(docs, 'Deployment').spec.template.spec;
    const mounts = new Map((container(docs).volumeMounts as Obj[]).map((m) => [m.mountPath as string, m]));
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    for (const [name, v] of e) {
      if (!name.endsWith('_FILE')) continue;
      const path = v.value as string;
      const mount = mounts.get(dirname(path));
      expect(mount, `${name}: ${path} is mounted`).toBeDefined();
      expect(mount!.readOnly).toBe(true);
      const secret = volumes.get(mount!.name)?.secret;
      expect(
        secret?.items.map((i: Obj) => i.path),
        name,
      ).toContain(path.slice(dirname(path).length + 1));
      expect(secret.defaultMode).toBe(0o440);
    }
    expect(volumes.get('kafka-tls')?.secret.secretName).toBe('kafka-tls');
    expect(volumes.get('es-auth')?.secret.secretName).toBe('es-user');
  });

  it("logsift's own loader reads the credentials from the Deployment's environment and mounted files", () => {
    const docs = render(BASE, {
      kafka: {
        sasl: { mechanism: 'scram-sha-512', existingSecret: 'kafka-user' },
        tls: { enabled: true, existingSecret: 'kafka-tls', certKey: 'tls.crt', keyKey: 'tls.key' },
      },
      elasticsearch: { auth: { existingSecret: 'es-user' }, tls: { caSecret: 'es-ca' } },
    });
    // The pod's view: Secret files under a stand-in for /var/run/secrets/logsift, secretKeyRefs resolved.
    const root = mkdtempSync(join(tmp, 'secrets-'));
    const secrets: Record<string, Record<string, string>> = {
      'es-user': { username: 'logsift-writer', password: 'es-pass-123' },
      'es-ca': { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      'kafka-user': { username: 'logsift', password: 'kafka-pass-456' },
      'kafka-tls': {
        'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
        'tls.crt': '-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n',
        'tls.key': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
      },
    };
    const pod = one(docs, 'Deployment').spec.template.spec;
    const volumes = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    const podEnv: Record<string, string> = {};
    for (const m of container(docs).volumeMounts as Obj[]) {
      const secret = volumes.get(m.name)?.secret;
      if (!secret) continue;
      const dir = join(root, m.mountPath);
      mkdirSync(dir, { recursive: true });
      for (const item of secret.items as Obj[])
        writeFileSync(join(dir, item.path), secrets[secret.secretName]![item.key]!);
    }
    for (const e of container(docs).env as Obj[]) {
      if (e.valueFrom)
        podEnv[e.name] = secrets[e.valueFrom.secretKeyRef.name]![e.valueFrom.secretKeyRef.key]!;
      else podEnv[e.name] = String(e.value).startsWith('/var/run/secrets/') ? join(root, e.value) : e.value;
    }
    const file = join(tmp, 'logsift-secrets.yaml');
    writeFileSync(file, configText(docs));
    const cfg = loadConfig({ env: podEnv, configFile: file, require: ['kafka', 'elasticsearch'] });
    expect(cfg.elasticsearch.username).toBe('logsift-writer');
    expect(cfg.elasticsearch.password?.reveal()).toBe('es-pass-123');
    expect(cfg.elasticsearch.caFile).toBe(join(root, '/var/run/secrets/logsift/es-ca/ca.crt'));
    expect(cfg.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(cfg.kafka.sasl?.username).toBe('logsift');
    expect(cfg.kafka.sasl?.password.reveal()).toBe('kafka-pass-456');
    expect(cfg.kafka.tls).toMatchObject({
      enabled: true,
      caFile: join(root, '/var/run/secrets/logsift/kafka-tls/ca.crt'),
      certFile: join(root, '/var/run/secrets/logsift/kafka-tls/tls.crt'),
      keyFile: join(root, '/var/run/secrets/logsift/kafka-tls/tls.key'),
    });
    expect(cfg.http.port).toBe(9464);
  });

  it('an Elasticsearch API key replaces user and password', () => {
    const e = env(
      render(BASE, { elasticsearch: { auth: { existingSecret: 'es-key', apiKeyKey: 'api-key' } } }),
    );
    expect(e.get('ES_API_KEY_FILE')?.value).toBe('/var/run/secrets/logsift/es-auth/api-key');
    expect(e.has('ES_USERNAME')).toBe(false);
    expect(e.has('ES_PASSWORD_FILE')).toBe(false);
  });

  it('refuses credentials in config and half-configured SASL', () => {
    expect(refused(BASE, { config: { elasticsearch: { password: 'hunter2' } } })).toMatch(
      /credentials do not belong/,
    );
    expect(refused(BASE, { config: { elasticsearch: { apiKey: 'k' } } })).toMatch(
      /credentials do not belong/,
    );
    expect(
      refused(BASE, { config: { kafka: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } } } }),
    ).toMatch(/credentials do not belong/);
    expect(refused(BASE, { kafka: { sasl: { mechanism: 'plain' } } })).toMatch(/existingSecret must name/);
  });
});

describe('PodDisruptionBudget, ServiceMonitor', () => {
  it('a PDB takes one member at a time by default, selecting the Deployment pods', () => {
    const docs = render(BASE);
    const pdb = one(docs, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(one(docs, 'Deployment').spec.selector.matchLabels);
    expect(
      kind(render(BASE, { podDisruptionBudget: { enabled: false } }), 'PodDisruptionBudget'),
    ).toHaveLength(0);
  });

  it('the ServiceMonitor is opt-in and scrapes /metrics on the Service port', () => {
    expect(kind(render(BASE), 'ServiceMonitor')).toHaveLength(0);
    const docs = render(BASE, { serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
    const sm = one(docs, 'ServiceMonitor');
    expect(sm.metadata.labels.release).toBe('prom');
    expect(sm.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '30s', scrapeTimeout: '10s' },
    ]);
    expect(sm.spec.selector.matchLabels).toEqual(one(docs, 'Service').spec.selector);
  });
});

describe('KEDA ScaledObject', () => {
  it('is opt-in; scales the Deployment on the group lag, at most one member per partition', () => {
    expect(kind(render(BASE), 'ScaledObject')).toHaveLength(0);
    const docs = render(BASE, { kafka: { partitions: 6 }, keda: { enabled: true, lagThreshold: 5000 } });
    const so = one(docs, 'ScaledObject');
    const dep = one(docs, 'Deployment');
    expect(dep.spec.replicas).toBeUndefined(); // KEDA owns the count
    expect(so.spec.scaleTargetRef.name).toBe(dep.metadata.name);
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.maxReplicaCount).toBe(6);
    expect(so.spec.triggers).toEqual([
      {
        type: 'kafka',
        metadata: {
          bootstrapServers: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
          consumerGroup: 'logsift',
          topic: 'calico-logs',
          lagThreshold: '5000',
          activationLagThreshold: '0',
          offsetResetPolicy: 'earliest',
          allowIdleConsumers: 'false',
        },
      },
    ]);
    expect(kind(docs, 'TriggerAuthentication')).toHaveLength(0);
    expect(
      one(
        render(BASE, { kafka: { partitions: 6 }, keda: { enabled: true, maxReplicaCount: 4 } }),
        'ScaledObject',
      ).spec.maxReplicaCount,
    ).toBe(4);
  });

  it('fails when the replica bound exceeds the partitions', () => {
    expect(refused(BASE, { kafka: { partitions: 6 }, keda: { enabled: true, maxReplicaCount: 8 } })).toMatch(
      /keda\.maxReplicaCount 8 > kafka\.partitions 6/,
    );
    expect(refused(BASE, { kafka: { partitions: 2 }, keda: { enabled: true, minReplicaCount: 3 } })).toMatch(
      /minReplicaCount 3 > kafka\.partitions 2/,
    );
  });

  it('a regex or several topics: the lag of every topic of the group; SASL/TLS through a TriggerAuthentication', () => {
    const docs = render(BASE, {
      config: { kafka: { topics: '/^calico-.*/' } },
      kafka: {
        partitions: 12,
        sasl: { mechanism: 'scram-sha-256', existingSecret: 'kafka-user' },
        tls: { enabled: true, existingSecret: 'kafka-tls' },
      },
      keda: { enabled: true },
    });
    const so = one(docs, 'ScaledObject');
    expect(so.spec.triggers[0].metadata.topic).toBeUndefined();
    expect(so.spec.triggers[0].metadata.sasl).toBe('scram_sha256');
    expect(so.spec.triggers[0].metadata.tls).toBe('enable');
    const ta = one(docs, 'TriggerAuthentication');
    expect(so.spec.triggers[0].authenticationRef).toEqual({ name: ta.metadata.name });
    expect(ta.spec.secretTargetRef).toEqual([
      { parameter: 'username', name: 'kafka-user', key: 'username' },
      { parameter: 'password', name: 'kafka-user', key: 'password' },
      { parameter: 'ca', name: 'kafka-tls', key: 'ca.crt' },
    ]);
    const two = one(
      render(BASE, { config: { kafka: { topics: ['a', 'b'] } }, keda: { enabled: true } }),
      'ScaledObject',
    );
    expect(two.spec.triggers[0].metadata.topic).toBeUndefined();
  });
});

describe('Kibana saved-objects import Job', () => {
  it('is opt-in, a post-install/post-upgrade hook running `logsift kibana import --url`', () => {
    expect(kind(render(BASE), 'Job')).toHaveLength(0);
    const docs = render(BASE, {
      config: { aggregate: { indexPrefix: 'calico' } },
      kibana: {
        import: {
          enabled: true,
          url: 'http://kibana-kb-http:5601',
          space: 'ops',
          auth: { existingSecret: 'kb-user' },
          tls: { caSecret: 'kibana-ca' },
        },
      },
    });
    const job = one(docs, 'Job');
    expect(job.metadata.annotations).toEqual({
      'helm.sh/hook': 'post-install,post-upgrade',
      'helm.sh/hook-weight': '0',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const c = job.spec.template.spec.containers[0];
    // No credential in the arguments (visible in the process list): env references and files.
    expect(c.args).toEqual([
      'kibana',
      'import',
      '--url',
      'http://kibana-kb-http:5601',
      '--index-prefix',
      'calico',
      '--space',
      'ops',
    ]);
    const e = new Map((c.env as Obj[]).map((x) => [x.name, x]));
    expect(e.get('KIBANA_USERNAME')?.valueFrom).toEqual({
      secretKeyRef: { name: 'kb-user', key: 'username' },
    });
    expect(e.get('KIBANA_PASSWORD_FILE')?.value).toBe('/var/run/secrets/logsift/kibana-auth/password');
    expect(e.get('KIBANA_CA_FILE')?.value).toBe('/var/run/secrets/logsift/kibana-ca/ca.crt');
    const mounts = new Map((c.volumeMounts as Obj[]).map((m) => [m.name, m]));
    expect(mounts.get('kibana-auth')).toEqual({
      name: 'kibana-auth',
      mountPath: '/var/run/secrets/logsift/kibana-auth',
      readOnly: true,
    });
    const volumes = new Map((job.spec.template.spec.volumes as Obj[]).map((v) => [v.name, v]));
    expect(volumes.get('kibana-auth')?.secret).toEqual({
      secretName: 'kb-user',
      defaultMode: 0o440,
      items: [{ key: 'password', path: 'password' }],
    });
    expect(volumes.get('kibana-ca')?.secret.secretName).toBe('kibana-ca');
    const key = one(
      render(BASE, {
        kibana: {
          import: { enabled: true, url: 'http://k:5601', auth: { existingSecret: 'kb', apiKeyKey: 'key' } },
        },
      }),
      'Job',
    ).spec.template.spec.containers[0];
    const ke = new Map((key.env as Obj[]).map((x) => [x.name, x]));
    expect(ke.get('KIBANA_API_KEY_FILE')?.value).toBe('/var/run/secrets/logsift/kibana-auth/key');
    expect(ke.has('KIBANA_USERNAME')).toBe(false);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(refused(BASE, { kibana: { import: { enabled: true } } })).toMatch(
      /kibana\.import\.url is required/,
    );
  });
});
