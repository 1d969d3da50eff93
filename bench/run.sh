#!/usr/bin/env bash
# `npm run bench`: logsift parse + classify + aggregate vs Drain3 on the same messages, one core each.
# Last line: `logsift <N> lines/s, drain3 <M> lines/s, ratio <R>x, peak RSS <X> MB`.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${BENCH_LINES:-1000000}"
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "bench: creating $VENV with drain3 from PyPI" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q drain3==0.9.11
fi
# One core for each side (taskset when available).
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
# logsift runs as plain JavaScript, as in production (bin/logsift runs tsc's dist/): the benchmark is
# bundled with esbuild (tsx's own transpiler, already installed) instead of run under the tsx loader,
# whose hook thread and transpile cache would add ~45 MB of RSS and start-up CPU to the figures.
mkdir -p bench/.data
node_modules/.bin/esbuild bench/throughput.ts --bundle --platform=node --format=esm --packages=external \
  --log-level=warning --outfile=bench/.data/throughput.mjs
echo "bench: logsift over $LINES lines..." >&2
LS=$(BENCH_LINES="$LINES" $PIN node bench/.data/throughput.mjs | tail -1)
echo "logsift: $LS" >&2
echo "bench: drain3 over the same $LINES messages..." >&2
DR=$($PIN "$VENV/bin/python" bench/drain3_bench.py "$LINES" bench/.data/messages.txt | tail -1)
echo "drain3: $DR" >&2
node -e '
const a = JSON.parse(process.argv[1]), b = JSON.parse(process.argv[2]);
// CPU-time view first (stderr): on a shared machine wall time mostly measures the other processes.
console.error(`cpu: logsift ${a.cpuLinesPerSec} lines/s, drain3 ${b.cpuLinesPerSec} lines/s, ratio ${(a.cpuLinesPerSec / b.cpuLinesPerSec).toFixed(1)}x; logsift CPU µs/line ${JSON.stringify(a.cpuUsPerLine)}`);
console.log(`logsift ${a.linesPerSec} lines/s, drain3 ${b.linesPerSec} lines/s, ratio ${(a.linesPerSec / b.linesPerSec).toFixed(1)}x, peak RSS ${a.peakRssMb} MB`);
' "$LS" "$DR"
