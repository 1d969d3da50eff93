/**
 * PLACEHOLDER — `logsift run` is being written by another engineer; this file only keeps the
 * dispatcher (src/cli/index.ts) whole until it lands. Replace the whole file; keep the export:
 * `export const command: Command` (contract in src/cli/types.ts).
 */
import { LogsiftError } from '../errors.ts';
import type { Command } from './types.ts';

export const command: Command = {
  name: 'run',
  summary: 'Consume Kafka, count exactly, index summaries into Elasticsearch',
  help: `Usage: logsift run [options]

Consume Kafka, count exactly, index summaries into Elasticsearch.
Not implemented yet in this build.
`,
  async run() {
    throw new LogsiftError('NOT_IMPLEMENTED', 'logsift run: not implemented yet');
  },
};
