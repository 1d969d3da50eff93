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
 * Measurements: bench/README.md ("Throughput"). LOGSIFT_V8_DEFAULTS=1 keeps V8's own defaults.
 */
import v8 from 'node:v8';

export const V8_FLAGS = ['--no-allocation-site-pretenuring', '--heap-growing-percent=50'] as const;

if (process.env.LOGSIFT_V8_DEFAULTS !== '1') for (const f of V8_FLAGS) v8.setFlagsFromString(f);
