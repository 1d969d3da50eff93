#!/usr/bin/env bash
# `npm run stack:up`: fetch (cached), start and wait for a single-node Kafka (KRaft) and a
# single-node Elasticsearch on loopback, then write .stack/env:
#   KAFKA_BROKERS=127.0.0.1:<port>
#   ES_URL=http://127.0.0.1:<port>
# Idempotent: when the stack is already up and healthy it only rewrites .stack/env. Otherwise it
# stops whatever of ours is left and starts both on fresh data. Progress and timings go to
# stderr; the two env lines are also printed on stdout, followed by `# status=started` or
# `# status=reused`. Settings: scripts/stack/lib.sh, docs/STACK.md.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stack_preflight
stack_lock
es_setup_user
es_locate_state

# Already up with the same versions and ports? Then only rewrite the env file.
want="$KAFKA_VERSION $ES_VERSION $KAFKA_PORT $ES_PORT $ES_STATE $KAFKA_SASL_SSL_PORT $KAFKA_SSL_PORT $ES_SECURE_PORT $STACK_SECURE"
if (
  stack_load_state &&
    [ "$KAFKA_VERSION $ES_VERSION $KAFKA_PORT $ES_PORT $ES_STATE $KAFKA_SASL_SSL_PORT $KAFKA_SSL_PORT $ES_SECURE_PORT $STACK_SECURE" = "$want" ] &&
    pid_alive "$(kafka_pid)" && kafka_ready && pid_alive "$(es_pid)" && es_healthy &&
    { [ "$STACK_SECURE" != 1 ] || (es_select_secure && pid_alive "$(es_pid)" && es_healthy); }
); then
  stack_write_env
  stack_log "already running and healthy: rewrote $ENV_FILE"
  cat "$ENV_FILE"
  echo '# status=reused'
  exit 0
fi

# Stop whatever of ours is left (a half-dead stack, or one started with other settings: its
# state file says where it lives), then the same for the settings asked for now.
if [ -f "$STATE_FILE" ]; then (stack_load_state && es_stop && (es_select_secure && es_stop) && kafka_stop); fi
es_stop
(es_select_secure && es_stop)
kafka_stop
rm -f "$ENV_FILE" "$STATE_FILE"
# A fresh stack: forget the leases and owner mark of test runs on the previous one (global-setup.ts).
rm -rf "$STACK_DIR/leases" "$STACK_DIR/started-by-test-run"

fetch_kafka
fetch_es
es_unpack

# On any failure from here on, stop what we started: leave no process behind.
started=0
es_launch_pid=""
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$started" -eq 1 ]; then
    stack_log "start-up failed: stopping what was started"
    set +e
    # A background `elasticsearch -d` still starting would leave a server behind: let it finish.
    [ -n "${es_launch_pid:-}" ] && wait "$es_launch_pid" 2>/dev/null
    [ -n "${es_secure_launch_pid:-}" ] && wait "$es_secure_launch_pid" 2>/dev/null
    es_stop
    (es_select_secure && es_stop)
    kafka_stop
    rm -f "$STATE_FILE"
  fi
}
trap on_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

step_begin "fresh data and config in $STACK_DIR"
rm -rf "$KAFKA_DIR"
# Certificates and passwords first: the Kafka config and storage format carry the users.
stack_write_secure
kafka_write_config
es_write_config
if [ "$STACK_SECURE" = 1 ]; then (es_select_secure && es_write_secure_config); fi
step_end
kafka_format
started=1
stack_write_state
# Both JVMs boot at once: `elasticsearch -d` (which returns once its node is initialised) runs in
# a background subshell while Kafka is awaited and warmed up.
kafka_launch
es_launch &
es_launch_pid=$!
es_secure_launch_pid=""
if [ "$STACK_SECURE" = 1 ]; then
  (es_select_secure && es_launch) &
  es_secure_launch_pid=$!
fi
kafka_wait
kafka_warmup
wait "$es_launch_pid" || exit 1
es_wait
if [ -n "$es_secure_launch_pid" ]; then
  wait "$es_secure_launch_pid" || exit 1
  (es_select_secure && es_wait)
fi
stack_write_env
trap - EXIT TERM INT
stack_log "stack up: kafka $KAFKA_VERSION (pid $(kafka_pid)), elasticsearch $ES_VERSION (pid $(es_pid)); $ENV_FILE written"
cat "$ENV_FILE"
echo '# status=started'
