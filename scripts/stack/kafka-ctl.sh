#!/usr/bin/env bash
# Only the Kafka broker of a stack started by up.sh, keeping its data (topics, committed offsets).
#   stop     SIGTERM, SIGKILL after LOGSIFT_STOP_TIMEOUT s    kill     SIGKILL at once (a crash)
#   start    start on the existing data, wait for 'Kafka Server started' and the port
#   restart  stop + start                                     status   running/stopped
#   bash scripts/stack/kafka-ctl.sh stop|kill|start|restart|status
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"
stack_lock
stack_load_state || stack_die "no stack state in $STATE_FILE: run 'npm run stack:up' first"
case "$cmd" in
stop) kafka_stop ;;
kill)
  pid="$(kafka_pid)"
  if [ -n "$pid" ]; then
    kill_pid "$pid" kafka "$KAFKA_PIDFILE"
    stack_log "kafka (pid $pid) killed with SIGKILL"
  fi
  ;;
start) kafka_start ;;
restart)
  kafka_stop
  kafka_start
  ;;
status)
  if pid_alive "$(kafka_pid)"; then echo "running pid=$(kafka_pid)"; else echo "stopped"; fi
  ;;
*) stack_die "usage: kafka-ctl.sh stop|kill|start|restart|status" ;;
esac
