#!/usr/bin/env bash
# Stop, start or restart ONLY the Kafka broker of a stack started by up.sh, keeping its data
# (topics, committed offsets). `start` waits for 'Kafka Server started' and the port.
#   bash scripts/stack/kafka-ctl.sh stop|start|restart|status
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-}"
stack_lock
stack_load_state || stack_die "no stack state in $STATE_FILE: run 'npm run stack:up' first"
case "$cmd" in
stop) kafka_stop ;;
start) kafka_start ;;
restart)
  kafka_stop
  kafka_start
  ;;
status)
  if pid_alive "$(kafka_pid)"; then echo "running pid=$(kafka_pid)"; else echo "stopped"; fi
  ;;
*) stack_die "usage: kafka-ctl.sh stop|start|restart|status" ;;
esac
