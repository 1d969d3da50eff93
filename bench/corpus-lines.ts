/**
 * The corpus example lines (test/fixtures/calico-templates.tsv, column example_rendered_line, with
 * `\n`, `\t`, `\\` unescaped) and the two shipper wrappers the parse benchmarks push them through.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function corpusLines(): string[] {
  const tsv = readFileSync(
    join(import.meta.dirname, '..', 'test', 'fixtures', 'calico-templates.tsv'),
    'utf8',
  );
  return tsv
    .split('\n')
    .slice(1)
    .filter((l) => l.length > 0)
    .map((l) =>
      l
        .split('\t')[5]!
        .replace(/\\([\\tn])/g, (_m, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\')),
    );
}

/** A CRI full line (`F`) carrying `l` on one line. */
export const cri = (l: string): string => `2026-01-10T10:00:00.123456789Z stderr F ${l.replace(/\n/g, ' ')}`;

/** A Fluent Bit JSON envelope with Kubernetes metadata carrying `l`. */
export const fluent = (l: string): string =>
  JSON.stringify({
    log: `${l}\n`,
    stream: 'stderr',
    time: '2026-01-10T10:00:00.123456789Z',
    kubernetes: {
      pod_name: 'calico-node-x',
      namespace_name: 'calico-system',
      container_name: 'calico-node',
      host: 'n1',
    },
  });
