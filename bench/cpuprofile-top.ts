/**
 * The top self-time functions of a V8 .cpuprofile (`node --cpu-prof`), as "pct% samples name (file:line)".
 *
 *   node --import tsx bench/cpuprofile-top.ts FILE.cpuprofile [N=15]
 *
 * Self time = samples whose top frame is the function; paths are shown relative to the repository.
 * `(garbage collector)`, `(program)` (V8 internals, the parser, IC misses) and `(idle)` are V8's own.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  startTime: number;
  endTime: number;
}

export function topFunctions(file: string, n = 15): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((x) => [x.id, x.callFrame]));
  const self = new Map<string, number>();
  for (const s of p.samples) {
    const f = byId.get(s);
    if (!f) continue;
    const url = f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const k =
      url === ''
        ? f.functionName || '(anonymous)'
        : `${f.functionName || '(anonymous)'} (${url}:${f.lineNumber + 1})`;
    self.set(k, (self.get(k) ?? 0) + 1);
  }
  const total = p.samples.length;
  const secs = (p.endTime - p.startTime) / 1e6;
  return [
    `${total} samples over ${secs.toFixed(1)} s`,
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}% ${String(v).padStart(6)}  ${k}`),
  ];
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpuprofile-top.ts FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  for (const l of topFunctions(file, Number(process.argv[3] ?? 15))) process.stdout.write(`${l}\n`);
}
