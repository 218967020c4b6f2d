#!/usr/bin/env bash
# Local stack: real FerretDB (MongoDB API), OpenSearch and moto (CloudFront API) on 127.0.0.1,
# built and cached under .local/ by this script alone (no Docker).
#
#   bash scripts/stack.sh up [svc...]      build if needed, start, wait until ready (idempotent)
#   bash scripts/stack.sh down [svc...]    stop (SIGTERM, then SIGKILL), leave nothing running
#   bash scripts/stack.sh start SVC        = up SVC
#   bash scripts/stack.sh stop SVC         = down SVC
#   bash scripts/stack.sh restart [svc...] = down + up
#   bash scripts/stack.sh env              KEY=value lines for the service (stdout only)
#   bash scripts/stack.sh status           which services run
#   bash scripts/stack.sh logs SVC [N]     last N lines of a server log
#
# Services: ferretdb, opensearch, moto. Each is a set of functions build_X, start_X, ready_X,
# after_start_X/after_stop_X, port_X, cmd_X (matches its command line), expect_X (the settings it
# must run with) and timeout_X/stop_timeout_X; stopping is generic. Adding a service = adding
# those functions + a SERVICES entry.
# Processes are only ever recognised as ours by cmd_X AND the STACK_SERVICE=<svc>@<STACK_DIR>
# variable that launch puts in their environment, so servers that tests spawn themselves from the
# same binaries (other ports/data dirs) are never adopted or killed by this script.
#
# Environment: STACK_DIR (default <repo>/.local/stack), STACK_FERRETDB_PORT (27018),
# STACK_OPENSEARCH_PORT (9201), STACK_OPENSEARCH_TRANSPORT_PORT (HTTP port + 1000),
# STACK_MOTO_PORT (5055), STACK_OPENSEARCH_HEAP (512m),
# STACK_M2_REPO (default <repo>/.local/m2), STACK_JAVA_HOME (a JDK 17 or 21).
# Progress goes to stderr; only `env`/`status`/`logs` write to stdout.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK_DIR="${STACK_DIR:-$ROOT/.local/stack}"
mkdir -p "$STACK_DIR"
STACK_DIR="$(cd "$STACK_DIR" && pwd)"

HOST=127.0.0.1
SERVICES=(ferretdb opensearch moto)

RUN_DIR="$STACK_DIR/run"      # pid files and per-run state
LOG_DIR="$STACK_DIR/logs"     # <svc>.log (servers) and build-<svc>.log
BIN_DIR="$STACK_DIR/bin"
BUILD_DIR="$STACK_DIR/build"  # build outputs and input fingerprints
DATA_DIR="$STACK_DIR/data"
VENV_DIR="$STACK_DIR/venv"
M2_REPO="${STACK_M2_REPO:-$ROOT/.local/m2}"

port_ferretdb() { echo "${STACK_FERRETDB_PORT:-27018}"; }
port_opensearch() { echo "${STACK_OPENSEARCH_PORT:-9201}"; }
port_moto() { echo "${STACK_MOTO_PORT:-5055}"; }
# OpenSearch's node-to-node transport: one fixed port (its default range 9300-9399 would take the
# first free port, possibly the HTTP port asked for), HTTP + 1000 unless set.
port_opensearch_transport() {
  local p=${STACK_OPENSEARCH_TRANSPORT_PORT:-$(($(port_opensearch) + 1000))}
  ((p > 0 && p < 65536)) || die "opensearch: transport port $p is out of range; set STACK_OPENSEARCH_TRANSPORT_PORT"
  echo "$p"
}

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
say() { printf '[stack] %s\n' "$*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not on PATH${2:+ ($2)}"; }

is_service() {
  local s
  for s in "${SERVICES[@]}"; do [[ $s == "$1" ]] && return 0; done
  return 1
}

# fingerprint LABEL=FILE|STRING... -> sha256 of the contents (files) and strings, in order
fingerprint() {
  local a
  for a in "$@"; do
    if [[ -f $a ]]; then
      printf 'file %s\n' "${a#"$ROOT"/}"
      cat "$a"
    else
      printf 'str %s\n' "$a"
    fi
  done | sha256sum | cut -d' ' -f1
}
stamp_ok() { [[ -f "$BUILD_DIR/$1.fingerprint" && "$(cat "$BUILD_DIR/$1.fingerprint")" == "$2" ]]; }
stamp_write() {
  mkdir -p "$BUILD_DIR"
  printf '%s\n' "$2" >"$BUILD_DIR/$1.fingerprint"
}

# run_logged LOGFILE cmd... : run a build step with its output in LOGFILE; on failure show the tail
run_logged() {
  local log=$1
  shift
  mkdir -p "$LOG_DIR"
  if ! "$@" >"$log" 2>&1; then
    say "command failed: $*"
    say "last lines of $log:"
    tail -n 40 "$log" >&2 || true
    return 1
  fi
}

port_listening() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# http_ok URL : 2xx within a few seconds
http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 5 "$1" 2>/dev/null
  else
    python3 -c 'import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' "$1" >/dev/null 2>&1
  fi
}

# a live (not zombie) process?
pid_alive() {
  local st
  [[ -n ${1:-} && -r /proc/$1/stat ]] || return 1
  st=$(sed -e 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $st && $st != Z && $st != X ]]
}

# pids of this STACK_DIR's processes of a service: command line matches cmd_SVC and the
# environment carries the marker that launch sets
svc_marker() { echo "STACK_SERVICE=$1@$STACK_DIR"; }
svc_pids() {
  local svc=$1 pid args marker
  marker=$(svc_marker "$svc")
  while read -r pid args; do
    [[ $pid != "$$" ]] || continue
    "cmd_$svc" "$args" || continue
    pid_alive "$pid" || continue
    grep -qzxF -- "$marker" "/proc/$pid/environ" 2>/dev/null || continue
    echo "$pid"
  done < <(ps -e -ww -o pid=,args= 2>/dev/null)
  return 0
}

# who listens on a port (for error messages)
port_owner() {
  if command -v ss >/dev/null 2>&1; then
    ss -H -ltnp "sport = :$1" 2>/dev/null | sed -e 's/.*users:/users:/' | head -n 3
  elif command -v lsof >/dev/null 2>&1; then
    lsof -nP -iTCP:"$1" -sTCP:LISTEN 2>/dev/null | tail -n +2 | head -n 3
  fi
}

pidfile() { echo "$RUN_DIR/$1.pid"; }
logfile() { echo "$LOG_DIR/$1.log"; }

show_log_tail() {
  local log
  log=$(logfile "$1")
  if [[ -s $log ]]; then
    say "last lines of $log:"
    tail -n "${2:-40}" "$log" >&2 || true
  fi
}

# launch SVC cmd... : start a server detached (own session/process group), output to its log,
# stdin from /dev/null and no inherited descriptors (so callers' pipes never stay open).
launch() {
  local svc=$1 log pid
  shift
  log=$(logfile "$svc")
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  # keep logs bounded: rotate once above 20 MiB
  if [[ -f $log && $(stat -c %s "$log") -gt 20971520 ]]; then mv -f "$log" "$log.1"; fi
  printf '=== %s starting %s: %s\n' "$(date -u +%FT%TZ)" "$svc" "$*" >>"$log"
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      ((fd > 2)) && eval "exec $fd>&-" 2>/dev/null
    done
    exec env "$(svc_marker "$svc")" setsid "$@" </dev/null >>"$log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$(pidfile "$svc")"
}

# ---------------------------------------------------------------------------------------------
# ferretdb: FerretDB v1's own command, SQLite backend, as a one-member replica set
# ---------------------------------------------------------------------------------------------
# DocumentDB presents itself as a replica set, and the driver only sends $readPreference to a
# replica-set member (never to a standalone), so the stack's FerretDB must be one too. FerretDB's
# library Config has no replica-set name; its command has --repl-set-name. The command is built
# from a copy of the module's source out of the Go module cache (verified against the pinned
# checksum below), plus build/version/version.txt: the file its release build generates and whose
# absence makes a plain `go install .../cmd/ferretdb` panic at start-up.
FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
FERRETDB_SUM=h1:trrUU0LbmusMbyubhPS1IELncvrIwKrsRT2LW1UUWCw=
FERRETDB_REPL_SET=rs0
# bumped when the way the binary is built changes, so cached binaries are rebuilt
FERRETDB_RECIPE="cmd/ferretdb from module copy + version.txt; CGO_ENABLED=0 -trimpath -buildvcs=false"

timeout_ferretdb() { echo 60; }
stop_timeout_ferretdb() { echo 15; }
cmd_ferretdb() { [[ $1 == "$BIN_DIR/ferretdb "* ]]; }
expect_ferretdb() { echo "--listen-addr=$HOST:$(port_ferretdb) --repl-set-name=$FERRETDB_REPL_SET"; }

# ferretdb_args HOST:PORT DATA_DIR : the flags every FerretDB of the stack runs with (the tests'
# private instances in test/support/ferretdb-process.ts use the same ones; keep them in step).
# No telemetry, no debug HTTP listener (it would take 127.0.0.1:8088), state kept in memory.
ferretdb_args() {
  case $2 in *[%?#]*) die "ferretdb: the data dir '$2' must not contain %, ? or # (it becomes a file: URI)" ;; esac
  printf '%s\n' "--listen-addr=$1" "--repl-set-name=$FERRETDB_REPL_SET" \
    --handler=sqlite "--sqlite-url=file:$2/" \
    --state-dir=- --debug-addr=- --telemetry=disable \
    "--log-level=${STACK_FERRETDB_LOG_LEVEL:-warn}" --log-format=text
}

build_ferretdb() {
  local fp json dir sum src="$BUILD_DIR/ferretdb-src"
  need go "Go >= 1.24 builds FerretDB"
  fp=$(fingerprint "$FERRETDB_MODULE@$FERRETDB_VERSION $FERRETDB_SUM" "$FERRETDB_RECIPE" \
    "$(go env GOVERSION GOOS GOARCH | tr '\n' ' ')")
  if [[ -x $BIN_DIR/ferretdb ]] && stamp_ok ferretdb "$fp"; then return 0; fi
  say "ferretdb: building FerretDB $FERRETDB_VERSION (Go; the first build takes 1-3 minutes)..."
  mkdir -p "$BIN_DIR" "$BUILD_DIR" "$LOG_DIR"
  # The Go proxy and checksum database verify a first download; the pinned h1: sum is checked too.
  json=$(cd "$BUILD_DIR" && env GOTOOLCHAIN=local GOWORK=off \
    go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" 2>>"$LOG_DIR/build-ferretdb.log") ||
    die "ferretdb: go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed (see $LOG_DIR/build-ferretdb.log)"
  dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  sum=$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")
  [[ $sum == "$FERRETDB_SUM" ]] || die "ferretdb: module checksum is '$sum', expected $FERRETDB_SUM"
  [[ -d $dir/cmd/ferretdb ]] || die "ferretdb: no cmd/ferretdb in '$dir'"
  rm -rf "$src"
  cp -R "$dir" "$src"
  chmod -R u+w "$src"
  printf '%s\n' "$FERRETDB_VERSION" >"$src/build/version/version.txt"
  # The module's own go.sum pins its dependencies; -mod=readonly fails rather than changing it.
  (cd "$src" && run_logged "$LOG_DIR/build-ferretdb.log" \
    env CGO_ENABLED=0 GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly \
    go build -trimpath -buildvcs=false -o "$BIN_DIR/ferretdb.new" ./cmd/ferretdb) || die "ferretdb: build failed"
  rm -rf "$src"
  mv -f "$BIN_DIR/ferretdb.new" "$BIN_DIR/ferretdb"
  stamp_write ferretdb "$fp"
  if [[ -n $(svc_pids ferretdb) ]]; then say "ferretdb: rebuilt; the running instance keeps the old binary until 'restart ferretdb'"; fi
}

start_ferretdb() {
  local -a args
  mkdir -p "$DATA_DIR/ferretdb"
  mapfile -t args < <(ferretdb_args "$HOST:$(port_ferretdb)" "$DATA_DIR/ferretdb")
  ((${#args[@]})) || die "ferretdb: no arguments"
  launch ferretdb "$BIN_DIR/ferretdb" "${args[@]}"
}

# FerretDB opens its SQLite backend before it binds, so an accepted connection means ready.
ready_ferretdb() { port_listening "$(port_ferretdb)"; }

after_start_ferretdb() { :; }
after_stop_ferretdb() { :; }

# ---------------------------------------------------------------------------------------------
# opensearch: OpenSearch 2.19 node from Maven Central jars (stack/opensearch)
# ---------------------------------------------------------------------------------------------
timeout_opensearch() { echo 240; }
stop_timeout_opensearch() { echo 40; }
cmd_opensearch() { [[ $1 == *java" -Dstack.home=$DATA_DIR/opensearch "* ]]; }
expect_opensearch() { echo "-E http.port=$(port_opensearch) -E transport.port=$(port_opensearch_transport)"; }

JAVA_BIN=""
JAVA_HOME_SEL=""
# Find a JDK 17 (preferred) or 21: STACK_JAVA_HOME, java on PATH, JAVA_HOME, /usr/lib/jvm/*.
find_java() {
  [[ -n $JAVA_BIN ]] && return 0
  local want c v real cands=()
  [[ -n ${STACK_JAVA_HOME:-} ]] && cands+=("$STACK_JAVA_HOME/bin/java")
  c=$(command -v java 2>/dev/null || true)
  [[ -n $c ]] && cands+=("$c")
  [[ -n ${JAVA_HOME:-} ]] && cands+=("$JAVA_HOME/bin/java")
  for c in /usr/lib/jvm/*/bin/java; do [[ -x $c ]] && cands+=("$c"); done
  for want in 17 21; do
    for c in "${cands[@]}"; do
      [[ -x $c ]] || continue
      v=$("$c" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
      if [[ $v == "$want" ]]; then
        real=$(readlink -f "$c")
        JAVA_HOME_SEL=$(dirname "$(dirname "$real")")
        [[ -x $JAVA_HOME_SEL/bin/javac ]] || continue
        JAVA_BIN=$real
        return 0
      fi
    done
  done
  die "opensearch: needs a JDK 17 (or 21) with javac; set STACK_JAVA_HOME"
}

build_opensearch() {
  local src="$ROOT/stack/opensearch" out="$BUILD_DIR/opensearch" fp files
  find_java
  mapfile -t files < <(find "$src/src" -type f | LC_ALL=C sort)
  fp=$(fingerprint "$src/pom.xml" "${files[@]}" "$JAVA_HOME_SEL")
  if [[ -d $out/classes && -d $out/lib ]] && stamp_ok opensearch "$fp"; then return 0; fi
  need mvn "Maven builds stack/opensearch"
  say "opensearch: building launcher and fetching OpenSearch jars from Maven Central (cache: ${M2_REPO#"$ROOT"/})..."
  rm -rf "${out:?}/lib" "${out:?}/classes"
  run_logged "$LOG_DIR/build-opensearch.log" \
    env JAVA_HOME="$JAVA_HOME_SEL" mvn -B -ntp -f "$src/pom.xml" \
    -Dmaven.repo.local="$M2_REPO" -Dstack.build.dir="$out" \
    compile dependency:copy-dependencies || die "opensearch: build failed"
  stamp_write opensearch "$fp"
}

start_opensearch() {
  local home="$DATA_DIR/opensearch" out="$BUILD_DIR/opensearch" heap="${STACK_OPENSEARCH_HEAP:-512m}" transport
  find_java
  transport=$(port_opensearch_transport)
  [[ $transport != "$(port_opensearch)" ]] || die "opensearch: the transport port must differ from the HTTP port ($transport)"
  if port_listening "$transport"; then
    die "opensearch: transport port $HOST:$transport is in use: $(port_owner "$transport"); set STACK_OPENSEARCH_TRANSPORT_PORT"
  fi
  mkdir -p "$home/tmp" "$home/data" "$home/logs"
  # JVM options follow the distribution's jvm.options, trimmed for a small shared machine.
  launch opensearch "$JAVA_BIN" \
    "-Dstack.home=$home" \
    "-Xms$heap" "-Xmx$heap" -Xss1m \
    -XX:+UseG1GC -XX:G1ReservePercent=25 -XX:InitiatingHeapOccupancyPercent=30 \
    -XX:+AlwaysPreTouch -XX:-OmitStackTraceInFastThrow -XX:+ExitOnOutOfMemoryError \
    "-XX:ErrorFile=$LOG_DIR/opensearch-hs_err_pid%p.log" \
    -Djava.awt.headless=true -Dfile.encoding=UTF-8 -Djna.nosys=true \
    -Djava.locale.providers=SPI,COMPAT \
    -Dio.netty.noUnsafe=true -Dio.netty.noKeySetOptimization=true \
    -Dio.netty.recycler.maxCapacityPerThread=0 -Dio.netty.allocator.numDirectArenas=0 \
    -Dlog4j.shutdownHookEnabled=false -Dlog4j2.disable.jmx=true \
    "-Djava.io.tmpdir=$home/tmp" \
    -cp "$out/classes:$out/lib/*" local.stack.OpenSearchLauncher \
    -E "path.home=$home" -E "path.data=$home/data" -E "path.logs=$home/logs" \
    -E "network.host=$HOST" -E "http.port=$(port_opensearch)" -E "transport.port=$transport"
}

ready_opensearch() {
  http_ok "http://$HOST:$(port_opensearch)/_cluster/health?wait_for_status=yellow&timeout=2s"
}

after_start_opensearch() { :; }
after_stop_opensearch() { :; }

# ---------------------------------------------------------------------------------------------
# moto: AWS API emulator (PyPI), used for CloudFront; one distribution is created per start
# ---------------------------------------------------------------------------------------------
timeout_moto() { echo 60; }
stop_timeout_moto() { echo 15; }
cmd_moto() { [[ $1 == *"$VENV_DIR/bin/moto_server "* ]]; }
expect_moto() { echo "-p $(port_moto)"; }
distribution_file() { echo "$RUN_DIR/moto.distribution-id"; }

build_moto() {
  local req="$ROOT/stack/moto/requirements.txt" fp py
  need python3 "Python >= 3.9 runs moto"
  py=$(python3 -c 'import sys; print(sys.version.split()[0])')
  fp=$(fingerprint "$req" "python $py")
  if [[ -x $VENV_DIR/bin/moto_server ]] && stamp_ok moto "$fp"; then return 0; fi
  say "moto: installing ${req#"$ROOT"/} into ${VENV_DIR#"$ROOT"/} (pip, ~1 minute)..."
  if [[ ! -x $VENV_DIR/bin/python ]] || [[ "$("$VENV_DIR/bin/python" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null)" != "$py" ]]; then
    rm -rf "$VENV_DIR"
    run_logged "$LOG_DIR/build-moto.log" python3 -m venv "$VENV_DIR" || die "moto: could not create the venv (is python3-venv installed?)"
  fi
  run_logged "$LOG_DIR/build-moto.log" env PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$VENV_DIR/bin/python" -m pip install -r "$req" || die "moto: pip install failed"
  stamp_write moto "$fp"
}

start_moto() {
  rm -f "$(distribution_file)"
  launch moto env NO_COLOR=1 "$VENV_DIR/bin/python" "$VENV_DIR/bin/moto_server" -H "$HOST" -p "$(port_moto)"
}

ready_moto() { http_ok "http://$HOST:$(port_moto)/moto-api/"; }

# moto keeps state in memory: ensure this instance has our distribution and remember its id.
after_start_moto() {
  local file id
  file=$(distribution_file)
  # already ensured for this very process?
  if [[ -s $file && $file -nt $(pidfile moto) ]]; then return 0; fi
  id=$(env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
    "$VENV_DIR/bin/python" - "http://$HOST:$(port_moto)" <<'PY'
import sys
import boto3

cf = boto3.client("cloudfront", endpoint_url=sys.argv[1], region_name="us-east-1")
COMMENT = "sponsored-agents local stack"
for d in cf.list_distributions()["DistributionList"].get("Items") or []:
    if d.get("Comment") == COMMENT:
        print(d["Id"])
        sys.exit(0)
origin = "api.local.invalid"
dist = cf.create_distribution(DistributionConfig={
    "CallerReference": "sponsored-agents-local-stack",
    "Comment": COMMENT,
    "Enabled": True,
    "Origins": {"Quantity": 1, "Items": [{
        "Id": "api", "DomainName": origin,
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only"},
    }]},
    "DefaultCacheBehavior": {
        "TargetOriginId": "api", "ViewerProtocolPolicy": "allow-all",
        # managed policy "CachingOptimized"
        "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
})
print(dist["Distribution"]["Id"])
PY
  ) || {
    say "moto: could not create the CloudFront distribution"
    return 1
  }
  [[ -n $id ]] || return 1
  printf '%s\n' "$id" >"$file"
  say "moto: CloudFront distribution $id"
}

after_stop_moto() { rm -f "$(distribution_file)"; }

# ---------------------------------------------------------------------------------------------
# generic service control
# ---------------------------------------------------------------------------------------------

# current pid of a running service ("" if none); adopts a matching process if the pid file is lost
current_pid() {
  local svc=$1 pf pid pids
  pf=$(pidfile "$svc")
  mapfile -t pids < <(svc_pids "$svc")
  ((${#pids[@]})) || return 1
  pid=$(cat "$pf" 2>/dev/null || true)
  local p
  for p in "${pids[@]}"; do
    if [[ $p == "$pid" ]]; then
      echo "$pid"
      return 0
    fi
  done
  mkdir -p "$RUN_DIR"
  echo "${pids[0]}" >"$pf"
  echo "${pids[0]}"
}

# wait_ready SVC PID [started] : poll ready_SVC until timeout; fail if the process dies.
# On timeout an instance this run started is stopped again (a reused one is left alone).
wait_ready() {
  local svc=$1 pid=$2 how=${3:-reused} t0=$SECONDS limit
  limit=$("timeout_$svc")
  while ! "ready_$svc"; do
    if ! pid_alive "$pid"; then
      say "$svc: process $pid exited during start-up"
      show_log_tail "$svc"
      rm -f "$(pidfile "$svc")"
      return 1
    fi
    if ((SECONDS - t0 >= limit)); then
      say "$svc: not ready after ${limit}s"
      show_log_tail "$svc"
      if [[ $how == started ]]; then stop_service "$svc" || true; fi
      return 1
    fi
    sleep 0.5
  done
}

# begin_start SVC : start unless running; prints the pid to wait for
begin_start() {
  local svc=$1 pid port
  port=$("port_$svc")
  if pid=$(current_pid "$svc"); then
    local args
    args=$(ps -ww -o args= -p "$pid" 2>/dev/null || true)
    if [[ "$args " != *"$("expect_$svc") "* ]]; then
      say "$svc: an instance from this STACK_DIR already runs with other settings (pid $pid: ${args:0:200})"
      say "$svc: run 'bash scripts/stack.sh stop $svc' first, or use another STACK_DIR"
      return 1
    fi
    say "$svc: already running (pid $pid)"
    echo "$pid reused"
    return 0
  fi
  rm -f "$(pidfile "$svc")"
  if port_listening "$port"; then
    say "$svc: port $HOST:$port is already in use by another process: $(port_owner "$port")"
    say "$svc: stop it or pick another port (STACK_$(echo "$svc" | tr '[:lower:]' '[:upper:]')_PORT)"
    return 1
  fi
  say "$svc: starting on $HOST:$port (log: ${LOG_DIR#"$ROOT"/}/$svc.log)"
  "start_$svc"
  echo "$(cat "$(pidfile "$svc")") started"
}

# Every descendant of a process (children, theirs, ...), one pid a line.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

cmd_up() {
  local svc pid how t0=$SECONDS rc=0
  local -a todo=("$@") pids=()
  ((${#todo[@]})) || todo=("${SERVICES[@]}")
  for svc in "${todo[@]}"; do is_service "$svc" || die "unknown service '$svc' (known: ${SERVICES[*]})"; done
  lock
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR"
  # The builds run side by side (on a fresh machine a Go compile, jar downloads and a pip
  # install: mostly different resources) and each service starts as soon as its own build is
  # done, so OpenSearch's JVM start-up overlaps FerretDB's compile. Then wait for all.
  local -A building=() started=()
  local done_pid status
  for svc in "${todo[@]}"; do
    "build_$svc" &
    building[$!]=$svc
  done
  while ((${#building[@]})); do
    status=0
    if ((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 501)); then
      wait -n -p done_pid "${!building[@]}" || status=$?
    else # bash < 5.1 has no `wait -p`: take the builds in turn
      for done_pid in "${!building[@]}"; do break; done
      wait "$done_pid" || status=$?
    fi
    svc=${building[$done_pid]}
    unset "building[$done_pid]"
    if ((status != 0)); then
      # The other builds' whole trees (go, curl, pip), not just their subshells, which would
      # leave the children running on after `up` has failed.
      local -a tree=()
      for pid in "${!building[@]}"; do mapfile -t -O "${#tree[@]}" tree < <(echo "$pid"; descendants "$pid"); done
      ((${#tree[@]} == 0)) || kill -TERM "${tree[@]}" 2>/dev/null || true
      wait 2>/dev/null || true
      die "$svc: build failed (exit $status)"
    fi
    started[$svc]=$(begin_start "$svc") || die "$svc: could not start"  # "PID started|reused"
  done
  for svc in "${todo[@]}"; do pids+=("${started[$svc]}"); done
  local i
  for i in "${!todo[@]}"; do
    svc=${todo[$i]}
    read -r pid how <<<"${pids[$i]}"
    if wait_ready "$svc" "$pid" "$how" && "after_start_$svc"; then
      say "$svc: ready on $HOST:$("port_$svc") (pid $pid)"
    else
      say "$svc: FAILED to start"
      rc=1
    fi
  done
  ((rc == 0)) || exit 1
  say "up: ${todo[*]} ready in $((SECONDS - t0))s"
}

# stop_service SVC : TERM the process group(s), wait, KILL, verify pid and port
stop_service() {
  local svc=$1 limit t0=$SECONDS p pg port
  local -a pids
  limit=$("stop_timeout_$svc")
  port=$("port_$svc")
  mapfile -t pids < <(svc_pids "$svc")
  if ((${#pids[@]})); then
    say "$svc: stopping (pid ${pids[*]})"
    for p in "${pids[@]}"; do
      pg=$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' ' || true)
      if [[ $pg == "$p" ]]; then kill -TERM -- "-$p" 2>/dev/null || true; else kill -TERM "$p" 2>/dev/null || true; fi
    done
    while (($(svc_pids "$svc" | wc -l) > 0)) && ((SECONDS - t0 < limit)); do sleep 0.2; done
    mapfile -t pids < <(svc_pids "$svc")
    if ((${#pids[@]})); then
      say "$svc: still running after ${limit}s, sending SIGKILL to ${pids[*]}"
      for p in "${pids[@]}"; do
        kill -KILL -- "-$p" 2>/dev/null || true
        kill -KILL "$p" 2>/dev/null || true
      done
      t0=$SECONDS
      while (($(svc_pids "$svc" | wc -l) > 0)) && ((SECONDS - t0 < 10)); do sleep 0.2; done
    fi
  fi
  rm -f "$(pidfile "$svc")"
  "after_stop_$svc"
  if [[ -n $(svc_pids "$svc") ]]; then
    say "$svc: ERROR: processes still alive: $(svc_pids "$svc" | tr '\n' ' ')"
    return 1
  fi
  # the port must be free now (give the kernel a moment after the listener closed)
  t0=$SECONDS
  while port_listening "$port" && ((SECONDS - t0 < 5)); do sleep 0.2; done
  if port_listening "$port"; then
    say "$svc: WARNING: port $HOST:$port is still in use by a process this script did not start: $(port_owner "$port")"
  fi
  return 0
}

cmd_down() {
  local svc rc=0
  local -a todo=("$@") rev=()
  ((${#todo[@]})) || todo=("${SERVICES[@]}")
  for svc in "${todo[@]}"; do is_service "$svc" || die "unknown service '$svc' (known: ${SERVICES[*]})"; done
  lock
  for ((i = ${#todo[@]} - 1; i >= 0; i--)); do rev+=("${todo[$i]}"); done
  for svc in "${rev[@]}"; do
    stop_service "$svc" || rc=1
  done
  ((rc == 0)) || exit 1
  say "down: ${rev[*]} stopped"
}

cmd_env() {
  local id=""
  if current_pid moto >/dev/null && [[ -s $(distribution_file) ]]; then
    id=$(cat "$(distribution_file)")
  else
    say "env: moto is not running, CLOUDFRONT_DISTRIBUTION_ID is empty (run: bash scripts/stack.sh up)"
  fi
  cat <<EOF
MONGODB_URI=mongodb://$HOST:$(port_ferretdb)/sponsored_agents?replicaSet=$FERRETDB_REPL_SET
OPENSEARCH_URL=http://$HOST:$(port_opensearch)
LOG_SHIPPER_ENABLED=true
CLOUDFRONT_DISTRIBUTION_ID=$id
CLOUDFRONT_ENDPOINT=http://$HOST:$(port_moto)
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=testing
AWS_SECRET_ACCESS_KEY=testing
EOF
}

cmd_status() {
  local svc pid port state any_down=0
  for svc in "${SERVICES[@]}"; do
    port=$("port_$svc")
    if pid=$(current_pid "$svc"); then
      if "ready_$svc"; then state=running; else
        state=starting
        any_down=1
      fi
      printf '%-11s %-9s pid=%-8s %s:%s\n' "$svc" "$state" "$pid" "$HOST" "$port"
    else
      any_down=1
      if port_listening "$port"; then
        printf '%-11s %-9s %-12s %s:%s (port used by another process)\n' "$svc" stopped "" "$HOST" "$port"
      else
        printf '%-11s %-9s %-12s %s:%s\n' "$svc" stopped "" "$HOST" "$port"
      fi
    fi
  done
  return $any_down
}

cmd_logs() {
  if [[ $# -lt 1 ]] || ! is_service "$1"; then die "usage: logs SVC [lines]"; fi
  tail -n "${2:-100}" "$(logfile "$1")"
}

# one stack command at a time per STACK_DIR (the lock fd is closed in launched servers)
lock() {
  need flock
  exec 9>"$STACK_DIR/.lock"
  if ! flock -n 9; then
    say "waiting for another stack.sh in $STACK_DIR..."
    flock -w 1200 9 || die "timed out waiting for the stack lock"
  fi
}

usage() {
  sed -n '2,21p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//' >&2
}

main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  need ps
  case $cmd in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  start)
    [[ $# -ge 1 ]] || die "usage: start SVC..."
    cmd_up "$@"
    ;;
  stop)
    [[ $# -ge 1 ]] || die "usage: stop SVC..."
    cmd_down "$@"
    ;;
  restart)
    (cmd_down "$@")
    cmd_up "$@"
    ;;
  env) cmd_env ;;
  status) cmd_status ;;
  logs) cmd_logs "$@" ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 2
    ;;
  esac
}

main "$@"
