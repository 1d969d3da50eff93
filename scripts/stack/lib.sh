# shellcheck shell=bash
# Shared settings and functions for the local Kafka + Elasticsearch test stack (docs/STACK.md).
# Sourced by up.sh, down.sh, es-ctl.sh and kafka-ctl.sh; never run directly.
#
# Everything is overridable by environment variables (defaults in brackets):
#   LOGSIFT_CACHE                  downloads [$HOME/.cache/calico-logsift]
#   LOGSIFT_STACK_DIR              run state, data, logs, env file [<repo>/.stack]
#   LOGSIFT_KAFKA_VERSION          [4.4.0]   (3.9.x also works: other logging backend)
#   LOGSIFT_ES_VERSION             [8.19.21] (integ-test-zip from Maven Central)
#   LOGSIFT_KAFKA_PORT             [19092]   broker listener (PLAINTEXT)
#   LOGSIFT_KAFKA_CONTROLLER_PORT  [19093]   KRaft controller listener
#   LOGSIFT_ES_PORT                [19200]   HTTP
#   LOGSIFT_ES_TRANSPORT_PORT      [19300]   transport (bound to loopback, unused by clients)
#   LOGSIFT_KAFKA_SASL_SSL_PORT    [19094]   SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)
#   LOGSIFT_KAFKA_SSL_PORT         [19095]   SSL listener with client certificates required (mutual TLS)
#   LOGSIFT_ES_SECURE_PORT         [19201]   HTTPS of the second, security-enabled Elasticsearch
#   LOGSIFT_ES_SECURE_TRANSPORT_PORT [19301] its transport (loopback, unused by clients)
#   LOGSIFT_STACK_SECURE           [1]       0 = no secure Elasticsearch (the Kafka listeners stay)
#   LOGSIFT_ES_USER                [logsift-es] system user that runs ES when we are root
#   LOGSIFT_JAVA_HOME              JDK for Kafka [$JAVA_HOME or the `java` on PATH]
#   LOGSIFT_ES_JAVA_HOME           JDK for ES [LOGSIFT_JAVA_HOME]; ES 8.x wants 17+, 9.x wants 21+
#   LOGSIFT_KAFKA_READY_TIMEOUT    seconds [120];  LOGSIFT_ES_READY_TIMEOUT seconds [240]
#   LOGSIFT_STOP_TIMEOUT           seconds between SIGTERM and SIGKILL [30]

set -euo pipefail
# runuser and useradd live in sbin, which a non-login root shell may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac

STACK_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STACK_REPO_ROOT="$(cd "$STACK_SCRIPTS_DIR/../.." && pwd)"
STACK_DIR="${LOGSIFT_STACK_DIR:-$STACK_REPO_ROOT/.stack}"
STACK_CACHE="${LOGSIFT_CACHE:-${HOME:-/root}/.cache/calico-logsift}"

KAFKA_VERSION="${LOGSIFT_KAFKA_VERSION:-4.4.0}"
ES_VERSION="${LOGSIFT_ES_VERSION:-8.19.21}"
# Kafka 4.x logs through log4j2 (KIP-653) but stays on slf4j-api 1.7.36, so the SLF4J 1.x binding.
LOG4J2_VERSION="2.24.3"
MAVEN_DEP_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.6.1"

KAFKA_PORT="${LOGSIFT_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${LOGSIFT_KAFKA_CONTROLLER_PORT:-19093}"
ES_PORT="${LOGSIFT_ES_PORT:-19200}"
ES_TRANSPORT_PORT="${LOGSIFT_ES_TRANSPORT_PORT:-19300}"
KAFKA_SASL_SSL_PORT="${LOGSIFT_KAFKA_SASL_SSL_PORT:-19094}"
KAFKA_SSL_PORT="${LOGSIFT_KAFKA_SSL_PORT:-19095}"
ES_SECURE_PORT="${LOGSIFT_ES_SECURE_PORT:-19201}"
ES_SECURE_TRANSPORT_PORT="${LOGSIFT_ES_SECURE_TRANSPORT_PORT:-19301}"
STACK_SECURE="${LOGSIFT_STACK_SECURE:-1}"
ES_USER_NAME="${LOGSIFT_ES_USER:-logsift-es}"
KAFKA_READY_TIMEOUT="${LOGSIFT_KAFKA_READY_TIMEOUT:-120}"
ES_READY_TIMEOUT="${LOGSIFT_ES_READY_TIMEOUT:-240}"
STOP_TIMEOUT="${LOGSIFT_STOP_TIMEOUT:-30}"

KAFKA_DIR="$STACK_DIR/kafka"
KAFKA_PIDFILE="$STACK_DIR/kafka.pid"
ENV_FILE="$STACK_DIR/env"
# Certificates and credentials of the secure listeners (docs/STACK.md, "Secure listeners").
SECURE_DIR="$STACK_DIR/secure"
STATE_FILE="$STACK_DIR/state"

# ---------------------------------------------------------------------------------------------
# Logging and timing (everything goes to stderr; stdout is reserved for the env lines of up.sh)

# Microseconds since the epoch (bash 5's EPOCHREALTIME without the decimal point).
stack_now() {
  if [ -n "${EPOCHREALTIME:-}" ]; then
    local t="${EPOCHREALTIME/[.,]/}"
    echo "$((10#$t))"
  else
    echo "$(($(date +%s%N) / 1000))"
  fi
}
stack_secs() { # elapsed seconds since $1 (microseconds), one decimal
  local d=$(($(stack_now) - $1))
  printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000))
}
STACK_T0="$(stack_now)"
_STEP_NAME=""
_STEP_T0=""

stack_log() { printf '[stack %6ss] %s\n' "$(stack_secs "$STACK_T0")" "$*" >&2; }
stack_die() {
  printf '[stack] ERROR: %s\n' "$*" >&2
  exit 1
}
step_begin() {
  _STEP_NAME="$1"
  _STEP_T0="$(stack_now)"
  stack_log "$1 ..."
}
step_end() {
  stack_log "$_STEP_NAME: done in $(stack_secs "$_STEP_T0")s${1:+ ($1)}"
}

# ---------------------------------------------------------------------------------------------
# Prerequisites

stack_require_cmd() { # cmd, what to install
  command -v "$1" >/dev/null 2>&1 || stack_die "'$1' not found on PATH. Install it: $2"
}

# Sets JAVA_BIN and JAVA_MAJOR for the JDK at $1 (or the java on PATH when $1 is empty).
stack_java_major() {
  local bin="$1" ver
  ver="$("$bin" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  case "$ver" in
  1.*) echo "${ver#1.}" | cut -d. -f1 ;;
  *) echo "$ver" | cut -d. -f1 | cut -d- -f1 ;;
  esac
}

stack_find_java() {
  local home="${LOGSIFT_JAVA_HOME:-${JAVA_HOME:-}}"
  if [ -n "$home" ]; then
    [ -x "$home/bin/java" ] || stack_die "no java at $home/bin/java (LOGSIFT_JAVA_HOME/JAVA_HOME)"
    KAFKA_JAVA_HOME="$home"
  else
    command -v java >/dev/null 2>&1 ||
      stack_die "java not found. Install a JDK 17: apt-get install -y openjdk-17-jdk-headless (or set LOGSIFT_JAVA_HOME)"
    KAFKA_JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  local major
  major="$(stack_java_major "$KAFKA_JAVA_HOME/bin/java")"
  [ "${major:-0}" -ge 17 ] 2>/dev/null ||
    stack_die "Kafka $KAFKA_VERSION needs Java 17+, found '$major' at $KAFKA_JAVA_HOME. Install: apt-get install -y openjdk-17-jdk-headless"
  ES_JAVA_HOME_SEL="${LOGSIFT_ES_JAVA_HOME:-$KAFKA_JAVA_HOME}"
  [ -x "$ES_JAVA_HOME_SEL/bin/java" ] || stack_die "no java at $ES_JAVA_HOME_SEL/bin/java (LOGSIFT_ES_JAVA_HOME)"
  local es_major need=17
  es_major="$(stack_java_major "$ES_JAVA_HOME_SEL/bin/java")"
  case "$ES_VERSION" in 9.*) need=21 ;; esac
  [ "${es_major:-0}" -ge "$need" ] 2>/dev/null ||
    stack_die "Elasticsearch $ES_VERSION needs Java $need+, found '$es_major' at $ES_JAVA_HOME_SEL (set LOGSIFT_ES_JAVA_HOME)"
}

stack_preflight() {
  stack_require_cmd curl "apt-get install -y curl"
  stack_require_cmd unzip "apt-get install -y unzip"
  stack_require_cmd flock "apt-get install -y util-linux"
  stack_find_java
}

# ---------------------------------------------------------------------------------------------
# Processes and ports

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pid_from() { if [ -s "$1" ]; then tr -dc '0-9' <"$1"; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops pid $1 (label $2), then removes pidfile $3: SIGTERM, wait STOP_TIMEOUT, SIGKILL, wait.
stop_pid() {
  local pid="$1" label="$2" pidfile="${3:-}" i
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid"; then
      stack_log "$label (pid $pid) still running after ${STOP_TIMEOUT}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        pid_alive "$pid" || break
        sleep 0.1
      done
    fi
    pid_alive "$pid" && stack_die "$label (pid $pid) survived SIGKILL"
  fi
  [ -z "$pidfile" ] || rm -f "$pidfile"
}

# SIGKILL at once (crash tests); pidfile $3 removed.
kill_pid() {
  local pid="$1" label="$2" pidfile="${3:-}" i
  if pid_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    pid_alive "$pid" && stack_die "$label (pid $pid) survived SIGKILL"
  fi
  [ -z "$pidfile" ] || rm -f "$pidfile"
}

# Pids of processes whose command line matches $1: the -Dlogsift.stack.<server>=<our folder> marker
# that we put on our own JVMs. A safety net for a lost pidfile, never a broad match.
pids_by_path() { pgrep -f -- "$1" 2>/dev/null || true; }

# ---------------------------------------------------------------------------------------------
# Fetch (Maven Central via mvn, cached outside the repo)

KAFKA_LIBS="$STACK_CACHE/kafka-$KAFKA_VERSION/libs"
ES_ZIP_DIR="$STACK_CACHE/elasticsearch-$ES_VERSION"
ES_ZIP="$ES_ZIP_DIR/elasticsearch-$ES_VERSION.zip"
STACK_M2="${LOGSIFT_MAVEN_REPO:-$STACK_CACHE/m2}"

_mvn() {
  stack_require_cmd mvn "apt-get install -y maven"
  # -B batch, -q quiet unless it fails; the local repo lives in the cache (self-contained, and
  # moving the cache aside really is a cold start).
  local out rc=0
  out="$(mvn -B -q -Dmaven.repo.local="$STACK_M2" "$@" 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | tail -40 >&2
    stack_die "mvn failed (exit $rc): mvn $*"
  fi
}

fetch_kafka() {
  local dir="$STACK_CACHE/kafka-$KAFKA_VERSION"
  if [ -f "$dir/.complete" ]; then
    stack_log "kafka $KAFKA_VERSION: cached ($(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $KAFKA_LIBS)"
    return 0
  fi
  step_begin "fetch kafka $KAFKA_VERSION (mvn copy-dependencies)"
  local tmp logging
  tmp="$(mktemp -d)"
  case "$KAFKA_VERSION" in
  3.*)
    # 3.9's POM carries no slf4j binding: without one the broker dies with NoClassDefFoundError.
    logging='<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>'
    ;;
  *)
    logging="<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J2_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J2_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J2_VERSION</version></dependency>"
    ;;
  esac
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.logsift</groupId><artifactId>stack-kafka</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion></exclusions>
    </dependency>
    $logging
  </dependencies>
</project>
EOF
  rm -rf "$dir.partial"
  _mvn -f "$tmp/pom.xml" "$MAVEN_DEP_PLUGIN:copy-dependencies" -DincludeScope=runtime \
    -DexcludeGroupIds=ch.qos.logback -DoutputDirectory="$dir.partial/libs"
  rm -rf "$tmp"
  [ -f "$dir.partial/libs/kafka_2.13-$KAFKA_VERSION.jar" ] ||
    stack_die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing in $dir.partial/libs"
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  step_end "$(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_LIBS" | cut -f1)"
}

fetch_es() {
  if [ -f "$ES_ZIP_DIR/.complete" ]; then
    stack_log "elasticsearch $ES_VERSION: cached ($ES_ZIP)"
    return 0
  fi
  step_begin "fetch elasticsearch $ES_VERSION integ-test-zip (mvn copy)"
  local tmp
  tmp="$(mktemp -d)"
  # A throw-away pom so that mvn never picks up a project from the current directory.
  cat >"$tmp/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.logsift</groupId><artifactId>stack-es</artifactId><version>0</version>
  <packaging>pom</packaging>
</project>
EOF
  rm -rf "$ES_ZIP_DIR.partial"
  _mvn -f "$tmp/pom.xml" "$MAVEN_DEP_PLUGIN:copy" \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$ES_ZIP_DIR.partial"
  rm -rf "$tmp"
  unzip -tq "$ES_ZIP_DIR.partial/elasticsearch-$ES_VERSION.zip" >/dev/null ||
    stack_die "downloaded ES zip is corrupt: $ES_ZIP_DIR.partial"
  # The zip is kept once, here: drop mvn's own copy (100 MB) from the local repository.
  rm -rf "$STACK_M2/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION"
  touch "$ES_ZIP_DIR.partial/.complete"
  rm -rf "$ES_ZIP_DIR"
  mv "$ES_ZIP_DIR.partial" "$ES_ZIP_DIR"
  step_end "$(du -sh "$ES_ZIP" | cut -f1)"
}

# ---------------------------------------------------------------------------------------------
# Elasticsearch user and locations
#
# ES refuses to run as root. When we are root, it runs as a system user (created if missing),
# its distribution is unpacked in that user's home (the cache under /root is not readable by
# it), and its state lives in .stack/es when that user can reach it, else in its home.

es_setup_user() {
  if [ "$(id -u)" -ne 0 ]; then
    ES_RUN_USER="$(id -un)"
    ES_DIST_ROOT="$STACK_CACHE/dist"
    return 0
  fi
  ES_RUN_USER="$ES_USER_NAME"
  stack_require_cmd runuser "apt-get install -y util-linux"
  if ! id -u "$ES_RUN_USER" >/dev/null 2>&1; then
    stack_require_cmd useradd "apt-get install -y passwd"
    stack_log "creating system user $ES_RUN_USER (Elasticsearch refuses to run as root)"
    useradd --system --user-group --create-home --home-dir "/var/lib/$ES_RUN_USER" \
      --shell /usr/sbin/nologin "$ES_RUN_USER"
  fi
  local home
  home="$(getent passwd "$ES_RUN_USER" | cut -d: -f6)"
  [ -n "$home" ] || stack_die "user $ES_RUN_USER has no home directory"
  mkdir -p "$home"
  chown "$ES_RUN_USER:" "$home"
  ES_DIST_ROOT="$home/dist"
}

# Run a command as the ES user (no-op wrapper when we are not root).
as_es() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$ES_RUN_USER" -- "$@"
  else
    "$@"
  fi
}

# Sets ES_STATE (config, data, logs, tmp, pidfile): .stack/es when reachable by the ES user.
es_locate_state() {
  mkdir -p "$STACK_DIR"
  if as_es test -x "$STACK_DIR" 2>/dev/null; then
    ES_STATE="$STACK_DIR/es"
  else
    local home
    home="$(getent passwd "$ES_RUN_USER" | cut -d: -f6)"
    ES_STATE="$home/stacks/$(printf '%s' "$STACK_DIR" | md5sum | cut -c1-12)"
  fi
  ES_PIDFILE="$ES_STATE/es.pid"
  ES_HOME_DIR="$ES_DIST_ROOT/elasticsearch-$ES_VERSION"
}

# Points the es_* functions at the second, security-enabled node (in a subshell: the plain
# node's variables stay as they are outside it).
es_select_secure() {
  ES_STATE="$ES_STATE-secure"
  ES_PIDFILE="$ES_STATE/es.pid"
  ES_PORT="$ES_SECURE_PORT"
  ES_TRANSPORT_PORT="$ES_SECURE_TRANSPORT_PORT"
  ES_SECURE_SELECTED=1
}

es_unpack() {
  if [ -f "$ES_HOME_DIR/.complete" ]; then return 0; fi
  step_begin "unpack elasticsearch $ES_VERSION into $ES_DIST_ROOT"
  mkdir -p "$ES_DIST_ROOT"
  rm -rf "$ES_HOME_DIR" "$ES_HOME_DIR.partial"
  mkdir -p "$ES_HOME_DIR.partial"
  unzip -q "$ES_ZIP" -d "$ES_HOME_DIR.partial"
  # The zip holds one top folder elasticsearch-<v>/.
  mv "$ES_HOME_DIR.partial/elasticsearch-$ES_VERSION" "$ES_HOME_DIR"
  rmdir "$ES_HOME_DIR.partial"
  chmod -R a+rX "$ES_HOME_DIR"
  touch "$ES_HOME_DIR/.complete"
  step_end
}

es_health() { # prints the status word (green/yellow/red) or nothing
  if [ "${ES_SECURE_SELECTED:-0}" = 1 ]; then
    curl -fsS --max-time 3 --cacert "$SECURE_DIR/ca.crt" -u "logsift-admin:$(secure_cred ES_ADMIN_PASSWORD)" \
      "https://127.0.0.1:$ES_PORT/_cluster/health?timeout=2s" 2>/dev/null |
      sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
  else
    curl -fsS --max-time 3 "http://127.0.0.1:$ES_PORT/_cluster/health?timeout=2s" 2>/dev/null |
      sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
  fi
}

es_healthy() { case "$(es_health)" in green | yellow) return 0 ;; *) return 1 ;; esac }

# The pid in a pidfile, but only while it is still our server: its command line carries our
# marker (a stale pidfile whose pid was reused by another process must never be killed).
pid_if_ours() { # pidfile, marker
  local pid
  pid="$(pid_from "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2 " && echo "$pid"
  return 0
}

es_pid() { pid_if_ours "$ES_PIDFILE" "-Dlogsift.stack.es=$ES_STATE"; }

# Starts ES on the existing $ES_STATE (config written by es_write_config); es_wait waits for it.
es_launch() {
  local pid
  pid="$(es_pid)"
  if pid_alive "$pid"; then
    stack_log "elasticsearch already running (pid $pid)"
  else
    port_open "$ES_PORT" && stack_die "port $ES_PORT is already in use by another process (set LOGSIFT_ES_PORT)"
    port_open "$ES_TRANSPORT_PORT" &&
      stack_die "port $ES_TRANSPORT_PORT is already in use by another process (set LOGSIFT_ES_TRANSPORT_PORT)"
    step_begin "start elasticsearch $ES_VERSION on 127.0.0.1:$ES_PORT"
    rm -f "$ES_PIDFILE"
    # -d daemonizes once the node is initialised; -p writes the server JVM's pid.
    local rc=0
    (cd "$ES_STATE" && as_es env ES_JAVA_HOME="$ES_JAVA_HOME_SEL" ES_PATH_CONF="$ES_STATE/config" \
      ES_JAVA_OPTS="-Dlogsift.stack.es=$ES_STATE" \
      ES_TMPDIR="$ES_STATE/tmp" timeout "$ES_READY_TIMEOUT" "$ES_HOME_DIR/bin/elasticsearch" -d -p "$ES_PIDFILE" \
      </dev/null >"$ES_STATE/logs/startup.out" 2>&1 9>&-) || rc=$?
    if [ "$rc" -ne 0 ]; then
      tail -30 "$ES_STATE/logs/startup.out" >&2 || true
      tail -30 "$ES_STATE/logs/logsift-stack.log" >&2 2>/dev/null || true
      stack_die "elasticsearch failed to start (exit $rc); logs in $ES_STATE/logs"
    fi
    step_end "pid $(es_pid)"
  fi
}

es_wait() {
  local pid
  step_begin "wait for elasticsearch health yellow/green"
  local deadline=$((SECONDS + ES_READY_TIMEOUT))
  until es_healthy; do
    pid="$(pid_from "$ES_PIDFILE")" # raw: es_pid is empty once the process is gone
    if [ -n "$pid" ] && ! pid_alive "$pid"; then
      tail -40 "$ES_STATE/logs/logsift-stack.log" >&2 2>/dev/null || true
      stack_die "elasticsearch (pid $pid) died during start-up; logs in $ES_STATE/logs"
    fi
    [ "$SECONDS" -lt "$deadline" ] || stack_die "elasticsearch not healthy after ${ES_READY_TIMEOUT}s; logs in $ES_STATE/logs"
    sleep 0.25
  done
  step_end "status $(es_health)"
}

es_start() {
  es_launch
  es_wait
}

es_stop() {
  local pid
  pid="$(es_pid)"
  if pid_alive "$pid"; then
    step_begin "stop elasticsearch (pid $pid)"
    stop_pid "$pid" elasticsearch "$ES_PIDFILE"
    step_end
  fi
  rm -f "$ES_PIDFILE"
  # Safety net: a server of ours whose pidfile was lost still names our config folder.
  local stray
  stray="$(pids_by_path "-Dlogsift.stack.es=$ES_STATE( |\$)")"
  for pid in $stray; do
    stack_log "stopping stray elasticsearch pid $pid (no pidfile)"
    stop_pid "$pid" elasticsearch
  done
}

# ---------------------------------------------------------------------------------------------
# Kafka

kafka_pid() { pid_if_ours "$KAFKA_PIDFILE" "-Dlogsift.stack.kafka=$KAFKA_DIR"; }

kafka_ready() {
  grep -q 'Kafka Server started' "$KAFKA_DIR/logs/server.log" 2>/dev/null && port_open "$KAFKA_PORT"
}

kafka_launch() {
  local pid
  pid="$(kafka_pid)"
  if pid_alive "$pid"; then
    stack_log "kafka already running (pid $pid)"
  else
    port_open "$KAFKA_PORT" && stack_die "port $KAFKA_PORT is already in use by another process (set LOGSIFT_KAFKA_PORT)"
    port_open "$KAFKA_CONTROLLER_PORT" &&
      stack_die "port $KAFKA_CONTROLLER_PORT is already in use by another process (set LOGSIFT_KAFKA_CONTROLLER_PORT)"
    port_open "$KAFKA_SASL_SSL_PORT" &&
      stack_die "port $KAFKA_SASL_SSL_PORT is already in use by another process (set LOGSIFT_KAFKA_SASL_SSL_PORT)"
    port_open "$KAFKA_SSL_PORT" &&
      stack_die "port $KAFKA_SSL_PORT is already in use by another process (set LOGSIFT_KAFKA_SSL_PORT)"
    step_begin "start kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
    local log_opt
    case "$KAFKA_VERSION" in
    3.*) log_opt="-Dlog4j.configuration=file:$KAFKA_DIR/config/log4j.properties" ;;
    *) log_opt="-Dlog4j2.configurationFile=$KAFKA_DIR/config/log4j2.properties" ;;
    esac
    # Rotate the previous server.log so that readiness only reads this start's lines.
    [ -f "$KAFKA_DIR/logs/server.log" ] && mv -f "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/logs/server.log.prev"
    # setsid: own session, so the JVM survives the caller (npm, vitest) and ignores its signals.
    setsid "$KAFKA_JAVA_HOME/bin/java" -Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      "$log_opt" -Dkafka.logs.dir="$KAFKA_DIR/logs" -Dlogsift.stack.kafka="$KAFKA_DIR" -cp "$KAFKA_LIBS/*" \
      kafka.Kafka "$KAFKA_DIR/config/server.properties" \
      </dev/null >"$KAFKA_DIR/logs/server.log" 2>&1 9>&- &
    echo $! >"$KAFKA_PIDFILE"
    step_end "pid $(pid_from "$KAFKA_PIDFILE")"
  fi
}

kafka_wait() {
  local pid
  step_begin "wait for kafka ('Kafka Server started' + port $KAFKA_PORT)"
  local deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  until kafka_ready; do
    pid="$(pid_from "$KAFKA_PIDFILE")"
    if ! pid_alive "$pid"; then
      tail -40 "$KAFKA_DIR/logs/server.log" >&2 || true
      stack_die "kafka (pid $pid) died during start-up; log: $KAFKA_DIR/logs/server.log"
    fi
    [ "$SECONDS" -lt "$deadline" ] || stack_die "kafka not ready after ${KAFKA_READY_TIMEOUT}s; log: $KAFKA_DIR/logs/server.log"
    sleep 0.2
  done
  step_end
}

kafka_start() {
  kafka_launch
  kafka_wait
}

# Creates and loads __consumer_offsets now (see KafkaWarmup.java). Needs a JDK (the source
# launcher compiles in memory); a failure only costs the first test group a few seconds, so warn.
kafka_warmup() {
  step_begin "warm up kafka group coordinator (__consumer_offsets)"
  local classes="$STACK_CACHE/kafka-$KAFKA_VERSION/warmup" out rc=0
  if [ ! -f "$classes/KafkaWarmup.class" ] || [ "$STACK_SCRIPTS_DIR/KafkaWarmup.java" -nt "$classes/KafkaWarmup.class" ]; then
    if [ ! -x "$KAFKA_JAVA_HOME/bin/javac" ]; then
      stack_log "WARNING: no javac in $KAFKA_JAVA_HOME (a JRE?): skipping the warm-up (apt-get install -y openjdk-17-jdk-headless)"
      return 0
    fi
    mkdir -p "$classes"
    "$KAFKA_JAVA_HOME/bin/javac" -nowarn -cp "$KAFKA_LIBS/*" -d "$classes" "$STACK_SCRIPTS_DIR/KafkaWarmup.java" >&2 || {
      stack_log "WARNING: compiling KafkaWarmup.java failed: skipping the warm-up"
      return 0
    }
  fi
  out="$(timeout 90 "$KAFKA_JAVA_HOME/bin/java" -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -cp "$KAFKA_LIBS/*:$classes" \
    "-Dlog4j2.configurationFile=$KAFKA_DIR/config/log4j2-tools.properties" \
    "-Dlog4j.configuration=file:$KAFKA_DIR/config/log4j-tools.properties" \
    KafkaWarmup "127.0.0.1:$KAFKA_PORT" 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | tail -15 >&2
    stack_log "WARNING: kafka warm-up failed (exit $rc); continuing (the first consumer group will wait instead)"
    return 0
  fi
  step_end "$(printf '%s\n' "$out" | tail -1)"
}

kafka_stop() {
  local pid
  pid="$(kafka_pid)"
  if pid_alive "$pid"; then
    step_begin "stop kafka (pid $pid)"
    stop_pid "$pid" kafka "$KAFKA_PIDFILE"
    step_end
  fi
  rm -f "$KAFKA_PIDFILE"
  local stray
  stray="$(pids_by_path "-Dlogsift.stack.kafka=$KAFKA_DIR( |\$)")"
  for pid in $stray; do
    stack_log "stopping stray kafka pid $pid (no pidfile)"
    stop_pid "$pid" kafka
  done
}

# ---------------------------------------------------------------------------------------------
# Configuration files (written fresh by up.sh)

kafka_write_config() {
  mkdir -p "$KAFKA_DIR/config" "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat >"$KAFKA_DIR/config/server.properties" <<EOF2
# Written by scripts/stack/up.sh: single-node KRaft (broker + controller in one JVM), loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT,SSL://127.0.0.1:$KAFKA_SSL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT,SSL://127.0.0.1:$KAFKA_SSL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL
# Secure listeners for the security tests (certificates and users: stack_write_secure).
# PEM key store = the server key and its chain in one file (KIP-651).
ssl.keystore.type=PEM
ssl.keystore.location=$SECURE_DIR/server-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$SECURE_DIR/ca.crt
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_logsift="$(secure_cred KAFKA_SASL_PASSWORD)";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$KAFKA_DIR/data
# One broker: every internal topic with replication factor 1, or KafkaJS loops on
# "The group coordinator is not available".
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
# Tests: first group join without the 3 s wait, topics created on first use with 3 partitions.
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
num.partitions=3
delete.topic.enable=true
# 2 cores: few threads.
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
background.threads=2
log.cleaner.threads=1
EOF2
  # Command-line tools (storage format, warm-up): warnings only, on stderr.
  printf '%s\n' 'log4j.rootLogger=WARN, stderr' 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender' \
    'log4j.appender.stderr.Target=System.err' 'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout' \
    'log4j.appender.stderr.layout.ConversionPattern=%p %m (%c)%n' >"$KAFKA_DIR/config/log4j-tools.properties"
  printf '%s\n' 'appender.stderr.type=Console' 'appender.stderr.name=STDERR' 'appender.stderr.target=SYSTEM_ERR' \
    'appender.stderr.layout.type=PatternLayout' 'appender.stderr.layout.pattern=%p %m (%c)%n' \
    'rootLogger.level=WARN' 'rootLogger.appenderRef.stderr.ref=STDERR' >"$KAFKA_DIR/config/log4j2-tools.properties"
  case "$KAFKA_VERSION" in
  3.*)
    cat >"$KAFKA_DIR/config/log4j.properties" <<EOF2
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
EOF2
    ;;
  *)
    cat >"$KAFKA_DIR/config/log4j2.properties" <<EOF2
name=logsift-stack-kafka
appender.stdout.type=Console
appender.stdout.name=STDOUT
appender.stdout.layout.type=PatternLayout
appender.stdout.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRefs=stdout
rootLogger.appenderRef.stdout.ref=STDOUT
logger.request.name=kafka.request.logger
logger.request.level=WARN
logger.statechange.name=state.change.logger
logger.statechange.level=WARN
logger.cleaner.name=kafka.log.LogCleaner
logger.cleaner.level=WARN
EOF2
    ;;
  esac
}

# A random 22-character base64url cluster id (what `kafka-storage.sh random-uuid` prints), made of
# letters and digits only: an id starting with '-' (1 run in 32 with '-' and '_') is taken for an
# option by kafka-storage's argument parser ("--cluster-id/-t: expected one argument").
kafka_cluster_id() { head -c 16 /dev/urandom | base64 | tr '+/' 'Ab' | cut -c1-22; }

kafka_format() {
  step_begin "format kafka storage (KRaft)"
  local out rc=0
  out="$("$KAFKA_JAVA_HOME/bin/java" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$KAFKA_LIBS/*" \
    "-Dlog4j2.configurationFile=$KAFKA_DIR/config/log4j2-tools.properties" \
    "-Dlog4j.configuration=file:$KAFKA_DIR/config/log4j-tools.properties" \
    kafka.tools.StorageTool format -t "$(kafka_cluster_id)" -c "$KAFKA_DIR/config/server.properties" \
    --add-scram "SCRAM-SHA-256=[name=logsift,password=$(secure_cred KAFKA_SASL_PASSWORD)]" \
    --add-scram "SCRAM-SHA-512=[name=logsift,password=$(secure_cred KAFKA_SASL_PASSWORD)]" 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf '%s\n' "$out" | tail -30 >&2
    stack_die "kafka storage format failed (exit $rc)"
  fi
  step_end
}

# ---------------------------------------------------------------------------------------------
# Secure listeners: a private CA, a server certificate for 127.0.0.1/localhost, a client
# certificate, a second CA that signed nothing of ours (wrong-CA tests), and random passwords.
# EC P-256 keys: openssl makes all of them in well under a second.

secure_cred() { sed -n "s/^$1=//p" "$SECURE_DIR/credentials.env" 2>/dev/null; }

_secure_openssl() { openssl "$@" 2>/dev/null || stack_die "openssl $1 failed (apt-get install -y openssl)"; }

stack_write_secure() {
  stack_require_cmd openssl "apt-get install -y openssl"
  rm -rf "$SECURE_DIR"
  mkdir -p "$SECURE_DIR"
  local d="$SECURE_DIR" ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  _secure_openssl req -x509 "${ec[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 30 -subj "/CN=logsift-stack-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  _secure_openssl req -x509 "${ec[@]}" -keyout "$d/other-ca.key" -out "$d/other-ca.crt" -days 30 \
    -subj "/CN=logsift-unrelated-ca" -addext "basicConstraints=critical,CA:TRUE"
  _secure_openssl req "${ec[@]}" -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost"
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' 'extendedKeyUsage=serverAuth' \
    'basicConstraints=CA:FALSE' >"$d/server.ext"
  _secure_openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/server.crt" -days 30 -extfile "$d/server.ext"
  _secure_openssl req "${ec[@]}" -keyout "$d/client.key" -out "$d/client.csr" -subj "/CN=logsift-client"
  printf '%s\n' 'extendedKeyUsage=clientAuth' 'basicConstraints=CA:FALSE' >"$d/client.ext"
  _secure_openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/client.crt" -days 30 -extfile "$d/client.ext"
  # The server presents its chain (leaf + CA): what a CA fingerprint is matched against.
  cat "$d/server.crt" "$d/ca.crt" >"$d/server-chain.crt"
  cat "$d/server.key" "$d/server-chain.crt" >"$d/server-keystore.pem"
  rm -f "$d"/*.csr "$d"/*.ext "$d"/*.srl
  local kp ep ap
  kp="k$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20)"
  ep="e$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20)"
  ap="a$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | cut -c1-20)"
  printf 'KAFKA_SASL_USERNAME=logsift\nKAFKA_SASL_PASSWORD=%s\nES_USERNAME=logsift\nES_PASSWORD=%s\nES_ADMIN_USERNAME=logsift-admin\nES_ADMIN_PASSWORD=%s\n' \
    "$kp" "$ep" "$ap" >"$d/credentials.env"
  # The ES user reads the CA (for curl/tests everyone may read the public parts).
  chmod 755 "$d"
  chmod 644 "$d"/*.crt
  chmod 600 "$d"/*.key "$d/credentials.env" "$d/server-keystore.pem"
}

# Elasticsearch's file realm hash (x-pack Hasher PBKDF2: PBKDF2WithHmacSHA512, 10000 rounds,
# 32-byte salt and key, `{PBKDF2}<cost>$<base64 salt>$<base64 key>`), so that no JVM tool
# (elasticsearch-users) has to start for it.
es_pbkdf2() {
  node -e 'const c=require("crypto");const s=c.randomBytes(32);const k=c.pbkdf2Sync(process.argv[1],s,10000,32,"sha512");process.stdout.write(`{PBKDF2}10000$${s.toString("base64")}$${k.toString("base64")}`)' "$1"
}

# The second node: security on (TLS on HTTP, file realm users, API keys), its own data.
es_write_secure_config() {
  rm -rf "$ES_STATE"
  mkdir -p "$ES_STATE/config/certs" "$ES_STATE/data" "$ES_STATE/logs" "$ES_STATE/tmp"
  cp -r "$ES_HOME_DIR/config/." "$ES_STATE/config/"
  mkdir -p "$ES_STATE/config/jvm.options.d"
  # Smaller heap than the plain node: it only serves the security tests.
  printf -- '-Xms256m\n-Xmx256m\n' >"$ES_STATE/config/jvm.options.d/heap.options"
  cp "$SECURE_DIR/server.key" "$SECURE_DIR/server-chain.crt" "$SECURE_DIR/ca.crt" "$ES_STATE/config/certs/"
  cat >"$ES_STATE/config/elasticsearch.yml" <<EOF2
# Written by scripts/stack/up.sh: the security-enabled single node for the security tests.
cluster.name: logsift-stack-secure
node.name: logsift-es-secure
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $ES_STATE/data
path.logs: $ES_STATE/logs
xpack.security.enabled: true
xpack.security.enrollment.enabled: false
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.key: certs/server.key
xpack.security.http.ssl.certificate: certs/server-chain.crt
xpack.security.http.ssl.certificate_authorities: [certs/ca.crt]
xpack.security.authc.api_key.enabled: true
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF2
  # File realm: logsift (the least-privilege role of docs/DEPLOY.md) and an admin for test set-up.
  printf 'logsift:%s\nlogsift-admin:%s\n' "$(es_pbkdf2 "$(secure_cred ES_PASSWORD)")" \
    "$(es_pbkdf2 "$(secure_cred ES_ADMIN_PASSWORD)")" >"$ES_STATE/config/users"
  printf 'logsift_writer:logsift\nsuperuser:logsift-admin\n' >"$ES_STATE/config/users_roles"
  cat >"$ES_STATE/config/roles.yml" <<'EOF2'
# What logsift run, report --es and the tests need (docs/DEPLOY.md, "Security").
logsift_writer:
  cluster: [monitor, manage_index_templates, manage_own_api_key]
  indices:
    - names: ['logsift-*', 'sec-*']
      privileges: [create_index, index, read, view_index_metadata, maintenance]
EOF2
  chmod 600 "$ES_STATE/config/certs/server.key" "$ES_STATE/config/users"
  if [ "$(id -u)" -eq 0 ]; then chown -R "$ES_RUN_USER:" "$ES_STATE"; fi
}

es_write_config() {
  rm -rf "$ES_STATE"
  mkdir -p "$ES_STATE/config" "$ES_STATE/data" "$ES_STATE/logs" "$ES_STATE/tmp"
  cp -r "$ES_HOME_DIR/config/." "$ES_STATE/config/"
  mkdir -p "$ES_STATE/config/jvm.options.d"
  printf -- '-Xms512m\n-Xmx512m\n' >"$ES_STATE/config/jvm.options.d/heap.options"
  # Any other xpack.* or module setting is unknown (fatal) in the integ-test zip.
  cat >"$ES_STATE/config/elasticsearch.yml" <<EOF2
# Written by scripts/stack/up.sh: single node on loopback for tests.
cluster.name: logsift-stack
node.name: logsift-es
discovery.type: single-node
network.host: 127.0.0.1
http.port: $ES_PORT
transport.port: $ES_TRANSPORT_PORT
path.data: $ES_STATE/data
path.logs: $ES_STATE/logs
xpack.security.enabled: false
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
EOF2
  if [ "$(id -u)" -eq 0 ]; then chown -R "$ES_RUN_USER:" "$ES_STATE"; fi
}

# ---------------------------------------------------------------------------------------------
# State of the running stack (what down.sh and the *-ctl.sh scripts address)

stack_write_state() {
  cat >"$STATE_FILE" <<EOF2
KAFKA_VERSION='$KAFKA_VERSION'
ES_VERSION='$ES_VERSION'
KAFKA_PORT='$KAFKA_PORT'
KAFKA_CONTROLLER_PORT='$KAFKA_CONTROLLER_PORT'
ES_PORT='$ES_PORT'
ES_TRANSPORT_PORT='$ES_TRANSPORT_PORT'
KAFKA_SASL_SSL_PORT='$KAFKA_SASL_SSL_PORT'
KAFKA_SSL_PORT='$KAFKA_SSL_PORT'
ES_SECURE_PORT='$ES_SECURE_PORT'
ES_SECURE_TRANSPORT_PORT='$ES_SECURE_TRANSPORT_PORT'
STACK_SECURE='$STACK_SECURE'
KAFKA_JAVA_HOME='$KAFKA_JAVA_HOME'
ES_JAVA_HOME_SEL='$ES_JAVA_HOME_SEL'
ES_RUN_USER='$ES_RUN_USER'
ES_STATE='$ES_STATE'
ES_PIDFILE='$ES_PIDFILE'
ES_HOME_DIR='$ES_HOME_DIR'
KAFKA_LIBS='$KAFKA_LIBS'
EOF2
}

# Loads the state written by up.sh; returns 1 when there is none.
stack_load_state() {
  [ -f "$STATE_FILE" ] || return 1
  # shellcheck disable=SC1090
  . "$STATE_FILE"
}

stack_write_env() {
  local tmp="$ENV_FILE.tmp.$$"
  printf 'KAFKA_BROKERS=127.0.0.1:%s\nES_URL=http://127.0.0.1:%s\n' "$KAFKA_PORT" "$ES_PORT" >"$tmp"
  mv -f "$tmp" "$ENV_FILE"
  # The secure side (test/integration/helpers/secure.ts reads it): addresses and files, no secret
  # (those stay in secure/credentials.env, mode 600).
  tmp="$SECURE_DIR/env.tmp.$$"
  {
    printf 'KAFKA_SASL_SSL_BROKERS=127.0.0.1:%s\nKAFKA_SSL_BROKERS=127.0.0.1:%s\n' "$KAFKA_SASL_SSL_PORT" "$KAFKA_SSL_PORT"
    [ "$STACK_SECURE" = 1 ] && printf 'ES_SECURE_URL=https://127.0.0.1:%s\n' "$ES_SECURE_PORT"
    printf 'CA_FILE=%s\nOTHER_CA_FILE=%s\nCLIENT_CERT_FILE=%s\nCLIENT_KEY_FILE=%s\nCREDENTIALS_FILE=%s\n' \
      "$SECURE_DIR/ca.crt" "$SECURE_DIR/other-ca.crt" "$SECURE_DIR/client.crt" "$SECURE_DIR/client.key" "$SECURE_DIR/credentials.env"
  } >"$tmp"
  mv -f "$tmp" "$SECURE_DIR/env"
}

# Serialises up/down/ctl scripts. Every server we launch closes fd 9 (`9>&-`): a JVM that
# inherited it would hold the lock for its whole life.
stack_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 900 9 || stack_die "another stack script holds $STACK_DIR/.lock"
}
