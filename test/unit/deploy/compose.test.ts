// docker-compose.yml and Dockerfile: structure checks that always run (services, health checks,
// depends_on conditions, non-root multi-stage image), plus `docker compose config -q` (or the v1
// `docker-compose config -q`) when a compose CLI is installed — skipped with a message otherwise.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const COMPOSE = resolve(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  stop_grace_period?: string;
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test: unknown };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  command?: unknown;
}

function compose(): { services: Record<string, Service> } {
  return parseYaml(readFileSync(COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
}

/** The compose CLI available here: `docker compose` (v2 plugin) or `docker-compose` (v1), or null. */
function composeCli(): string[] | null {
  const v2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (!v2.error && v2.status === 0) return ['docker', 'compose'];
  const v1 = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (!v1.error && v1.status === 0) return ['docker-compose'];
  return null;
}

describe('docker-compose.yml', () => {
  const cli = composeCli();
  it.skipIf(cli === null)('passes `docker compose config -q`', () => {
    const [cmd, ...args] = cli!;
    const r = spawnSync(cmd!, [...args, '-f', COMPOSE, 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  if (cli === null) {
    it('compose CLI not installed: `docker compose config` skipped', () => {
      console.warn(
        '[compose.test] neither `docker compose` nor `docker-compose` on PATH: config check skipped',
      );
    });
  }

  it('has the services, each with a health check or a one-shot role', () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual(
      [
        'elasticsearch',
        'kafka',
        'kafka-init',
        'kibana',
        'kibana-import',
        'logsift',
        'sample-producer',
      ].sort(),
    );
    for (const name of ['kafka', 'elasticsearch', 'kibana', 'logsift']) {
      expect(services[name]?.healthcheck?.test, `${name} healthcheck`).toBeDefined();
    }
    expect(services.kafka?.image).toMatch(/apache\/kafka:/);
    expect(services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.logsift?.build).toBeDefined();
  });

  it('orders start-up with depends_on conditions', () => {
    const { services } = compose();
    expect(services.logsift?.depends_on).toEqual({
      'kafka-init': { condition: 'service_completed_successfully' },
      elasticsearch: { condition: 'service_healthy' },
    });
    expect(services['kafka-init']?.depends_on?.kafka?.condition).toBe('service_healthy');
    expect(services.kibana?.depends_on?.elasticsearch?.condition).toBe('service_healthy');
    expect(services['sample-producer']?.depends_on?.logsift?.condition).toBe('service_healthy');
  });

  it('points logsift at the compose servers with the documented env names', () => {
    const env = compose().services.logsift?.environment ?? {};
    expect(env.KAFKA_BROKERS).toBe('kafka:9092');
    expect(env.ES_URL).toBe('http://elasticsearch:9200');
    for (const k of ['LOGSIFT_TOPICS', 'LOGSIFT_GROUP_ID', 'LOGSIFT_INDEX_PREFIX', 'LOGSIFT_HTTP_PORT']) {
      expect(env[k], k).toBeTruthy();
    }
  });

  it('gives logsift more than shutdownTimeoutMs + elasticsearch.requestTimeoutMs to stop', () => {
    const logsift = compose().services.logsift;
    const m = /^(\d+)s$/.exec(logsift?.stop_grace_period ?? '');
    expect(m, 'stop_grace_period in seconds').not.toBeNull();
    // The defaults of schemas/config.schema.json (compose sets neither key).
    const schema = JSON.parse(readFileSync(resolve(ROOT, 'schemas/config.schema.json'), 'utf8'));
    const shutdown: number = schema.properties.shutdownTimeoutMs.default;
    const request: number = schema.properties.elasticsearch.properties.requestTimeoutMs.default;
    expect(Number(m![1]) * 1000).toBeGreaterThan(shutdown + request);
  });

  it('imports the Kibana saved objects once Kibana is healthy, with the logsift image', () => {
    const { services } = compose();
    const job = services['kibana-import'];
    expect(job?.image).toBe(services.logsift?.image);
    expect(job?.restart).toBe('no');
    expect(job?.depends_on?.kibana?.condition).toBe('service_healthy');
    const cmd = job?.command as string[];
    expect(cmd.slice(0, 2)).toEqual(['kibana', 'import']);
    expect(cmd[cmd.indexOf('--url') + 1]).toBe('http://kibana:5601');
    expect(cmd[cmd.indexOf('--index-prefix') + 1]).toBe(services.logsift?.environment?.LOGSIFT_INDEX_PREFIX);
  });

  it('replays the bundled sample', () => {
    const p = compose().services['sample-producer'];
    expect(p?.volumes).toContain('./samples:/samples:ro');
    expect(JSON.stringify(p?.command)).toContain('/samples/calico-day.log.gz');
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(resolve(ROOT, 'Dockerfile'), 'utf8');
  it('is multi-stage, runs as a non-root user, ships only production dependencies', () => {
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/COPY --from=deps .*node_modules/);
    expect(text).toMatch(/COPY --from=build .*dist/);
  });
  it('has a .dockerignore that keeps the build context small', () => {
    const ignore = readFileSync(resolve(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['node_modules', '.git', '.stack', 'dist', 'test', 'bench', 'deploy'])
      expect(ignore).toContain(p);
  });
});
