/**
 * End-to-end benchmark: Kafka -> `logsift run` (a child process, what production runs) -> Elasticsearch,
 * on two mixes, each beside a bare kafkajs consumer of the same topic measured in the same run:
 *
 *   realistic    a cluster at a real cluster's rates (bench/gen-mixed.ts generateRealistic: 20 nodes,
 *                6 h ending now, Tier lines every 10 s from one pod, 12 felix routine statements per
 *                node at 1/min to 1/s each, a netlink burst on a third of the nodes; Fluent Bit JSON;
 *                ~1.3M lines)
 *   day          bench/gen-day.ts's cluster day (20 nodes, 6 h ending now, ~420k lines: rarer
 *                statements, pod churn, warnings and netlink lines in 1-minute documents)
 *   adversarial  bench/gen-mixed.ts: every corpus row in every wrapper, spread so that most lines
 *                start or touch a 1-minute document (LOGSIFT_BENCH_LINES lines, default 2,000,000)
 *
 *   npm run bench:e2e                              # realistic, day, adversarial
 *   LOGSIFT_BENCH_MIX=realistic,adversarial npm run bench:e2e  # some of them
 *   LOGSIFT_BENCH_PROFILE=1 npm run bench:e2e      # also a CPU profile of the child, top functions printed
 *   LOGSIFT_BENCH_NODE_ARGS=--trace-gc npm run bench:e2e  # extra node flags for the child (output in its run.log)
 *
 * Per mix: 1. produce into a fresh 3-partition topic; 2. read it with a bare kafkajs consumer (own
 * group, eachBatch, no processing); 3. run `node bin/logsift run` until Σ logsift.count == lines
 * produced, sampling the child's VmHWM; 4. read the Elasticsearch writes of the run (`_stats`
 * indexing.index_total of its indices). It uses the stack in $KAFKA_BROKERS/$ES_URL, else
 * <stack dir>/env, else starts it (`npm run stack:up`). One line per mix, then nothing else:
 *   <mix>: e2e <N> lines/s, raw kafkajs <M> lines/s, ratio <R>, peak RSS <X> MB, reduction <P>%, <W> ES writes for <D> documents (<w/d> per document, <w/l> per line)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel } from 'kafkajs';
import { generateDay } from './gen-day.ts';
import {
  ensureTopic,
  generateMixed,
  generateRealistic,
  type ProduceMessage,
  produceMessages,
  withTrailer,
} from './gen-mixed.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = Number(process.env.LOGSIFT_BENCH_LINES ?? 2_000_000);
const PROFILE = process.env.LOGSIFT_BENCH_PROFILE === '1';
const TIMEOUT_MS = Number(process.env.LOGSIFT_BENCH_TIMEOUT_S ?? 3_600) * 1000;
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));
const say = (s: string): void => {
  process.stderr.write(`[bench:e2e ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

/** The first process whose command line has every needle as one of its arguments' prefix (Linux /proc), or undefined. */
function findPid(...needles: string[]): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const args = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (needles.every((n) => args.some((a) => a === n || a.includes(n)))) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/**
 * Pids of this stack's servers (several stacks may run on one machine): scripts/stack marks them
 * with -Dlogsift.stack.<server>=<folder>; without a state file, the first of each kind.
 */
function stackPids(): { elasticsearch: number | undefined; kafka: number | undefined } {
  const dir = process.env.LOGSIFT_STACK_DIR ?? join(ROOT, '.stack');
  let esState: string | undefined;
  try {
    esState = parseEnv(readFileSync(join(dir, 'state'), 'utf8')).ES_STATE;
  } catch {
    /* no state file: not our stack */
  }
  const es = 'org.elasticsearch.bootstrap.Elasticsearch';
  return {
    elasticsearch: esState ? findPid(es, `-Dlogsift.stack.es=${esState}`) : findPid(es),
    kafka: esState
      ? findPid('kafka.Kafka', `-Dlogsift.stack.kafka=${join(dir, 'kafka')}`)
      : findPid('kafka.Kafka'),
  };
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User + system CPU seconds of a process so far (/proc/<pid>/stat fields 14, 15); NaN if unknown. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

function parseEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

async function reachable(brokers: string, esUrl: string): Promise<boolean> {
  try {
    const r = await fetch(`${esUrl}/_cluster/health`, { signal: AbortSignal.timeout(3_000) });
    if (!r.ok) return false;
    const k = new Kafka({
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    }).admin();
    await k.connect();
    await k.listTopics();
    await k.disconnect();
    return true;
  } catch {
    return false;
  }
}

async function stack(): Promise<{ brokers: string; esUrl: string }> {
  const envFile = join(process.env.LOGSIFT_STACK_DIR ?? join(ROOT, '.stack'), 'env');
  let brokers = process.env.KAFKA_BROKERS;
  let esUrl = process.env.ES_URL;
  if ((!brokers || !esUrl) && existsSync(envFile)) {
    const e = parseEnv(readFileSync(envFile, 'utf8'));
    brokers ??= e.KAFKA_BROKERS;
    esUrl ??= e.ES_URL;
  }
  if (brokers && esUrl && (await reachable(brokers, esUrl))) return { brokers, esUrl };
  say('stack not reachable: npm run stack:up');
  const r = spawnSync('bash', [join(ROOT, 'scripts/stack/up.sh')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error('scripts/stack/up.sh failed');
  const e = parseEnv(r.stdout);
  if (!e.KAFKA_BROKERS || !e.ES_URL) throw new Error('up.sh printed no KAFKA_BROKERS/ES_URL');
  return { brokers: e.KAFKA_BROKERS, esUrl: e.ES_URL };
}

async function rawConsume(kafka: Kafka, topic: string, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `bench-raw-${Date.now()}`, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let n = 0;
  let t0 = 0;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((ok) => {
    resolveDone = ok;
  });
  const start = Date.now();
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: true,
    eachBatch: async ({ batch }) => {
      if (t0 === 0) t0 = Date.now();
      n += batch.messages.length;
      if (n >= total) resolveDone();
    },
  });
  await done;
  const ms = Date.now() - start;
  await consumer.disconnect();
  say(
    `raw kafkajs: ${n} messages in ${(ms / 1000).toFixed(1)}s (first batch after ${((t0 - start) / 1000).toFixed(1)}s)`,
  );
  return Math.round(total / (ms / 1000));
}

async function esSum(es: Client, prefix: string): Promise<{ sum: number; docs: number }> {
  const index = `${prefix}-summaries-*`;
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  const r = await es.search({
    index,
    size: 0,
    track_total_hits: true,
    ignore_unavailable: true,
    allow_no_indices: true,
    aggs: { n: { sum: { field: 'logsift.count' } } },
  });
  const docs = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
  return { sum: (r.aggregations as unknown as { n: { value: number } }).n.value, docs };
}

/** Self time per function from a V8 .cpuprofile: the top `n`, as "pct% name (file:line)". */
function topFunctions(file: string, n = 20): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
  };
  const byId = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
  const self = new Map<string, number>();
  for (const s of p.samples) {
    const f = byId.get(s);
    if (!f) continue;
    const url = f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const k = `${f.functionName || '(anonymous)'} (${url}:${f.lineNumber + 1})`;
    self.set(k, (self.get(k) ?? 0) + 1);
  }
  const total = p.samples.length;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}% ${k}`);
}

interface MixResult {
  readonly line: string;
}

/** Writes Elasticsearch indexed into the run's indices (primaries: each document write once). */
async function esWrites(es: Client, prefix: string): Promise<number> {
  const r = (await es.indices.stats({ index: `${prefix}-*`, metric: 'indexing' })) as unknown as {
    _all?: { primaries?: { indexing?: { index_total?: number } } };
  };
  return r._all?.primaries?.indexing?.index_total ?? Number.NaN;
}

async function runMix(
  name: string,
  ctx: { brokers: string; esUrl: string; kafka: Kafka; admin: ReturnType<Kafka['admin']>; es: Client },
  messages: () => Iterable<ProduceMessage>,
): Promise<MixResult> {
  const { brokers, esUrl, kafka, admin, es } = ctx;
  const id = `${Date.now().toString(36)}`;
  const topic = `bench-e2e-${name}-${id}`;
  const prefix = `bench-e2e-${name}-${id}`;
  const groupId = `bench-e2e-${name}-${id}`;

  say(`${name}: producing into ${topic} (3 partitions)`);
  await ensureTopic(brokers.split(','), topic, 3);
  const tp = Date.now();
  let lastLog = 0;
  const sent = await produceMessages(brokers.split(','), topic, messages(), {
    // One produce request per partition stays under message.max.bytes (1 MiB): gen-day's Fluent
    // Bit lines are ~1 KB and keyed by node (a request may go to one partition), gen-mixed's ~400 B.
    batch: name === 'adversarial' ? 2_000 : 400,
    onProgress: (k) => {
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        say(`  produced ${k}`);
      }
    },
  });
  const offs = await admin.fetchTopicOffsets(topic);
  const units = offs.reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
  say(
    `${name}: produced ${units} in ${((Date.now() - tp) / 1000).toFixed(1)}s (${offs.map((o) => Number(o.high)).join('/')})`,
  );
  if (units !== sent) throw new Error(`Kafka holds ${units}, sent ${sent}`);

  const raw = await rawConsume(kafka, topic, units);

  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const cfg = join(dir, 'config.json');
  // LOGSIFT_BENCH_CONFIG: a JSON config for the child (default: none, i.e. the shipped defaults).
  writeFileSync(cfg, `${process.env.LOGSIFT_BENCH_CONFIG ?? '{}'}\n`);
  const args = [
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []),
    // LOGSIFT_BENCH_NODE_ARGS: node flags NODE_OPTIONS refuses (e.g. --trace-gc; output in run.log).
    ...(process.env.LOGSIFT_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
    join(ROOT, 'bin/logsift'),
    'run',
    '--config',
    cfg,
  ];
  say(`${name}: starting logsift run (group ${groupId}, prefix ${prefix}); logs in ${dir}/run.log`);
  const servers = stackPids();
  const cpu0 = { elasticsearch: cpuSeconds(servers.elasticsearch), kafka: cpuSeconds(servers.kafka) };
  const logFd = openSync(join(dir, 'run.log'), 'w');
  const t0 = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', logFd, logFd],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      KAFKA_BROKERS: brokers,
      LOGSIFT_TOPICS: topic,
      LOGSIFT_GROUP_ID: groupId,
      ES_URL: esUrl,
      LOGSIFT_INDEX_PREFIX: prefix,
      LOGSIFT_HTTP_PORT: '0',
      LOGSIFT_LOG_LEVEL: 'warn',
      // The Dockerfile's NODE_OPTIONS (the production setting).
      NODE_OPTIONS:
        process.env.LOGSIFT_BENCH_NODE_OPTIONS ?? '--max-old-space-size=192 --max-semi-space-size=8',
    },
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  let peakKb = 0;
  const sampler = setInterval(() => {
    try {
      const st = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(st)?.[1] ?? 0));
    } catch {
      /* gone */
    }
  }, 250);

  let sums = { sum: 0, docs: 0 };
  let lastPrint = 0;
  for (;;) {
    if (exited) throw new Error(`logsift run exited early; see ${dir}/run.log`);
    try {
      sums = await esSum(es, prefix);
    } catch {
      /* indices not there yet */
    }
    if (sums.sum > units) throw new Error(`OVER-COUNT: Σ=${sums.sum} > ${units}`);
    if (sums.sum === units) break;
    if (Date.now() - lastPrint > 10_000) {
      lastPrint = Date.now();
      say(
        `  Σ=${sums.sum}/${units}, ${sums.docs} docs, ${((Date.now() - t0) / 1000).toFixed(0)}s, VmHWM ${(peakKb / 1024).toFixed(0)} MB`,
      );
    }
    if (Date.now() - t0 > TIMEOUT_MS)
      throw new Error(`no convergence in ${TIMEOUT_MS / 1000}s: Σ=${sums.sum}`);
    await sleep(500);
  }
  const secs = (Date.now() - t0) / 1000;
  const cpu = {
    logsift: cpuSeconds(child.pid),
    elasticsearch: cpuSeconds(servers.elasticsearch) - cpu0.elasticsearch,
    kafka: cpuSeconds(servers.kafka) - cpu0.kafka,
  };
  clearInterval(sampler);
  child.kill('SIGTERM');
  await new Promise<void>((ok) => (exited ? ok() : child.once('exit', () => ok())));
  await es.indices.refresh({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  const writes = await esWrites(es, prefix);
  const all = await es.count({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
  say(
    `${name}: logsift: ${units} lines in ${secs.toFixed(1)}s (from process start until Σ count == lines), ${sums.docs} summaries, ${all.count} documents, ${writes} Elasticsearch writes`,
  );
  // Where the machine's CPU went meanwhile (/proc utime + stime; NaN when a server was not found).
  const busy = cpu.logsift + cpu.elasticsearch + cpu.kafka;
  const cores = availableParallelism();
  say(
    `${name}: cpu during the run: logsift ${cpu.logsift.toFixed(1)} s (${((cpu.logsift / units) * 1e6).toFixed(0)} µs/line), ` +
      `elasticsearch ${cpu.elasticsearch.toFixed(1)} s (${((cpu.elasticsearch / units) * 1e6).toFixed(0)} µs/line), ` +
      `kafka ${cpu.kafka.toFixed(1)} s; ${busy.toFixed(1)} of ${(secs * cores).toFixed(1)} cpu-s on ${cores} cores`,
  );

  if (PROFILE) {
    const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (prof) {
      say(`${name}: CPU profile ${join(dir, prof)}; top self time:`);
      for (const l of topFunctions(join(dir, prof))) process.stderr.write(`  ${l}\n`);
    }
  }
  if (process.env.LOGSIFT_BENCH_KEEP !== '1') {
    await es.indices
      .delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true })
      .catch(() => undefined);
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
  }
  const e2e = Math.round(units / secs);
  const ratio = e2e / raw;
  const reduction = 100 * (1 - sums.docs / units);
  return {
    line:
      `${name}: e2e ${e2e} lines/s, raw kafkajs ${raw} lines/s, ratio ${ratio.toFixed(2)}, peak RSS ${(peakKb / 1024).toFixed(0)} MB, ` +
      `reduction ${reduction.toFixed(1)}%, ${writes} ES writes for ${all.count} documents ` +
      `(${(writes / all.count).toFixed(2)} per document, ${(writes / units).toFixed(4)} per line)`,
  };
}

/** gen-day's lines as Kafka messages: keyed by node (one node's multi-line groups stay in one partition). */
function* dayMessages(): Generator<ProduceMessage> {
  const hours = 6;
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  let last = 0;
  for (const l of generateDay({ hours, nodes: 20, startMs: end - hours * 3_600_000 })) {
    last = Math.max(last, l.ms);
    yield { key: l.node === '' ? 'cluster' : l.node, value: l.line, timestamp: l.ms + 50 };
  }
  // One later line per partition: groups a partition's last line opened are closed by it.
  yield* [...withTrailer([], 3)].map((m) => ({ ...m, timestamp: last + 60_000 }));
}

const MIXES: Record<string, () => Iterable<ProduceMessage>> = {
  realistic: () => withTrailer(generateRealistic({ nodes: 20, hours: 6 }), 3),
  day: dayMessages,
  adversarial: () => withTrailer(generateMixed({ lines: LINES, seed: 42, spanMs: 6 * 3_600_000 }), 3),
};

async function main(): Promise<void> {
  const { brokers, esUrl } = await stack();
  if (!existsSync(join(ROOT, 'dist/main.js'))) {
    say('building dist/ (npm run build)');
    spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const kafka = new Kafka({ clientId: 'bench-e2e', brokers: brokers.split(','), logLevel: logLevel.ERROR });
  const es = new Client({ node: esUrl, requestTimeout: 60_000 });
  const mixes = (process.env.LOGSIFT_BENCH_MIX ?? 'realistic,day,adversarial').split(',');
  say(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  const lines: string[] = [];
  for (const name of mixes) {
    const gen = MIXES[name];
    if (gen === undefined)
      throw new Error(`LOGSIFT_BENCH_MIX: unknown mix ${name} (${Object.keys(MIXES).join(', ')})`);
    // One admin client per mix: kafkajs keeps refreshing the metadata of every topic it has seen,
    // and the previous mix's topic is deleted (UNKNOWN_TOPIC_OR_PARTITION, not retried).
    const admin = kafka.admin();
    await admin.connect();
    try {
      lines.push((await runMix(name, { brokers, esUrl, kafka, admin, es }, gen)).line);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    } finally {
      await admin.disconnect();
    }
  }
  await es.close();
  for (const l of lines) process.stdout.write(`${l}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:e2e failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
