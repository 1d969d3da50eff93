"""Drain3 (PyPI `drain3`, default config) mining the same messages as bench/throughput.ts.

Reads bench/.data/messages.txt (the unwrapped messages of one repetition of the sample), cycles them to
LINES messages, feeds each to TemplateMiner.add_log_message, and prints one JSON line with lines/s
(wall) and cpuLinesPerSec (this process's CPU time, meaningful on a shared machine).
"""
import json
import logging
import sys
import time

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

logging.disable(logging.CRITICAL)

lines = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
with open(sys.argv[2] if len(sys.argv) > 2 else "bench/.data/messages.txt", encoding="utf-8") as f:
    base = [l.rstrip("\n") for l in f if l.strip()]

config = TemplateMinerConfig()  # defaults: no masking, sim_th 0.4, depth 4
miner = TemplateMiner(config=config)
t0 = time.perf_counter()
c0 = time.process_time()
n = 0
while n < lines:
    for msg in base:
        if n >= lines:
            break
        miner.add_log_message(msg)
        n += 1
seconds = time.perf_counter() - t0
cpu_seconds = time.process_time() - c0
print(json.dumps({"lines": n, "seconds": round(seconds, 2), "linesPerSec": round(n / seconds),
                  "cpuSeconds": round(cpu_seconds, 2), "cpuLinesPerSec": round(n / cpu_seconds),
                  "clusters": len(miner.drain.clusters)}))
