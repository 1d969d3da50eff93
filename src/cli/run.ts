/**
 * `logsift run`: the service. Kafka -> exact counters -> Elasticsearch, offsets committed after the
 * acknowledgement (src/pipeline/kafka-pipeline.ts, docs/EXACTNESS.md). Structured pino JSON on
 * stderr; /metrics, /healthz, /readyz on http.host:http.port.
 *
 * Exit codes: 0 after SIGTERM/SIGINT and a clean shutdown; 1 when the consumer crashed without
 * restart (F13e), Elasticsearch or Kafka were unusable at start-up, or the shutdown overran
 * shutdownTimeoutMs; 2 for usage/configuration errors.
 */
import { hostname } from 'node:os';
import { configWarnings, loadConfig } from '../config/index.ts';
import { exitCodeOf, isLogsiftError, LogsiftError } from '../errors.ts';
import { KafkaPipeline } from '../pipeline/kafka-pipeline.ts';
import { FindingsService } from '../report/findings-service.ts';
import { connectElasticsearch } from '../sinks/elasticsearch/probe.ts';
import { installIndexTemplates, precreateDailyIndices } from '../sinks/elasticsearch/setup.ts';
import { clusterHealth, type EsClient, EsCounterStore } from '../sinks/elasticsearch/store.ts';
import { KafkaSource, topicConfigProblems } from '../sources/kafka/index.ts';
import { probeKafka } from '../sources/kafka/probe.ts';
import { startTelemetryServer, type TelemetryServer } from '../telemetry/http.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createRunMetrics } from '../telemetry/metrics.ts';
import { COMMON_OPTIONS, parseCommandArgs } from './args.ts';
import type { CliIO, Command } from './types.ts';

const HELP = `Usage: logsift run [--config FILE]

Consume Calico logs from Kafka (a consumer group), count every line exactly per fingerprint, and
index the counter documents into Elasticsearch. A partition's offset is committed only after
Elasticsearch acknowledged every document below it, so counts survive crashes, restarts,
rebalances and Elasticsearch outages (docs/EXACTNESS.md).

Options:
  -c, --config FILE   YAML or JSON configuration (schemas/config.schema.json)
  -h, --help          this help

Environment (wins over --config):
  KAFKA_BROKERS         bootstrap brokers, comma-separated            (required)
  LOGSIFT_TOPICS        input topics, comma-separated, or one /regex/  (required)
  ES_URL                Elasticsearch URL                              (required)
  LOGSIFT_GROUP_ID      consumer group (default logsift)
  LOGSIFT_INDEX_PREFIX  index prefix (default logsift): <prefix>-summaries-YYYY.MM.DD, <prefix>-stats-*
  ES_USERNAME + ES_PASSWORD_FILE (or ES_PASSWORD), or ES_API_KEY_FILE (or ES_API_KEY)
  ES_CA_FILE or ES_CA_FINGERPRINT   the CA of an https Elasticsearch
  KAFKA_TLS=true, KAFKA_TLS_CA_FILE, KAFKA_TLS_CERT_FILE + KAFKA_TLS_KEY_FILE   TLS to Kafka
  KAFKA_SASL_MECHANISM (plain|scram-sha-256|scram-sha-512), KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD_FILE (or KAFKA_SASL_PASSWORD)
  LOGSIFT_HTTP_PORT     port of /metrics /healthz /readyz (default 9464; 0 = any free port)
  LOGSIFT_LOG_LEVEL     trace|debug|info|warn|error (default info)
  LOGSIFT_STARTUP_TIMEOUT_MS  how long unreachable servers are retried at start (default 30000)

Start-up: Kafka and Elasticsearch are probed in parallel. Unreachable ones are retried until
startup.timeoutMs, then run exits 1 with one line naming the address; rejected credentials, an
untrusted certificate or a TLS/plaintext mismatch exit 2 at once. \`logsift config show\` prints
the effective configuration with secrets redacted.

Dead letters (binary, oversize, broken JSON envelope, empty) go to <topic>.dlq with headers
logsift.reason / logsift.source.{topic,partition,offset} and are counted as dlq:<reason> summaries.
SIGTERM / SIGINT: flush the open epochs, commit what is acknowledged, exit 0 within
shutdownTimeoutMs (default 30 s).
`;

export interface RunOptions {
  /** Stop as on SIGTERM when this signal aborts (in-process tests). */
  readonly signal?: AbortSignal;
  /** Called once the HTTP server listens and the consumer runs. */
  readonly onReady?: (info: { httpPort: number }) => void;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
}

/** A stop signal arrived while still starting: shut down cleanly, exit 0. */
class ShutdownBeforeStart extends Error {}

export async function runCommand(
  argv: readonly string[],
  io: Pick<CliIO, 'stdout' | 'stderr' | 'env'> = { stdout: process.stdout, stderr: process.stderr },
  options: RunOptions = {},
): Promise<number> {
  const { values } = parseCommandArgs('run', argv, COMMON_OPTIONS, 0);
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig({
    env: io.env,
    configFile: values.config,
    require: ['kafka', 'elasticsearch'],
  });
  const log = createLogger(config.log.level, { command: 'run' });
  for (const w of configWarnings(config)) log.warn({ security: true }, w);
  const startDeadline = Date.now() + config.startup.timeoutMs;
  const instanceId = `${hostname()}-${process.pid}`;
  const metrics = createRunMetrics();
  // Built once Elasticsearch answered (its CA may come from the server's chain by fingerprint).
  let es: EsClient | undefined;
  let pipeline: KafkaPipeline | undefined;
  const source = new KafkaSource(config.kafka, log);
  let http: TelemetryServer | undefined;
  let esReachable = false;
  let running = false;
  let healthTimer: NodeJS.Timeout | undefined;
  let indexTimer: NodeJS.Timeout | undefined;
  let stopRequested = false;
  let resolveFinished: ((code: number) => void) | undefined;
  const finished = new Promise<number>((resolve) => {
    resolveFinished = resolve;
  });
  const fatal = (code: number): void => {
    stopRequested = true;
    resolveFinished?.(code);
  };

  let findings: FindingsService | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    log.info({ signal: sig }, 'shutdown requested');
    fatal(0);
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  const onAbort = (): void => fatal(0);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let code: number;
  try {
    http = await startTelemetryServer({
      host: config.http.host,
      port: config.http.port,
      registry: metrics.registry,
      readiness: () => {
        const reasons: string[] = [];
        if (!running) reasons.push('consumer not running');
        if (!pipeline?.joined) reasons.push('consumer not joined to the group');
        if (!esReachable) reasons.push('elasticsearch unreachable');
        const halted = pipeline?.haltedPartitions ?? [];
        if (halted.length > 0) reasons.push(`halted partitions: ${halted.join(', ')}`);
        return { ready: reasons.length === 0, reasons };
      },
    });
    log.info({ port: http.port, host: http.host }, 'telemetry http listening (/metrics /healthz /readyz)');

    // Both servers at once, one deadline; a problem that retrying cannot fix ends the wait at once.
    let startupFailed = false;
    const stopped = (): boolean => stopRequested || startupFailed;
    const probes = {
      es: connectElasticsearch(config.elasticsearch, log, { deadline: startDeadline, stopped }),
      kafka: probeKafka(config.kafka, log, { deadline: startDeadline, stopped }),
    };
    const failures: LogsiftError[] = [];
    await new Promise<void>((resolveProbes) => {
      let pending = 2;
      const settle = (): void => {
        if (--pending === 0) resolveProbes();
      };
      for (const p of [probes.es, probes.kafka] as Promise<unknown>[]) {
        p.then(settle, (err: unknown) => {
          const e = isLogsiftError(err)
            ? err
            : new LogsiftError('INTERNAL', String((err as Error).message ?? err));
          failures.push(e);
          if (!e.retriable) {
            startupFailed = true;
            resolveProbes();
          }
          settle();
        });
      }
      void finished.then(() => resolveProbes());
    });
    if (stopRequested) throw new ShutdownBeforeStart();
    if (failures.length > 0) {
      // The most useful first: what the user must change (exit 2) before what is unreachable.
      failures.sort((a, b) => Number(a.retriable) - Number(b.retriable));
      for (const f of failures.slice(1)) log.error({ code: f.code }, f.message);
      throw failures[0];
    }
    const client = await probes.es;
    es = client;
    const store = new EsCounterStore(client, {
      maxBulkBytes: config.elasticsearch.maxBulkBytes,
      refresh: config.elasticsearch.refresh,
      indexPrefix: config.aggregate.indexPrefix,
    });
    const p = new KafkaPipeline({ config, source, store, log, metrics, instanceId });
    pipeline = p;
    metrics.observePartitions(() => p.partitionCounters);
    const budget = (): number => Math.max(5_000, startDeadline - Date.now());

    const replicas = config.elasticsearch.replicas;
    const setup = await untilDone(
      log,
      'elasticsearch setup',
      budget(),
      () => stopRequested,
      () =>
        installIndexTemplates(
          client,
          {
            prefix: config.aggregate.indexPrefix,
            replicas,
            timeoutMs: config.elasticsearch.requestTimeoutMs,
          },
          log,
        ),
    );
    esReachable = true;
    log.info(setup, 'index templates installed');
    // Findings over the live summaries every findings.service.interval (src/report/findings-service.ts).
    findings = new FindingsService({
      client,
      prefix: config.aggregate.indexPrefix,
      config: config.findings,
      log,
      metrics,
      ...(replicas === undefined ? {} : { replicas }),
    });
    // Today's and tomorrow's daily indices exist before their first bulk (checked hourly).
    const precreate = (): void => {
      precreateDailyIndices(client, config.aggregate.indexPrefix, Date.now()).then(
        ({ created, failed }) => {
          if (created.length > 0) log.info({ created }, 'daily indices pre-created');
          if (failed.length > 0)
            log.warn({ failed }, 'pre-creating daily indices failed; they are created on first write');
        },
        () => undefined,
      );
    };
    precreate();
    indexTimer = setInterval(precreate, 3_600_000);
    indexTimer.unref();

    healthTimer = setInterval(() => {
      clusterHealth(client, 3_000).then(
        () => {
          esReachable = true;
        },
        () => {
          esReachable = false;
        },
      );
    }, 5_000);
    healthTimer.unref();

    await untilDone(
      log,
      'kafka connect',
      budget(),
      () => stopRequested,
      () => source.connect(),
    );
    // Retention settings that lose lines before they are counted (docs/EXACTNESS.md F9): said loudly.
    try {
      for (const t of await source.inputTopicConfigs()) {
        const problems = topicConfigProblems(t);
        metrics.topicConfigProblems.set(problems.length, { topic: t.topic });
        for (const p of problems) log.error({ topic: t.topic }, p);
      }
    } catch (err) {
      log.warn(
        { err: (err as Error).message },
        "could not read the input topics' configs (cleanup.policy, retention.ms)",
      );
    }
    if (stopRequested) throw new ShutdownBeforeStart();
    await source.run((batch, control) => p.handleBatch(batch, control), {
      onJoin: (info) => p.onJoin(info.memberId, info.assignment),
      onHeartbeat: () => p.onHeartbeat(),
      onCrash: (error, restart) => {
        p.onLeave();
        if (restart) {
          log.error({ err: error.message }, 'consumer crashed; kafkajs restarts it');
        } else {
          log.fatal({ err: error.message, stack: error.stack }, 'consumer crashed without restart; exiting');
          fatal(1);
        }
      },
      onStop: () => p.onLeave(),
    });
    running = true;
    findings?.start();
    log.info(
      {
        topics: config.kafka.topics instanceof RegExp ? String(config.kafka.topics) : config.kafka.topics,
        groupId: config.kafka.groupId,
        indexPrefix: config.aggregate.indexPrefix,
      },
      'consuming',
    );
    options.onReady?.({ httpPort: http.port });
    code = await finished;
  } catch (err) {
    if (err instanceof ShutdownBeforeStart) {
      code = 0;
    } else if (isLogsiftError(err)) {
      // One line that names the problem; the library's stack only at debug.
      log.error({ code: err.code, exitCode: err.exitCode }, err.message);
      // Message and stack only: a client error object can carry the request (and its auth header).
      const cause = err.cause as Error | undefined;
      if (cause !== undefined) log.debug({ cause: cause.message, stack: cause.stack }, 'cause');
      code = err.exitCode;
    } else {
      const e = err as Error & { type?: string };
      if (e.name?.startsWith('KafkaJS')) {
        // A library error: its message at error, its stack only at debug.
        const msg =
          e.type === 'UNKNOWN_TOPIC_OR_PARTITION'
            ? `an input topic does not exist on the brokers (${e.message}); create it or fix LOGSIFT_TOPICS / kafka.topics`
            : `Kafka: ${e.message}`;
        log.error({ code: e.type ?? e.name }, msg);
        log.debug({ stack: e.stack }, 'cause');
      } else {
        log.error({ err: e.message, stack: e.stack }, 'run failed');
      }
      code = exitCodeOf(err);
    }
    if (code === 0 && !(err instanceof ShutdownBeforeStart)) code = 1;
  }

  // Shutdown: no new batch; the open epochs are flushed and committed while the consumer is still
  // in the group (or abandoned by the deadline); then disconnect.
  const started = Date.now();
  const deadline = started + config.shutdownTimeoutMs;
  pipeline?.stop(deadline - 2_000);
  running = false;
  const done = (async () => {
    await pipeline?.drain();
    pipeline?.close();
    await source.disconnect();
    await pipeline?.idle();
  })();
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), Math.max(0, deadline - Date.now())).unref()),
  ]);
  if (healthTimer) clearInterval(healthTimer);
  if (indexTimer) clearInterval(indexTimer);
  await findings?.stop();
  await http?.close();
  await es?.close().catch(() => undefined);
  if (handleSignals) {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  options.signal?.removeEventListener('abort', onAbort);
  if (timedOut) {
    log.error({ ms: Date.now() - started }, 'shutdown did not finish in time');
    return code === 0 ? 1 : code;
  }
  log.info({ ms: Date.now() - started, code }, 'stopped');
  return code;
}

/** Start-up steps retried until `budgetMs` (a server still starting), then the last error. */
async function untilDone<T>(
  log: Logger,
  what: string,
  budgetMs: number,
  stopped: () => boolean,
  op: () => Promise<T>,
): Promise<T> {
  const until = Date.now() + budgetMs;
  let wait = 500;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (isLogsiftError(err) && !err.retriable) throw err;
      if (stopped()) throw new ShutdownBeforeStart();
      if (Date.now() + wait > until) throw err;
      log.warn({ err: (err as Error).message, retryInMs: wait }, `${what} failed; retrying`);
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, 5_000);
    }
  }
}

export const command: Command = {
  name: 'run',
  summary: 'Consume Kafka, count exactly, index summaries into Elasticsearch',
  help: HELP,
  async run(argv, io) {
    const code = await runCommand(argv, io);
    // kafkajs or the ES client may keep a socket or timer alive after close: do not hang.
    setTimeout(() => process.exit(code), 2_000).unref();
    return code;
  },
};

export { LogsiftError };
