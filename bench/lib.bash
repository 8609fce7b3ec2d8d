# bench/lib.bash: what the bench scripts share; sourced, never run. Tool paths, the temporary
# directory and the clean-up of every process a script started (by PID, also on Ctrl-C), loopback
# ports, CPU and RSS readings, one producer + consumer pair driven with --report-json, HA brokers,
# and RabbitMQ nodes on loopback with a private HOME, data and epmd.
#
# A script sets BENCH_NAME (its name in messages), sources this file, parses its options, then
# calls bench_init. run_pair reads $size and appends one line per run to $RESULTS.
# shellcheck disable=SC2154  # size and RESULTS are the sourcing script's

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QPIDD=${QPIDD:-$TOP/src/qpidd/qpidd}
QPID_SEND=${QPID_SEND:-$TOP/src/tools/qpid-send}
QPID_RECEIVE=${QPID_RECEIVE:-$TOP/src/tools/qpid-receive}
QPID_CONFIG=${QPID_CONFIG:-$TOP/src/tools/qpid-config}
QPID_HA=${QPID_HA:-$TOP/src/tools/qpid-ha}
RABBITMQ_SERVER=${RABBITMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}
RABBITMQCTL=$(dirname "$RABBITMQ_SERVER")/rabbitmqctl

STARTED=()                 # PIDs this script started, stopped in reverse order on exit
declare -A RABBIT_PIDS=()  # node name -> PID of its rabbitmq-server script, while it runs
declare -A RABBIT_BEAMS=() # node name -> PID of its Erlang VM
declare -A RABBIT_DISTS=() # node name -> its distribution port
RABBIT_EPMD_PID=

# require_tool PATH...: exits 2 unless each is executable (the scripts build nothing).
require_tool() {
  local tool
  for tool in "$@"; do
    [ -x "$tool" ] || { echo "$BENCH_NAME: $tool is missing: build the tree first (make)" >&2; exit 2; }
  done
}

# Makes $TMP and sets the traps that clean up on exit.
bench_init() {
  TMP=$(mktemp -d /tmp/qpidd-bench.XXXXXX)
  CLK_TCK=$(getconf CLK_TCK)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}

# Drops PID from STARTED once it is reaped, so clean-up never signals a recycled PID.
forget() {
  local keep=() p
  for p in "${STARTED[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  STARTED=("${keep[@]}")
}

bench_cleanup() {
  local rc=$? node pid i
  trap - EXIT INT TERM
  for node in "${!RABBIT_PIDS[@]}"; do stop_rabbit_node "$node" || true; done
  if [ -n "$RABBIT_EPMD_PID" ]; then kill "$RABBIT_EPMD_PID" 2>/dev/null || true; fi
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do
    kill "${STARTED[$i]}" 2>/dev/null || true
  done
  for pid in "${STARTED[@]}"; do
    # An Erlang VM shuts down gracefully on SIGTERM, which takes a few seconds.
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$TMP"
  exit $rc
}

# A port nothing listens on (good enough on loopback: we bind it right after).
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo $port; return; }
  done
}

# N distinct free ports, space-separated.
free_ports() {
  local ports=() port
  while [ ${#ports[@]} -lt "$1" ]; do
    port=$(free_port)
    [[ " ${ports[*]} " == *" $port "* ]] || ports+=("$port")
  done
  echo "${ports[*]}"
}

wait_port() {  # PORT PID SECONDS
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

cpu_ticks() {  # PID...: the sum of utime + stime (fields 14 and 15; a name may hold spaces)
  local pid sum=0
  for pid in "$@"; do
    # A process that is gone counts 0 (its run fails and says why).
    sum=$((sum + $(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null |
                   awk '{ t = $12 + $13 } END { print t + 0 }')))
  done
  echo $sum
}

rss_bytes() {  # PID: VmRSS in bytes
  awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"
}

json_field() {  # FILE KEY: a number from a one-line JSON report (the tools' --report-json)
  sed -n "s/.*\"$2\": *\([0-9.eE+-]*\).*/\1/p" "$1" | head -1
}

now_ns() {
  date +%s%N
}

# run_pair LABEL BROKER_PID URL ADDRESS N WINDOW REP [tool options...]: one qpid-receive, then one
# qpid-send, on ADDRESS. Appends a line to $RESULTS: label, window, rep, e2e msg/s, publisher
# msg/s, accept p50, p99, e2e p50, p99, CPU % of the broker, the sender and the receiver; and,
# when PAIR_PEER_PIDS is set (e.g. an HA primary's backups), a 13th field: their CPU % together.
run_pair() {
  local label=$1 broker_pid=$2 url=$3 address=$4 n=$5 window=$6 rep=$7
  shift 7
  local recv_out=$TMP/recv.json send_out=$TMP/send.json peers=${PAIR_PEER_PIDS:-}
  local cpu0 cpu1 t0 t1 peer0=0 peer1=0
  timeout 900 "$QPID_RECEIVE" -b "$url" -a "$address" -m "$n" --capacity "$window" \
    --print-content no --report-json --timeout 60 "$@" > "$recv_out" 2> "$TMP/recv.err" &
  local recv_pid=$!
  STARTED+=("$recv_pid")
  sleep 0.3  # let the consumer attach first
  cpu0=$(cpu_ticks "$broker_pid")
  # shellcheck disable=SC2086
  [ -z "$peers" ] || peer0=$(cpu_ticks $peers)
  t0=$(now_ns)
  local send_rc=0 recv_rc=0
  # In the background too: the tools exit cleanly on SIGINT, and bash runs no INT trap after a
  # foreground child that did so; during `wait` it runs it at once (Ctrl-C stops the script).
  timeout 900 "$QPID_SEND" -b "$url" -a "$address" -m "$n" --capacity "$window" \
    --content-size "$size" --report-json --timeout 60 "$@" > "$send_out" 2> "$TMP/send.err" &
  local send_pid=$!
  STARTED+=("$send_pid")
  wait "$send_pid" || send_rc=$?
  forget "$send_pid"
  wait "$recv_pid" || recv_rc=$?
  forget "$recv_pid"
  t1=$(now_ns)
  cpu1=$(cpu_ticks "$broker_pid")
  # shellcheck disable=SC2086
  [ -z "$peers" ] || peer1=$(cpu_ticks $peers)
  if [ $send_rc -ne 0 ] || [ $recv_rc -ne 0 ]; then
    echo "  $label w=$window rep $rep FAILED (send rc=$send_rc, receive rc=$recv_rc):" >&2
    cat "$TMP/send.err" "$TMP/recv.err" >&2
    return 1
  fi
  local got start end
  got=$(json_field "$recv_out" messages)
  start=$(json_field "$send_out" start_mono_ns)
  end=$(json_field "$recv_out" end_mono_ns)
  # End-to-end rate: first send -> last receive (one clock: CLOCK_MONOTONIC on this host).
  local line
  line=$(awk -v label="$label" -v w="$window" -v rep="$rep" -v n="$got" -v s="$start" -v e="$end" \
    -v pub="$(json_field "$send_out" msg_per_s)" \
    -v ap50="$(json_field "$send_out" p50_ms)" -v ap99="$(json_field "$send_out" p99_ms)" \
    -v ep50="$(json_field "$recv_out" p50_ms)" -v ep99="$(json_field "$recv_out" p99_ms)" \
    -v ticks=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v wall=$((t1 - t0)) \
    -v scpu="$(json_field "$send_out" cpu_s)" -v rcpu="$(json_field "$recv_out" cpu_s)" \
    -v peers="$peers" -v peer_ticks=$((peer1 - peer0)) \
    'BEGIN { printf "%s\t%s\t%s\t%.0f\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.0f\t%.0f", label, w, rep,
             n / ((e - s) / 1e9), pub, ap50, ap99, ep50, ep99, 100 * ticks / hz / (wall / 1e9),
             100 * scpu / (wall / 1e9), 100 * rcpu / (wall / 1e9)
             if (peers != "") printf "\t%.0f", 100 * peer_ticks / hz / (wall / 1e9)
             printf "\n" }')
  echo "$line" >> "$RESULTS"
  echo "$line" | awk -F'\t' '{ printf "  %-9s w=%-5s rep %s: %7d msg/s e2e, %7d msg/s publish, accept p50/p99 %s/%s ms, e2e p50/p99 %s/%s ms, CPU %% broker %s send %s receive %s", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12
    if (NF >= 13) printf " peers %s", $13
    printf "\n" }'
}

# ---- qpidd ------------------------------------------------------------------------------------
# launch_qpidd PORT DATA_DIR OUTPUT [qpidd options...]: starts qpidd on 127.0.0.1:PORT with its
# stdout and stderr in OUTPUT and waits until it listens. Sets LAUNCHED_PID.
launch_qpidd() {
  local port=$1 data_dir=$2 output=$3
  shift 3
  mkdir -p "$data_dir"
  "$QPIDD" --port "$port" --interface 127.0.0.1 --data-dir "$data_dir" "$@" > "$output" 2>&1 &
  LAUNCHED_PID=$!
  STARTED+=("$LAUNCHED_PID")
  if ! wait_port "$port" "$LAUNCHED_PID" 10; then
    echo "$BENCH_NAME: qpidd did not start:" >&2; cat "$output" >&2; return 1
  fi
}

# The options every measured qpidd gets: no queue limit (a producer that runs ahead of its
# consumer builds a backlog of up to the whole run, and the benchmarks measure throughput, not
# the reject policy) and WORKER_THREADS worker threads.
qpidd_load_args() {  # WORKER_THREADS
  echo "--default-queue-limit 0 --worker-threads $1"
}

# queue_column QUEUE COLUMN: from `qpid-config queues` on stdin, QUEUE's value in COLUMN (a
# right-aligned number column such as msg or msgIn; flag columns may be blank, so by position).
queue_column() {
  awk -v q="$1" -v col="$2" '
    /^queue / { end = index($0, " " col " ") + length(col); if (end == length(col)) end = index($0, " " col) + length(col) }
    $1 == q && end > 0 { n = split(substr($0, 1, end), f, " "); print f[n] }'
}

stop_pid() {  # PID: SIGTERM, SIGKILL if it is still there 60 s later; wait, forget
  local i
  kill "$1" 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then
    echo "$BENCH_NAME: pid $1 did not exit within 60 s of SIGTERM: killed" >&2
    kill -9 "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
  forget "$1"
}

# ---- HA ---------------------------------------------------------------------------------------
# The options of an HA member, as tests/integration/ha_cluster.py gives them but with the
# intervals recommended under a cluster manager (doc/ha-protocol.md, section 2). Notice-level
# logging keeps the status transitions, with their times, in the broker's output.
ha_member_args() {  # BROKERS_URL
  echo "--ha-cluster yes --ha-brokers-url $1 --ha-replicate all --link-maintenance-interval 0.5" \
       "--link-heartbeat-interval 5 --log-to-stderr yes --log-enable notice+"
}

ha_status() {  # ADDRESS: the status word, or "error: ..."
  local out
  if out=$(timeout 20 "$QPID_HA" status -b "$1" --timeout 5 2>&1); then echo "$out"
  else echo "error: $out"; fi
}

# wait_ha_status ADDRESS STATUS SECONDS [POLL]: returns 0 once ADDRESS reports STATUS.
wait_ha_status() {
  local deadline=$(($(date +%s) + $3)) poll=${4:-0.2}
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(ha_status "$1")" = "$2" ] && return 0
    sleep "$poll"
  done
  echo "$BENCH_NAME: $1 is '$(ha_status "$1")', not $2, after $3 s" >&2
  return 1
}

ha_promote() {  # ADDRESS
  timeout 60 "$QPID_HA" promote -b "$1" --cluster-manager --timeout 30
}

# ---- RabbitMQ ---------------------------------------------------------------------------------
# Nodes NAME@localhost listen on 127.0.0.1 only, with the plugins rabbitmq_amqp1_0 and
# rabbitmq_management. They share a private HOME (one Erlang cookie, so they can cluster) and an
# epmd of their own on a private port; each has its own data, logs and ports.
rabbit_version() {
  dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'
}

rabbit_shared_env() {
  [ -z "$RABBIT_EPMD_PID" ] || return 0
  local dir=$TMP/rabbit
  mkdir -p "$dir/home"
  RABBIT_EPMD=$(free_port)
  export HOME=$dir/home ERL_EPMD_PORT=$RABBIT_EPMD ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
  : > "$RABBITMQ_CONF_ENV_FILE"
  # Written before any node starts: nodes booting at once would each make their own.
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$HOME/.erlang.cookie"
  chmod 400 "$HOME/.erlang.cookie"
  epmd -port "$RABBIT_EPMD" -address 127.0.0.1 > "$dir/epmd.out" 2>&1 &
  RABBIT_EPMD_PID=$!
  STARTED+=("$RABBIT_EPMD_PID")
}

# rabbitmqctl_at NODE ARGS...: rabbitmqctl against NODE (its CLI ports follow the node's).
rabbitmqctl_at() {
  local node=$1
  shift
  RABBITMQ_DIST_PORT=${RABBIT_DISTS[$node]} timeout 120 "$RABBITMQCTL" -n "$node" "$@"
}

# start_rabbit_node NAME: starts NAME@localhost and waits until it has booted. Sets RABBIT_NODE,
# RABBIT_AMQP, RABBIT_MGMT, RABBIT_PID (the rabbitmq-server script) and RABBIT_BEAM (its VM).
start_rabbit_node() {
  rabbit_shared_env
  local dir=$TMP/rabbit/$1
  mkdir -p "$dir"
  RABBIT_NODE=$1@localhost
  RABBIT_AMQP=$(free_port); RABBIT_MGMT=$(free_port)
  local dist
  dist=$(free_port)
  echo '[rabbitmq_management,rabbitmq_amqp1_0].' > "$dir/enabled_plugins"
  echo '[].' > "$dir/advanced.config"
  cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$RABBIT_AMQP
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT
log.file.level = warning
EOF
  RABBITMQ_NODENAME=$RABBIT_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$RABBIT_AMQP RABBITMQ_DIST_PORT=$dist \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log \
    RABBITMQ_PID_FILE=$dir/pid RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins \
    RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config \
    RABBITMQ_SERVER_ERL_ARGS="+K true +P 1048576 -kernel inet_dist_use_interface {127,0,0,1}" \
    "$RABBITMQ_SERVER" > "$dir/server.out" 2>&1 &
  RABBIT_PID=$!
  STARTED+=("$RABBIT_PID")
  RABBIT_PIDS[$RABBIT_NODE]=$RABBIT_PID
  RABBIT_DISTS[$RABBIT_NODE]=$dist
  # `wait PIDFILE` waits for the node to appear and then for RabbitMQ to finish booting.
  if ! rabbitmqctl_at "$RABBIT_NODE" wait "$dir/pid" --timeout 110 > "$dir/wait.out" 2>&1; then
    echo "$BENCH_NAME: RabbitMQ node $RABBIT_NODE did not start:" >&2
    tail -20 "$dir/wait.out" "$dir/server.out" >&2
    return 1
  fi
  # The Erlang VM runs as a child of the rabbitmq-server script: measure its CPU.
  RABBIT_BEAM=$(pgrep -P "$RABBIT_PID" beam.smp || echo "$RABBIT_PID")
  STARTED+=("$RABBIT_BEAM")
  RABBIT_BEAMS[$RABBIT_NODE]=$RABBIT_BEAM
}

stop_rabbit_node() {  # NODE
  local node=$1 pid=${RABBIT_PIDS[$1]:-} beam=${RABBIT_BEAMS[$1]:-}
  [ -n "$pid" ] || return 0
  rabbitmqctl_at "$node" stop > /dev/null 2>&1 || true
  unset "RABBIT_PIDS[$node]" "RABBIT_BEAMS[$node]"
  # The script reaps its VM; then both PIDs are gone and forgotten.
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget "$pid"
  if [ -n "$beam" ]; then
    for _ in $(seq 150); do kill -0 "$beam" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$beam" 2>/dev/null || forget "$beam"
  fi
}

# rabbit_api MGMT_PORT METHOD PATH [JSON]: a management HTTP API request as guest; prints the body.
rabbit_api() {
  curl -sf -u guest:guest -H 'content-type: application/json' -X "$2" \
    "http://127.0.0.1:$1/api/$3" ${4:+-d "$4"}
}
