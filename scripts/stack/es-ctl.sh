#!/usr/bin/env bash
# Stop, start or restart ONLY the Elasticsearch of a stack started by up.sh, keeping its data
# (for outage tests: `es-ctl.sh stop; sleep 20; es-ctl.sh start`). `start` waits for health
# yellow/green. `status` prints running/stopped and the health word.
#   bash scripts/stack/es-ctl.sh stop|start|restart|status
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"
stack_lock
stack_load_state || stack_die "no stack state in $STATE_FILE: run 'npm run stack:up' first"
case "$cmd" in
stop) es_stop ;;
start) es_start ;;
restart)
  es_stop
  es_start
  ;;
status)
  if pid_alive "$(es_pid)"; then echo "running pid=$(es_pid) health=$(es_health)"; else echo "stopped"; fi
  ;;
*) stack_die "usage: es-ctl.sh stop|start|restart|status" ;;
esac
