// Global setup of the `integration` vitest project: real Kafka and Elasticsearch for the tests.
// - KAFKA_BROKERS and ES_URL both set in the environment: use those servers, start nothing.
// - Otherwise run scripts/stack/up.sh (fetches on a cold cache, then starts both; see
//   docs/STACK.md), read .stack/env, and stop the stack in teardown, but only when a global
//   setup started it (up.sh reports `# status=reused` when it found the stack already running;
//   a stack started by hand with `npm run stack:up` is never stopped here) and no other test run
//   still uses it: each run holds a lease file .stack/leases/<pid> while it runs, so that two
//   runs in one checkout (a terminal and an editor's test runner) do not pull the stack from each other.
// Test files read the values with `stackEnv()` from ./helpers/stack.ts (`inject`, then env).
// It imports nothing from ./helpers/stack.ts: that module imports `vitest`, which cannot load in
// the global-setup context ("Vitest failed to access its internal state").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_SCRIPTS = resolve(REPO_ROOT, 'scripts/stack');
const STACK_DIR = process.env.LOGSIFT_STACK_DIR ?? resolve(REPO_ROOT, '.stack');
const ENV_FILE = resolve(STACK_DIR, 'env');
const LEASES = resolve(STACK_DIR, 'leases');
// Written when a global setup started the stack (up.sh removes it on every fresh start).
const OWNER_FILE = resolve(STACK_DIR, 'started-by-test-run');

const UP_TIMEOUT_MS = 8 * 60_000;
const DOWN_TIMEOUT_MS = 2 * 60_000;

function runScript(name: 'up.sh' | 'down.sh', timeout: number): { ok: boolean; stdout: string; why: string } {
  const r = spawnSync('bash', [resolve(STACK_SCRIPTS, name)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout,
    killSignal: 'SIGTERM',
    encoding: 'utf8',
    env: process.env,
  });
  const why = r.error ? r.error.message : r.status !== 0 ? `exit ${r.status ?? r.signal}` : '';
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? '', why };
}

/** `KEY=value` lines (as up.sh writes .stack/env and prints them); `#` lines ignored. */
function parseEnvLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids of other live test runs holding a lease; stale leases (dead pids) are removed. */
function otherLeases(): number[] {
  if (!existsSync(LEASES)) return [];
  const live: number[] = [];
  for (const name of readdirSync(LEASES)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (pidAlive(pid)) live.push(pid);
    else rmSync(resolve(LEASES, name), { force: true });
  }
  return live;
}

export default function setup(project: TestProject): (() => void) | undefined {
  let brokers = process.env.KAFKA_BROKERS;
  let esUrl = process.env.ES_URL;
  let startedHere = false;
  let managed = false; // this run uses the stack of scripts/stack/ (not servers given by env)

  if (!brokers || !esUrl) {
    const t0 = Date.now();
    const up = runScript('up.sh', UP_TIMEOUT_MS);
    if (!up.ok) {
      // Leave no half-started server behind (unless another run uses a stack here).
      if (otherLeases().length === 0) runScript('down.sh', DOWN_TIMEOUT_MS);
      throw new Error(`scripts/stack/up.sh failed (${up.why}); see its output above`);
    }
    startedHere = !/^# status=reused$/m.test(up.stdout);
    if (startedHere) writeFileSync(OWNER_FILE, `${process.pid}\n`);
    mkdirSync(LEASES, { recursive: true });
    writeFileSync(resolve(LEASES, String(process.pid)), '');
    managed = true;
    const env = parseEnvLines(existsSync(ENV_FILE) ? readFileSync(ENV_FILE, 'utf8') : up.stdout);
    brokers = env.KAFKA_BROKERS;
    esUrl = env.ES_URL;
    if (!brokers || !esUrl)
      throw new Error('scripts/stack/up.sh wrote no KAFKA_BROKERS/ES_URL in .stack/env');
    process.stderr.write(
      `[global-setup] stack ${startedHere ? 'started' : 'reused'} in ${((Date.now() - t0) / 1000).toFixed(1)}s: ` +
        `KAFKA_BROKERS=${brokers} ES_URL=${esUrl}\n`,
    );
  }

  // Both channels: `inject` in test files, and env for code that reads process.env (workers
  // are forked after global setup and inherit it).
  process.env.KAFKA_BROKERS = brokers;
  process.env.ES_URL = esUrl;
  project.provide('KAFKA_BROKERS', brokers);
  project.provide('ES_URL', esUrl);

  if (!managed) return undefined;
  return () => {
    rmSync(resolve(LEASES, String(process.pid)), { force: true });
    const others = otherLeases();
    if (others.length > 0) {
      process.stderr.write(
        `[global-setup] stack left up: other test runs use it (pids ${others.join(' ')})\n`,
      );
      return;
    }
    if (!existsSync(OWNER_FILE)) return; // started by hand (`npm run stack:up`): leave it up
    const down = runScript('down.sh', DOWN_TIMEOUT_MS);
    if (!down.ok) throw new Error(`scripts/stack/down.sh failed (${down.why})`);
  };
}
