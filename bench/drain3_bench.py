"""Drain3 (PyPI `drain3`, default config) mining the same messages as logsift.

  python bench/drain3_bench.py LINES [MESSAGES_FILE]

Streams MESSAGES_FILE (default bench/.data/messages.txt: one unwrapped message per line, written by
bench/throughput.ts or by the generators' --messages option), cycling it until LINES messages (every
line counts, empty ones too: they are lines logsift counts as well), feeds each to
TemplateMiner.add_log_message, and prints one JSON line: lines/s (wall), cpuLinesPerSec (this
process's CPU time, meaningful on a shared machine: user + system, as process.cpuUsage() in node),
peakRssMb (getrusage ru_maxrss) and the cluster count. Streaming keeps the input out of the RSS.
LINES=0: the whole file once.
"""
import json
import logging
import os
import resource
import sys
import time

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

logging.disable(logging.CRITICAL)

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
path = sys.argv[2] if len(sys.argv) > 2 else "bench/.data/messages.txt"


def cpu() -> float:
    t = os.times()
    return t.user + t.system


config = TemplateMinerConfig()  # defaults: no masking, sim_th 0.4, depth 4
miner = TemplateMiner(config=config)
t0 = time.perf_counter()
c0 = cpu()
n = 0
while lines == 0 or n < lines:
    before = n
    with open(path, encoding="utf-8", errors="replace") as f:
        for msg in f:
            if lines and n >= lines:
                break
            miner.add_log_message(msg.rstrip("\n"))
            n += 1
    if lines == 0 or n == before:
        break
seconds = time.perf_counter() - t0
cpu_seconds = cpu() - c0
print(json.dumps({"lines": n, "seconds": round(seconds, 2), "linesPerSec": round(n / seconds),
                  "cpuSeconds": round(cpu_seconds, 2), "cpuLinesPerSec": round(n / cpu_seconds),
                  "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "clusters": len(miner.drain.clusters)}))
