#!/usr/bin/env bats
# The broker's command line: options, config file, data-dir lock, daemon control.
# Run: bats tests/cli/qpidd.bats   (QPIDD=/path/to/qpidd to test another binary)

load '../lib/broker'

setup() {
  require_qpidd
  QPIDD_BIN="$(qpidd_bin)"
  CONF="$(empty_config)"
  OTHER_PIDS=()
  DAEMON_PID=""
  PID_DIR=""
}

teardown() {
  local pid
  for pid in "${OTHER_PIDS[@]}"; do
    stop_broker "$pid" >/dev/null 2>&1 || true
  done
  # A daemon whose pid file we did not read yet (the test failed first): stop it by that pid.
  if [[ -z "$DAEMON_PID" && -n "$PID_DIR" ]]; then
    local f
    for f in "$PID_DIR"/*.pid; do
      [[ -f "$f" ]] && DAEMON_PID="$(tr -d '[:space:]' <"$f")"
    done
  fi
  if [[ "$DAEMON_PID" =~ ^[0-9]+$ ]] && broker_alive "$DAEMON_PID"; then
    kill -TERM "$DAEMON_PID" 2>/dev/null
    wait_pid_gone "$DAEMON_PID" 10 || kill -KILL "$DAEMON_PID" 2>/dev/null
  fi
  if [[ -n "${BROKER_PID:-}" ]]; then
    stop_broker >/dev/null 2>&1 || true
  fi
}

# Runs qpidd in the foreground with a time limit, output (stdout+stderr) in $output.
qpidd_run() {
  run timeout 20 "$QPIDD_BIN" "$@" 3>&-
}

# Asserts the last `run` failed with a normal non-zero exit (not a crash, not the time limit)
# and that its output names every argument given (case-insensitive, fixed strings).
assert_refused_naming() {
  echo "status=$status output: $output"
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]  # the time limit: it started instead of refusing
  [ "$status" -lt 128 ]  # killed by a signal: a crash
  local word
  for word in "$@"; do
    grep -qiF -- "$word" <<<"$output" || { echo "output does not name '$word'"; return 1; }
  done
}

@test "--help lists every option and exits 0" {
  qpidd_run --help
  echo "$output"
  [ "$status" -eq 0 ]
  local opt
  for opt in --port --interface --data-dir --log-to-stderr --log-enable --worker-threads \
             --config --max-connections --idle-timeout --daemon --pid-dir --quit --check \
             --auth --help --version; do
    grep -qF -- "$opt" <<<"$output" || { echo "--help does not list $opt"; return 1; }
  done
}

@test "--help does not start a broker" {
  local port
  port="$(free_port)"
  qpidd_run --help --port "$port" --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  [ "$status" -eq 0 ]
  ! port_open "$port"
  [ ! -e "$BATS_TEST_TMPDIR/d/lock" ]
}

@test "--version prints the version and exits 0" {
  qpidd_run --version
  echo "$output"
  [ "$status" -eq 0 ]
  local version
  version="$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$QPIDD_TOP_SRCDIR/configure.ac")"
  [ -n "$version" ]
  grep -qF -- "$version" <<<"$output"
}

@test "--port abc is refused naming the option and the value" {
  qpidd_run --port abc --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming port abc
}

@test "--port 70000 (out of range) is refused naming the option and the value" {
  qpidd_run --port 70000 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming port 70000
}

@test "--worker-threads -1 is refused naming the option and the value" {
  qpidd_run --port 0 --worker-threads -1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming worker-threads -1
}

@test "--log-enable bogus is refused naming the option and the value" {
  qpidd_run --port 0 --log-enable bogus --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming log-enable bogus
}

@test "--max-connections abc is refused naming the option and the value" {
  qpidd_run --port 0 --max-connections abc --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming max-connections abc
}

@test "--idle-timeout xyz is refused naming the option and the value" {
  qpidd_run --port 0 --idle-timeout xyz --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming idle-timeout xyz
}

@test "--log-to-stderr maybe is refused naming the option and the value" {
  qpidd_run --port 0 --log-to-stderr maybe --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming log-to-stderr maybe
}

@test "an unknown option is refused naming it" {
  qpidd_run --port 0 --frobnicate-widgets 3 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming frobnicate-widgets
}

@test "a refused option starts nothing: no listener, no lock" {
  local port
  port="$(free_port)"
  qpidd_run --port "$port" --worker-threads -1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  [ "$status" -ne 0 ]
  ! port_open "$port"
  [ ! -e "$BATS_TEST_TMPDIR/d/lock" ]
}

@test "--port 0 prints the chosen port first on stdout and listens there; SIGTERM exits 0" {
  start_broker --worker-threads 2
  [[ "$BROKER_PORT" =~ ^[0-9]+$ ]]
  [ "$BROKER_PORT" -gt 0 ] && [ "$BROKER_PORT" -lt 65536 ]
  port_open "$BROKER_PORT"
  local port="$BROKER_PORT"
  stop_broker || { dump_broker_log; false; }
  wait_port_closed "$port" 5
}

@test "--port P listens on P" {
  local port
  port="$(free_port)"
  "$QPIDD_BIN" --port "$port" --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" \
    --config "$CONF" --log-to-stderr yes >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- </dev/null &
  OTHER_PIDS+=($!)
  wait_listening "$port" 15 || { cat "$BATS_TEST_TMPDIR/err"; false; }
  broker_alive "${OTHER_PIDS[0]}"
}

@test "config file: 'name = value' lines with spaces, comments and blank lines are applied" {
  local port conf
  port="$(free_port)"
  conf="$BATS_TEST_TMPDIR/qpidd.conf"
  cat >"$conf" <<EOF
# qpidd configuration used by the CLI tests

   # an indented comment
port   =   $port
interface=127.0.0.1
worker-threads = 2
log-enable = info+

max-connections = 20
EOF
  "$QPIDD_BIN" --config "$conf" --data-dir "$BATS_TEST_TMPDIR/d" --log-to-stderr yes \
    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- </dev/null &
  OTHER_PIDS+=($!)
  if ! wait_listening "$port" 15; then
    echo "broker did not listen on the port from the config file ($port)"
    cat "$BATS_TEST_TMPDIR/err"
    false
  fi
}

@test "config file: the command line overrides it" {
  local cport conf
  cport="$(free_port)"
  conf="$BATS_TEST_TMPDIR/qpidd.conf"
  printf 'port = %s\n' "$cport" >"$conf"
  run_dir="$BATS_TEST_TMPDIR/d"
  "$QPIDD_BIN" --config "$conf" --port 0 --interface 127.0.0.1 --data-dir "$run_dir" \
    --log-to-stderr yes >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- </dev/null &
  OTHER_PIDS+=($!)
  local i port=""
  for ((i = 0; i < 150; i++)); do
    port="$(head -n1 "$BATS_TEST_TMPDIR/out" 2>/dev/null | tr -d '[:space:]')"
    [[ "$port" =~ ^[0-9]+$ ]] && break
    port=""
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$BATS_TEST_TMPDIR/err"; false; }
  [ "$port" != "$cport" ]
  wait_listening "$port" 5
  ! port_open "$cport"
}

@test "config file: an unknown option line is an error naming the line" {
  local conf="$BATS_TEST_TMPDIR/qpidd.conf"
  printf '# fine\nport = 0\nno-such-setting = 12\n' >"$conf"
  qpidd_run --config "$conf" --data-dir "$BATS_TEST_TMPDIR/d"
  assert_refused_naming no-such-setting
}

@test "config file: a line that is not 'name = value' is an error naming it" {
  local conf="$BATS_TEST_TMPDIR/qpidd.conf"
  printf 'port = 0\nthis line is garbage\n' >"$conf"
  qpidd_run --config "$conf" --data-dir "$BATS_TEST_TMPDIR/d"
  assert_refused_naming "this line is garbage"
}

@test "config file: a bad value is an error naming the option and the value" {
  local conf="$BATS_TEST_TMPDIR/qpidd.conf"
  printf 'port = notaport\n' >"$conf"
  qpidd_run --config "$conf" --data-dir "$BATS_TEST_TMPDIR/d"
  assert_refused_naming port notaport
}

@test "config file: an explicit --config that does not exist is an error naming the file" {
  local missing="$BATS_TEST_TMPDIR/no/such/qpidd.conf"
  qpidd_run --config "$missing" --port 0 --data-dir "$BATS_TEST_TMPDIR/d"
  assert_refused_naming "$missing"
}

@test "--auth yes is refused: authentication is not available yet" {
  qpidd_run --auth yes --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming auth
  grep -qiE 'authentication.*not.*available|not.*available.*authentication' <<<"$output"
}

@test "--auth no is accepted" {
  start_broker --auth no
  broker_alive
}

@test "data dir lock: a second broker on the same --data-dir fails naming DIR/lock; the first keeps running" {
  start_broker
  local first_pid="$BROKER_PID" first_port="$BROKER_PORT" dir="$BROKER_DATA_DIR"
  [ -e "$dir/lock" ]
  qpidd_run --port 0 --interface 127.0.0.1 --data-dir "$dir" --config "$CONF" --log-to-stderr yes
  assert_refused_naming "$dir/lock"
  broker_alive "$first_pid"
  port_open "$first_port"
  stop_broker || { dump_broker_log; false; }
}

@test "data dir lock: a lock left by a killed broker does not stop the next one" {
  start_broker
  local dir="$BROKER_DATA_DIR" pid="$BROKER_PID"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  BROKER_PID=""
  [ -e "$dir/lock" ]   # the file stays; the lock on it does not
  BROKER_USE_DATA_DIR="$dir" start_broker
  broker_alive
}

# Runs qpidd --daemon with output to files, not a pipe (`run` would capture through a pipe, and a
# daemon that kept it open would hang the test). Sets DAEMON_STATUS, DAEMON_OUT, DAEMON_ERR, and
# DAEMON_PID from the pid file if one appeared (so teardown can stop it).
start_daemon() {
  DAEMON_OUT="$BATS_TEST_TMPDIR/daemon.out"
  DAEMON_ERR="$BATS_TEST_TMPDIR/daemon.err"
  DAEMON_STATUS=0
  timeout 30 "$QPIDD_BIN" --daemon --interface 127.0.0.1 --pid-dir "$PID_DIR" --config "$CONF" \
    --log-enable info+ "$@" >"$DAEMON_OUT" 2>"$DAEMON_ERR" </dev/null 3>&- || DAEMON_STATUS=$?
  echo "daemon: status=$DAEMON_STATUS stdout:"; cat "$DAEMON_OUT"; echo "stderr:"; cat "$DAEMON_ERR"
  local f
  for f in "$PID_DIR"/*.pid; do
    [[ -f "$f" ]] && DAEMON_PID="$(tr -d '[:space:]' <"$f")"
  done
  return 0
}

@test "--daemon returns once listening, writes a pid file in --pid-dir; --check sees it; --quit stops it" {
  PID_DIR="$BATS_TEST_TMPDIR/pids"
  mkdir -p "$PID_DIR"
  local port
  port="$(free_port)"
  start_daemon --port "$port" --data-dir "$BATS_TEST_TMPDIR/data"
  [ "$DAEMON_STATUS" -eq 0 ]
  # It returned once listening: connect at once, no waiting.
  port_open "$port"

  local pidfiles=("$PID_DIR"/*.pid)
  [ -f "${pidfiles[0]}" ] || { echo "no *.pid file in $PID_DIR"; ls -la "$PID_DIR"; false; }
  [ "${#pidfiles[@]}" -eq 1 ]
  [[ "$DAEMON_PID" =~ ^[0-9]+$ ]]
  broker_alive "$DAEMON_PID"
  # The pid file names the broker itself, not some helper process.
  tr '\0' ' ' <"/proc/$DAEMON_PID/cmdline" | grep -q qpidd
  # It let go of the terminal: the daemon's stdout is not the file we gave the parent.
  [ "$(readlink "/proc/$DAEMON_PID/fd/1")" != "$DAEMON_OUT" ]

  run timeout 20 "$QPIDD_BIN" --check --port "$port" --pid-dir "$PID_DIR" --config "$CONF"
  echo "check: status=$status output=$output"
  [ "$status" -eq 0 ]
  grep -qw -- "$DAEMON_PID" <<<"$output"   # README: --check prints the daemon's pid

  run timeout 20 "$QPIDD_BIN" --quit --port "$port" --pid-dir "$PID_DIR" --config "$CONF"
  echo "quit: status=$status output=$output"
  [ "$status" -eq 0 ]
  wait_pid_gone "$DAEMON_PID" 10
  wait_port_closed "$port" 5

  run timeout 20 "$QPIDD_BIN" --check --port "$port" --pid-dir "$PID_DIR" --config "$CONF"
  echo "check after quit: status=$status output=$output"
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
}

@test "--daemon --port 0 prints the chosen port on stdout and listens there" {
  PID_DIR="$BATS_TEST_TMPDIR/pids"
  mkdir -p "$PID_DIR"
  start_daemon --port 0 --data-dir "$BATS_TEST_TMPDIR/data"
  [ "$DAEMON_STATUS" -eq 0 ]
  local port
  port="$(head -n1 "$DAEMON_OUT" | tr -d '[:space:]')"
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "no port on the daemon's stdout"; false; }
  port_open "$port"
}

@test "--daemon without --pid-dir: the pid file is in --data-dir; --check and --quit find it there" {
  local port data="$BATS_TEST_TMPDIR/data"
  port="$(free_port)"
  PID_DIR="$data"   # where the pid file goes by default (teardown looks there)
  start_daemon --port "$port" --data-dir "$data"
  [ "$DAEMON_STATUS" -eq 0 ]
  port_open "$port"
  [[ "$DAEMON_PID" =~ ^[0-9]+$ ]] || { echo "no pid file in $data"; ls -la "$data"; false; }
  run timeout 20 "$QPIDD_BIN" --check --port "$port" --data-dir "$data" --config "$CONF"
  echo "check: status=$status output=$output"
  [ "$status" -eq 0 ]
  grep -qw -- "$DAEMON_PID" <<<"$output"
  run timeout 20 "$QPIDD_BIN" --quit --port "$port" --data-dir "$data" --config "$CONF"
  echo "quit: status=$status output=$output"
  [ "$status" -eq 0 ]
  wait_pid_gone "$DAEMON_PID" 10
  ! port_open "$port"
  run timeout 20 "$QPIDD_BIN" --check --port "$port" --data-dir "$data" --config "$CONF"
  [ "$status" -eq 1 ]
}

@test "--quit with no daemon running exits non-zero" {
  mkdir -p "$BATS_TEST_TMPDIR/data"
  run timeout 20 "$QPIDD_BIN" --quit --data-dir "$BATS_TEST_TMPDIR/data" --config "$CONF"
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
  [ "$status" -lt 128 ]
}

@test "--log-enable with a category: a known one is accepted, an unknown one refused naming it" {
  start_broker --log-enable debug+:amqp --log-enable notice+
  broker_alive
  qpidd_run --port 0 --log-enable info+:nosuchcategory --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming nosuchcategory
}

@test "--log-enable info+ logs to stderr; SIGTERM is logged and exits 0" {
  start_broker
  grep -q "$BROKER_PORT" "$BROKER_LOG"   # it says where it listens
  stop_broker
  grep -qi "signal\|shut" "$BROKER_LOG"
}

@test "--check with no daemon running exits non-zero" {
  local piddir="$BATS_TEST_TMPDIR/pids"
  mkdir -p "$piddir"
  run timeout 20 "$QPIDD_BIN" --check --port "$(free_port)" --pid-dir "$piddir" --config "$CONF" 3>&-
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [ "$status" -ne 124 ]
  [ "$status" -lt 128 ]
}

@test "--daemon on a locked data dir fails (non-zero) naming DIR/lock" {
  start_broker
  PID_DIR="$BATS_TEST_TMPDIR/pids"
  mkdir -p "$PID_DIR"
  start_daemon --port 0 --data-dir "$BROKER_DATA_DIR"
  [ "$DAEMON_STATUS" -ne 0 ]
  [ "$DAEMON_STATUS" -ne 124 ]
  grep -qF "$BROKER_DATA_DIR/lock" "$DAEMON_OUT" "$DAEMON_ERR"
  broker_alive
  port_open "$BROKER_PORT"
}

# HA options. Replication is not built yet, so no HA option may be accepted and then ignored.

@test "--help lists the HA options with their defaults" {
  qpidd_run --help
  echo "$output"
  [ "$status" -eq 0 ]
  grep -qF "HA options" <<<"$output"
  local opt
  for opt in '--ha-cluster yes|no (=no)' '--ha-brokers-url URL' '--ha-brokers URL' \
             '--ha-public-url URL' '--ha-public-brokers URL' '--ha-replicate LEVEL (=none)' \
             '--ha-username USER' '--ha-password PASSWORD' '--ha-mechanism MECHANISM' \
             '--ha-backup-timeout SECONDS (=10)' '--ha-flow-messages N (=1000)' \
             '--ha-flow-bytes BYTES (=0)' '--link-maintenance-interval SECONDS (=2)' \
             '--link-heartbeat-interval SECONDS (=120)'; do
    grep -qF -- "$opt" <<<"$output" || { echo "--help does not list '$opt'"; return 1; }
  done
}

@test "--ha-cluster yes without --ha-brokers-url is refused saying so" {
  local port
  port="$(free_port)"
  qpidd_run --ha-cluster yes --port "$port" --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" \
    --config "$CONF"
  assert_refused_naming "--ha-cluster yes needs --ha-brokers-url"
  [ "$status" -eq 1 ]
  ! port_open "$port"
  printf 'ha-cluster = yes\n' >"$BATS_TEST_TMPDIR/ha.conf"
  qpidd_run --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$BATS_TEST_TMPDIR/ha.conf"
  assert_refused_naming "--ha-cluster yes needs --ha-brokers-url"
}

@test "--ha-cluster yes starts a backup that says it is joining and drops clients" {
  start_broker --ha-cluster yes --ha-brokers-url "127.0.0.1:$(free_port)" \
    --link-maintenance-interval 0.1
  run "$QPIDD_BUILDDIR/src/tools/qpid-ha" status -b "127.0.0.1:$BROKER_PORT"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$output" = "joining" ]
  # An ordinary client is dropped at the transport (qpid-config is not an HA admin by default).
  run "$QPIDD_BUILDDIR/src/tools/qpid-config" -b "127.0.0.1:$BROKER_PORT" queues
  [ "$status" -ne 0 ]
  grep -q "dropped connection from 127.0.0.1:.*HA backup (status joining)" "$BROKER_LOG"
}

@test "HA options and their aliases are read from qpidd.conf" {
  printf 'ha-cluster = yes\nha-brokers = 127.0.0.1:1\nha-public-brokers = vip\nha-replicate = all\n' \
    >"$BATS_TEST_TMPDIR/ha.conf"
  local port
  port="$(free_port)"
  "$QPIDD_BIN" --port "$port" --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" \
    --config "$BATS_TEST_TMPDIR/ha.conf" >/dev/null 2>"$BATS_TEST_TMPDIR/ha.log" 3>&- </dev/null &
  OTHER_PIDS+=("$!")
  wait_listening "$port"
  run "$QPIDD_BUILDDIR/src/tools/qpid-ha" query -b "127.0.0.1:$port"
  echo "$output"
  [ "$status" -eq 0 ]
  grep -Eq '^Status: +joining$' <<<"$output"
  grep -Eq '^Brokers URL: +127.0.0.1:1$' <<<"$output"
  grep -Eq '^Public URL: +vip$' <<<"$output"
  grep -Eq '^Replicate: +all$' <<<"$output"
}

@test "credentials between brokers are refused until the broker has authentication" {
  qpidd_run --ha-cluster yes --ha-brokers-url node1 --ha-username ha --ha-password secret \
    --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming "--ha-username is not available yet" "ANONYMOUS"
  qpidd_run --ha-cluster yes --ha-brokers-url node1 --ha-mechanism plain \
    --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming "--ha-mechanism PLAIN is not available yet"
}

@test "an alias given with its main name is refused naming both" {
  qpidd_run --ha-cluster yes --ha-brokers node1 --ha-brokers-url node2 --port 0 --interface 127.0.0.1 \
    --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming --ha-brokers-url "--ha-brokers and"
  printf 'ha-public-url = vip1\n' >"$BATS_TEST_TMPDIR/ha.conf"
  qpidd_run --ha-cluster yes --ha-brokers node1 --ha-public-brokers vip2 --port 0 --interface 127.0.0.1 \
    --data-dir "$BATS_TEST_TMPDIR/d" --config "$BATS_TEST_TMPDIR/ha.conf"
  assert_refused_naming --ha-public-url --ha-public-brokers
}

@test "a bad HA duration is refused naming the option and the value" {
  qpidd_run --ha-cluster yes --ha-brokers-url node1 --link-heartbeat-interval 5m --port 0 --interface 127.0.0.1 \
    --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming --link-heartbeat-interval "'5m'"
  qpidd_run --ha-cluster yes --ha-brokers-url node1 --ha-backup-timeout -1 --port 0 --interface 127.0.0.1 \
    --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming --ha-backup-timeout "'-1'"
  qpidd_run --ha-cluster yes --ha-brokers-url node1 --link-maintenance-interval 0 --port 0 --interface 127.0.0.1 \
    --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
  assert_refused_naming --link-maintenance-interval "'0'"
}

@test "an HA option without --ha-cluster yes is refused naming it" {
  local opt
  for opt in "--ha-replicate all" "--ha-brokers-url node1" "--link-heartbeat-interval 5"; do
    # shellcheck disable=SC2086 # the option and its value are two words
    qpidd_run $opt --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$CONF"
    assert_refused_naming "${opt% *}" "needs --ha-cluster yes"
  done
  qpidd_run --ha-cluster no --ha-flow-messages 10 --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" \
    --config "$CONF"
  assert_refused_naming --ha-flow-messages "needs --ha-cluster yes"
  printf 'ha-username = ha\n' >"$BATS_TEST_TMPDIR/ha.conf"
  qpidd_run --port 0 --interface 127.0.0.1 --data-dir "$BATS_TEST_TMPDIR/d" --config "$BATS_TEST_TMPDIR/ha.conf"
  assert_refused_naming --ha-username "needs --ha-cluster yes"
}

@test "--ha-cluster no alone is accepted: the broker starts" {
  start_broker --ha-cluster no
  broker_alive
}
