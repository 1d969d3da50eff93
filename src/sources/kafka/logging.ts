/**
 * kafkajs' log lines through pino, at mapped levels:
 *   kafkajs ERROR -> error, WARN -> warn, INFO -> debug, DEBUG -> trace.
 * kafkajs INFO is lifecycle chatter ("Starting", "Consumer has joined the group", "Pausing
 * fetching") that logsift already reports in its own words, hence debug. Library stack traces
 * (the `stack` field kafkajs adds to connection errors and crashes) are kept only at debug and
 * below: at the default level one line per event names the problem.
 *
 * Two lines are demoted on purpose (to debug), because they describe a choice logsift made:
 *  - "Limiting retries for the idempotent producer may invalidate EoS guarantees"
 *    (kafkajs src/producer/index.js, printed on every producer creation when retries are bounded):
 *    the DLQ producer bounds its retries so the pipeline's own loop can heartbeat between attempts;
 *    idempotence still removes duplicates within a producer session, and a duplicate dead letter
 *    is harmless (the count lives in Elasticsearch, keyed by topic/partition/offset).
 *  - the "KafkaJS v2.0.0 switched default partitioner" warning (src/index.js) never appears:
 *    the producer passes createPartitioner explicitly, which is what silences it.
 */
import { logLevel } from 'kafkajs';
import type { Logger } from '../../telemetry/logger.ts';

const DEMOTED = [/^Limiting retries for the idempotent producer may invalidate EoS/];

interface Entry {
  readonly namespace?: string;
  readonly level: number;
  readonly label?: string;
  readonly log: { readonly message: string; readonly [k: string]: unknown };
}

export interface KafkaLogOptions {
  /** While true, kafkajs errors and warnings go to debug (a start-up probe reports the outcome itself). */
  readonly quiet?: () => boolean;
}

/** kafkajs logLevel to ask for: nothing it would produce below what pino prints. */
export function kafkaLogLevel(log: Logger): logLevel {
  if (log.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (log.isLevelEnabled('debug')) return logLevel.INFO;
  return logLevel.WARN;
}

/** A kafkajs `logCreator`. */
export function kafkaLogCreator(log: Logger, options: KafkaLogOptions = {}) {
  return () =>
    ({ level, log: entry }: Entry): void => {
      const { message, timestamp: _t, logger: _l, stack, ...rest } = entry;
      let target: 'error' | 'warn' | 'debug' | 'trace';
      if (level === logLevel.ERROR) target = 'error';
      else if (level === logLevel.WARN) target = 'warn';
      else if (level === logLevel.INFO) target = 'debug';
      else target = 'trace';
      if (
        (target === 'error' || target === 'warn') &&
        (options.quiet?.() || DEMOTED.some((re) => re.test(message)))
      ) {
        target = 'debug';
      }
      if (!log.isLevelEnabled(target)) return;
      const fields: Record<string, unknown> = { component: 'kafkajs', ...rest };
      if (stack !== undefined && log.isLevelEnabled('debug')) fields.stack = stack;
      log[target](fields, message);
    };
}
