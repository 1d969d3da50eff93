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
import { loadConfig } from '../config/index.ts';
import { exitCodeOf, isLogsiftError, LogsiftError } from '../errors.ts';
import { KafkaPipeline } from '../pipeline/kafka-pipeline.ts';
import { installIndexTemplates, precreateDailyIndices } from '../sinks/elasticsearch/setup.ts';
import { clusterHealth, createEsClient, EsCounterStore } from '../sinks/elasticsearch/store.ts';
import { KafkaSource, topicConfigProblems } from '../sources/kafka/index.ts';
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
  ES_USERNAME / ES_PASSWORD or ES_API_KEY
  LOGSIFT_HTTP_PORT     port of /metrics /healthz /readyz (default 9464; 0 = any free port)
  LOGSIFT_LOG_LEVEL     trace|debug|info|warn|error (default info)

Dead letters (binary, oversize, broken JSON envelope, empty) go to <topic>.dlq with headers
logsift.reason / logsift.source.{topic,partition,offset} and are counted as dlq:<reason> summaries.
SIGTERM / SIGINT: finish or abandon the current epoch, commit what is acknowledged, exit 0 within
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

const START_RETRY_MS = 60_000;

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
  const instanceId = `${hostname()}-${process.pid}`;
  const metrics = createRunMetrics();
  const es = createEsClient(config.elasticsearch);
  const store = new EsCounterStore(es, {
    maxBulkBytes: config.elasticsearch.maxBulkBytes,
    refresh: config.elasticsearch.refresh,
    indexPrefix: config.aggregate.indexPrefix,
  });
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

  const pipeline = new KafkaPipeline({ config, source, store, log, metrics, instanceId });
  metrics.observePartitions(() => pipeline.partitionCounters);

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
        if (!pipeline.joined) reasons.push('consumer not joined to the group');
        if (!esReachable) reasons.push('elasticsearch unreachable');
        const halted = pipeline.haltedPartitions;
        if (halted.length > 0) reasons.push(`halted partitions: ${halted.join(', ')}`);
        return { ready: reasons.length === 0, reasons };
      },
    });
    log.info({ port: http.port, host: http.host }, 'telemetry http listening (/metrics /healthz /readyz)');

    const replicas = config.elasticsearch.replicas;
    const setup = await untilDone(
      log,
      'elasticsearch setup',
      START_RETRY_MS,
      () => stopRequested,
      () =>
        installIndexTemplates(
          es,
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
    // Today's and tomorrow's daily indices exist before their first bulk (checked hourly).
    const precreate = (): void => {
      precreateDailyIndices(es, config.aggregate.indexPrefix, Date.now()).then(
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
      clusterHealth(es, 3_000).then(
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
      START_RETRY_MS,
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
    await source.run((batch, control) => pipeline.handleBatch(batch, control), {
      onJoin: (info) => pipeline.onJoin(info.memberId, info.assignment),
      onHeartbeat: () => pipeline.onHeartbeat(),
      onCrash: (error, restart) => {
        pipeline.onLeave();
        if (restart) {
          log.error({ err: error.message }, 'consumer crashed; kafkajs restarts it');
        } else {
          log.fatal({ err: error.message, stack: error.stack }, 'consumer crashed without restart; exiting');
          fatal(1);
        }
      },
      onStop: () => pipeline.onLeave(),
    });
    running = true;
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
    log.error(
      { err: (err as Error).message, code: isLogsiftError(err) ? err.code : undefined },
      'run failed',
    );
    code = exitCodeOf(err);
    if (code === 0) code = 1;
  }

  // Shutdown: no new epoch; the current one finishes or is abandoned by the deadline; disconnect.
  const started = Date.now();
  const deadline = started + config.shutdownTimeoutMs;
  pipeline.stop(deadline - 2_000);
  running = false;
  const done = (async () => {
    await source.disconnect();
    await pipeline.idle();
  })();
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), Math.max(0, deadline - Date.now())).unref()),
  ]);
  if (healthTimer) clearInterval(healthTimer);
  if (indexTimer) clearInterval(indexTimer);
  await http?.close();
  await es.close().catch(() => undefined);
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
