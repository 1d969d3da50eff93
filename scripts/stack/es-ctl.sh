#!/usr/bin/env bash
# Only the Elasticsearch of a stack started by up.sh, keeping its data (outage tests:
# `es-ctl.sh stop; sleep 20; es-ctl.sh start`).
#   stop     SIGTERM, SIGKILL after LOGSIFT_STOP_TIMEOUT s    kill     SIGKILL at once (a crash)
#   start    start on the existing data, wait for health yellow/green
#   restart  stop + start                                     status   running/stopped + health
#   bash scripts/stack/es-ctl.sh stop|kill|start|restart|status
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"
stack_lock
stack_load_state || stack_die "no stack state in $STATE_FILE: run 'npm run stack:up' first"
case "$cmd" in
stop) es_stop ;;
kill)
  pid="$(es_pid)"
  if [ -n "$pid" ]; then
    kill_pid "$pid" elasticsearch "$ES_PIDFILE"
    stack_log "elasticsearch (pid $pid) killed with SIGKILL"
  fi
  ;;
start) es_start ;;
restart)
  es_stop
  es_start
  ;;
status)
  if pid_alive "$(es_pid)"; then echo "running pid=$(es_pid) health=$(es_health)"; else echo "stopped"; fi
  ;;
*) stack_die "usage: es-ctl.sh stop|kill|start|restart|status" ;;
esac
