import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.ts';
import type { SummaryDoc } from '../../../src/domain/documents.ts';
import { runFilePipeline } from '../../../src/pipeline/file-pipeline.ts';

const NOW = Date.UTC(2025, 0, 15);

function tmpDir(): string {
  return mkdtempSync(join(tmpdir(), 'logsift-pipe-'));
}

function summaries(path: string): SummaryDoc[] {
  const byId = new Map<string, SummaryDoc>();
  for (const l of readFileSync(path, 'utf8').split('\n')) {
    if (l === '') continue;
    const hit = JSON.parse(l) as { _id: string; _source: SummaryDoc };
    byId.set(hit._id, hit._source);
  }
  return [...byId.values()];
}

async function replayText(
  text: string,
  options: { buckets?: string[]; fileRecords?: number; maxDocs?: number } = {},
) {
  const dir = tmpDir();
  const input = join(dir, 'in.log');
  writeFileSync(input, text);
  const yaml = join(dir, 'c.yaml');
  writeFileSync(
    yaml,
    `epoch:\n  fileRecords: ${options.fileRecords ?? 10000}\nfile:\n  maxDocs: ${options.maxDocs ?? 1000000}\n`,
  );
  const config = loadConfig({ env: {}, configFile: yaml, buckets: options.buckets });
  const out = join(dir, 'out');
  const result = await runFilePipeline({ input, outDir: out, config, now: () => NOW });
  return { result, docs: summaries(result.sink.summariesPath) };
}

const calico = (ms: number, level: string, rest: string): string =>
  `${new Date(ms).toISOString().replace('T', ' ').slice(0, 23)} [${level}][1] ${rest}`;

/** One kube-controllers pod for 24 h: Tier default + adminnetworkpolicy every 10 s, as Fluent Bit JSON. */
function tierDay(): string {
  const lines: string[] = [];
  const start = Date.UTC(2025, 0, 14);
  for (let t = start; t < start + 86_400_000; t += 10_000) {
    for (const tier of ['default', 'adminnetworkpolicy']) {
      const log = calico(
        t,
        'INFO',
        `kube-controllers/client.go 414: Tier ${tier} already exists. error=resource already exists: Tier(${tier})`,
      );
      lines.push(
        JSON.stringify({
          time: new Date(t).toISOString(),
          stream: 'stdout',
          log,
          kubernetes: {
            pod_name: 'calico-kube-controllers-7d4c9f8b6-x5k2m',
            namespace_name: 'calico-system',
            host: 'k8s-control-1',
            container_name: 'calico-kube-controllers',
          },
        }),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('file pipeline', () => {
  it("volume bar: 24 h of one pod's Tier lines (17,280) become at most 48 summaries summing to 17,280", async () => {
    const { result, docs } = await replayText(tierDay(), { fileRecords: 5000 });
    expect(result.unitsRead).toBe(17_280);
    const tier = docs.filter((d) => d.logsift.category === 'tier-exists');
    expect(tier.reduce((a, d) => a + d.logsift.count, 0)).toBe(17_280);
    expect(docs.length).toBeLessThanOrEqual(48);
    expect(result.epochs).toBeGreaterThanOrEqual(4);
  });

  it('--bucket tier-exists=1d collapses the day further', async () => {
    const { docs } = await replayText(tierDay(), { buckets: ['tier-exists=1d'] });
    expect(docs.length).toBeLessThanOrEqual(2);
    expect(docs.reduce((a, d) => a + d.logsift.count, 0)).toBe(17_280);
  });

  it('counts every line of a mixed input: multi-line records, dead letters, unparsed lines', async () => {
    const t = Date.UTC(2025, 0, 14, 10);
    const text = [
      'bird: Started',
      calico(t, 'INFO', 'felix/health.go 336: Overall health status changed: live=true ready=true'),
      '+---------------------------+---------+----------------+-----------------+--------+',
      '|         COMPONENT         | TIMEOUT |    LIVENESS    |    READINESS    | DETAIL |',
      '+---------------------------+---------+----------------+-----------------+--------+',
      '| FelixStartup              | -       | reporting live | reporting ready |        |',
      '+---------------------------+---------+----------------+-----------------+--------+',
      '',
      '\u0000\u0001binary?',
      `2025-01-14T10:00:01.000000000Z stdout P ${calico(t + 1000, 'INFO', 'typha/sync_server.go 424: Accepted from')}`,
      '2025-01-14T10:00:01.000000000Z stdout F  10.0.1.23:41872 port=5473',
      '{"log": broken',
      'just text',
    ].join('\r\n');
    const { result, docs } = await replayText(text);
    expect(result.unitsRead).toBe(13);
    expect(docs.reduce((a, d) => a + d.logsift.count, 0)).toBe(13);
    expect(result.deadLettered).toBe(1);
    expect(result.records).toBeLessThan(12); // the table and the CRI partial pair are one record each
  });

  it('is deterministic: the same input writes the same bytes', async () => {
    const text = tierDay().split('\n').slice(0, 3000).join('\n');
    const a = await replayText(text, { fileRecords: 700 });
    const b = await replayText(text, { fileRecords: 3000 });
    expect(readFileSync(a.result.sink.summariesPath, 'utf8')).toBe(
      readFileSync(b.result.sink.summariesPath, 'utf8'),
    );
    expect(readFileSync(a.result.sink.statsPath, 'utf8')).toBe(readFileSync(b.result.sink.statsPath, 'utf8'));
  });

  it('stays exact when the document cap forces spills', async () => {
    const lines: string[] = [];
    const start = Date.UTC(2025, 0, 14);
    for (let i = 0; i < 3000; i++) {
      lines.push(
        calico(
          start + i * 30_000,
          'WARNING',
          `felix/route_table.go 857: First attempt failed${i % 7}. error=x${i % 3}`,
        ),
      );
    }
    const { result, docs } = await replayText(`${lines.join('\n')}\n`, { maxDocs: 200, fileRecords: 100 });
    expect(result.sink.spilled).toBeGreaterThan(0);
    expect(docs.reduce((a, d) => a + d.logsift.count, 0)).toBe(3000);
  });

  it('reads stdin', async () => {
    const dir = tmpDir();
    const config = loadConfig({ env: {} });
    const result = await runFilePipeline({
      input: '-',
      outDir: join(dir, 'out'),
      config,
      now: () => NOW,
      stdin: Readable.from([Buffer.from('bird: Started\nbird: Reconfigured\n')]),
    });
    expect(result.unitsRead).toBe(2);
    expect(result.topic).toBe('stdin');
  });

  it('property: for any input lines, Σ summary counts == units read', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom(
        'bird: Started',
        '',
        '   ',
        '2025-01-14 09:30:00.137 [INFO][1] kube-controllers/client.go 414: Tier default already exists. error=resource already exists: Tier(default)',
        '2025-01-14 09:31:02.526 [ERROR][63] felix/route_table.go 911: Failed to connect to netlink. error=too many open files table="IPv4:254"',
        'panic: boom',
        'goroutine 1 [running]:',
        '\tmain.go:1 +0x1',
        '2025-01-14T10:00:00.000000000Z stdout P part-',
        '2025-01-14T10:00:00.000000000Z stdout F end',
        '{"log":"2025-01-14 09:30:00.137 [WARNING][1] felix/x.go 1: y\\n","stream":"stderr","time":"2025-01-14T09:30:00.1Z"}',
        '+---+',
        '| a |',
        '{"broken',
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 60 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 20 }),
        async (lines, finalNewline, every) => {
          const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const { result, docs } = await replayText(text, { fileRecords: every });
          // runFilePipeline also asserts the invariant itself (exit 3); check it independently here.
          const sum = docs.reduce((a, d) => a + d.logsift.count, 0);
          expect(sum).toBe(result.unitsRead);
          const expected = text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
          expect(result.unitsRead).toBe(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
