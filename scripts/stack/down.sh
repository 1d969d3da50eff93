#!/usr/bin/env bash
# `npm run stack:down`: stop Elasticsearch and Kafka started by up.sh (SIGTERM, then SIGKILL after
# LOGSIFT_STOP_TIMEOUT seconds) and remove .stack/env. Data and logs stay in .stack/ for a look
# after a failure; the next `up` wipes them. Safe to run when nothing is running.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stack_lock
if ! stack_load_state; then
  # No state file: address the default (or env-configured) locations.
  if [ "$(id -u)" -eq 0 ]; then ES_RUN_USER="$ES_USER_NAME"; else ES_RUN_USER="$(id -un)"; fi
  if id -u "$ES_RUN_USER" >/dev/null 2>&1; then
    es_setup_user
    es_locate_state
  else
    ES_STATE="$STACK_DIR/es"
    ES_PIDFILE="$ES_STATE/es.pid"
  fi
fi
rm -f "$ENV_FILE" "$SECURE_DIR/env"
es_stop
(es_select_secure && es_stop)
kafka_stop
rm -rf "$STATE_FILE" "$STACK_DIR/leases" "$STACK_DIR/started-by-test-run"
stack_log "stack down"
