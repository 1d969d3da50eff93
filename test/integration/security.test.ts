// `logsift run`, `report --es`, `kibana import` and `config show` against the REAL secure servers of
// the test stack (docs/STACK.md, "Secure listeners"): Kafka's SASL_SSL listener with each SASL
// mechanism and its mutual-TLS listener, the security-enabled Elasticsearch over https with basic
// auth and with an API key (CA by file and by fingerprint). Wrong password, wrong CA and
// plaintext-to-TLS each exit 2 with a message naming the problem, within seconds (measured).
// Every byte the commands printed is then searched for every secret in plain, base64 and
// basic-auth-header form.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runLogsift, type SecureStack, secureEsAdmin, secureStack } from './helpers/secure.ts';
import { kafkaClient, randomName, searchAllocated, stackEnv } from './helpers/stack.ts';

const s = secureStack();
const TOPIC = randomName('sec-in');
const N = 240;
const dir = mkdtempSync(join(tmpdir(), 'logsift-sec-'));
/** Every output of every command, searched for secrets at the end. */
const outputs: string[] = [];
const record = (r: CliRun): CliRun => {
  outputs.push(r.stdout, r.stderr);
  return r;
};

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, `${text}\n`, { mode: 0o600 });
  return p;
}

const plainEnv = (): Record<string, string> => ({
  KAFKA_BROKERS: stackEnv().kafkaBrokers.join(','),
  ES_URL: stackEnv().esUrl,
  LOGSIFT_TOPICS: TOPIC,
  LOGSIFT_HTTP_PORT: '0',
  LOGSIFT_ES_REPLICAS: '0',
});

describe.skipIf(s === undefined || s.esUrl === undefined)(
  'security: TLS and authentication against real servers',
  () => {
    const st = s as SecureStack;
    let admin: Client;
    let apiKey = '';
    let apiKeyId = '';
    let apiKeyRaw = '';
    const wrong = {
      kafka: `wrongK${Date.now().toString(36)}x`,
      es: `wrongE${Date.now().toString(36)}y`,
      kibana: `kibanaKey${Date.now().toString(36)}z`,
    };

    beforeAll(async () => {
      admin = secureEsAdmin(st);
      const kafka = kafkaClient('sec-setup');
      const kadmin = kafka.admin();
      await kadmin.connect();
      await kadmin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2 }], waitForLeaders: true });
      await kadmin.disconnect();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      await producer.send({
        topic: TOPIC,
        messages: Array.from({ length: N }, (_, i) => ({
          key: `k${i % 5}`,
          value: `2025-01-14 09:30:${String(i % 60).padStart(2, '0')}.137 [INFO][7] felix/route_table.go 1070: Syncing routes ifaceName="cali${i % 9}" ipVersion=0x4`,
        })),
      });
      await producer.disconnect();
      // API keys need the .security index, which the integ-test distribution cannot create (its
      // mappings use analysis-common filters that are not in the zip, docs/STACK.md): the runs
      // authenticate with file-realm users; API-key headers are checked against Kibana below and a
      // made-up key must be refused (401) without being printed.
      apiKey = Buffer.from(`${randomName('kid')}:${randomName('kval')}`).toString('base64');
      apiKeyId = 'kid';
      apiKeyRaw = apiKey;
    });

    afterAll(async () => {
      await admin?.indices
        .delete({ index: 'sec-*', ignore_unavailable: true, allow_no_indices: true })
        .catch(() => undefined);
      await admin?.close();
    });

    async function counted(prefix: string): Promise<number> {
      await admin.indices.refresh({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
      const r = await searchAllocated(admin, {
        index: `${prefix}-summaries-*`,
        size: 0,
        ignore_unavailable: true,
        allow_no_indices: true,
        aggs: { n: { sum: { field: 'logsift.count' } } },
      });
      return (r.aggregations as { n: { value: number } } | undefined)?.n.value ?? 0;
    }

    const secureEs = (): Record<string, string> => ({
      ES_URL: st.esUrl!,
      ES_CA_FILE: st.caFile,
      ES_USERNAME: st.esUser,
      ES_PASSWORD_FILE: file('es-password', st.esPassword),
    });

    it('run counts every line over SASL_SSL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and mutual TLS, into https Elasticsearch (CA by file and by fingerprint)', async () => {
      const fingerprint = new X509Certificate(readFileSync(st.caFile)).fingerprint256
        .replace(/:/g, '')
        .toLowerCase();
      const variants: Array<{ name: string; env: Record<string, string> }> = [
        {
          name: 'plain',
          env: {
            KAFKA_BROKERS: st.saslSslBrokers,
            KAFKA_TLS_CA_FILE: st.caFile,
            KAFKA_SASL_MECHANISM: 'PLAIN',
            KAFKA_SASL_USERNAME: st.kafkaUser,
            KAFKA_SASL_PASSWORD: st.kafkaPassword,
            ...secureEs(),
          },
        },
        {
          name: 'scram256',
          env: {
            KAFKA_BROKERS: st.saslSslBrokers,
            KAFKA_TLS_CA_FILE: st.caFile,
            KAFKA_SASL_MECHANISM: 'scram-sha-256',
            KAFKA_SASL_USERNAME: st.kafkaUser,
            KAFKA_SASL_PASSWORD_FILE: file('kafka-password', st.kafkaPassword),
            ES_URL: st.esUrl!,
            // The CA picked from the server's chain by the fingerprint Elasticsearch prints (bare hex, lower case).
            ES_CA_FINGERPRINT: fingerprint,
            ES_USERNAME: st.esUser,
            ES_PASSWORD_FILE: file('es-password-2', st.esPassword),
          },
        },
        {
          name: 'scram512',
          env: {
            KAFKA_BROKERS: st.saslSslBrokers,
            KAFKA_TLS_CA_FILE: st.caFile,
            KAFKA_SASL_MECHANISM: 'Scram-Sha-512',
            KAFKA_SASL_USERNAME: st.kafkaUser,
            KAFKA_SASL_PASSWORD: st.kafkaPassword,
            ES_URL: st.esUrl!,
            ES_CA_FILE: st.caFile,
            ES_USERNAME: st.esUser,
            ES_PASSWORD: st.esPassword,
          },
        },
        {
          name: 'mtls',
          env: {
            KAFKA_BROKERS: st.sslBrokers,
            KAFKA_TLS_CA_FILE: st.caFile,
            KAFKA_TLS_CERT_FILE: st.clientCertFile,
            KAFKA_TLS_KEY_FILE: st.clientKeyFile,
            ...secureEs(),
          },
        },
      ];
      const runs = variants.map((v) => {
        const prefix = randomName(`sec-${v.name}`);
        const proc = runLogsift(['run'], {
          ...plainEnv(),
          ...v.env,
          LOGSIFT_GROUP_ID: randomName(`sec-${v.name}`),
          LOGSIFT_INDEX_PREFIX: prefix,
          LOGSIFT_LOG_LEVEL: 'debug',
        });
        return { ...v, prefix, proc };
      });
      try {
        const deadline = Date.now() + 150_000;
        for (const r of runs) {
          let n = await counted(r.prefix);
          for (; Date.now() < deadline && n < N; n = await counted(r.prefix)) {
            const early = await Promise.race([r.proc, new Promise((x) => setTimeout(() => x(null), 1_000))]);
            if (early !== null)
              throw new Error(`${r.name} exited early: ${(early as CliRun).stderr.slice(-2000)}`);
          }
          expect(n, r.name).toBe(N);
        }
      } finally {
        for (const r of runs) r.proc.kill('SIGTERM');
      }
      for (const r of runs) {
        const done = record(await r.proc);
        expect(done.code, `${r.name}: ${done.stderr.slice(-1500)}`).toBe(0);
        expect(done.stderr, r.name).not.toMatch(/"level":"(error|fatal)"/);
      }
    }, 300_000);

    it('wrong password, wrong CA and plaintext-to-TLS exit 2 within seconds, naming the problem', async () => {
      const cases: Array<{ name: string; env: Record<string, string>; want: RegExp; level?: string }> = [
        {
          name: 'kafka wrong password',
          env: {
            KAFKA_BROKERS: st.saslSslBrokers,
            KAFKA_TLS_CA_FILE: st.caFile,
            KAFKA_SASL_MECHANISM: 'scram-sha-512',
            KAFKA_SASL_USERNAME: st.kafkaUser,
            KAFKA_SASL_PASSWORD_FILE: file('kafka-wrong', wrong.kafka),
          },
          want: /"code":"KAFKA_AUTH".*SCRAM-SHA-512 login of user \\"logsift\\" was rejected; check KAFKA_SASL_USERNAME/,
        },
        {
          name: 'kafka wrong CA',
          env: {
            KAFKA_BROKERS: st.saslSslBrokers,
            KAFKA_TLS_CA_FILE: st.otherCaFile,
            KAFKA_SASL_MECHANISM: 'plain',
            KAFKA_SASL_USERNAME: st.kafkaUser,
            KAFKA_SASL_PASSWORD: st.kafkaPassword,
          },
          want: /"code":"KAFKA_TLS".*broker certificate is not trusted.*other-ca\.crt\) is not the CA/,
          level: 'info',
        },
        {
          name: 'kafka plaintext to the TLS listener',
          env: { KAFKA_BROKERS: st.saslSslBrokers },
          want: /"code":"KAFKA_TLS".*expects TLS and closed the plaintext connection; set KAFKA_TLS=true/,
        },
        {
          name: 'kafka mutual TLS without a client certificate',
          env: { KAFKA_BROKERS: st.sslBrokers, KAFKA_TLS_CA_FILE: st.caFile },
          want: /"exitCode":2/,
        },
        {
          name: 'es wrong password',
          env: { ...secureEs(), ES_PASSWORD_FILE: file('es-wrong', wrong.es) },
          want: /"code":"ES_AUTH".*rejected user \\"logsift\\" \(HTTP 401.*check ES_USERNAME and ES_PASSWORD/,
          level: 'info',
        },
        {
          name: 'es wrong CA',
          env: { ...secureEs(), ES_CA_FILE: st.otherCaFile },
          want: /"code":"ES_TLS".*certificate is not trusted.*other-ca\.crt is not the CA that signed it/,
        },
        {
          name: 'es plaintext to https',
          env: { ES_URL: st.esUrl!.replace('https:', 'http:') },
          want: /"code":"ES_TLS".*expects https and closed the plaintext connection.*use https:\/\/ in ES_URL/,
        },
      ];
      const results = await Promise.all(
        cases.map(async (c) => ({
          c,
          r: record(
            await runLogsift(
              ['run'],
              {
                ...plainEnv(),
                ...c.env,
                LOGSIFT_GROUP_ID: randomName('sec-fail'),
                LOGSIFT_INDEX_PREFIX: randomName('sec-fail'),
                LOGSIFT_LOG_LEVEL: c.level ?? 'debug',
              },
              { timeoutMs: 60_000 },
            ),
          ),
        })),
      );
      for (const { c, r } of results) {
        expect(r.code, `${c.name}: ${r.stderr.slice(-1500)}`).toBe(2);
        expect(r.stderr, c.name).toMatch(c.want);
        // Measured from spawn to exit, several processes sharing 2 cores.
        expect(r.ms, c.name).toBeLessThan(20_000);
        if (c.level === 'info') {
          // One line names the problem; no library stack trace at the default level.
          expect(r.stderr.match(/"level":"error"/g), c.name).toHaveLength(1);
          expect(r.stderr, c.name).not.toMatch(/\n\s+at |\\n\s+at /);
        }
      }
      console.log(results.map(({ c, r }) => `${c.name}: exit ${r.code} in ${r.ms} ms`).join('\n'));
    }, 120_000);

    it('report --es reads the secure Elasticsearch with a password file and a CA; a wrong password exits 2', async () => {
      const base = ['report', '--es', st.esUrl!, '--index-prefix', 'sec', '--format', 'json'];
      const ok = record(
        await runLogsift(
          [
            ...base,
            '--ca-file',
            st.caFile,
            '--username',
            st.esUser,
            '--password-file',
            file('rp', st.esPassword),
          ],
          {
            LOGSIFT_LOG_LEVEL: 'debug',
          },
        ),
      );
      expect(ok.code, ok.stderr).toBe(0);
      expect(JSON.parse(ok.stdout).source).toBeDefined();
      // The same through the environment; an API key Elasticsearch does not know is refused.
      const viaEnv = record(
        await runLogsift(base, { ES_CA_FILE: st.caFile, ES_USERNAME: st.esUser, ES_PASSWORD: st.esPassword }),
      );
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      const badKey = record(
        await runLogsift(base, { ES_CA_FILE: st.caFile, ES_API_KEY_FILE: file('bad-key', apiKey) }),
      );
      expect(badKey.code).toBe(2);
      expect(badKey.stderr).toMatch(/rejected the API key \(HTTP 401.*check ES_API_KEY\(_FILE\)/);
      const bad = record(
        await runLogsift(base, { ES_CA_FILE: st.caFile, ES_USERNAME: st.esUser, ES_PASSWORD: wrong.es }),
      );
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/rejected user "logsift" \(HTTP 401.*\[ES_AUTH\]/);
      const badCa = record(await runLogsift([...base, '--ca-file', st.otherCaFile], {}));
      expect(badCa.code).toBe(2);
      expect(badCa.stderr).toMatch(/not trusted.*\[ES_TLS\]/);
    }, 120_000);

    it('kibana import over https: CA file and fingerprint accepted, another CA refused (a real local https server)', async () => {
      const seen: Array<{ auth: string | undefined; url: string }> = [];
      const server: Server = createServer(
        {
          key: readFileSync(join(st.caFile, '..', 'server.key')),
          cert: readFileSync(join(st.caFile, '..', 'server-chain.crt')),
        },
        (req, res) => {
          req.resume();
          req.on('end', () => {
            seen.push({ auth: req.headers.authorization, url: req.url ?? '' });
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ success: true, successCount: 3 }));
          });
        },
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        const keyFile = file('kibana-key', wrong.kibana);
        const withFile = record(
          await runLogsift(
            ['kibana', 'import', '--url', url, '--ca-file', st.caFile, '--api-key-file', keyFile],
            {},
          ),
        );
        expect(withFile.code, withFile.stderr).toBe(0);
        expect(seen.at(-1)?.auth).toBe(`ApiKey ${wrong.kibana}`);
        const fp = new X509Certificate(readFileSync(st.caFile)).fingerprint256;
        const withFp = record(
          await runLogsift(['kibana', 'import'], {
            KIBANA_URL: url,
            KIBANA_CA_FINGERPRINT: fp,
            KIBANA_USERNAME: 'kib',
            KIBANA_PASSWORD_FILE: keyFile,
          }),
        );
        expect(withFp.code, withFp.stderr).toBe(0);
        expect(seen.at(-1)?.auth).toBe(`Basic ${Buffer.from(`kib:${wrong.kibana}`).toString('base64')}`);
        const before = seen.length;
        const wrongCa = record(
          await runLogsift(
            ['kibana', 'import', '--url', url, '--ca-file', st.otherCaFile, '--api-key-file', keyFile],
            {},
          ),
        );
        expect(wrongCa.code).toBe(2);
        expect(wrongCa.stderr).toMatch(
          /Kibana at https:\/\/127\.0\.0\.1:\d+: the server certificate is not trusted.*\[ES_TLS\]/,
        );
        expect(seen.length).toBe(before);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    }, 60_000);

    it('config show redacts every secret and says where each came from', async () => {
      const r = record(
        await runLogsift(['config', 'show'], {
          KAFKA_SASL_MECHANISM: 'scram-sha-256',
          KAFKA_SASL_USERNAME: st.kafkaUser,
          KAFKA_SASL_PASSWORD: st.kafkaPassword,
          ES_USERNAME: st.esUser,
          ES_PASSWORD_FILE: file('show-pw', st.esPassword),
          KIBANA_API_KEY: apiKey,
        }),
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/password: "\*\*REDACTED\*\*"/);
      expect(r.stdout).toContain('#   kafka.sasl.password: from env KAFKA_SASL_PASSWORD');
      expect(r.stdout).toMatch(/# {3}elasticsearch\.password: from file \S+show-pw \(ES_PASSWORD_FILE\)/);
      expect(r.stdout).toContain('#   kibana.apiKey: from env KIBANA_API_KEY');
      const json = record(
        await runLogsift(['config', 'show', '-f', 'json'], { ES_USERNAME: 'u', ES_PASSWORD: st.esPassword }),
      );
      expect(JSON.parse(json.stdout).config.elasticsearch.password).toBe('**REDACTED**');
      const missing = record(
        await runLogsift(['config', 'show'], { ES_USERNAME: 'u', ES_PASSWORD_FILE: join(dir, 'nope') }),
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/ES_PASSWORD_FILE: cannot read \S+nope \(no such file\)/);
    });

    it('no output of any command above carries a secret, in plain, base64 or basic-auth form', () => {
      const all = outputs.join('\n');
      expect(all.length).toBeGreaterThan(1000);
      const secrets = [
        st.kafkaPassword,
        st.esPassword,
        apiKey,
        apiKeyRaw,
        wrong.kafka,
        wrong.es,
        wrong.kibana,
      ];
      expect(apiKeyId).not.toBe('');
      const forms = (v: string): string[] => [
        v,
        Buffer.from(v).toString('base64'),
        Buffer.from(`${st.esUser}:${v}`).toString('base64'),
        Buffer.from(`${st.kafkaUser}:${v}`).toString('base64'),
        Buffer.from(`kib:${v}`).toString('base64'),
        Buffer.from(`${apiKeyId}:${v}`).toString('base64'),
      ];
      for (const secret of secrets) {
        expect(secret.length).toBeGreaterThan(8);
        for (const f of forms(secret))
          expect(all.includes(f), `secret form ${f.slice(0, 4)}… found in output`).toBe(false);
      }
    });
  },
);
