/**
 * `logsift run` as a separate OS process (`node bin/logsift run --config <file>`), so tests can
 * SIGKILL / SIGSTOP it like the kernel or an orchestrator would. Output goes to a log file per
 * process; `tail()` prints it when a test fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../helpers/stack.ts';

export interface ProcessorSpec {
  readonly name: string;
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly groupId: string;
  readonly esUrl: string;
  readonly indexPrefix: string;
  readonly logDir: string;
  /** Merged into the --config file (e.g. faster session timeouts). */
  readonly config?: Record<string, unknown>;
  readonly logLevel?: string;
}

/**
 * Session 12 s, heartbeat 1 s, ES requests 4 s: a SIGKILLed member is evicted in ~12 s instead of
 * 30 s, which keeps the kill tests inside the CI budget (the config loader checks the 1/3 rules).
 */
export const FAST_GROUP_CONFIG: Record<string, unknown> = {
  kafka: { sessionTimeoutMs: 12_000, heartbeatIntervalMs: 1_000 },
  elasticsearch: { requestTimeoutMs: 4_000 },
};

export class Processor {
  readonly spec: ProcessorSpec;
  readonly logFile: string;
  #child: ChildProcess | null = null;
  #exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  starts = 0;
  kills = 0;

  constructor(spec: ProcessorSpec) {
    this.spec = spec;
    mkdirSync(spec.logDir, { recursive: true });
    this.logFile = join(spec.logDir, `${spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  start(): void {
    if (this.running) throw new Error(`${this.spec.name} already running`);
    const cfgFile = join(this.spec.logDir, `${this.spec.name}.config.json`);
    writeFileSync(cfgFile, JSON.stringify(deepMerge(FAST_GROUP_CONFIG, this.spec.config ?? {}), null, 2));
    const fd = openSync(this.logFile, 'a');
    writeFileSync(this.logFile, `\n===== start #${++this.starts} (${new Date().toISOString()}) =====\n`, {
      flag: 'a',
    });
    const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/logsift'), 'run', '--config', cfgFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', fd, fd],
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        KAFKA_BROKERS: this.spec.brokers.join(','),
        LOGSIFT_TOPICS: this.spec.topic,
        LOGSIFT_GROUP_ID: this.spec.groupId,
        ES_URL: this.spec.esUrl,
        LOGSIFT_INDEX_PREFIX: this.spec.indexPrefix,
        LOGSIFT_HTTP_PORT: '0',
        LOGSIFT_LOG_LEVEL: this.spec.logLevel ?? 'info',
      },
    });
    closeSync(fd);
    this.#child = child;
    this.#exit = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.kills++;
    this.#child!.kill('SIGKILL');
    await this.#exit;
  }

  /** SIGTERM, wait up to `ms`, then SIGKILL. Returns the exit code (null when killed). */
  async stop(ms = 40_000): Promise<number | null> {
    if (!this.running) return this.#child?.exitCode ?? null;
    this.#child!.kill('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), ms);
    const r = await this.#exit!;
    clearTimeout(timer);
    return r.code;
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  /** Resolves when the process exits (for unexpected-exit checks). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null {
    return this.#exit;
  }

  /** Peak RSS (VmHWM) and current RSS in MB from /proc, or null once gone. */
  memory(): { hwmMb: number; rssMb: number } | null {
    const pid = this.pid;
    if (pid === undefined) return null;
    try {
      const s = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
      return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
    } catch {
      return null;
    }
  }

  /** The last `lines` lines of the log file. */
  tail(lines = 40): string {
    if (!existsSync(this.logFile) || statSync(this.logFile).size === 0) return '(no output)';
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** Count of log lines matching a pattern (e.g. unexpected errors). */
  grep(re: RegExp): string[] {
    if (!existsSync(this.logFile)) return [];
    return readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter((l) => re.test(l));
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
