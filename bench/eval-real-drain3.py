"""Drain3 (PyPI `drain3`, default TemplateMinerConfig: no masking, sim_th 0.4, depth 4) over the
lines bench/eval-real.ts writes on stdin (one JSON string per line). Prints one cluster id per input
line, in order. Each run is one fresh miner, i.e. one dataset."""
import json
import logging
import sys

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

logging.disable(logging.CRITICAL)
miner = TemplateMiner(config=TemplateMinerConfig())
out = []
for raw in sys.stdin:
    if not raw.strip():
        continue
    result = miner.add_log_message(json.loads(raw))
    out.append(str(result["cluster_id"]))
sys.stdout.write("\n".join(out) + ("\n" if out else ""))
