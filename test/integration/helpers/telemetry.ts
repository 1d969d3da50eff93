// Reading a `logsift run` child process's telemetry: the HTTP port it logged (it listens on
// LOGSIFT_HTTP_PORT=0, any free port), its /metrics parsed into samples, and its group
// assignments as logged on every join.
import { existsSync, readFileSync } from 'node:fs';

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** The pino JSON lines of a log file (other lines skipped). */
export function logRecords(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  const out: Array<Record<string, unknown>> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by SIGKILL
    }
  }
  return out;
}

/** The port of the last "telemetry http listening" line, or undefined before it is logged. */
export function telemetryPort(file: string): number | undefined {
  let port: number | undefined;
  for (const r of logRecords(file)) {
    if (
      typeof r.msg === 'string' &&
      r.msg.startsWith('telemetry http listening') &&
      typeof r.port === 'number'
    )
      port = r.port;
  }
  return port;
}

/** Waits (bounded) for `check()` to return a value other than undefined/false. */
export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  pollMs = 250,
): Promise<T> {
  const t0 = Date.now();
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${lastErr ? ` (last error: ${(lastErr as Error).message})` : ''}`,
      );
    }
    await sleep(pollMs);
  }
}

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly contentType: string;
  readonly text: string;
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly PromSample[];
}

/** Parses the Prometheus text format (0.0.4) as prom-client writes it. */
export function parseProm(text: string): { types: Map<string, string>; samples: PromSample[] } {
  const types = new Map<string, string>();
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

export async function scrape(port: number): Promise<Scrape> {
  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!r.ok) throw new Error(`/metrics answered ${r.status}`);
  const text = await r.text();
  return { contentType: r.headers.get('content-type') ?? '', text, ...parseProm(text) };
}

/** Σ of the samples of `name` whose labels include `labels`. */
export function sum(s: Scrape, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let n = 0;
  for (const x of s.samples) {
    if (x.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => x.labels[k] === v)) n += x.value;
  }
  return n;
}

/** The partitions of `topic` assigned at the last group join logged in `file` (undefined before any). */
export function lastAssignment(file: string, topic: string): number[] | undefined {
  let last: number[] | undefined;
  for (const r of logRecords(file)) {
    if (r.msg !== 'joined the consumer group') continue;
    const a = r.assignment as Record<string, number[]> | undefined;
    last = [...(a?.[topic] ?? [])].sort((x, y) => x - y);
  }
  return last;
}
