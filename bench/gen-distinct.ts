/**
 * Input for the bounded-memory benchmark (bench/rss.ts): LINES raw Calico lines carrying DISTINCT
 * distinct fingerprints (default 10,000,000 lines, 1,000,000 fingerprints), each fingerprint used
 * ~LINES/DISTINCT times within a window of nearby lines (as a real statement repeats within
 * minutes), so there are about DISTINCT summaries and the working set slides through them.
 *
 * A fingerprint is a statement of felix with three made-up words that no mask turns into a
 * placeholder (letters only, e.g. `bexo kuna tilaro`), at INFO (routine noise: hourly buckets).
 * Event time runs from `--start` over `--span` (default 10 h ending now), evenly.
 *
 *   node --import tsx bench/gen-distinct.ts --lines 10000000 --distinct 1000000 --out bench/.data/distinct.log
 *
 * Deterministic for a seed (mulberry32, bench/gen-lib.ts).
 */
import { createWriteStream, utimesSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { calicoTs, Rng } from './gen-lib.ts';

export interface DistinctOptions {
  readonly lines: number;
  readonly distinct: number;
  readonly seed?: number;
  /** Event time of the first line (ms). */
  readonly startMs: number;
  readonly spanMs: number;
}

export interface DistinctLine {
  readonly value: string;
  readonly timestamp: number;
  readonly key: string | null;
}

const CONSONANTS = 'bcdfghjklmnprstvwxyz';
const VOWELS = 'aeiou';

/** A word of letters for n (0 <= n < 100^3): three consonant-vowel syllables and a closing vowel. */
function word(n: number): string {
  let s = '';
  for (let k = 0; k < 3; k++) {
    const d = n % 100;
    n = Math.floor(n / 100);
    s += CONSONANTS[d % 20]! + VOWELS[Math.floor(d / 20)]!;
  }
  return s;
}

/** The made-up words of fingerprint f: three words, so DISTINCT can go far past 100^3. */
function words(f: number): string {
  return `${word(f % 1_000_000)} ${word(Math.floor(f / 1_000_000) % 1_000_000)} ${word((f * 7 + 3) % 1_000_000)}`;
}

export function* generateDistinct(o: DistinctOptions): Generator<DistinctLine> {
  const rng = new Rng(o.seed ?? 7);
  const per = o.lines / o.distinct;
  const window = Math.max(1, Math.min(o.distinct, 5_000));
  for (let i = 0; i < o.lines; i++) {
    // The fingerprints around position i / per, so each is used ~per times within ~window * per lines.
    const centre = Math.floor(i / per);
    const f = Math.min(o.distinct - 1, Math.max(0, centre + rng.int(-window, window)));
    const ms = o.startMs + Math.floor((i * o.spanMs) / o.lines);
    const node = `k8s-worker-${f % 20}`;
    yield {
      value: `${calicoTs(ms)} [INFO][${100 + (f % 900)}] felix/int_dataplane.go 1021: Applying update for ${words(f)} on ${node} count=${i}`,
      timestamp: ms,
      key: null,
    };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lines: { type: 'string', default: '10000000' },
      distinct: { type: 'string', default: '1000000' },
      seed: { type: 'string', default: '7' },
      span: { type: 'string', default: '36000000' },
      out: { type: 'string' },
    },
  });
  const lines = Number(values.lines);
  const spanMs = Number(values.span);
  const startMs = Date.now() - spanMs;
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  let buf: string[] = [];
  for (const l of generateDistinct({
    lines,
    distinct: Number(values.distinct),
    seed: Number(values.seed),
    startMs,
    spanMs,
  })) {
    buf.push(l.value);
    if (buf.length >= 10_000) {
      if (!out.write(`${buf.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  if (buf.length > 0) out.write(`${buf.join('\n')}\n`);
  if (values.out) {
    await new Promise<void>((r) => (out as ReturnType<typeof createWriteStream>).end(r));
    // The replay's fallback timestamp for lines is the file's mtime: the end of the window.
    utimesSync(values.out, new Date(), new Date(startMs + spanMs));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
