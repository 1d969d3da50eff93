#!/usr/bin/env bash
# `npm run bench`: logsift parse + classify + aggregate vs Drain3 on the same lines, one core each,
# in CPU time (process CPU seconds, user + system; wall time on a shared machine mostly measures the
# other processes).
#
# Input: BENCH_LINES (default 1,000,000) non-repeating lines of bench/gen-nonrepeating.ts (fresh
# values per line, the documented envelope mix; seed BENCH_SEED, default 20250114), generated once
# into bench/.data/ and reused while the generator and the corpus are unchanged. Drain3 (defaults, as
# in bench/drain3_bench.py) mines the same lines already unwrapped (the generator's --messages file).
# BENCH_INPUT=<file> runs another input instead (Drain3 then gets the messages bench/throughput.ts
# unwraps from it).
#
# Last line: `logsift <N> lines/s, drain3 <M> lines/s, ratio <R>x, peak RSS <X> MB`
# (N, M: lines per CPU-second of the measured loop; X: logsift's peak RSS). The line before it has
# both sides' CPU seconds, whole-process CPU seconds (/usr/bin/time), and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${BENCH_LINES:-1000000}"
SEED="${BENCH_SEED:-20250114}"
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "bench: creating $VENV with drain3 from PyPI" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q drain3==0.9.11
fi
# One core for each side (taskset when available).
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
# timed FILE CMD...: CMD's user,system CPU seconds and max RSS (KB) into FILE (empty without /usr/bin/time).
timed() {
  local out=$1; shift
  if [ -x /usr/bin/time ]; then /usr/bin/time -f %U,%S,%M -o "$out" "$@"; else : >"$out"; "$@"; fi
}
mkdir -p bench/.data

if [ -n "${BENCH_INPUT:-}" ]; then
  INPUT="$BENCH_INPUT"
  MESSAGES=bench/.data/messages.txt
  DRAIN_FROM_HARNESS=1
else
  # The generated input, keyed by the generator's sources, the corpus and the options.
  KEY=$( (cat bench/gen-lib.ts bench/gen-nonrepeating.ts test/fixtures/calico-templates.tsv
          [ -d test/fixtures/real-lines ] && find test/fixtures/real-lines -type f | sort | xargs cat
          echo "$LINES $SEED") | sha1sum | cut -c1-12)
  INPUT="bench/.data/nonrep-$KEY.log"
  MESSAGES="bench/.data/nonrep-$KEY.messages.txt"
  if [ ! -s "$INPUT" ] || [ ! -s "$MESSAGES" ]; then
    rm -f bench/.data/nonrep-*.log bench/.data/nonrep-*.messages.txt
    echo "bench: generating $LINES non-repeating lines into $INPUT..." >&2
    node --import tsx bench/gen-nonrepeating.ts --lines "$LINES" --seed "$SEED" --out "$INPUT.tmp" \
      --messages "$MESSAGES.tmp"
    mv "$MESSAGES.tmp" "$MESSAGES"
    mv "$INPUT.tmp" "$INPUT" # mv keeps the mtime the generator set (the Kafka timestamp)
  fi
  DRAIN_FROM_HARNESS=0
fi

# logsift runs as plain JavaScript, as in production (bin/logsift runs tsc's dist/): the benchmark is
# bundled with esbuild (tsx's own transpiler, already installed) instead of run under the tsx loader,
# whose hook thread and transpile cache would add ~45 MB of RSS and start-up CPU to the figures.
node_modules/.bin/esbuild bench/throughput.ts --bundle --platform=node --format=esm --packages=external \
  --log-level=warning --outfile=bench/.data/throughput.mjs
echo "bench: logsift over $LINES lines of $INPUT (load: $(cut -d' ' -f1-3 /proc/loadavg))..." >&2
LS=$(BENCH_INPUT="$INPUT" BENCH_LINES="$LINES" BENCH_DRAIN="$DRAIN_FROM_HARNESS" \
  timed bench/.data/logsift.time $PIN node bench/.data/throughput.mjs | tail -1)
echo "logsift: $LS" >&2
echo "bench: drain3 over the same $LINES lines, unwrapped ($MESSAGES; load: $(cut -d' ' -f1-3 /proc/loadavg))..." >&2
DR=$(timed bench/.data/drain3.time $PIN "$VENV/bin/python" bench/drain3_bench.py "$LINES" "$MESSAGES" | tail -1)
echo "drain3: $DR" >&2
LT=$(cat bench/.data/logsift.time 2>/dev/null || echo "")
DT=$(cat bench/.data/drain3.time 2>/dev/null || echo "")
node -e '
const a = JSON.parse(process.argv[1]), b = JSON.parse(process.argv[2]);
const proc = (t) => { if (!t) return "n/a"; const [u, s, m] = t.trim().split("\n").pop().split(",").map(Number); return `${(u + s).toFixed(1)} cpu-s, ${Math.round(m / 1024)} MB`; };
console.error(`wall: logsift ${a.linesPerSec} lines/s, drain3 ${b.linesPerSec} lines/s (${(a.linesPerSec / b.linesPerSec).toFixed(1)}x); logsift CPU µs/line ${JSON.stringify(a.cpuUsPerLine)}`);
console.error(`cpu: logsift ${a.cpuSeconds} s, drain3 ${b.cpuSeconds} s for ${a.lines} lines; peak RSS logsift ${a.peakRssMb} MB, drain3 ${b.peakRssMb} MB; whole processes: logsift ${proc(process.argv[3])}, drain3 ${proc(process.argv[4])}`);
console.log(`logsift ${a.cpuLinesPerSec} lines/s, drain3 ${b.cpuLinesPerSec} lines/s, ratio ${(a.cpuLinesPerSec / b.cpuLinesPerSec).toFixed(1)}x, peak RSS ${a.peakRssMb} MB`);
' "$LS" "$DR" "$LT" "$DT"
