#!/usr/bin/env bash
# `npm run bench:replay`: a realistic day of one cluster's Calico logs (bench/gen-day.ts: 6 h,
# 20 nodes, Fluent Bit envelopes, ~430k lines) through the real CLI, `node bin/logsift replay`
# (the whole process: start-up, reading, parse, classify, exact counting, NDJSON output), and
# Drain3 (defaults, bench/drain3_bench.py) mining the same lines already unwrapped, in the same run.
# Both in CPU seconds of the whole process (user + system, /usr/bin/time), one core each
# (taskset -c 0), one after the other.
#
# Checks exactness twice: the replay exits 3 when its counts do not add up to the lines read, and
# this script sums logsift.count over summaries.ndjson against the input's line count.
#
# Options (environment): REPLAY_NODES (20), REPLAY_HOURS (6), REPLAY_SEED (20250114),
# REPLAY_ENVELOPE (fluentbit | raw | cri), REPLAY_GEN_ARGS (more gen-day options, e.g.
# "--netlink-onset 07:30 --netlink-nodes 3"), REPLAY_BUILD=0 (use dist/ as it is),
# REPLAY_PROFILE=1 (then a second, profiled replay: `node --cpu-prof`, top 15 self-time functions).
#
# Last line: `replay <N> lines/cpu-s, drain3 <M> lines/cpu-s, ratio <R>x (target >= 2.5x), peak RSS
# logsift <X> MB, drain3 <Y> MB, <L> lines -> <S> summaries, counts exact`.
set -euo pipefail
cd "$(dirname "$0")/.."
NODES="${REPLAY_NODES:-20}"
HOURS="${REPLAY_HOURS:-6}"
SEED="${REPLAY_SEED:-20250114}"
ENVELOPE="${REPLAY_ENVELOPE:-fluentbit}"
GEN_ARGS="${REPLAY_GEN_ARGS:-}"
VENV=bench/.venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "bench:replay: creating $VENV with drain3 from PyPI" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q drain3==0.9.11
fi
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"
if [ ! -x /usr/bin/time ]; then
  echo "bench:replay: needs /usr/bin/time (GNU time) for the children's CPU seconds and peak RSS" >&2
  exit 2
fi
mkdir -p bench/.data

KEY=$( (cat bench/gen-lib.ts bench/gen-day.ts test/fixtures/calico-templates.tsv
        echo "$NODES $HOURS $SEED $ENVELOPE $GEN_ARGS") | sha1sum | cut -c1-12)
DAY="bench/.data/day-$KEY.log"
MESSAGES="bench/.data/day-$KEY.messages.txt"
if [ ! -s "$DAY" ] || [ ! -s "$MESSAGES" ]; then
  rm -f bench/.data/day-*.log bench/.data/day-*.messages.txt
  echo "bench:replay: generating the day into $DAY..." >&2
  # shellcheck disable=SC2086
  node --import tsx bench/gen-day.ts --nodes "$NODES" --hours "$HOURS" --seed "$SEED" --envelope "$ENVELOPE" \
    $GEN_ARGS --out "$DAY.tmp" --messages "$MESSAGES.tmp"
  mv "$MESSAGES.tmp" "$MESSAGES"
  mv "$DAY.tmp" "$DAY"
fi
LINES=$(wc -l <"$DAY")

if [ "${REPLAY_BUILD:-1}" != "0" ]; then
  echo "bench:replay: npm run build" >&2
  npm run -s build >&2
fi

OUT=bench/.data/replay-out
rm -rf "$OUT"
echo "bench:replay: logsift replay over $LINES lines (load: $(cut -d' ' -f1-3 /proc/loadavg))..." >&2
set +e
/usr/bin/time -f %U,%S,%M -o bench/.data/replay.time $PIN node bin/logsift replay "$DAY" --out "$OUT" --quiet \
  2>bench/.data/replay.stderr
RC=$?
set -e
cat bench/.data/replay.stderr >&2
if [ "$RC" -ne 0 ]; then
  if [ "$RC" -eq 3 ]; then echo "bench:replay: replay exit 3: counts do not add up (not exact)" >&2; fi
  echo "bench:replay: logsift replay failed (exit $RC)" >&2
  exit "$RC"
fi
echo "bench:replay: drain3 over the same $LINES lines, unwrapped (load: $(cut -d' ' -f1-3 /proc/loadavg))..." >&2
DR=$(/usr/bin/time -f %U,%S,%M -o bench/.data/drain3-day.time $PIN "$VENV/bin/python" bench/drain3_bench.py 0 \
  "$MESSAGES" | tail -1)
echo "drain3: $DR" >&2

if [ "${REPLAY_PROFILE:-0}" = "1" ]; then
  PROF=bench/.data/replay-prof
  rm -rf "$PROF" "$OUT-prof"
  echo "bench:replay: profiled replay (node --cpu-prof)..." >&2
  $PIN node --cpu-prof --cpu-prof-dir="$PROF" bin/logsift replay "$DAY" --out "$OUT-prof" --quiet 2>/dev/null
  node --import tsx bench/cpuprofile-top.ts "$(ls "$PROF"/*.cpuprofile | head -1)" 15 >&2
fi

node -e '
const { readFileSync, createReadStream } = require("node:fs");
const { createInterface } = require("node:readline");
const [lines, out, dr] = [Number(process.argv[1]), process.argv[2], JSON.parse(process.argv[3])];
const time = (f) => { const [u, s, m] = readFileSync(f, "utf8").trim().split("\n").pop().split(",").map(Number); return { cpu: u + s, rssMb: Math.round(m / 1024) }; };
const ls = time("bench/.data/replay.time"), d3 = time("bench/.data/drain3-day.time");
(async () => {
  // Independent of the replay s own check: sum logsift.count over the summary and dead-letter documents.
  let sum = 0, docs = 0;
  for await (const l of createInterface({ input: createReadStream(`${out}/summaries.ndjson`) })) {
    if (l === "") continue;
    sum += JSON.parse(l)._source.logsift.count; docs++;
  }
  const exact = sum === lines && dr.lines === lines;
  const lsRate = lines / ls.cpu, drRate = dr.lines / d3.cpu;
  console.error(`cpu: logsift replay ${ls.cpu.toFixed(2)} s (${(1e6 * ls.cpu / lines).toFixed(1)} µs/line), drain3 ${d3.cpu.toFixed(2)} s (${(1e6 * d3.cpu / dr.lines).toFixed(1)} µs/line; its mining loop alone ${dr.cpuSeconds} s); drain3 clusters ${dr.clusters}; Σ logsift.count ${sum} over ${docs} documents for ${lines} lines`);
  console.log(`replay ${Math.round(lsRate)} lines/cpu-s, drain3 ${Math.round(drRate)} lines/cpu-s, ratio ${(lsRate / drRate).toFixed(2)}x (target >= 2.5x), peak RSS logsift ${ls.rssMb} MB, drain3 ${d3.rssMb} MB, ${lines} lines -> ${docs} summaries, counts ${exact ? "exact" : "NOT EXACT"}`);
  if (!exact) process.exit(3);
})();
' "$LINES" "$OUT" "$DR"
