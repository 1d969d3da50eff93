/**
 * V8 garbage-collector settings for a stream processor whose live heap is small (tens of MB of
 * caches and counter documents) and whose garbage is almost all per-line. Imported for its effect,
 * first, by bin/logsift and by the throughput benchmark, before any hot code has run.
 *
 * - `--no-allocation-site-pretenuring`: V8 starts allocating straight into the old generation once
 *   a site's objects survived a few young collections. Per-line objects (records, templates) trip it
 *   while a batch is in flight; from then on every line's garbage lands in old space. Off: parse +
 *   classify + aggregate 17.1 -> 11.8 µs/line of CPU over the same 1M lines, identical documents.
 * - `--heap-growing-percent=50`: after a full collection V8 lets the heap grow to up to ~4x the live
 *   data before the next one; 1.5x keeps the process near its live size (peak RSS 265 -> 198 MB at
 *   1M lines) for no measurable CPU.
 * Measurements: bench/README.md ("Throughput", "Peak RSS of the file pipeline").
 * LOGSIFT_V8_DEFAULTS=1 keeps V8's own defaults; a flag given at start-up (command line,
 * NODE_OPTIONS) wins over the same flag here.
 *
 * START_FLAGS can only take effect when the process starts: heap sizes are fixed when the isolate
 * is created, and v8.setFlagsFromString('--max-semi-space-size=…') or '--max-old-space-size=…'
 * afterwards changes nothing (heap_size_limit and the new space stay as they were; checked on
 * Node 20). bin/logsift therefore starts `replay` once more with them (relaunchArgs).
 */
import v8 from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=50'] as const;

/**
 * What `logsift replay` (the file pipeline: one long batch job, no latency budget) starts with.
 * - `--max-semi-space-size=8` (MB; Node 20's default is 16): each young-generation collection
 *   copies what the open epoch still holds (records, new documents); on `npm run bench` input
 *   (1M lines) peak RSS 371 -> 338 MB, twice the scavenges for the same total scavenge pause.
 * - `--heap-growing-percent=25` (1.25x the live data, instead of V8_FLAGS' 1.5x): peak RSS
 *   412 -> 366-371 MB on the same input, 47 -> 72 full collections (+1.1 s of pauses per 1M lines).
 * Not for `logsift run`, whose container sets its own heap sizes (NODE_OPTIONS in the Dockerfile).
 */
export const START_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=25'] as const;

/** Environment variable set in the relaunched process (so it never relaunches again). */
export const RELAUNCHED_ENV = 'LOGSIFT_RELAUNCHED';

const useDefaults = (env: NodeJS.ProcessEnv): boolean => env.LOGSIFT_V8_DEFAULTS === '1';

/**
 * The node arguments to start `argv` again with START_FLAGS, or null when that is not wanted: V8
 * defaults asked for, already relaunched, or the user set a heap size of their own (on the command
 * line or in NODE_OPTIONS; theirs wins).
 */
export function relaunchArgs(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): string[] | null {
  if (useDefaults(env) || env[RELAUNCHED_ENV] === '1') return null;
  if (START_FLAGS.some((f) => givenAtStart(f, execArgv, env))) return null;
  return [...START_FLAGS, ...execArgv, ...argv.slice(1)];
}

/** Whether `flag`'s name (`--name=value`) was set when the process started. */
function givenAtStart(flag: string, execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const name = flag.includes('=') ? flag.slice(0, flag.indexOf('=')) : flag;
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  return given.some((a) => a === name || a.startsWith(`${name}=`));
}

if (!useDefaults(process.env)) {
  for (const f of V8_FLAGS) if (!givenAtStart(f, process.execArgv, process.env)) v8.setFlagsFromString(f);
}
