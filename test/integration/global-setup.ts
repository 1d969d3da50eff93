// Global setup of the `integration` vitest project: real Kafka and Elasticsearch for the tests.
// - KAFKA_BROKERS and ES_URL both set in the environment: use those servers, start nothing.
// - Otherwise run scripts/stack/up.sh (fetches on a cold cache, then starts both; see
//   docs/STACK.md), read .stack/env, and stop the stack in teardown, but only when this setup
//   started it (up.sh reports `# status=reused` when it found the stack already running).
// Test files read the values with `stackEnv()` from ./helpers/stack.ts (`inject`, then env).
// It imports nothing from ./helpers/stack.ts: that module imports `vitest`, which cannot load in
// the global-setup context ("Vitest failed to access its internal state").
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_SCRIPTS = resolve(REPO_ROOT, 'scripts/stack');
const ENV_FILE = resolve(process.env.LOGSIFT_STACK_DIR ?? resolve(REPO_ROOT, '.stack'), 'env');

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

export default function setup(project: TestProject): (() => void) | undefined {
  let brokers = process.env.KAFKA_BROKERS;
  let esUrl = process.env.ES_URL;
  let startedHere = false;

  if (!brokers || !esUrl) {
    const t0 = Date.now();
    const up = runScript('up.sh', UP_TIMEOUT_MS);
    if (!up.ok) {
      runScript('down.sh', DOWN_TIMEOUT_MS); // leave no half-started server behind
      throw new Error(`scripts/stack/up.sh failed (${up.why}); see its output above`);
    }
    startedHere = !/^# status=reused$/m.test(up.stdout);
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

  if (!startedHere) return undefined;
  return () => {
    const down = runScript('down.sh', DOWN_TIMEOUT_MS);
    if (!down.ok) throw new Error(`scripts/stack/down.sh failed (${down.why})`);
  };
}
