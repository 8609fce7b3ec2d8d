# Shared Bats helpers: run a real qpidd on a free loopback port with a temporary data dir.
#
#   load ../lib/broker           (from a file in tests/cli/)
#
#   start_broker [extra qpidd args...]
#       Starts qpidd --port 0 --interface 127.0.0.1 with a fresh data dir under $BATS_TEST_TMPDIR
#       (or $BROKER_TMP), waits until it prints its port and accepts TCP connections, and sets
#         BROKER_PID BROKER_PORT BROKER_URL BROKER_DATA_DIR BROKER_LOG BROKER_STDOUT
#       Returns non-zero (and prints the broker's log) if it does not come up in $BROKER_START_TIMEOUT s.
#       BROKER_USE_DATA_DIR=DIR start_broker ...   runs on an existing data dir instead.
#   stop_broker [pid]
#       SIGTERM to BROKER_PID; non-zero if it does not exit within 10 s (it is then SIGKILLed) or
#       exits with a non-zero status. Safe to call twice.
#   broker_up [extra qpidd args...]
#       start_broker, then sets BROKER (127.0.0.1:PORT) and PORT.
#   stop_pid PID                stops a helper process a test started: TERM, then KILL after 5 s.
#   broker_alive [pid]          0 if the process exists (and is not a zombie).
#   wait_listening PORT [secs]  polls until 127.0.0.1:PORT accepts a TCP connection.
#   wait_port_closed PORT [secs]
#   free_port                   prints a TCP port that was free a moment ago.
#   qpidd_bin                   prints the broker binary to use ($QPIDD, else the built one).
#   empty_config                prints the path of an empty config file (so /etc/qpid/qpidd.conf
#                               on the machine never leaks into a test).
#
# Processes are only ever stopped by the PID these helpers recorded.

_broker_lib_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
QPIDD_TOP_SRCDIR="${QPIDD_TOP_SRCDIR:-$(cd "$_broker_lib_dir/../.." && pwd)}"
# A VPATH build puts binaries under the build dir; point QPIDD_BUILDDIR (or QPIDD) at it.
QPIDD_BUILDDIR="${QPIDD_BUILDDIR:-$QPIDD_TOP_SRCDIR}"
BROKER_START_TIMEOUT="${BROKER_START_TIMEOUT:-15}"

qpidd_bin() {
  if [[ -n "${QPIDD:-}" ]]; then
    printf '%s\n' "$QPIDD"
  else
    printf '%s\n' "$QPIDD_BUILDDIR/src/qpidd/qpidd"
  fi
}

# Skips the current test when there is no broker binary (so a half-built tree says so clearly).
require_qpidd() {
  local bin
  bin="$(qpidd_bin)"
  if [[ ! -x "$bin" ]]; then
    skip "no qpidd binary at $bin (build it, or set QPIDD)"
  fi
}

_broker_tmp() {
  local base="${BROKER_TMP:-${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}}"
  mkdir -p "$base"
  mktemp -d "$base/qpidd.XXXXXX"
}

empty_config() {
  local dir
  dir="$(_broker_tmp)"
  : >"$dir/empty.conf"
  printf '%s\n' "$dir/empty.conf"
}

free_port() {
  /usr/bin/python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

broker_alive() {
  local pid="${1:-${BROKER_PID:-}}"
  [[ -n "$pid" ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # A zombie (exited, not yet reaped) is not alive.
  local state
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$state" != "Z" ]]
}

# True if 127.0.0.1:PORT accepts a TCP connection right now.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_listening() {
  local port="$1" secs="${2:-$BROKER_START_TIMEOUT}" i
  for ((i = 0; i < secs * 10; i++)); do
    port_open "$port" && return 0
    sleep 0.1
  done
  return 1
}

wait_port_closed() {
  local port="$1" secs="${2:-10}" i
  for ((i = 0; i < secs * 10; i++)); do
    port_open "$port" || return 0
    sleep 0.1
  done
  return 1
}

# Waits until PID has exited (or is a zombie); non-zero after SECS.
wait_pid_gone() {
  local pid="$1" secs="${2:-10}" i
  for ((i = 0; i < secs * 10; i++)); do
    broker_alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

# Prints the broker's log (for a failing test: Bats shows output of failed tests only).
dump_broker_log() {
  local f
  for f in "${BROKER_STDOUT:-}" "${BROKER_LOG:-}"; do
    [[ -n "$f" && -f "$f" ]] || continue
    echo "----- $f -----"
    cat "$f"
  done
  echo "-----"
}

start_broker() {
  local bin dir i
  bin="$(qpidd_bin)"
  [[ -x "$bin" ]] || { echo "no qpidd binary at $bin" >&2; return 1; }
  dir="$(_broker_tmp)"
  # BROKER_USE_DATA_DIR: run on an existing data dir (e.g. to test the lock) instead of a new one.
  BROKER_DATA_DIR="${BROKER_USE_DATA_DIR:-$dir/data}"
  BROKER_LOG="$dir/qpidd.log"
  BROKER_STDOUT="$dir/qpidd.stdout"
  mkdir -p "$BROKER_DATA_DIR"
  : >"$dir/empty.conf"
  # fd 3 is Bats' output channel: a background process holding it makes Bats hang.
  "$bin" --port 0 --interface 127.0.0.1 --data-dir "$BROKER_DATA_DIR" \
    --config "$dir/empty.conf" --log-to-stderr yes --log-enable info+ "$@" \
    >"$BROKER_STDOUT" 2>"$BROKER_LOG" 3>&- </dev/null &
  BROKER_PID=$!
  BROKER_PORT=""
  for ((i = 0; i < BROKER_START_TIMEOUT * 10; i++)); do
    if ! broker_alive "$BROKER_PID"; then
      echo "qpidd (pid $BROKER_PID) exited before listening" >&2
      dump_broker_log >&2
      wait "$BROKER_PID" 2>/dev/null
      BROKER_PID=""
      return 1
    fi
    BROKER_PORT="$(head -n1 "$BROKER_STDOUT" 2>/dev/null | tr -d '[:space:]')"
    [[ "$BROKER_PORT" =~ ^[0-9]+$ ]] && break
    BROKER_PORT=""
    sleep 0.1
  done
  if [[ -z "$BROKER_PORT" ]]; then
    echo "qpidd (pid $BROKER_PID) printed no port within ${BROKER_START_TIMEOUT}s" >&2
    dump_broker_log >&2
    stop_broker >/dev/null 2>&1
    return 1
  fi
  if ! wait_listening "$BROKER_PORT"; then
    echo "qpidd printed port $BROKER_PORT but does not accept connections on it" >&2
    dump_broker_log >&2
    stop_broker >/dev/null 2>&1
    return 1
  fi
  BROKER_URL="amqp://127.0.0.1:$BROKER_PORT"
  export BROKER_PID BROKER_PORT BROKER_URL BROKER_DATA_DIR BROKER_LOG BROKER_STDOUT
  return 0
}

# Sets BROKER_EXIT_STATUS to the exit status (or "killed").
stop_broker() {
  local pid="${1:-${BROKER_PID:-}}"
  BROKER_EXIT_STATUS=""
  [[ -n "$pid" ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    if ! wait_pid_gone "$pid" 10; then
      echo "qpidd (pid $pid) did not exit within 10 s of SIGTERM; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      BROKER_EXIT_STATUS="killed"
      [[ "$pid" == "${BROKER_PID:-}" ]] && BROKER_PID=""
      return 1
    fi
  fi
  wait "$pid" 2>/dev/null
  BROKER_EXIT_STATUS=$?
  [[ "$pid" == "${BROKER_PID:-}" ]] && BROKER_PID=""
  # 127: not a child of this shell (e.g. a daemon), so its status cannot be known.
  if [[ "$BROKER_EXIT_STATUS" != 0 && "$BROKER_EXIT_STATUS" != 127 ]]; then
    echo "qpidd (pid $pid) exited with status $BROKER_EXIT_STATUS after SIGTERM" >&2
    return 1
  fi
  return 0
}

# Stops a helper process this test started, by PID: TERM, then KILL after 5 s.
stop_pid() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

# start_broker, then sets BROKER (127.0.0.1:PORT) and PORT.
broker_up() {
  start_broker "$@" || return 1
  PORT=$BROKER_PORT
  BROKER=127.0.0.1:$PORT
}
